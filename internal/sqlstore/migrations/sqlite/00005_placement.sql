-- +goose Up
-- The placement agent's pipeline (issue #5).

-- An agency's own settings: its purpose-of-use text and retention period.
CREATE TABLE agencies (
    org_id          INTEGER PRIMARY KEY REFERENCES organisations (id) ON DELETE CASCADE,
    purpose_text    TEXT NOT NULL CHECK (length(purpose_text) BETWEEN 1 AND 4000),
    retention_days  INTEGER NOT NULL DEFAULT 1095 CHECK (retention_days BETWEEN 30 AND 3650),
    form_enabled    BOOLEAN NOT NULL DEFAULT 1,
    updated_at      TIMESTAMP NOT NULL
);

-- A doctor who reached an agency, before or after registering.
CREATE TABLE leads (
    id                    INTEGER PRIMARY KEY,
    agency_id             INTEGER NOT NULL REFERENCES organisations (id),
    user_id               INTEGER REFERENCES users (id) ON DELETE SET NULL,
    name                  TEXT NOT NULL CHECK (length(name) <= 60),
    name_kana             TEXT NOT NULL DEFAULT '' CHECK (length(name_kana) <= 60),
    email                 TEXT NOT NULL DEFAULT '' CHECK (length(email) <= 254),
    phone                 TEXT NOT NULL DEFAULT '' CHECK (length(phone) <= 15 AND phone NOT GLOB '*[^0-9]*'),
    registration_number   TEXT NOT NULL DEFAULT '' CHECK (length(registration_number) <= 7 AND registration_number NOT GLOB '*[^0-9]*'),
    source                TEXT NOT NULL CHECK (source IN ('web', 'sns', 'referral', 'event', 'invitation', 'manual')),
    source_note           TEXT NOT NULL DEFAULT '' CHECK (length(source_note) <= 200),
    message               TEXT NOT NULL DEFAULT '' CHECK (length(message) <= 5000),
    agent_id              INTEGER REFERENCES users (id) ON DELETE SET NULL,
    merged_into           INTEGER REFERENCES leads (id),
    purpose_hash          TEXT NOT NULL DEFAULT '',
    consented_at          TIMESTAMP,
    health_consent_at     TIMESTAMP,
    consent_withdrawn_at  TIMESTAMP,
    search_text           TEXT NOT NULL DEFAULT '',
    claim_token_hash      TEXT NOT NULL DEFAULT '',
    claim_expires_at      TIMESTAMP,
    created_at            TIMESTAMP NOT NULL,
    updated_at            TIMESTAMP NOT NULL,
    last_activity_at      TIMESTAMP NOT NULL,
    anonymised_at         TIMESTAMP,
    CHECK (merged_into IS NULL OR merged_into <> id),
    CHECK (health_consent_at IS NULL OR consented_at IS NOT NULL),
    CHECK (anonymised_at IS NOT NULL OR length(name) >= 1)
);
CREATE INDEX leads_agency ON leads (agency_id, last_activity_at DESC);
CREATE INDEX leads_email ON leads (agency_id, email) WHERE email <> '';
CREATE INDEX leads_phone ON leads (agency_id, phone) WHERE phone <> '';
-- 医籍登録番号 match without their leading zeros, as placement.Duplicates compares them.
CREATE INDEX leads_registration ON leads (agency_id, ltrim(registration_number, '0')) WHERE registration_number <> '';
CREATE INDEX leads_user ON leads (user_id);
CREATE UNIQUE INDEX leads_claim ON leads (claim_token_hash) WHERE claim_token_hash <> '';
-- The retention sweep's candidates.
CREATE INDEX leads_retention ON leads (last_activity_at) WHERE anonymised_at IS NULL AND merged_into IS NULL;

-- 紹介案件: one lead and one opening, stage by stage.
CREATE TABLE cases (
    id                   INTEGER PRIMARY KEY,
    agency_id            INTEGER NOT NULL REFERENCES organisations (id),
    lead_id              INTEGER NOT NULL REFERENCES leads (id),
    opening_id           INTEGER NOT NULL REFERENCES openings (id),
    institution_id       INTEGER NOT NULL REFERENCES organisations (id),
    agent_id             INTEGER NOT NULL REFERENCES users (id),
    stage                TEXT NOT NULL CHECK (stage IN ('lead', 'consultation', 'check_items', 'introduced', 'interview', 'review',
                             'placed', 'withdrawn_by_doctor', 'declined_by_institution', 'withdrawn_by_agent', 'on_hold')),
    round                INTEGER NOT NULL DEFAULT 1 CHECK (round >= 1),
    recommendation       TEXT NOT NULL DEFAULT '' CHECK (length(recommendation) <= 4000),
    override_reason      TEXT NOT NULL DEFAULT '' CHECK (length(override_reason) <= 2000),
    override_problems    TEXT NOT NULL DEFAULT '[]',
    override_by          INTEGER REFERENCES users (id),
    override_at          TIMESTAMP,
    outcome_reason       TEXT NOT NULL DEFAULT '' CHECK (outcome_reason IN ('', 'profile_mismatch', 'conditions', 'schedule', 'doctor_wish', 'location', 'filled', 'patient_safety', 'other')),
    outcome_note         TEXT NOT NULL DEFAULT '' CHECK (length(outcome_note) <= 2000),
    outcome_start_date   TEXT NOT NULL DEFAULT '',
    outcome_by           INTEGER REFERENCES users (id),
    outcome_at           TIMESTAMP,
    doctor_verdict       TEXT NOT NULL DEFAULT '' CHECK (doctor_verdict IN ('', 'proceed', 'decline', 'undecided')),
    doctor_note          TEXT NOT NULL DEFAULT '' CHECK (length(doctor_note) <= 2000),
    doctor_reviewed_by   INTEGER REFERENCES users (id),
    doctor_reviewed_at   TIMESTAMP,
    agent_verdict        TEXT NOT NULL DEFAULT '' CHECK (agent_verdict IN ('', 'proceed', 'decline', 'undecided')),
    agent_note           TEXT NOT NULL DEFAULT '' CHECK (length(agent_note) <= 2000),
    agent_reviewed_by    INTEGER REFERENCES users (id),
    agent_reviewed_at    TIMESTAMP,
    stage_changed_at     TIMESTAMP NOT NULL,
    introduced_at        TIMESTAMP,
    version              INTEGER NOT NULL DEFAULT 1,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL,
    CHECK (stage <> 'placed' OR outcome_start_date <> ''),
    CHECK (stage NOT IN ('withdrawn_by_doctor', 'declined_by_institution', 'withdrawn_by_agent') OR outcome_reason <> '')
);
CREATE INDEX cases_agency ON cases (agency_id, stage, updated_at DESC);
CREATE INDEX cases_lead ON cases (lead_id);
CREATE INDEX cases_institution ON cases (institution_id, stage);

-- The timeline: every transition and action, timestamped and attributed.
CREATE TABLE case_events (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('created', 'transition', 'override', 'checklist', 'consultation', 'interview',
                    'scorecard', 'review', 'shared', 'reopened', 'follow_up', 'merged')),
    from_stage  TEXT NOT NULL DEFAULT '',
    to_stage    TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT '' CHECK (length(detail) <= 20000),
    actor_id    INTEGER REFERENCES users (id),
    at          TIMESTAMP NOT NULL
);
CREATE INDEX case_events_case ON case_events (case_id, at, id);
CREATE INDEX case_events_transitions ON case_events (kind, at);

-- 面談. The notes are sealed with the vault (AES-GCM, key ID inside).
CREATE TABLE consultations (
    id            INTEGER PRIMARY KEY,
    agency_id     INTEGER NOT NULL REFERENCES organisations (id),
    lead_id       INTEGER NOT NULL REFERENCES leads (id),
    case_id       INTEGER REFERENCES cases (id) ON DELETE SET NULL,
    agent_id      INTEGER NOT NULL REFERENCES users (id),
    mode          TEXT NOT NULL CHECK (mode IN ('in_person', 'online')),
    scheduled_at  TIMESTAMP NOT NULL,
    place         TEXT NOT NULL DEFAULT '' CHECK (length(place) <= 200),
    meeting_url   TEXT NOT NULL DEFAULT '' CHECK (length(meeting_url) <= 2000),
    held_at       TIMESTAMP,
    sealed_notes  TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX consultations_lead ON consultations (lead_id, scheduled_at);

CREATE TABLE check_items (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    source      TEXT NOT NULL CHECK (source IN ('check_item', 'required', 'preferred', 'agent')),
    label       TEXT NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
    code        TEXT NOT NULL DEFAULT '',
    level       INTEGER NOT NULL DEFAULT 0 CHECK (level BETWEEN 0 AND 4),
    required    BOOLEAN NOT NULL,
    status      TEXT NOT NULL DEFAULT 'unknown' CHECK (status IN ('unknown', 'met', 'not_met')),
    note        TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    UNIQUE (case_id, position)
);

CREATE TABLE interviews (
    id            INTEGER PRIMARY KEY,
    case_id       INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    starts_at     TIMESTAMP NOT NULL,
    ends_at       TIMESTAMP NOT NULL,
    mode          TEXT NOT NULL CHECK (mode IN ('in_person', 'online')),
    place         TEXT NOT NULL DEFAULT '' CHECK (length(place) <= 200),
    meeting_url   TEXT NOT NULL DEFAULT '' CHECK (length(meeting_url) <= 2000),
    participants  TEXT NOT NULL DEFAULT '[]',
    sequence      INTEGER NOT NULL DEFAULT 0,
    cancelled_at  TIMESTAMP,
    created_by    INTEGER NOT NULL REFERENCES users (id),
    created_at    TIMESTAMP NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX interviews_case ON interviews (case_id, starts_at);

CREATE TABLE scorecards (
    id            INTEGER PRIMARY KEY,
    case_id       INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    interview_id  INTEGER NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
    author_id     INTEGER NOT NULL REFERENCES users (id),
    scores        TEXT NOT NULL DEFAULT '{}',
    overall       TEXT NOT NULL CHECK (overall IN ('strong_yes', 'yes', 'no', 'strong_no')),
    comment       TEXT NOT NULL DEFAULT '' CHECK (length(comment) <= 2000),
    created_at    TIMESTAMP NOT NULL,
    UNIQUE (interview_id, author_id)
);
CREATE INDEX scorecards_case ON scorecards (case_id);

-- What was shared with an institution on introduction, as the doctor sees it.
CREATE TABLE shares (
    id              INTEGER PRIMARY KEY,
    case_id         INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    institution_id  INTEGER NOT NULL REFERENCES organisations (id),
    fields          TEXT NOT NULL DEFAULT '[]',
    shared_by       INTEGER NOT NULL REFERENCES users (id),
    shared_at       TIMESTAMP NOT NULL
);
CREATE INDEX shares_case ON shares (case_id);

-- 再推薦: reminders due on a date or waiting for a career event.
CREATE TABLE follow_ups (
    id                 INTEGER PRIMARY KEY,
    agency_id          INTEGER NOT NULL REFERENCES organisations (id),
    case_id            INTEGER REFERENCES cases (id) ON DELETE SET NULL,
    lead_id            INTEGER NOT NULL REFERENCES leads (id),
    agent_id           INTEGER NOT NULL REFERENCES users (id),
    trigger_kind       TEXT NOT NULL CHECK (trigger_kind IN ('date', 'stage', 'certification', 'years')),
    trigger_date       TEXT NOT NULL DEFAULT '',
    trigger_stage      TEXT NOT NULL DEFAULT '',
    trigger_specialty  TEXT NOT NULL DEFAULT '',
    trigger_years      INTEGER NOT NULL DEFAULT 0 CHECK (trigger_years BETWEEN 0 AND 60),
    note               TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    context            TEXT NOT NULL DEFAULT '' CHECK (length(context) <= 2000),
    status             TEXT NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'due', 'done', 'cancelled')),
    fired_at           TIMESTAMP,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL
);
CREATE INDEX follow_ups_agency ON follow_ups (agency_id, status);
CREATE INDEX follow_ups_lead ON follow_ups (lead_id, status);

-- +goose Down
DROP TABLE follow_ups;
DROP TABLE shares;
DROP TABLE scorecards;
DROP TABLE interviews;
DROP TABLE check_items;
DROP TABLE consultations;
DROP TABLE case_events;
DROP TABLE cases;
DROP TABLE leads;
DROP TABLE agencies;

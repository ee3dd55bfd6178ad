-- +goose Up
-- Confidential 面談記録 of 地域枠 coordination, the sharing agreements
-- between organisations, and the doctors' consent to health topics
-- (issue #6).

-- A 面談記録. The confidential fields are sealed one by one with the vault
-- (AES-GCM, key ID inside, context "consultation_records.<field>:<id>"):
-- the columns hold ciphertext or nothing, never plaintext.
CREATE TABLE consultation_records (
    id                      INTEGER PRIMARY KEY,
    org_id                  INTEGER NOT NULL REFERENCES organisations (id),
    doctor_id               INTEGER NOT NULL REFERENCES users (id),
    author_id               INTEGER NOT NULL REFERENCES users (id),
    held_on                 TEXT NOT NULL CHECK (held_on GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),
    mode                    TEXT NOT NULL CHECK (mode IN ('in_person', 'online')),
    attendees               TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(attendees) AND json_type(attendees) = 'array'),
    -- A JSON array of known topics, at least one: removing every known
    -- token and the commas must leave the empty array.
    topics                  TEXT NOT NULL CHECK (topics <> '[]' AND replace(replace(replace(replace(replace(replace(topics,
                                '"career"', ''), '"obligation"', ''), '"specialty"', ''), '"life_events"', ''), '"health"', ''), ',', '') = '[]'),
    sealed_notes            TEXT NOT NULL DEFAULT '' CHECK (sealed_notes = '' OR sealed_notes LIKE 'v1:%'),
    sealed_agreed_actions   TEXT NOT NULL DEFAULT '' CHECK (sealed_agreed_actions = '' OR sealed_agreed_actions LIKE 'v1:%'),
    sealed_health_notes     TEXT NOT NULL DEFAULT '' CHECK (sealed_health_notes = '' OR sealed_health_notes LIKE 'v1:%'),
    next_meeting_on         TEXT CHECK (next_meeting_on GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]' AND next_meeting_on >= held_on),
    version                 INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at              TIMESTAMP NOT NULL,
    updated_at              TIMESTAMP NOT NULL,
    CHECK (sealed_health_notes = '' OR topics LIKE '%"health"%')
);
CREATE INDEX consultation_records_doctor ON consultation_records (doctor_id, held_on DESC);
CREATE INDEX consultation_records_org ON consultation_records (org_id, held_on DESC);

-- A sharing agreement: org_id lets the named roles of partner_org_id read
-- its records whose topics are all among the agreement's topics.
CREATE TABLE agreements (
    id              INTEGER PRIMARY KEY,
    org_id          INTEGER NOT NULL REFERENCES organisations (id),
    partner_org_id  INTEGER NOT NULL REFERENCES organisations (id),
    roles           TEXT NOT NULL CHECK (roles <> '[]' AND replace(replace(replace(roles,
                        '"coordinator"', ''), '"prefecture_officer"', ''), ',', '') = '[]'),
    topics          TEXT NOT NULL CHECK (topics <> '[]' AND replace(replace(replace(replace(replace(replace(topics,
                        '"career"', ''), '"obligation"', ''), '"specialty"', ''), '"life_events"', ''), '"health"', ''), ',', '') = '[]'),
    purpose         TEXT NOT NULL CHECK (length(purpose) BETWEEN 1 AND 500),
    created_by      INTEGER NOT NULL REFERENCES users (id),
    created_at      TIMESTAMP NOT NULL,
    revoked_by      INTEGER REFERENCES users (id),
    revoked_at      TIMESTAMP,
    CHECK (org_id <> partner_org_id),
    CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
);
-- One agreement in force per pair; revoke it to change it.
CREATE UNIQUE INDEX agreements_active ON agreements (org_id, partner_org_id) WHERE revoked_at IS NULL;
CREATE INDEX agreements_partner ON agreements (partner_org_id) WHERE revoked_at IS NULL;

-- A doctor's consent that an organisation records health topics
-- (要配慮個人情報) in their 面談記録; a withdrawal ends it, a new consent
-- is a new row.
CREATE TABLE record_consents (
    id            INTEGER PRIMARY KEY,
    doctor_id     INTEGER NOT NULL REFERENCES users (id),
    org_id        INTEGER NOT NULL REFERENCES organisations (id),
    given_at      TIMESTAMP NOT NULL,
    withdrawn_at  TIMESTAMP,
    CHECK (withdrawn_at IS NULL OR withdrawn_at >= given_at)
);
CREATE UNIQUE INDEX record_consents_current ON record_consents (doctor_id, org_id) WHERE withdrawn_at IS NULL;

-- +goose Down
DROP TABLE record_consents;
DROP TABLE agreements;
DROP TABLE consultation_records;

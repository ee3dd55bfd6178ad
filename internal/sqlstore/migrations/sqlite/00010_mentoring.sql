-- +goose Up
-- Mentoring (issue #6): mentor–mentee pairs arranged by a CC office for
-- the 地域枠 doctors it follows, their meeting logs, and the reminder when
-- a pair has not met for its interval.

-- A pair. The mentor is any doctor, often of another hospital; org_id is
-- the office that arranged it. last_met_on is the latest meeting's date,
-- kept by the store; last_reminded_at the latest reminder, set by the
-- daily job with a conditional UPDATE so that one instance alone sends it.
CREATE TABLE mentor_pairs (
    id                INTEGER PRIMARY KEY,
    org_id            INTEGER NOT NULL REFERENCES organisations (id),
    mentor_id         INTEGER NOT NULL REFERENCES users (id),
    mentee_id         INTEGER NOT NULL REFERENCES users (id),
    starts_on         TEXT NOT NULL CHECK (starts_on GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),
    ends_on           TEXT CHECK (ends_on GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]' AND ends_on >= starts_on),
    interval_months   INTEGER NOT NULL DEFAULT 3 CHECK (interval_months BETWEEN 1 AND 12),
    note              TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    last_met_on       TEXT CHECK (last_met_on GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]' AND last_met_on >= starts_on),
    last_reminded_at  TIMESTAMP,
    created_by        INTEGER NOT NULL REFERENCES users (id),
    ended_at          TIMESTAMP,
    ended_by          INTEGER REFERENCES users (id),
    version           INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    CHECK (mentor_id <> mentee_id),
    CHECK ((ended_at IS NULL) = (ended_by IS NULL))
);
-- One running pair per mentor and mentee; end it to arrange it again.
CREATE UNIQUE INDEX mentor_pairs_open ON mentor_pairs (mentor_id, mentee_id) WHERE ended_at IS NULL;
CREATE INDEX mentor_pairs_org ON mentor_pairs (org_id, starts_on DESC);
CREATE INDEX mentor_pairs_mentor ON mentor_pairs (mentor_id);
CREATE INDEX mentor_pairs_mentee ON mentor_pairs (mentee_id);

-- A meeting of a pair. Topics are free tags (a JSON array of strings).
-- The summary and what each side learned are sealed with the vault
-- (context "mentoring_meetings.<field>:<id>"): ciphertext or nothing.
CREATE TABLE mentoring_meetings (
    id                     INTEGER PRIMARY KEY,
    pair_id                INTEGER NOT NULL REFERENCES mentor_pairs (id),
    held_on                TEXT NOT NULL CHECK (held_on GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),
    mode                   TEXT NOT NULL CHECK (mode IN ('in_person', 'online')),
    topics                 TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(topics) AND json_type(topics) = 'array'),
    sealed_summary         TEXT NOT NULL CHECK (sealed_summary LIKE 'v1:%'),
    sealed_mentor_learned  TEXT NOT NULL DEFAULT '' CHECK (sealed_mentor_learned = '' OR sealed_mentor_learned LIKE 'v1:%'),
    sealed_mentee_learned  TEXT NOT NULL DEFAULT '' CHECK (sealed_mentee_learned = '' OR sealed_mentee_learned LIKE 'v1:%'),
    next_meeting_on        TEXT CHECK (next_meeting_on GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]' AND next_meeting_on >= held_on),
    recorded_by            INTEGER NOT NULL REFERENCES users (id),
    created_at             TIMESTAMP NOT NULL,
    updated_at             TIMESTAMP NOT NULL
);
CREATE INDEX mentoring_meetings_pair ON mentoring_meetings (pair_id, held_on DESC);

-- +goose Down
DROP TABLE mentoring_meetings;
DROP TABLE mentor_pairs;

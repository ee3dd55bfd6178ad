-- +goose Up
CREATE TABLE organisations (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('institution', 'agency', 'university', 'prefecture', 'platform')),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    prefecture  TEXT NOT NULL DEFAULT '' CHECK (length(prefecture) <= 10),
    created_at  TIMESTAMP NOT NULL,
    UNIQUE (kind, name)
);

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    email                TEXT NOT NULL UNIQUE CHECK (length(email) BETWEEN 3 AND 254),
    display_name         TEXT NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
    password_hash        TEXT NOT NULL,
    must_change_password BOOLEAN NOT NULL DEFAULT 0,
    totp_secret          TEXT NOT NULL DEFAULT '',
    totp_enabled         BOOLEAN NOT NULL DEFAULT 0,
    totp_last_step       INTEGER NOT NULL DEFAULT 0,
    locale               TEXT NOT NULL DEFAULT 'ja' CHECK (locale IN ('ja', 'en')),
    demo                 BOOLEAN NOT NULL DEFAULT 0,
    created_at           TIMESTAMP NOT NULL,
    disabled_at          TIMESTAMP,
    CHECK (totp_enabled = 0 OR totp_secret <> '')
);

CREATE TABLE grants (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role        TEXT NOT NULL CHECK (role IN ('doctor', 'institution_staff', 'agent', 'coordinator',
                                              'prefecture_officer', 'moderator', 'admin')),
    org_id      INTEGER REFERENCES organisations (id) ON DELETE CASCADE,
    org_admin   BOOLEAN NOT NULL DEFAULT 0,
    created_at  TIMESTAMP NOT NULL,
    CHECK ((role = 'doctor') = (org_id IS NULL))
);
CREATE UNIQUE INDEX grants_staff_unique ON grants (user_id, role, org_id) WHERE org_id IS NOT NULL;
CREATE UNIQUE INDEX grants_doctor_unique ON grants (user_id) WHERE role = 'doctor';
CREATE INDEX grants_org ON grants (org_id);

CREATE TABLE recovery_codes (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL,
    used_at    TIMESTAMP,
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE invitations (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    role         TEXT NOT NULL CHECK (role <> 'doctor'),
    email        TEXT NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    org_admin    BOOLEAN NOT NULL DEFAULT 0,
    token_hash   TEXT NOT NULL UNIQUE,
    invited_by   INTEGER NOT NULL REFERENCES users (id),
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    accepted_at  TIMESTAMP,
    accepted_by  INTEGER REFERENCES users (id),
    CHECK (expires_at > created_at)
);
CREATE INDEX invitations_org ON invitations (org_id);

CREATE TABLE sessions (
    id            INTEGER PRIMARY KEY,
    token_hash    TEXT NOT NULL UNIQUE,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    stage         TEXT NOT NULL CHECK (stage IN ('totp', 'full')),
    created_at    TIMESTAMP NOT NULL,
    last_seen_at  TIMESTAMP NOT NULL,
    expires_at    TIMESTAMP NOT NULL,
    ip            TEXT NOT NULL DEFAULT '',
    user_agent    TEXT NOT NULL DEFAULT '',
    ended_at      TIMESTAMP
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE trusted_devices (
    token_hash    TEXT PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at    TIMESTAMP NOT NULL
);

CREATE TABLE login_failures (
    id   INTEGER PRIMARY KEY,
    key  TEXT NOT NULL,
    at   TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_key_at ON login_failures (key, at);

CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    token_hash    TEXT NOT NULL UNIQUE,
    scope         TEXT NOT NULL CHECK (scope IN ('read', 'write')),
    created_at    TIMESTAMP NOT NULL,
    expires_at    TIMESTAMP,
    last_used_at  TIMESTAMP,
    revoked_at    TIMESTAMP
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE audit_head (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    seq   INTEGER NOT NULL,
    hash  TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');

-- The log keeps no foreign keys: entries outlive the users they name.
CREATE TABLE audit_log (
    seq          INTEGER PRIMARY KEY,
    at           TIMESTAMP NOT NULL,
    actor_id     INTEGER NOT NULL DEFAULT 0,
    subject_id   INTEGER NOT NULL DEFAULT 0,
    action       TEXT NOT NULL,
    object_kind  TEXT NOT NULL DEFAULT '',
    object_id    INTEGER NOT NULL DEFAULT 0,
    ip           TEXT NOT NULL DEFAULT '',
    request_id   TEXT NOT NULL DEFAULT '',
    detail       TEXT NOT NULL DEFAULT '',
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
);
CREATE INDEX audit_log_actor ON audit_log (actor_id, seq);
CREATE INDEX audit_log_subject ON audit_log (subject_id, seq);

-- +goose StatementBegin
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
-- +goose StatementEnd

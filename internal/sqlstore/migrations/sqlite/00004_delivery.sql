-- +goose Up
-- The job queue gains a dead state (a job that failed its last attempt
-- keeps its last error), a per-job attempt limit, and a dedup key so that
-- several instances schedule a periodic job only once. SQLite cannot add
-- table constraints to an existing table, so the table is rebuilt.
CREATE TABLE jobs_new (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 100),
    payload       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(payload)),
    run_at        TIMESTAMP NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts  INTEGER NOT NULL DEFAULT 12 CHECK (max_attempts BETWEEN 1 AND 100),
    locked_until  TIMESTAMP,
    last_error    TEXT NOT NULL DEFAULT '' CHECK (length(last_error) <= 2000),
    dedup_key     TEXT UNIQUE CHECK (dedup_key IS NULL OR length(dedup_key) BETWEEN 1 AND 200),
    done_at       TIMESTAMP,
    dead_at       TIMESTAMP,
    created_at    TIMESTAMP NOT NULL,
    CHECK (attempts <= max_attempts),
    CHECK (done_at IS NULL OR dead_at IS NULL)
);
INSERT INTO jobs_new (id, kind, payload, run_at, attempts, locked_until, last_error, done_at, created_at)
    SELECT id, kind, payload, run_at, min(attempts, 12), locked_until, substr(last_error, 1, 2000), done_at, created_at FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_new RENAME TO jobs;
-- Only pending jobs are searched for work; finished ones stay for the record.
CREATE INDEX jobs_pending ON jobs (run_at, id) WHERE done_at IS NULL AND dead_at IS NULL;

-- An organisation's outgoing webhooks. The URL, the Chatwork API token and
-- the signing secret are sealed by the vault (context "webhooks.<field>:<id>");
-- url_hint is the masked form shown in the UI.
CREATE TABLE webhooks (
    id             INTEGER PRIMARY KEY,
    org_id         INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    provider       TEXT NOT NULL CHECK (provider IN ('slack', 'discord', 'chatwork')),
    name           TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    url_sealed     TEXT NOT NULL CHECK (url_sealed LIKE 'v1:%'),
    url_hint       TEXT NOT NULL CHECK (length(url_hint) BETWEEN 1 AND 200),
    token_sealed   TEXT NOT NULL DEFAULT '' CHECK (token_sealed = '' OR token_sealed LIKE 'v1:%'),
    secret_sealed  TEXT NOT NULL DEFAULT '' CHECK (secret_sealed = '' OR secret_sealed LIKE 'v1:%'),
    enabled        BOOLEAN NOT NULL DEFAULT 1,
    created_by     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at     TIMESTAMP NOT NULL,
    UNIQUE (org_id, name),
    CHECK ((provider = 'chatwork') = (token_sealed <> ''))
);

-- One row per outgoing e-mail or webhook call: what was sent where, and how
-- its job is doing. The job carries the message; this row is the record.
CREATE TABLE deliveries (
    id               INTEGER PRIMARY KEY,
    channel          TEXT NOT NULL CHECK (channel IN ('email', 'slack', 'discord', 'chatwork')),
    target           TEXT NOT NULL CHECK (length(target) BETWEEN 1 AND 320),
    subject          TEXT NOT NULL DEFAULT '' CHECK (length(subject) <= 300),
    job_id           INTEGER UNIQUE REFERENCES jobs (id) ON DELETE SET NULL,
    notification_id  INTEGER REFERENCES notifications (id) ON DELETE SET NULL,
    org_id           INTEGER REFERENCES organisations (id) ON DELETE CASCADE,
    webhook_id       INTEGER REFERENCES webhooks (id) ON DELETE CASCADE,
    status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'dead')),
    attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error       TEXT NOT NULL DEFAULT '' CHECK (length(last_error) <= 2000),
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    sent_at          TIMESTAMP,
    CHECK ((channel = 'email') = (webhook_id IS NULL)),
    CHECK (webhook_id IS NULL OR org_id IS NOT NULL),
    CHECK ((status = 'sent') = (sent_at IS NOT NULL))
);
CREATE INDEX deliveries_org ON deliveries (org_id, id DESC);
CREATE INDEX deliveries_webhook ON deliveries (webhook_id, id DESC);
CREATE INDEX deliveries_notification ON deliveries (notification_id);

-- +goose Up
-- Events and surveys (issue #8): training sessions with a programme,
-- registrations with a venue waiting list, check-in, group work, materials
-- and recordings with restricted access, and surveys (attached to an event
-- or opened by an institution for its patients) with their responses.
-- Also the generic rate limiter that guards every public link.

-- Fixed-window counters: one row per key and window. Old windows are
-- pruned by the daily jobs.prune.
CREATE TABLE rate_limits (
    key           TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    window_start  TIMESTAMP NOT NULL,
    count         INTEGER NOT NULL CHECK (count >= 1),
    PRIMARY KEY (key, window_start)
);

-- An event of an organisation. Times are instants (UTC); pages show JST.
-- venue_capacity is the room: NULL means no limit. The online URL is
-- shown to registrants only. audience_orgs and audience_roles are JSON
-- arrays for the 'organisations' and 'roles' audiences.
CREATE TABLE events (
    id                     INTEGER PRIMARY KEY,
    org_id                 INTEGER NOT NULL REFERENCES organisations (id),
    title                  TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description            TEXT NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
    starts_at              TIMESTAMP NOT NULL,
    ends_at                TIMESTAMP NOT NULL,
    mode                   TEXT NOT NULL CHECK (mode IN ('venue', 'online', 'hybrid')),
    venue                  TEXT NOT NULL DEFAULT '' CHECK (length(venue) <= 300),
    venue_capacity         INTEGER CHECK (venue_capacity IS NULL OR venue_capacity BETWEEN 1 AND 100000),
    online_url             TEXT NOT NULL DEFAULT '' CHECK (length(online_url) <= 2000),
    registration_deadline  TIMESTAMP NOT NULL,
    audience               TEXT NOT NULL CHECK (audience IN ('open', 'organisations', 'roles')),
    audience_orgs          TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(audience_orgs) AND json_type(audience_orgs) = 'array'),
    audience_roles         TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(audience_roles) AND json_type(audience_roles) = 'array'),
    status                 TEXT NOT NULL CHECK (status IN ('draft', 'published', 'cancelled')),
    created_by             INTEGER NOT NULL REFERENCES users (id),
    created_at             TIMESTAMP NOT NULL,
    updated_at             TIMESTAMP NOT NULL,
    version                INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    CHECK (ends_at > starts_at),
    CHECK (registration_deadline <= ends_at),
    CHECK (mode = 'online' OR venue <> ''),
    CHECK (mode = 'venue' OR online_url <> '')
);
CREATE INDEX events_org ON events (org_id, starts_at);
CREATE INDEX events_starts ON events (status, starts_at);

-- The programme: talks in order.
CREATE TABLE event_talks (
    id           INTEGER PRIMARY KEY,
    event_id     INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL CHECK (position >= 0),
    title        TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    speaker      TEXT NOT NULL DEFAULT '' CHECK (length(speaker) <= 100),
    affiliation  TEXT NOT NULL DEFAULT '' CHECK (length(affiliation) <= 200),
    starts_at    TIMESTAMP,
    minutes      INTEGER NOT NULL DEFAULT 0 CHECK (minutes BETWEEN 0 AND 1440),
    UNIQUE (event_id, position)
);

-- A registration. user_id is set when a signed-in user registered; a
-- guest manages theirs with the token sent to them (its hash is kept).
-- A venue registration beyond the capacity waits (status 'waitlisted')
-- and moves up, the earliest first, when a place frees. One live
-- registration per e-mail address and event (email_key is the folded
-- address).
CREATE TABLE event_registrations (
    id              INTEGER PRIMARY KEY,
    event_id        INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    user_id         INTEGER REFERENCES users (id) ON DELETE SET NULL,
    name            TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    email           TEXT NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    email_key       TEXT NOT NULL CHECK (length(email_key) BETWEEN 3 AND 254),
    prefecture      TEXT NOT NULL CHECK (length(prefecture) BETWEEN 1 AND 10),
    organisation    TEXT NOT NULL DEFAULT '' CHECK (length(organisation) <= 200),
    role            TEXT NOT NULL CHECK (role IN ('cc', 'prefecture_officer', 'faculty', 'doctor', 'student', 'staff', 'other')),
    attendance      TEXT NOT NULL CHECK (attendance IN ('venue', 'online')),
    status          TEXT NOT NULL CHECK (status IN ('registered', 'waitlisted', 'cancelled')),
    token_hash      TEXT NOT NULL UNIQUE,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    promoted_at     TIMESTAMP,
    cancelled_at    TIMESTAMP,
    checked_in_at   TIMESTAMP,
    checked_in_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    version         INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL)),
    CHECK (checked_in_at IS NULL OR status = 'registered')
);
CREATE UNIQUE INDEX event_registrations_live ON event_registrations (event_id, email_key) WHERE status <> 'cancelled';
CREATE INDEX event_registrations_event ON event_registrations (event_id, status, created_at);
CREATE INDEX event_registrations_user ON event_registrations (user_id);

-- Group work: the number of groups, the themes (JSON array) and the seed
-- of the latest assignment; groups and their members.
CREATE TABLE event_groupwork (
    event_id     INTEGER PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
    groups       INTEGER NOT NULL CHECK (groups BETWEEN 1 AND 200),
    themes       TEXT NOT NULL CHECK (json_valid(themes) AND json_type(themes) = 'array'),
    seed         INTEGER NOT NULL,
    assigned_by  INTEGER NOT NULL REFERENCES users (id),
    assigned_at  TIMESTAMP NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);
CREATE TABLE event_groups (
    id          INTEGER PRIMARY KEY,
    event_id    INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    number      INTEGER NOT NULL CHECK (number >= 1),
    theme       TEXT NOT NULL CHECK (length(theme) BETWEEN 1 AND 200),
    presenters  TEXT NOT NULL DEFAULT '' CHECK (length(presenters) <= 500),
    points      TEXT NOT NULL DEFAULT '' CHECK (length(points) <= 10000),
    UNIQUE (event_id, number)
);
CREATE TABLE event_group_members (
    group_id         INTEGER NOT NULL REFERENCES event_groups (id) ON DELETE CASCADE,
    registration_id  INTEGER NOT NULL UNIQUE REFERENCES event_registrations (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, registration_id)
);

-- Materials and recording links of an event, and the requests for those
-- shared by request. An approved request carries its own access token
-- (hash kept) and an expiry.
CREATE TABLE event_materials (
    id           INTEGER PRIMARY KEY,
    event_id     INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('material', 'recording')),
    title        TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    url          TEXT NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
    visibility   TEXT NOT NULL CHECK (visibility IN ('public', 'registrants', 'request')),
    access_days  INTEGER NOT NULL DEFAULT 30 CHECK (access_days BETWEEN 1 AND 365),
    created_by   INTEGER NOT NULL REFERENCES users (id),
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX event_materials_event ON event_materials (event_id);
CREATE TABLE material_requests (
    id           INTEGER PRIMARY KEY,
    material_id  INTEGER NOT NULL REFERENCES event_materials (id) ON DELETE CASCADE,
    name         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    prefecture   TEXT NOT NULL CHECK (length(prefecture) BETWEEN 1 AND 10),
    role         TEXT NOT NULL CHECK (length(role) BETWEEN 1 AND 100),
    email        TEXT NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    note         TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    status       TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by   INTEGER REFERENCES users (id),
    decided_at   TIMESTAMP,
    reason       TEXT NOT NULL DEFAULT '' CHECK (length(reason) <= 1000),
    token_hash   TEXT UNIQUE,
    expires_at   TIMESTAMP,
    created_at   TIMESTAMP NOT NULL,
    CHECK ((status = 'pending') = (decided_at IS NULL)),
    CHECK ((status = 'approved') = (token_hash IS NOT NULL AND expires_at IS NOT NULL))
);
CREATE INDEX material_requests_material ON material_requests (material_id, status, created_at);

-- A survey of an organisation: attached to an event (its attendees are
-- invited, one response each) or a patient-satisfaction survey with an
-- anonymous public link (public_slug). previous_id is the earlier run of
-- the same survey, for comparing runs item by item (item_key).
CREATE TABLE surveys (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organisations (id),
    event_id     INTEGER REFERENCES events (id) ON DELETE SET NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('event', 'patient')),
    title        TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description  TEXT NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
    status       TEXT NOT NULL CHECK (status IN ('draft', 'open', 'closed')),
    public_slug  TEXT UNIQUE CHECK (public_slug IS NULL OR length(public_slug) BETWEEN 16 AND 64),
    previous_id  INTEGER REFERENCES surveys (id) ON DELETE SET NULL,
    closes_at    TIMESTAMP,
    created_by   INTEGER NOT NULL REFERENCES users (id),
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    CHECK (kind = 'patient' OR event_id IS NOT NULL),
    CHECK (kind = 'event' OR public_slug IS NOT NULL)
);
CREATE INDEX surveys_org ON surveys (org_id, created_at);
CREATE INDEX surveys_event ON surveys (event_id);

-- Items in order. choices is a JSON array of labels for single and
-- multiple choice. item_key stays the same across runs.
CREATE TABLE survey_items (
    id         INTEGER PRIMARY KEY,
    survey_id  INTEGER NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL CHECK (position >= 0),
    item_key   TEXT NOT NULL CHECK (length(item_key) BETWEEN 1 AND 64),
    kind       TEXT NOT NULL CHECK (kind IN ('likert', 'single', 'multiple', 'text')),
    label      TEXT NOT NULL CHECK (length(label) BETWEEN 1 AND 500),
    required   BOOLEAN NOT NULL DEFAULT 0,
    choices    TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(choices) AND json_type(choices) = 'array'),
    UNIQUE (survey_id, position),
    UNIQUE (survey_id, item_key)
);

-- An invitation to answer an event survey: one per registration, one
-- response each. The token is sent to the attendee; its hash is kept.
CREATE TABLE survey_invitations (
    id               INTEGER PRIMARY KEY,
    survey_id        INTEGER NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    registration_id  INTEGER REFERENCES event_registrations (id) ON DELETE SET NULL,
    email            TEXT NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    token_hash       TEXT NOT NULL UNIQUE,
    created_at       TIMESTAMP NOT NULL,
    UNIQUE (survey_id, registration_id)
);

-- A response: by invitation (at most one per invitation) or anonymous
-- through the public link, editable with its own token until the survey
-- closes.
CREATE TABLE survey_responses (
    id               INTEGER PRIMARY KEY,
    survey_id        INTEGER NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    invitation_id    INTEGER UNIQUE REFERENCES survey_invitations (id) ON DELETE SET NULL,
    edit_token_hash  TEXT NOT NULL UNIQUE,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX survey_responses_survey ON survey_responses (survey_id, created_at);

-- One answer per response and item: a Likert value or a choice index in
-- value, the chosen indexes of a multiple choice in choices (JSON), or
-- free text.
CREATE TABLE survey_answers (
    response_id  INTEGER NOT NULL REFERENCES survey_responses (id) ON DELETE CASCADE,
    item_id      INTEGER NOT NULL REFERENCES survey_items (id) ON DELETE CASCADE,
    value        INTEGER,
    choices      TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(choices) AND json_type(choices) = 'array'),
    text         TEXT NOT NULL DEFAULT '' CHECK (length(text) <= 5000),
    PRIMARY KEY (response_id, item_id)
);
CREATE INDEX survey_answers_item ON survey_answers (item_id);

-- The organiser's tags on free-text comments (e.g. 改善要望).
CREATE TABLE survey_comment_tags (
    response_id  INTEGER NOT NULL REFERENCES survey_responses (id) ON DELETE CASCADE,
    item_id      INTEGER NOT NULL REFERENCES survey_items (id) ON DELETE CASCADE,
    tag          TEXT NOT NULL CHECK (length(tag) BETWEEN 1 AND 40),
    PRIMARY KEY (response_id, item_id, tag)
);

-- +goose Down
DROP TABLE survey_comment_tags;
DROP TABLE survey_answers;
DROP TABLE survey_responses;
DROP TABLE survey_invitations;
DROP TABLE survey_items;
DROP TABLE surveys;
DROP TABLE material_requests;
DROP TABLE event_materials;
DROP TABLE event_group_members;
DROP TABLE event_groups;
DROP TABLE event_groupwork;
DROP TABLE event_registrations;
DROP TABLE event_talks;
DROP TABLE events;
DROP TABLE rate_limits;

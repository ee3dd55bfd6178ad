-- +goose Up
-- The community board (issue #7): a closed, verified Q&A space for clinic
-- owners and doctors about to open one. Members, invitations, company
-- referral codes, posts (questions, answers and comments in one table),
-- their revisions, votes, tags with synonyms, reports and the moderation
-- log. Posts are never deleted: a moderator hides them.

-- The board's settings: one row, written on first save.
CREATE TABLE community_settings (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    rules             TEXT NOT NULL CHECK (length(rules) <= 20000),
    hold_first_posts  INTEGER NOT NULL DEFAULT 0 CHECK (hold_first_posts BETWEEN 0 AND 20),
    updated_by        INTEGER NOT NULL REFERENCES users (id),
    updated_at        TIMESTAMP NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);

-- A company (device maker, pharma, clinic-opening support) that points
-- doctors to the board with its referral code. It never posts.
CREATE TABLE community_companies (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
    referral_code  TEXT NOT NULL UNIQUE CHECK (length(referral_code) BETWEEN 6 AND 32),
    note           TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    created_by     INTEGER NOT NULL REFERENCES users (id),
    created_at     TIMESTAMP NOT NULL,
    disabled_at    TIMESTAMP
);
-- Codes are looked up case-insensitively, so they are unique so too.
CREATE UNIQUE INDEX community_companies_code ON community_companies (upper(referral_code));

-- A company's contact: a user without grants who sees the company's
-- referral counts and nothing of the board.
CREATE TABLE community_company_contacts (
    user_id     INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    company_id  INTEGER NOT NULL REFERENCES community_companies (id) ON DELETE CASCADE,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX community_company_contacts_company ON community_company_contacts (company_id);

-- A doctor's membership, from the application on. The card fields say
-- what the member shares; specialty, region and practice form come from
-- the profile. approved_posts counts the member's published posts, for
-- holding a new member's first posts.
CREATE TABLE community_members (
    user_id           INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    member_group      TEXT NOT NULL CHECK (member_group IN ('clinic_owner', 'planning_to_open')),
    status            TEXT NOT NULL CHECK (status IN ('applied', 'active', 'rejected', 'left', 'banned')),
    entry             TEXT NOT NULL CHECK (entry IN ('application', 'invitation')),
    invited_by        INTEGER REFERENCES users (id) ON DELETE SET NULL,
    company_id        INTEGER REFERENCES community_companies (id) ON DELETE SET NULL,
    application_note  TEXT NOT NULL DEFAULT '' CHECK (length(application_note) <= 2000),
    decided_by        INTEGER REFERENCES users (id) ON DELETE SET NULL,
    decision_reason   TEXT NOT NULL DEFAULT '' CHECK (length(decision_reason) <= 2000),
    applied_at        TIMESTAMP NOT NULL,
    joined_at         TIMESTAMP,
    age_band          TEXT NOT NULL DEFAULT '' CHECK (age_band IN ('', '20s', '30s', '40s', '50s', '60s')),
    share_specialty   BOOLEAN NOT NULL DEFAULT 0,
    share_region      BOOLEAN NOT NULL DEFAULT 0,
    share_age         BOOLEAN NOT NULL DEFAULT 0,
    share_practice    BOOLEAN NOT NULL DEFAULT 1,
    digest            TEXT NOT NULL DEFAULT 'daily' CHECK (digest IN ('off', 'immediate', 'daily')),
    digest_sent_at    TIMESTAMP,
    approved_posts    INTEGER NOT NULL DEFAULT 0 CHECK (approved_posts >= 0),
    silenced_until    TIMESTAMP,
    suspended_until   TIMESTAMP,
    banned_at         TIMESTAMP,
    version           INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    updated_at        TIMESTAMP NOT NULL,
    CHECK ((status = 'active') = (joined_at IS NOT NULL) OR status IN ('left', 'banned')),
    CHECK ((status = 'banned') = (banned_at IS NOT NULL))
);
CREATE INDEX community_members_status ON community_members (status, applied_at);
CREATE INDEX community_members_company ON community_members (company_id);

-- An invitation from a member. The token is shown once; its hash is kept.
-- An e-mail, when given, must be the invitee's.
CREATE TABLE community_invitations (
    id           INTEGER PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    invited_by   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email        TEXT NOT NULL DEFAULT '' CHECK (length(email) <= 254),
    note         TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    accepted_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    accepted_at  TIMESTAMP,
    revoked_at   TIMESTAMP,
    CHECK (expires_at > created_at)
);
CREATE INDEX community_invitations_inviter ON community_invitations (invited_by, created_at);

-- Tags and their synonyms. Every name a tag answers to (its own and its
-- synonyms) is one row of community_tag_names under its folded key
-- (jatext.Fold), so that no name can mean two tags.
CREATE TABLE community_tags (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 40),
    category     TEXT NOT NULL CHECK (category IN ('specialty', 'region', 'practice', 'topic')),
    description  TEXT NOT NULL DEFAULT '' CHECK (length(description) <= 500),
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE TABLE community_tag_names (
    name_key  TEXT PRIMARY KEY CHECK (length(name_key) BETWEEN 1 AND 40),
    tag_id    INTEGER NOT NULL REFERENCES community_tags (id) ON DELETE CASCADE,
    synonym   TEXT NOT NULL DEFAULT '' CHECK (length(synonym) <= 40)
);
CREATE INDEX community_tag_names_tag ON community_tag_names (tag_id);

-- A question, an answer or a comment. question_id is the thread (NULL for
-- a question), parent_id the post a comment is on. author_id is kept for
-- anonymous posts too; only the service decides who may see it.
-- answer_count counts visible answers; first_answer_at is the first
-- visible answer's time (response statistics); match_text is
-- jatext.MatchText of title and body while the post is a visible question
-- or answer ('' otherwise), for searches the index cannot help.
CREATE TABLE community_posts (
    id                  INTEGER PRIMARY KEY,
    kind                TEXT NOT NULL CHECK (kind IN ('question', 'answer', 'comment')),
    question_id         INTEGER REFERENCES community_posts (id),
    parent_id           INTEGER REFERENCES community_posts (id),
    author_id           INTEGER NOT NULL REFERENCES users (id),
    anonymous           BOOLEAN NOT NULL DEFAULT 0,
    title               TEXT NOT NULL DEFAULT '' CHECK (length(title) <= 150),
    body                TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
    status              TEXT NOT NULL CHECK (status IN ('held', 'visible', 'hidden')),
    status_reason       TEXT NOT NULL DEFAULT '' CHECK (length(status_reason) <= 2000),
    accepted_answer_id  INTEGER REFERENCES community_posts (id),
    accepted_at         TIMESTAMP,
    score               INTEGER NOT NULL DEFAULT 0 CHECK (score >= 0),
    answer_count        INTEGER NOT NULL DEFAULT 0 CHECK (answer_count >= 0),
    first_answer_at     TIMESTAMP,
    created_at          TIMESTAMP NOT NULL,
    edited_at           TIMESTAMP,
    activity_at         TIMESTAMP NOT NULL,
    version             INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    match_text          TEXT NOT NULL DEFAULT '',
    CHECK ((kind = 'question') = (question_id IS NULL)),
    CHECK ((kind = 'comment') = (parent_id IS NOT NULL)),
    CHECK (kind <> 'question' OR length(title) >= 1),
    CHECK (kind = 'question' OR (title = '' AND accepted_answer_id IS NULL)),
    CHECK ((accepted_answer_id IS NULL) = (accepted_at IS NULL)),
    CHECK (kind <> 'comment' OR length(body) <= 2000)
);
CREATE INDEX community_posts_thread ON community_posts (question_id, created_at);
CREATE INDEX community_posts_parent ON community_posts (parent_id);
CREATE INDEX community_posts_author ON community_posts (author_id, created_at);
CREATE INDEX community_posts_questions ON community_posts (kind, status, activity_at);

CREATE TABLE community_post_tags (
    post_id  INTEGER NOT NULL REFERENCES community_posts (id) ON DELETE CASCADE,
    tag_id   INTEGER NOT NULL REFERENCES community_tags (id) ON DELETE CASCADE,
    PRIMARY KEY (post_id, tag_id)
);
CREATE INDEX community_post_tags_tag ON community_post_tags (tag_id);

-- Every version of a post, the first included: the edit history. tags is
-- the tag names, comma separated, for questions.
CREATE TABLE community_post_revisions (
    id            INTEGER PRIMARY KEY,
    post_id       INTEGER NOT NULL REFERENCES community_posts (id) ON DELETE CASCADE,
    editor_id     INTEGER NOT NULL REFERENCES users (id),
    by_moderator  BOOLEAN NOT NULL DEFAULT 0,
    title         TEXT NOT NULL DEFAULT '',
    body          TEXT NOT NULL,
    tags          TEXT NOT NULL DEFAULT '',
    reason        TEXT NOT NULL DEFAULT '' CHECK (length(reason) <= 2000),
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX community_post_revisions_post ON community_post_revisions (post_id, id);

-- Upvotes only: a basic question must not be punished.
CREATE TABLE community_votes (
    post_id     INTEGER NOT NULL REFERENCES community_posts (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (post_id, user_id)
);
CREATE INDEX community_votes_user ON community_votes (user_id);

-- A member's report of a post. One open report per post and reporter.
CREATE TABLE community_reports (
    id           INTEGER PRIMARY KEY,
    post_id      INTEGER NOT NULL REFERENCES community_posts (id),
    reporter_id  INTEGER NOT NULL REFERENCES users (id),
    reason       TEXT NOT NULL CHECK (reason IN ('showing_off', 'hostile', 'advertising', 'private_info', 'other')),
    note         TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    status       TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'dismissed')),
    created_at   TIMESTAMP NOT NULL,
    closed_by    INTEGER REFERENCES users (id),
    closed_at    TIMESTAMP,
    resolution   TEXT NOT NULL DEFAULT '' CHECK (length(resolution) <= 2000),
    CHECK (reason <> 'other' OR length(note) >= 1),
    CHECK ((status = 'open') = (closed_at IS NULL))
);
CREATE UNIQUE INDEX community_reports_open ON community_reports (post_id, reporter_id) WHERE status = 'open';
CREATE INDEX community_reports_status ON community_reports (status, created_at);

-- The moderation log: every moderator action, always with a reason the
-- member concerned sees.
CREATE TABLE community_mod_actions (
    id            INTEGER PRIMARY KEY,
    action        TEXT NOT NULL CHECK (action IN ('approve_member', 'reject_member', 'approve_post', 'hide', 'restore',
                                                  'edit', 'warn', 'silence', 'suspend', 'ban', 'lift', 'reveal_author',
                                                  'close_report', 'tag', 'settings')),
    moderator_id  INTEGER NOT NULL REFERENCES users (id),
    member_id     INTEGER REFERENCES users (id),
    post_id       INTEGER REFERENCES community_posts (id),
    report_id     INTEGER REFERENCES community_reports (id),
    reason        TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    until         TIMESTAMP,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX community_mod_actions_member ON community_mod_actions (member_id, id);
CREATE INDEX community_mod_actions_at ON community_mod_actions (id);

-- Free-text index of visible questions and answers, as openings_fts:
-- jatext tokens, rowid the post's id. The column is "terms", not
-- "tokens": key rotation's schema test takes *token* columns for sealed.
CREATE VIRTUAL TABLE community_posts_fts USING fts5(terms, tokenize = 'ascii', detail = 'full');

-- +goose Down
DROP TABLE community_posts_fts;
DROP TABLE community_mod_actions;
DROP TABLE community_reports;
DROP TABLE community_votes;
DROP TABLE community_post_revisions;
DROP TABLE community_post_tags;
DROP TABLE community_posts;
DROP TABLE community_tag_names;
DROP TABLE community_tags;
DROP TABLE community_invitations;
DROP TABLE community_members;
DROP TABLE community_company_contacts;
DROP TABLE community_companies;
DROP TABLE community_settings;

-- +goose Up
-- The competency vocabulary; administrators curate it. Codes are stable.
CREATE TABLE competencies (
    code         TEXT PRIMARY KEY CHECK (length(code) BETWEEN 1 AND 60),
    grp          TEXT NOT NULL CHECK (grp IN ('clinical', 'remote', 'management', 'marketing')),
    name         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    description  TEXT NOT NULL DEFAULT '',
    position     INTEGER NOT NULL DEFAULT 0,
    retired      BOOLEAN NOT NULL DEFAULT 0
);

CREATE TABLE doctor_profiles (
    user_id                  INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    name_kanji               TEXT NOT NULL DEFAULT '' CHECK (length(name_kanji) <= 60),
    name_kana                TEXT NOT NULL DEFAULT '' CHECK (length(name_kana) <= 60),
    graduation_year          INTEGER CHECK (graduation_year IS NULL OR graduation_year BETWEEN 1950 AND 2100),
    registration_number      TEXT NOT NULL DEFAULT '' CHECK (length(registration_number) <= 10),
    registration_verified_at TIMESTAMP,
    registration_verified_by INTEGER REFERENCES users (id),
    workplace                TEXT NOT NULL DEFAULT '' CHECK (length(workplace) <= 200),
    practice_form            TEXT NOT NULL DEFAULT 'employed' CHECK (practice_form IN ('employed', 'clinic_owner', 'planning_to_open')),
    prefecture               TEXT NOT NULL DEFAULT '' CHECK (length(prefecture) <= 10),
    city                     TEXT NOT NULL DEFAULT '' CHECK (length(city) <= 60),
    specialties              TEXT NOT NULL DEFAULT '[]',
    subspecialties           TEXT NOT NULL DEFAULT '[]',
    languages                TEXT NOT NULL DEFAULT '[]',
    bio                      TEXT NOT NULL DEFAULT '' CHECK (length(bio) <= 2000),
    pref_kinds               TEXT NOT NULL DEFAULT '[]',
    pref_weekdays            TEXT NOT NULL DEFAULT '[]',
    pref_remote_only         BOOLEAN NOT NULL DEFAULT 0,
    pref_min_hourly_yen      INTEGER NOT NULL DEFAULT 0 CHECK (pref_min_hourly_yen BETWEEN 0 AND 1000000),
    pref_min_annual_yen      INTEGER NOT NULL DEFAULT 0 CHECK (pref_min_annual_yen BETWEEN 0 AND 1000000000),
    pref_prefectures         TEXT NOT NULL DEFAULT '[]',
    show_name                BOOLEAN NOT NULL DEFAULT 0,
    show_workplace           BOOLEAN NOT NULL DEFAULT 0,
    show_contact             BOOLEAN NOT NULL DEFAULT 0,
    updated_at               TIMESTAMP NOT NULL
);

CREATE TABLE career_events (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('national_exam_passed', 'junior_start', 'junior_end', 'specialty_start', 'specialist_obtained')),
    on_date    TEXT NOT NULL CHECK (on_date GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),
    specialty  TEXT NOT NULL DEFAULT '',
    program    TEXT NOT NULL DEFAULT '' CHECK (length(program) <= 200),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX career_events_user ON career_events (user_id, on_date);

CREATE TABLE certifications (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    specialty   TEXT NOT NULL DEFAULT '',
    obtained_on TEXT NOT NULL DEFAULT ''
);
CREATE INDEX certifications_user ON certifications (user_id);

CREATE TABLE doctor_skills (
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code      TEXT NOT NULL REFERENCES competencies (code),
    level     INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),
    years     INTEGER NOT NULL DEFAULT 0 CHECK (years BETWEEN 0 AND 80),
    cases     INTEGER NOT NULL DEFAULT 0 CHECK (cases BETWEEN 0 AND 1000000),
    evidence  TEXT NOT NULL DEFAULT '' CHECK (length(evidence) <= 500),
    PRIMARY KEY (user_id, code)
);

CREATE TABLE doctor_tracks (
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    track       TEXT NOT NULL,
    chosen_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, track)
);

CREATE TABLE institution_profiles (
    org_id       INTEGER PRIMARY KEY REFERENCES organisations (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL DEFAULT 'clinic' CHECK (kind IN ('hospital', 'clinic')),
    beds         INTEGER NOT NULL DEFAULT 0 CHECK (beds BETWEEN 0 AND 5000),
    address      TEXT NOT NULL DEFAULT '' CHECK (length(address) <= 300),
    city         TEXT NOT NULL DEFAULT '' CHECK (length(city) <= 60),
    medical_area TEXT NOT NULL DEFAULT '' CHECK (length(medical_area) <= 60),
    departments  TEXT NOT NULL DEFAULT '[]',
    motto        TEXT NOT NULL DEFAULT '' CHECK (length(motto) <= 200),
    values_text  TEXT NOT NULL DEFAULT '' CHECK (length(values_text) <= 2000),
    updated_at   TIMESTAMP NOT NULL
);

CREATE TABLE openings (
    id                       INTEGER PRIMARY KEY,
    institution_id           INTEGER NOT NULL REFERENCES organisations (id),
    poster_org_id            INTEGER NOT NULL REFERENCES organisations (id),
    posted_by                INTEGER NOT NULL REFERENCES users (id),
    title                    TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 120),
    kind                     TEXT NOT NULL CHECK (kind IN ('full_time', 'part_time_regular', 'spot', 'night_duty', 'day_duty', 'remote')),
    remote_kind              TEXT NOT NULL DEFAULT '' CHECK (remote_kind IN ('', 'online_consultation', 'teleradiology', 'second_opinion', 'occupational_health', 'health_consultation')),
    specialty                TEXT NOT NULL DEFAULT '',
    schedule_kind            TEXT NOT NULL CHECK (schedule_kind IN ('weekly', 'single', 'full_time')),
    weekly                   TEXT NOT NULL DEFAULT '[]',
    weekday_mask             INTEGER NOT NULL DEFAULT 0 CHECK (weekday_mask BETWEEN 0 AND 127),
    single_date              TEXT NOT NULL DEFAULT '',
    start_time               TEXT NOT NULL DEFAULT '',
    end_time                 TEXT NOT NULL DEFAULT '',
    schedule_note            TEXT NOT NULL DEFAULT '' CHECK (length(schedule_note) <= 500),
    pay_unit                 TEXT NOT NULL CHECK (pay_unit IN ('hourly', 'per_shift', 'annual')),
    pay_min_yen              INTEGER NOT NULL CHECK (pay_min_yen BETWEEN 0 AND 1000000000),
    pay_max_yen              INTEGER NOT NULL CHECK (pay_max_yen BETWEEN 0 AND 1000000000),
    emergency_level          INTEGER NOT NULL DEFAULT 0 CHECK (emergency_level BETWEEN 0 AND 3),
    duty_permit              BOOLEAN NOT NULL DEFAULT 0,
    prefecture               TEXT NOT NULL DEFAULT '',
    city                     TEXT NOT NULL DEFAULT '' CHECK (length(city) <= 60),
    address                  TEXT NOT NULL DEFAULT '' CHECK (length(address) <= 300),
    answer_student           TEXT NOT NULL DEFAULT 'reject' CHECK (answer_student IN ('accept', 'consider', 'reject')),
    answer_junior_resident   TEXT NOT NULL DEFAULT 'reject' CHECK (answer_junior_resident IN ('accept', 'consider', 'reject')),
    answer_specialty_resident TEXT NOT NULL DEFAULT 'consider' CHECK (answer_specialty_resident IN ('accept', 'consider', 'reject')),
    answer_specialist        TEXT NOT NULL DEFAULT 'accept' CHECK (answer_specialist IN ('accept', 'consider', 'reject')),
    check_items              TEXT NOT NULL DEFAULT '[]',
    description              TEXT NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
    status                   TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'closed')),
    version                  INTEGER NOT NULL DEFAULT 1,
    created_at               TIMESTAMP NOT NULL,
    updated_at               TIMESTAMP NOT NULL,
    posted_at                TIMESTAMP,
    closed_at                TIMESTAMP,
    CHECK (pay_max_yen >= pay_min_yen),
    CHECK ((kind = 'remote') = (remote_kind <> '')),
    CHECK (status = 'draft' OR posted_at IS NOT NULL)
);
CREATE INDEX openings_institution ON openings (institution_id, status);
CREATE INDEX openings_poster ON openings (poster_org_id, status);
CREATE INDEX openings_open_posted ON openings (status, posted_at DESC, id DESC);
CREATE INDEX openings_open_kind_posted ON openings (status, kind, posted_at DESC, id DESC);
CREATE INDEX openings_open_pay ON openings (status, pay_unit, pay_max_yen DESC, id DESC);

CREATE TABLE opening_requirements (
    opening_id  INTEGER NOT NULL REFERENCES openings (id) ON DELETE CASCADE,
    code        TEXT NOT NULL REFERENCES competencies (code),
    level       INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),
    required    BOOLEAN NOT NULL,
    PRIMARY KEY (opening_id, code)
);

CREATE TABLE applications (
    id          INTEGER PRIMARY KEY,
    opening_id  INTEGER NOT NULL REFERENCES openings (id) ON DELETE CASCADE,
    doctor_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('apply', 'interest')),
    message     TEXT NOT NULL DEFAULT '' CHECK (length(message) <= 2000),
    shared      TEXT NOT NULL DEFAULT '{}',
    status      TEXT NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'withdrawn')),
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    UNIQUE (opening_id, doctor_id)
);
CREATE INDEX applications_doctor ON applications (doctor_id);

CREATE TABLE saved_searches (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    query         TEXT NOT NULL CHECK (length(query) <= 2000),
    notify_email  BOOLEAN NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX saved_searches_user ON saved_searches (user_id);

CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL DEFAULT '',
    link        TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    read_at     TIMESTAMP
);
CREATE INDEX notifications_user ON notifications (user_id, id DESC);

-- A database-backed job queue: several instances claim jobs without
-- running one twice.
CREATE TABLE jobs (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL,
    payload       TEXT NOT NULL DEFAULT '{}',
    run_at        TIMESTAMP NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    locked_until  TIMESTAMP,
    last_error    TEXT NOT NULL DEFAULT '',
    done_at       TIMESTAMP,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX jobs_due ON jobs (done_at, run_at);

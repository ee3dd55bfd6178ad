-- +goose Up
-- 地域枠 career coordination (issue #6): programs, medical areas, enrolments
-- with their obligation ledgers, and multi-year plans.

-- A prefecture's キャリア形成プログラム. Specialties is a JSON array (empty:
-- any specialty); suspension_caps a JSON object from reason to months.
CREATE TABLE programs (
    id                  INTEGER PRIMARY KEY,
    prefecture_org_id   INTEGER NOT NULL REFERENCES organisations (id),
    name                TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    total_years         INTEGER NOT NULL CHECK (total_years BETWEEN 1 AND 20),
    min_shortage_years  INTEGER NOT NULL CHECK (min_shortage_years BETWEEN 0 AND total_years),
    specialties         TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(specialties) AND json_type(specialties) = 'array'),
    outside_counts      BOOLEAN NOT NULL DEFAULT 0,
    outside_cap_months  INTEGER NOT NULL DEFAULT 0 CHECK (outside_cap_months BETWEEN 0 AND 240),
    suspension_caps     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(suspension_caps) AND json_type(suspension_caps) = 'object'),
    deadline_years      INTEGER NOT NULL CHECK (deadline_years BETWEEN total_years AND 30),
    start_basis         TEXT NOT NULL DEFAULT '' CHECK (length(start_basis) <= 200),
    version             INTEGER NOT NULL DEFAULT 1,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL,
    CHECK (outside_counts OR outside_cap_months = 0),
    UNIQUE (prefecture_org_id, name)
);

-- 二次医療圏 of a prefecture.
CREATE TABLE medical_areas (
    id                  INTEGER PRIMARY KEY,
    prefecture_org_id   INTEGER NOT NULL REFERENCES organisations (id),
    code                TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 20),
    name                TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    UNIQUE (prefecture_org_id, code)
);

-- The class of an area in a fiscal year (医師少数区域 etc.).
CREATE TABLE area_classes (
    area_id      INTEGER NOT NULL REFERENCES medical_areas (id) ON DELETE CASCADE,
    fiscal_year  INTEGER NOT NULL CHECK (fiscal_year BETWEEN 2000 AND 2100),
    class        TEXT NOT NULL CHECK (class IN ('shortage', 'middle', 'surplus')),
    PRIMARY KEY (area_id, fiscal_year)
);

-- A doctor (or 地域枠 student, registered as a doctor) in a program, followed
-- by a CC office. Version guards the whole ledger against lost updates.
CREATE TABLE enrollments (
    id                     INTEGER PRIMARY KEY,
    program_id             INTEGER NOT NULL REFERENCES programs (id),
    doctor_id              INTEGER NOT NULL REFERENCES users (id),
    coordinator_org_id     INTEGER REFERENCES organisations (id),
    start_year             INTEGER NOT NULL CHECK (start_year BETWEEN 2000 AND 2100),
    departed_on            TEXT CHECK (departed_on GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),
    departure_reason       TEXT NOT NULL DEFAULT '' CHECK (length(departure_reason) <= 1000),
    departure_consented    BOOLEAN NOT NULL DEFAULT 0,
    departure_recorded_by  INTEGER REFERENCES users (id),
    created_by             INTEGER REFERENCES users (id),
    version                INTEGER NOT NULL DEFAULT 1,
    created_at             TIMESTAMP NOT NULL,
    updated_at             TIMESTAMP NOT NULL,
    CHECK (departed_on IS NULL OR length(departure_reason) >= 1),
    CHECK (departed_on IS NOT NULL OR (departure_reason = '' AND departure_consented = 0)),
    UNIQUE (program_id, doctor_id)
);
CREATE INDEX enrollments_doctor ON enrollments (doctor_id);
CREATE INDEX enrollments_coordinator ON enrollments (coordinator_org_id);

-- The ledger: service year by year.
CREATE TABLE ledger_placements (
    id              INTEGER PRIMARY KEY,
    enrollment_id   INTEGER NOT NULL REFERENCES enrollments (id) ON DELETE CASCADE,
    fiscal_year     INTEGER NOT NULL CHECK (fiscal_year BETWEEN 2000 AND 2100),
    months          INTEGER NOT NULL CHECK (months BETWEEN 1 AND 12),
    institution_id  INTEGER REFERENCES organisations (id),
    institution     TEXT NOT NULL CHECK (length(institution) BETWEEN 1 AND 200),
    area_id         INTEGER REFERENCES medical_areas (id),
    outside         BOOLEAN NOT NULL DEFAULT 0,
    specialty       TEXT NOT NULL DEFAULT '' CHECK (length(specialty) <= 50),
    training_stage  TEXT NOT NULL DEFAULT '' CHECK (training_stage IN ('', 'junior_resident', 'specialty_resident', 'specialist')),
    note            TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    recorded_by     INTEGER REFERENCES users (id),
    recorded_at     TIMESTAMP NOT NULL,
    CHECK ((outside AND area_id IS NULL) OR (NOT outside AND area_id IS NOT NULL))
);
CREATE INDEX ledger_placements_enrollment ON ledger_placements (enrollment_id, fiscal_year);

-- The ledger: 一時中断.
CREATE TABLE ledger_suspensions (
    id             INTEGER PRIMARY KEY,
    enrollment_id  INTEGER NOT NULL REFERENCES enrollments (id) ON DELETE CASCADE,
    fiscal_year    INTEGER NOT NULL CHECK (fiscal_year BETWEEN 2000 AND 2100),
    months         INTEGER NOT NULL CHECK (months BETWEEN 1 AND 12),
    reason         TEXT NOT NULL CHECK (reason IN ('childbirth', 'childcare', 'illness', 'study', 'other')),
    note           TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    recorded_by    INTEGER REFERENCES users (id),
    recorded_at    TIMESTAMP NOT NULL
);
CREATE INDEX ledger_suspensions_enrollment ON ledger_suspensions (enrollment_id, fiscal_year);

-- Multi-year plans of an enrolment, e.g. A案 and B案.
CREATE TABLE plans (
    id             INTEGER PRIMARY KEY,
    enrollment_id  INTEGER NOT NULL REFERENCES enrollments (id) ON DELETE CASCADE,
    name           TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    created_by     INTEGER REFERENCES users (id),
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    UNIQUE (enrollment_id, name)
);

-- The years of a plan, in order (position); a fiscal year may hold a
-- service row and a suspension row.
CREATE TABLE plan_years (
    plan_id      INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL CHECK (position >= 0),
    fiscal_year  INTEGER NOT NULL CHECK (fiscal_year BETWEEN 2000 AND 2100),
    kind         TEXT NOT NULL CHECK (kind IN ('service', 'suspension', 'research')),
    months       INTEGER NOT NULL CHECK (months BETWEEN 1 AND 12),
    class        TEXT NOT NULL DEFAULT '' CHECK (class IN ('', 'shortage', 'middle', 'surplus')),
    area_code    TEXT NOT NULL DEFAULT '' CHECK (length(area_code) <= 20),
    outside      BOOLEAN NOT NULL DEFAULT 0,
    specialty    TEXT NOT NULL DEFAULT '' CHECK (length(specialty) <= 50),
    program      TEXT NOT NULL DEFAULT '' CHECK (length(program) <= 200),
    reason       TEXT NOT NULL DEFAULT '' CHECK (reason IN ('', 'childbirth', 'childcare', 'illness', 'study', 'other')),
    note         TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    PRIMARY KEY (plan_id, position),
    CHECK (kind <> 'suspension' OR reason <> '')
);

-- +goose Down
DROP TABLE plan_years;
DROP TABLE plans;
DROP TABLE ledger_suspensions;
DROP TABLE ledger_placements;
DROP TABLE enrollments;
DROP TABLE area_classes;
DROP TABLE medical_areas;
DROP TABLE programs;

-- +goose Up
-- The annual placement round (年度の配置, issue #6): a prefecture's round for
-- a fiscal year, its participating institutions and regional caps, the
-- doctors' ranked lists, the institutions' rankings, and the result.

-- A round. program_id NULL: every program of the prefecture takes part.
-- Status: open (lists and rankings are collected), run (a result awaits
-- publication), published. Version guards concurrent edits by officers.
CREATE TABLE rounds (
    id                 INTEGER PRIMARY KEY,
    prefecture_org_id  INTEGER NOT NULL REFERENCES organisations (id),
    program_id         INTEGER REFERENCES programs (id),
    fiscal_year        INTEGER NOT NULL CHECK (fiscal_year BETWEEN 2000 AND 2100),
    name               TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    mechanism          TEXT NOT NULL CHECK (mechanism IN ('da', 'jrmp', 'fda')),
    lists_due          TIMESTAMP NOT NULL,
    rankings_due       TIMESTAMP NOT NULL,
    status             TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'run', 'published')),
    run_at             TIMESTAMP,
    published_at       TIMESTAMP,
    published_by       INTEGER REFERENCES users (id),
    created_by         INTEGER REFERENCES users (id),
    version            INTEGER NOT NULL DEFAULT 1,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL,
    CHECK (lists_due <= rankings_due),
    CHECK ((status = 'open') = (run_at IS NULL)),
    CHECK ((status = 'published') = (published_at IS NOT NULL)),
    UNIQUE (prefecture_org_id, fiscal_year, name)
);

-- The institutions taking part, each in a medical area of the prefecture,
-- with seats, an optional target (jrmp, fda) and the specialties they
-- accept (a JSON array; empty: any).
CREATE TABLE round_institutions (
    round_id        INTEGER NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    institution_id  INTEGER NOT NULL REFERENCES organisations (id),
    position        INTEGER NOT NULL CHECK (position >= 0),
    area_id         INTEGER NOT NULL REFERENCES medical_areas (id),
    capacity        INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 1000),
    target          INTEGER CHECK (target BETWEEN 0 AND capacity),
    specialties     TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(specialties) AND json_type(specialties) = 'array'),
    PRIMARY KEY (round_id, institution_id)
);

-- Regional caps: at most cap doctors placed in the area's institutions.
CREATE TABLE round_area_caps (
    round_id  INTEGER NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    area_id   INTEGER NOT NULL REFERENCES medical_areas (id),
    cap       INTEGER NOT NULL CHECK (cap BETWEEN 0 AND 10000),
    PRIMARY KEY (round_id, area_id)
);

-- A doctor's ranked list, checked against their enrolment and plan when
-- submitted; a resubmission replaces the entries.
CREATE TABLE doctor_lists (
    id             INTEGER PRIMARY KEY,
    round_id       INTEGER NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    doctor_id      INTEGER NOT NULL REFERENCES users (id),
    enrollment_id  INTEGER NOT NULL REFERENCES enrollments (id),
    plan_id        INTEGER REFERENCES plans (id) ON DELETE SET NULL,
    specialty      TEXT NOT NULL DEFAULT '' CHECK (length(specialty) <= 50),
    submitted_at   TIMESTAMP NOT NULL,
    UNIQUE (round_id, doctor_id),
    UNIQUE (id, round_id)
);

CREATE TABLE doctor_list_entries (
    list_id         INTEGER NOT NULL,
    round_id        INTEGER NOT NULL,
    position        INTEGER NOT NULL CHECK (position >= 1),
    institution_id  INTEGER NOT NULL,
    PRIMARY KEY (list_id, position),
    UNIQUE (list_id, institution_id),
    FOREIGN KEY (list_id, round_id) REFERENCES doctor_lists (id, round_id) ON DELETE CASCADE,
    FOREIGN KEY (round_id, institution_id) REFERENCES round_institutions (round_id, institution_id)
);
CREATE INDEX doctor_list_entries_institution ON doctor_list_entries (round_id, institution_id);

-- An institution's ranking of the doctors who listed it.
CREATE TABLE institution_rankings (
    id              INTEGER PRIMARY KEY,
    round_id        INTEGER NOT NULL,
    institution_id  INTEGER NOT NULL,
    submitted_by    INTEGER REFERENCES users (id),
    submitted_at    TIMESTAMP NOT NULL,
    UNIQUE (round_id, institution_id),
    UNIQUE (id, round_id),
    FOREIGN KEY (round_id, institution_id) REFERENCES round_institutions (round_id, institution_id) ON DELETE CASCADE
);

CREATE TABLE institution_ranking_entries (
    ranking_id  INTEGER NOT NULL,
    round_id    INTEGER NOT NULL,
    position    INTEGER NOT NULL CHECK (position >= 1),
    doctor_id   INTEGER NOT NULL,
    PRIMARY KEY (ranking_id, position),
    UNIQUE (ranking_id, doctor_id),
    FOREIGN KEY (ranking_id, round_id) REFERENCES institution_rankings (id, round_id) ON DELETE CASCADE,
    FOREIGN KEY (round_id, doctor_id) REFERENCES doctor_lists (round_id, doctor_id)
);

-- The result of the last run: each doctor with a list, placed (institution
-- and the place in their list) or not, with the engine's explanation (JSON).
-- recorded_at is set once the placement is in the doctor's ledger.
CREATE TABLE round_results (
    round_id        INTEGER NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    doctor_id       INTEGER NOT NULL,
    institution_id  INTEGER,
    rank            INTEGER CHECK (rank >= 1),
    explanation     TEXT NOT NULL CHECK (json_valid(explanation) AND json_type(explanation) = 'object'),
    recorded_at     TIMESTAMP,
    PRIMARY KEY (round_id, doctor_id),
    FOREIGN KEY (round_id, doctor_id) REFERENCES doctor_lists (round_id, doctor_id),
    FOREIGN KEY (round_id, institution_id) REFERENCES round_institutions (round_id, institution_id),
    CHECK ((institution_id IS NULL) = (rank IS NULL)),
    CHECK (recorded_at IS NULL OR institution_id IS NOT NULL)
);
CREATE INDEX round_results_institution ON round_results (round_id, institution_id);

-- +goose Down
DROP TABLE round_results;
DROP TABLE institution_ranking_entries;
DROP TABLE institution_rankings;
DROP TABLE doctor_list_entries;
DROP TABLE doctor_lists;
DROP TABLE round_area_caps;
DROP TABLE round_institutions;
DROP TABLE rounds;

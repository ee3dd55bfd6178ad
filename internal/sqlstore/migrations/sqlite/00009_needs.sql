-- +goose Up
-- Supply and need (issue #6): the number of doctors a prefecture needs
-- (必要医師数) per fiscal year, 基本領域 and medical area, entered by its
-- officers and set against the placements and plans on the dashboard.

-- Lets needs refer to an area together with its prefecture, so that a
-- need can only name an area of its own prefecture.
CREATE UNIQUE INDEX medical_areas_id_prefecture ON medical_areas (id, prefecture_org_id);

CREATE TABLE needs (
    prefecture_org_id  INTEGER NOT NULL REFERENCES organisations (id),
    fiscal_year        INTEGER NOT NULL CHECK (fiscal_year BETWEEN 2000 AND 2100),
    specialty          TEXT NOT NULL CHECK (length(specialty) BETWEEN 1 AND 50),
    area_id            INTEGER NOT NULL,
    count              INTEGER NOT NULL CHECK (count >= 0),
    updated_by         INTEGER REFERENCES users (id),
    updated_at         TIMESTAMP NOT NULL,
    PRIMARY KEY (prefecture_org_id, fiscal_year, specialty, area_id),
    FOREIGN KEY (area_id, prefecture_org_id) REFERENCES medical_areas (id, prefecture_org_id)
);
CREATE INDEX needs_area ON needs (area_id);

-- +goose Down
DROP TABLE needs;
DROP INDEX medical_areas_id_prefecture;

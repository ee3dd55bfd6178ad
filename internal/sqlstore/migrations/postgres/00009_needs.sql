-- +goose Up
-- Supply and need (issue #6): the number of doctors a prefecture needs
-- (必要医師数) per fiscal year, 基本領域 and medical area, entered by its
-- officers and set against the placements and plans on the dashboard.

-- Lets needs refer to an area together with its prefecture, so that a
-- need can only name an area of its own prefecture.
ALTER TABLE medical_areas ADD CONSTRAINT medical_areas_id_prefecture UNIQUE (id, prefecture_org_id);

CREATE TABLE needs (
    prefecture_org_id  BIGINT NOT NULL REFERENCES organisations (id),
    fiscal_year        INTEGER NOT NULL CHECK (fiscal_year BETWEEN 2000 AND 2100),
    specialty          TEXT NOT NULL CHECK (char_length(specialty) BETWEEN 1 AND 50),
    area_id            BIGINT NOT NULL,
    count              INTEGER NOT NULL CHECK (count >= 0),
    updated_by         BIGINT REFERENCES users (id),
    updated_at         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (prefecture_org_id, fiscal_year, specialty, area_id),
    FOREIGN KEY (area_id, prefecture_org_id) REFERENCES medical_areas (id, prefecture_org_id)
);
CREATE INDEX needs_area ON needs (area_id);

-- +goose Down
DROP TABLE needs;
ALTER TABLE medical_areas DROP CONSTRAINT medical_areas_id_prefecture;

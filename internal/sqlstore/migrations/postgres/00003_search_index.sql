-- +goose Up
-- Free-text index of openings: jatext tokens (bigrams and words written in
-- [a-z0-9]) in a tsvector with positions, for phrase queries.
ALTER TABLE openings ADD COLUMN search_vector tsvector NOT NULL DEFAULT ''::tsvector;
CREATE INDEX openings_search ON openings USING gin (search_vector);

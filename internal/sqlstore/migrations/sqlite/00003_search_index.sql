-- +goose Up
-- Free-text index of openings: jatext tokens (bigrams and words written in
-- [a-z0-9]), so the ascii tokenizer never splits or drops them. The rowid
-- is the opening's id.
CREATE VIRTUAL TABLE openings_fts USING fts5(tokens, tokenize = 'ascii', detail = 'full');

-- Each opening's jatext.MatchText, for walking the openings
-- in order when a search text is too common for the index to help.
ALTER TABLE openings ADD COLUMN match_text TEXT NOT NULL DEFAULT '';

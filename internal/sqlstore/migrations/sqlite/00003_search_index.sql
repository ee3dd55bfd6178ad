-- +goose Up
-- Free-text index of openings: jatext tokens (bigrams and words written in
-- [a-z0-9]), so the ascii tokenizer never splits or drops them. The rowid
-- is the opening's id.
CREATE VIRTUAL TABLE openings_fts USING fts5(tokens, tokenize = 'ascii', detail = 'full');

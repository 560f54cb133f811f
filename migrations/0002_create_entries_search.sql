-- Full-text search over entries (title, author, text of the content) for GET /search.
-- A contentless FTS5 table indexes the content's *text*: indexing the stored HTML would make
-- every post match "href", "lazy" or "https". SQL cannot strip tags, so the triggers only queue
-- the ids of changed entries (in whichever process writes them) and the reader drains the queue
-- before it searches (src/db/timeline.ts). See docs/decisions/0003-reader-side.md.
CREATE VIRTUAL TABLE entries_search USING fts5(
  title, author, body,
  content = '', contentless_delete = 1,
  tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TABLE entries_search_pending (
  entry_id INTEGER PRIMARY KEY
);

CREATE TRIGGER entries_search_on_insert AFTER INSERT ON entries
  BEGIN INSERT OR IGNORE INTO entries_search_pending (entry_id) VALUES (new.id); END;
CREATE TRIGGER entries_search_on_update AFTER UPDATE OF title, author, content_html, summary_html, expired ON entries
  BEGIN INSERT OR IGNORE INTO entries_search_pending (entry_id) VALUES (new.id); END;
CREATE TRIGGER entries_search_on_delete AFTER DELETE ON entries
  BEGIN INSERT OR IGNORE INTO entries_search_pending (entry_id) VALUES (old.id); END;

-- Entries stored before this migration: indexed on the first search.
INSERT INTO entries_search_pending (entry_id) SELECT id FROM entries WHERE expired = 0;

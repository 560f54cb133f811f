-- Subscriptions, their entries, and the bookkeeping of fetch passes.
-- Times are unix milliseconds (INTEGER).

CREATE TABLE feeds (
  id               INTEGER PRIMARY KEY,
  url              TEXT    NOT NULL UNIQUE,
  name             TEXT,               -- admin-given; falls back to title
  title            TEXT,               -- what the feed calls itself
  link             TEXT,               -- admin-given blog link; falls back to site_link
  site_link        TEXT,               -- home page the feed names
  face             TEXT,               -- admin-given avatar URL
  image            TEXT,               -- image / icon the feed names
  excerpt          INTEGER NOT NULL DEFAULT 0,
  status           TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'gone', 'removed')),
  -- 'removed': unsubscribed but its entries kept (admin chose not to purge); never polled or listed
  etag             TEXT,
  last_modified    TEXT,
  last_attempt_at  INTEGER,
  last_success_at  INTEGER,
  last_http_status INTEGER,
  error_code       TEXT,
  error_message    TEXT,
  error_count      INTEGER NOT NULL DEFAULT 0,
  next_fetch_at    INTEGER,
  has_fetched      INTEGER NOT NULL DEFAULT 0,
  created_at       INTEGER NOT NULL
);

CREATE TABLE feed_tags (
  feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
  tag     TEXT    NOT NULL,
  PRIMARY KEY (feed_id, tag)
) WITHOUT ROWID;
CREATE INDEX feed_tags_by_tag ON feed_tags (tag, feed_id);

-- Feed URLs an admin removed: the config file's `feeds:` never silently re-adds them.
CREATE TABLE removed_feeds (
  url        TEXT    PRIMARY KEY,
  removed_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE entries (
  id            INTEGER PRIMARY KEY,
  feed_id       INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
  entry_key     TEXT    NOT NULL,     -- guid:… / link:… / hash:…, see src/pipeline/dedupe.ts
  guid          TEXT,
  link          TEXT,
  title         TEXT,
  author        TEXT,
  content_html  TEXT,                 -- sanitized
  summary_html  TEXT,                 -- sanitized
  content_hash  TEXT    NOT NULL,     -- of the raw entry: an unchanged entry costs no write
  published_at  INTEGER,
  updated_at    INTEGER,
  first_seen_at INTEGER NOT NULL,
  sort_at       INTEGER NOT NULL,     -- published, else updated, else first seen; clamped to first seen
  hidden        INTEGER NOT NULL DEFAULT 0,
  -- Expired by retention: content dropped, the row kept as a tombstone so the entry never returns.
  expired       INTEGER NOT NULL DEFAULT 0,
  -- Same permalink already stored from another feed: shown once, through the first.
  duplicate_of  INTEGER REFERENCES entries(id) ON DELETE SET NULL,
  UNIQUE (feed_id, entry_key)
);
CREATE INDEX entries_by_sort ON entries (sort_at DESC, id DESC) WHERE expired = 0;
CREATE INDEX entries_by_feed_sort ON entries (feed_id, sort_at DESC);
CREATE INDEX entries_by_link ON entries (link) WHERE link IS NOT NULL;
CREATE INDEX entries_by_duplicate ON entries (duplicate_of) WHERE duplicate_of IS NOT NULL;

-- One row per fetch pass, for "updated N minutes ago", /healthz and /metrics.
CREATE TABLE fetch_passes (
  id             INTEGER PRIMARY KEY,
  started_at     INTEGER NOT NULL,
  finished_at    INTEGER,
  feeds_total    INTEGER NOT NULL DEFAULT 0,
  feeds_ok       INTEGER NOT NULL DEFAULT 0,
  feeds_not_modified INTEGER NOT NULL DEFAULT 0,
  feeds_error    INTEGER NOT NULL DEFAULT 0,
  entries_new    INTEGER NOT NULL DEFAULT 0,
  entries_updated INTEGER NOT NULL DEFAULT 0
);

-- Cross-process lock so that two writers (planet serve's scheduler, planet fetch) never race.
CREATE TABLE locks (
  name        TEXT    PRIMARY KEY,
  owner       TEXT    NOT NULL,      -- "<hostname>:<pid>"
  acquired_at INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL
) WITHOUT ROWID;

-- A counter that moves whenever something readers see changes, in any process:
-- rendered pages are cached against it (src/http) and rebuilt only when it moves.
CREATE TABLE content_version (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL
);
INSERT INTO content_version (id, version) VALUES (1, 1);

CREATE TRIGGER entries_insert_bumps AFTER INSERT ON entries
  BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER entries_update_bumps AFTER UPDATE ON entries
  BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER entries_delete_bumps AFTER DELETE ON entries
  BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER feeds_insert_bumps AFTER INSERT ON feeds
  BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER feeds_delete_bumps AFTER DELETE ON feeds
  BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER feeds_update_bumps
  AFTER UPDATE OF url, name, title, link, site_link, face, image, excerpt, status, error_code, last_success_at ON feeds
  BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER feed_tags_insert_bumps AFTER INSERT ON feed_tags
  BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER feed_tags_delete_bumps AFTER DELETE ON feed_tags
  BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;

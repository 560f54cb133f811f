-- Moved feeds that stay one subscription, where each subscription comes from, and reading lists.
-- Times are unix milliseconds (INTEGER). After this file, its code step (src/db/migrate.ts) fills
-- url_key with model.ts feedUrlKey() and folds duplicate subscriptions (src/db/feed-merge.ts);
-- 0006 then makes url_key unique.

-- The identity of a subscription's URL: spellings of one URL have one key (feedUrlKey).
ALTER TABLE feeds ADD COLUMN url_key TEXT;
ALTER TABLE removed_feeds ADD COLUMN url_key TEXT;

-- A feed's old URLs: where it lived before a permanent redirect moved it ('moved'), and the URLs
-- of duplicate subscriptions folded into it ('merged'). A table, so a feed can move many times.
-- A key is either one feed's own (feeds.url_key) or one feed's alias, never both (0006 triggers).
CREATE TABLE feed_aliases (
  url_key    TEXT    PRIMARY KEY,
  url        TEXT    NOT NULL,
  feed_id    INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
  reason     TEXT    NOT NULL CHECK (reason IN ('moved', 'merged')),
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX feed_aliases_by_feed ON feed_aliases (feed_id);

-- Who subscribed a feed, other than reading lists: each holds it until an admin removes the feed.
-- A reading list holds its feeds through reading_list_feeds, for as long as it lists them.
CREATE TABLE feed_sources (
  feed_id  INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
  source   TEXT    NOT NULL CHECK (source IN ('config', 'cli', 'admin', 'api', 'opml', 'suggestion')),
  added_at INTEGER NOT NULL,
  PRIMARY KEY (feed_id, source)
) WITHOUT ROWID;

-- OPML files kept elsewhere whose feeds are subscribed and kept in sync, fetched like feeds.
CREATE TABLE reading_lists (
  id               INTEGER PRIMARY KEY,
  url              TEXT    NOT NULL,               -- http(s) URL, or an absolute local path
  url_key          TEXT    NOT NULL UNIQUE,        -- feedUrlKey(url) for a URL, the path for a file
  tags             TEXT    NOT NULL DEFAULT '[]',  -- JSON array, given to the feeds it subscribes
  added_by         TEXT    NOT NULL CHECK (added_by IN ('config', 'cli', 'admin', 'api')),
  title            TEXT,                           -- the OPML head's title
  etag             TEXT,
  last_modified    TEXT,
  last_attempt_at  INTEGER,
  last_success_at  INTEGER,
  last_http_status INTEGER,
  error_code       TEXT,
  error_message    TEXT,
  error_count      INTEGER NOT NULL DEFAULT 0,
  next_fetch_at    INTEGER,
  warnings         TEXT    NOT NULL DEFAULT '[]',  -- JSON: outlines of the last good read left out, and why
  created_at       INTEGER NOT NULL
);

-- A list's feeds as of its last good read. A list holds the feed whose url_key or alias is the
-- row's url_key, unless declined.
CREATE TABLE reading_list_feeds (
  list_id  INTEGER NOT NULL REFERENCES reading_lists(id) ON DELETE CASCADE,
  url_key  TEXT    NOT NULL,
  url      TEXT    NOT NULL,
  name     TEXT,
  link     TEXT,
  tags     TEXT    NOT NULL DEFAULT '[]',           -- JSON: the outline's folders and categories
  -- An admin removed the feed while this list held it: not subscribed again while the list keeps it.
  declined INTEGER NOT NULL DEFAULT 0,
  added_at INTEGER NOT NULL,
  PRIMARY KEY (list_id, url_key)
) WITHOUT ROWID;
CREATE INDEX reading_list_feeds_by_key ON reading_list_feeds (url_key);

-- Lists an admin removed: the config file's `reading_lists:` never silently re-adds them.
CREATE TABLE removed_reading_lists (
  url_key    TEXT    PRIMARY KEY,
  url        TEXT    NOT NULL,
  removed_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Where the existing subscriptions came from, as far as the audit log tells: added by hand ...
INSERT OR IGNORE INTO feed_sources (feed_id, source, added_at)
  SELECT a.feed_id, CASE a.via WHEN 'web' THEN 'admin' ELSE a.via END, min(a.at)
  FROM audit_log a JOIN feeds f ON f.id = a.feed_id
  WHERE a.action = 'feed.add' GROUP BY a.feed_id, a.via;
-- ... or imported from OPML ...
INSERT OR IGNORE INTO feed_sources (feed_id, source, added_at)
  SELECT json_extract(o.value, '$.feedId'), 'opml', a.at
  FROM audit_log a, json_each(a.detail) o
  WHERE a.action = 'opml.import' AND json_valid(a.detail) AND json_type(a.detail) = 'array'
    AND json_extract(o.value, '$.result') = 'added'
    AND json_extract(o.value, '$.feedId') IN (SELECT id FROM feeds);
-- ... else from the config file's seed, the only way in that wrote no audit record.
INSERT OR IGNORE INTO feed_sources (feed_id, source, added_at)
  SELECT id, 'config', created_at FROM feeds WHERE id NOT IN (SELECT feed_id FROM feed_sources);
-- Nobody holds an unsubscribed feed.
DELETE FROM feed_sources WHERE feed_id IN (SELECT id FROM feeds WHERE status = 'removed');

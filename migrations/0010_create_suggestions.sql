-- Blogs suggested by visitors through /suggest (when suggestions.enabled), checked before they are
-- queued, waiting for an admin: approval subscribes the feed, rejection keeps the row with its
-- reason. Times are unix milliseconds (INTEGER).
CREATE TABLE suggestions (
  id          INTEGER PRIMARY KEY,
  url         TEXT    NOT NULL,                  -- what the visitor gave: a home page or a feed URL
  feed_url    TEXT    NOT NULL,                  -- the feed discovery found and the check read
  name        TEXT    NOT NULL,                  -- the visitor's name: the subscription's name on approval
  note        TEXT,                              -- their optional note to the admins
  -- What the check saw, as JSON { title, format, entries, titles: [first few], warnings }.
  preview     TEXT    NOT NULL,
  status      TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
  created_at  INTEGER NOT NULL,
  client      TEXT,                              -- the address it came from (for abuse handling)
  decided_at  INTEGER,
  decided_by  TEXT,                              -- admin user name
  reason      TEXT,                              -- why it was rejected, as told to the admins' log
  feed_id     INTEGER                            -- the subscription approval made (no foreign key: the log outlives it)
);
CREATE INDEX suggestions_by_status ON suggestions (status, created_at DESC);
CREATE INDEX suggestions_by_feed_url ON suggestions (feed_url);

-- WebSub (W3C Recommendation): our subscriptions at feeds' hubs, and content pushed to us that
-- waits for the writer lock. Times are unix milliseconds (INTEGER).

CREATE TABLE websub_subscriptions (
  id               INTEGER PRIMARY KEY,
  -- NULL once the feed is purged: the row stays until the hub has been told to unsubscribe.
  feed_id          INTEGER REFERENCES feeds(id) ON DELETE SET NULL,
  hub              TEXT    NOT NULL,
  topic            TEXT    NOT NULL,   -- the feed's rel="self", else its URL
  callback         TEXT    NOT NULL,   -- `${websub.callback_base}/websub/${token}`
  token            TEXT    NOT NULL UNIQUE,
  secret           TEXT    NOT NULL,   -- hub.secret: deliveries are signed with it (X-Hub-Signature)
  -- pending: asked, not yet verified; active: verified, lease running; denied: the hub refused;
  -- lapsed: lease ran out, verification never came or the hub could not be asked (polled as usual);
  -- unsubscribing: the feed is gone, the hub is being told.
  state            TEXT    NOT NULL CHECK (state IN ('pending', 'active', 'denied', 'lapsed', 'unsubscribing')),
  -- The request the hub may verify now ("hub.mode"), and when it was sent.
  pending_mode     TEXT    CHECK (pending_mode IN ('subscribe', 'unsubscribe')),
  requested_at     INTEGER,
  attempts         INTEGER NOT NULL DEFAULT 0,
  lease_seconds    INTEGER,
  lease_expires_at INTEGER,
  verified_at      INTEGER,
  -- Not asked again before this (after a denial or a failure).
  retry_at         INTEGER,
  reason           TEXT,               -- why denied / lapsed, in words
  last_delivery_at INTEGER,
  created_at       INTEGER NOT NULL
);
-- One current subscription per feed; an old one being unsubscribed may coexist with it.
CREATE UNIQUE INDEX websub_subscriptions_one_per_feed ON websub_subscriptions (feed_id) WHERE state <> 'unsubscribing';

-- Content distributions with a valid signature that arrived while the writer lock was held:
-- stored, in arrival order, by whoever takes the lock next.
CREATE TABLE websub_deliveries (
  id              INTEGER PRIMARY KEY,
  subscription_id INTEGER NOT NULL REFERENCES websub_subscriptions(id) ON DELETE CASCADE,
  content_type    TEXT,
  body            BLOB    NOT NULL,
  received_at     INTEGER NOT NULL
);
CREATE INDEX websub_deliveries_by_subscription ON websub_deliveries (subscription_id);

-- One subscription per URL, whatever its spelling: after 0005 folded the duplicates, the database
-- enforces it. A key belongs to one feed, as its own URL's or as one of its aliases, never both.

CREATE UNIQUE INDEX feeds_by_url_key ON feeds (url_key);
CREATE INDEX removed_feeds_by_url_key ON removed_feeds (url_key);

CREATE TRIGGER feeds_url_key_required BEFORE INSERT ON feeds WHEN new.url_key IS NULL
  BEGIN SELECT RAISE(ABORT, 'feeds.url_key is required (src/db/feeds.ts sets it from the URL)'); END;
CREATE TRIGGER feeds_url_key_kept BEFORE UPDATE OF url_key ON feeds WHEN new.url_key IS NULL
  BEGIN SELECT RAISE(ABORT, 'feeds.url_key is required (src/db/feeds.ts sets it from the URL)'); END;

CREATE TRIGGER feeds_url_not_an_alias BEFORE INSERT ON feeds
  WHEN EXISTS (SELECT 1 FROM feed_aliases WHERE url_key = new.url_key)
  BEGIN SELECT RAISE(ABORT, 'feeds: that URL is an alias of another subscription'); END;
CREATE TRIGGER feeds_url_not_an_alias_on_update BEFORE UPDATE OF url_key ON feeds
  WHEN EXISTS (SELECT 1 FROM feed_aliases WHERE url_key = new.url_key)
  BEGIN SELECT RAISE(ABORT, 'feeds: that URL is an alias of another subscription'); END;
CREATE TRIGGER feed_aliases_not_a_feed_url BEFORE INSERT ON feed_aliases
  WHEN EXISTS (SELECT 1 FROM feeds WHERE url_key = new.url_key)
  BEGIN SELECT RAISE(ABORT, 'feed_aliases: that URL is a subscription''s own'); END;

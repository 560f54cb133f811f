-- What `planet why` and /why need to say why a post is missing, kept at refresh time: they never
-- fetch anything (src/site/why.ts).

-- The first failed attempt of the feed's current run of errors; NULL while it is healthy.
ALTER TABLE feeds ADD COLUMN failing_since INTEGER;
-- The permalinks of the feed's last document read successfully, one per line (newline cannot occur
-- in a URL), in document order: "is this URL in the feed?" without keeping the document.
ALTER TABLE feeds ADD COLUMN document_links TEXT;
-- Why a tombstone expired: 'backlog' (beyond fetch.new_feed_items of a new feed) or 'retention'.
-- NULL on rows expired before this migration (reported as retention).
ALTER TABLE entries ADD COLUMN expired_by TEXT CHECK (expired_by IN ('backlog', 'retention'));
-- The date the feed gave the post when it was later than the time first seen (clamped there).
ALTER TABLE entries ADD COLUMN future_at INTEGER;

-- A feed's public page shows its health in words (last success, failing since, the error): those
-- columns move content_version too, so the cached page follows. (error_code was already there and
-- is written on every failed attempt, so this adds no re-render.)
DROP TRIGGER feeds_update_bumps;
CREATE TRIGGER feeds_update_bumps
  AFTER UPDATE OF url, name, title, link, site_link, face, image, excerpt, status, error_code, error_message,
    last_http_status, failing_since, last_success_at ON feeds
  BEGIN UPDATE content_version SET version = version + 1 WHERE id = 1; END;

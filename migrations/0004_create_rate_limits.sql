-- Counters of the admin login rate limits (src/db/rate-limits.ts), shared by every server
-- process on this database and kept across restarts. Times are unix milliseconds (INTEGER).

CREATE TABLE rate_limits (
  key      TEXT    PRIMARY KEY,       -- the limiter's key, e.g. 'admin-login-ip:192.0.2.1'
  hits     INTEGER NOT NULL,          -- attempts counted in the current window
  reset_at INTEGER NOT NULL           -- when the window ends and the count starts again
) WITHOUT ROWID;
-- Expired rows are deleted by range at each hit: without it that is a full scan.
CREATE INDEX rate_limits_by_reset ON rate_limits (reset_at);

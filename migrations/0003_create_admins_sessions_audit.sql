-- Admin accounts, their browser sessions and API tokens, and the audit log of admin changes.
-- Secrets are never stored: passwords as scrypt hashes, session ids and API tokens as SHA-256.
-- Times are unix milliseconds (INTEGER).

CREATE TABLE admins (
  id            INTEGER PRIMARY KEY,
  username      TEXT    NOT NULL UNIQUE COLLATE NOCASE,
  -- "scrypt$N$r$p$salt$hash" (base64url): parameters travel with the hash so they can be raised later
  password_hash TEXT    NOT NULL,
  created_at    INTEGER NOT NULL,
  password_changed_at INTEGER NOT NULL
);

CREATE TABLE admin_sessions (
  id_hash      TEXT    PRIMARY KEY,   -- SHA-256 (hex) of the cookie value
  admin_id     INTEGER NOT NULL REFERENCES admins(id) ON DELETE CASCADE,
  csrf_token   TEXT    NOT NULL,      -- synchronizer token every state-changing form carries
  created_at   INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL,      -- sliding idle expiry, never beyond created_at + the absolute lifetime
  ip           TEXT,
  user_agent   TEXT
) WITHOUT ROWID;
CREATE INDEX admin_sessions_by_admin ON admin_sessions (admin_id);
CREATE INDEX admin_sessions_by_expiry ON admin_sessions (expires_at);

CREATE TABLE api_tokens (
  id           INTEGER PRIMARY KEY,
  admin_id     INTEGER NOT NULL REFERENCES admins(id) ON DELETE CASCADE,
  token_hash   TEXT    NOT NULL UNIQUE, -- SHA-256 (hex) of the token; the token itself is shown once
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER
);

CREATE TABLE audit_log (
  id       INTEGER PRIMARY KEY,
  at       INTEGER NOT NULL,
  actor    TEXT    NOT NULL,          -- admin user name (kept even if the admin is deleted later)
  via      TEXT    NOT NULL CHECK (via IN ('web', 'api', 'cli')),
  action   TEXT    NOT NULL,          -- feed.add, feed.edit, feed.remove, entry.hide, opml.import, …
  feed_id  INTEGER,                   -- no foreign key: the log outlives purged feeds
  summary  TEXT    NOT NULL,          -- one human line, e.g. 'renamed "A" to "B"'
  detail   TEXT                       -- JSON, e.g. the fields before and after an edit
);
CREATE INDEX audit_log_by_time ON audit_log (at DESC, id DESC);

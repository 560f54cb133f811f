// The admins, admin_sessions and api_tokens tables. Only digests of secrets are stored
// (see src/admin/passwords.ts); callers hash before they look up.
import type { Db } from './open.js';

export interface Admin {
  id: number;
  username: string;
  passwordHash: string;
  createdAt: number;
}

interface AdminRow {
  id: number;
  username: string;
  password_hash: string;
  created_at: number;
}

const toAdmin = (r: AdminRow): Admin => ({ id: r.id, username: r.username, passwordHash: r.password_hash, createdAt: r.created_at });

export function findAdminByName(db: Db, username: string): Admin | undefined {
  const row = db.prepare<[string], AdminRow>('SELECT id, username, password_hash, created_at FROM admins WHERE username = ?').get(username);
  return row && toAdmin(row);
}

export function insertAdmin(db: Db, username: string, passwordHash: string, now = Date.now()): Admin {
  const { lastInsertRowid } = db
    .prepare('INSERT INTO admins (username, password_hash, created_at, password_changed_at) VALUES (?, ?, ?, ?)')
    .run(username, passwordHash, now, now);
  return { id: Number(lastInsertRowid), username, passwordHash, createdAt: now };
}

/** A new password ends every session of that admin (a reset after a compromise must log the intruder out). */
export function setAdminPassword(db: Db, adminId: number, passwordHash: string, options: { endSessions: boolean }, now = Date.now()): void {
  db.transaction(() => {
    db.prepare('UPDATE admins SET password_hash = ?, password_changed_at = ? WHERE id = ?').run(passwordHash, now, adminId);
    if (options.endSessions) db.prepare('DELETE FROM admin_sessions WHERE admin_id = ?').run(adminId);
  })();
}

export interface AdminSession {
  idHash: string;
  adminId: number;
  username: string;
  csrfToken: string;
  createdAt: number;
  expiresAt: number;
}

export interface NewSession {
  idHash: string;
  adminId: number;
  csrfToken: string;
  expiresAt: number;
  ip: string | null;
  userAgent: string | null;
}

export function insertSession(db: Db, s: NewSession, now = Date.now()): void {
  db.prepare(
    `INSERT INTO admin_sessions (id_hash, admin_id, csrf_token, created_at, last_seen_at, expires_at, ip, user_agent)
     VALUES (@idHash, @adminId, @csrfToken, @now, @now, @expiresAt, @ip, @userAgent)`,
  ).run({ ...s, now });
}

/** A live session (expired ones are not returned). */
export function findSession(db: Db, idHash: string, now = Date.now()): AdminSession | undefined {
  const row = db
    .prepare<[string, number], { id_hash: string; admin_id: number; username: string; csrf_token: string; created_at: number; expires_at: number }>(
      `SELECT s.id_hash, s.admin_id, a.username, s.csrf_token, s.created_at, s.expires_at
       FROM admin_sessions s JOIN admins a ON a.id = s.admin_id
       WHERE s.id_hash = ? AND s.expires_at > ?`,
    )
    .get(idHash, now);
  return (
    row && {
      idHash: row.id_hash,
      adminId: row.admin_id,
      username: row.username,
      csrfToken: row.csrf_token,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
    }
  );
}

export function touchSession(db: Db, idHash: string, expiresAt: number, now = Date.now()): void {
  db.prepare('UPDATE admin_sessions SET last_seen_at = ?, expires_at = ? WHERE id_hash = ?').run(now, expiresAt, idHash);
}

export function deleteSession(db: Db, idHash: string): void {
  db.prepare('DELETE FROM admin_sessions WHERE id_hash = ?').run(idHash);
}

export function deleteExpiredSessions(db: Db, now = Date.now()): number {
  return db.prepare('DELETE FROM admin_sessions WHERE expires_at <= ?').run(now).changes;
}

export function insertApiToken(db: Db, adminId: number, tokenHash: string, now = Date.now()): number {
  return Number(db.prepare('INSERT INTO api_tokens (admin_id, token_hash, created_at) VALUES (?, ?, ?)').run(adminId, tokenHash, now).lastInsertRowid);
}

/** The admin an API token belongs to, recording its use; undefined for an unknown token. */
export function findAdminByTokenHash(db: Db, tokenHash: string, now = Date.now()): { adminId: number; username: string } | undefined {
  const row = db
    .prepare<[string], { id: number; admin_id: number; username: string }>(
      'SELECT t.id, t.admin_id, a.username FROM api_tokens t JOIN admins a ON a.id = t.admin_id WHERE t.token_hash = ?',
    )
    .get(tokenHash);
  if (!row) return undefined;
  db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(now, row.id);
  return { adminId: row.admin_id, username: row.username };
}

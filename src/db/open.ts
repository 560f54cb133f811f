// Opens the SQLite database the way every part of Planetarium expects it:
// WAL (readers never wait for the fetcher), foreign keys on, a busy timeout instead of SQLITE_BUSY.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrate.js';

export type Db = Database.Database;

export interface OpenDbOptions {
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  readonly?: boolean;
}

export function openDb(file: string, options: OpenDbOptions = {}): Db {
  if (file !== ':memory:' && !options.readonly) mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  db.pragma('busy_timeout = 10000');
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
  }
  db.pragma('foreign_keys = ON');
  if (options.migrate !== false && !options.readonly) migrate(db);
  return db;
}

/**
 * SQLite's own default page cache (2 MB) for a connection that mostly reads and renders: the server
 * and `planet build`. better-sqlite3 builds SQLite with 16 MB per connection, which was 14 MB of
 * each server process's RSS and bought no measurable speed (docs/decisions/0026-reader-footprint.md).
 */
export const READER_PAGE_CACHE_KIB = 2000;

export function limitPageCache(db: Db, kib = READER_PAGE_CACHE_KIB): void {
  db.pragma(`cache_size = -${kib}`);
}

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
 * Sets this connection's page cache to `kib` KiB (default: SQLite's own 2 MB) and returns a function
 * that puts the previous size back. better-sqlite3 builds SQLite with 16 MB per connection. The
 * server and `planet build` mostly read and render: 16 MB was 14 MB of each server process's RSS
 * and bought no measurable speed (docs/decisions/0026-reader-footprint.md). A fetch pass writes
 * each feed once and reads little back: as fast on 2 MB (docs/decisions/0027-cpu-pool.md).
 */
export const DEFAULT_PAGE_CACHE_KIB = 2000;

export function limitPageCache(db: Db, kib = DEFAULT_PAGE_CACHE_KIB): () => void {
  const previous = db.pragma('cache_size', { simple: true }) as number;
  db.pragma(`cache_size = ${-Math.round(kib)}`);
  return () => void db.pragma(`cache_size = ${previous}`);
}

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
 * Sets this connection's page cache to `kib` KiB and returns a function that puts the previous
 * size back. better-sqlite3 opens with 16 MB; a fetch pass, which writes each feed once and reads
 * little back, runs as fast on SQLite's own default of 2 MB (docs/decisions/0027-cpu-pool.md).
 */
export function limitPageCache(db: Db, kib: number): () => void {
  const previous = db.pragma('cache_size', { simple: true }) as number;
  db.pragma(`cache_size = ${-Math.round(kib)}`);
  return () => void db.pragma(`cache_size = ${previous}`);
}

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

// A consistent copy of an open database with SQLite's online backup API (decision 0005), made into
// one self-contained file and checked before anyone relies on it.
import Database from 'better-sqlite3';
import type { Db } from './open.js';

/**
 * Copies `db` to `file` (which must not be the live database) and returns how many pages were
 * copied. Throws when the copy fails its integrity check; the caller removes what is left.
 */
export async function backupDatabase(db: Db, file: string): Promise<{ pages: number }> {
  // Everything in one step: the copy is read inside one read transaction, which in WAL mode
  // never blocks the fetcher and is never restarted by its writes (a stepwise copy would be).
  const progress = await db.backup(file, { progress: () => 0x7fffffff });
  // The copy inherits WAL mode; make it one self-contained file that can be moved or restored as is.
  const copy = new Database(file);
  try {
    copy.pragma('journal_mode = DELETE');
    const check = copy.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new Error(`backup: the copy failed its integrity check: ${String(check)}`);
  } finally {
    copy.close();
  }
  return { pages: progress.totalPages };
}

// Whole-database figures for the /metrics gauges, read at scrape time so they are right whichever
// process wrote: feeds by status, entries stored, the size of the database file.
import type { Db } from './open.js';
import { statement } from './statements.js';

export type FeedStatusCounts = Record<'ok' | 'error' | 'pending' | 'gone' | 'removed', number>;

/**
 * Feeds by status as the sidebar and `planet feeds list` show it: ok, error (last fetch failed),
 * pending (never fetched), gone (410, no longer polled), removed (unsubscribed, entries kept).
 */
export function countFeedsByStatus(db: Db): FeedStatusCounts {
  const counts: FeedStatusCounts = { ok: 0, error: 0, pending: 0, gone: 0, removed: 0 };
  const rows = statement<[], { s: keyof FeedStatusCounts; n: number }>(
    db,
    `SELECT CASE
              WHEN status <> 'active' THEN status
              WHEN error_code IS NOT NULL THEN 'error'
              WHEN has_fetched = 0 THEN 'pending'
              ELSE 'ok'
            END AS s, count(*) AS n
     FROM feeds GROUP BY s`,
  ).all();
  for (const r of rows) counts[r.s] = r.n;
  return counts;
}

/** Entries with content (live) and content-less tombstones of expired ones (decision 0012). */
export function countEntriesByState(db: Db): { live: number; expired: number } {
  const r = statement<[], { live: number | null; expired: number | null }>(
    db,
    'SELECT sum(expired = 0) AS live, sum(expired = 1) AS expired FROM entries',
  ).get();
  return { live: r?.live ?? 0, expired: r?.expired ?? 0 };
}

/** The main database file's size: pages in use and free (the WAL file not counted). */
export function databaseSizeBytes(db: Db): number {
  return (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number);
}

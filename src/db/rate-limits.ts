// The rate_limits table: fixed-window hit counters keyed by limiter key, shared by every process
// on the database: the request limits of @fastify/rate-limit and the failure limits of
// src/http/plugins/rate-limit.ts (failed logins, src/http/routes/admin/login.ts) count here.
import type { Db } from './open.js';
import { statement } from './statements.js';

export interface RateLimitHit {
  /** Hits in the current window, this one included. */
  current: number;
  /** Milliseconds until the window ends and the count starts again. */
  ttl: number;
}

/**
 * Counts one hit for `key` in a window of `windowMs`, starting a new window if the last one is over.
 * One UPSERT reads and writes the row under SQLite's write lock, so hits from concurrent
 * processes are never lost; expired rows are deleted in the same transaction.
 */
export function countRateLimitHit(db: Db, key: string, windowMs: number, now: number): RateLimitHit {
  const row = db
    .transaction(() => {
      // Pruned at every hit rather than every N: hits are login attempts (rare), the DELETE is an
      // index seek when nothing has expired, and a per-process "every N" would bound the table
      // differently depending on how many processes run. The table holds the last window's keys.
      deleteExpiredRateLimits(db, now);
      return statement<{ key: string; now: number; window: number }, { hits: number; reset_at: number }>(
        db,
        `INSERT INTO rate_limits (key, hits, reset_at) VALUES (@key, 1, @now + @window)
         ON CONFLICT (key) DO UPDATE SET
           hits     = CASE WHEN reset_at <= @now THEN 1 ELSE hits + 1 END,
           reset_at = CASE WHEN reset_at <= @now THEN @now + @window ELSE reset_at END
         RETURNING hits, reset_at`,
      ).get({ key, now, window: windowMs })!;
    })
    // IMMEDIATE: take the write lock up front, so a second process waits (busy_timeout) instead of failing.
    .immediate();
  return { current: row.hits, ttl: row.reset_at - now };
}

/** The hits counted for `key` in its current window, without counting one; undefined when none or the window is over. */
export function readRateLimit(db: Db, key: string, now: number): RateLimitHit | undefined {
  const row = statement<[string, number], { hits: number; reset_at: number }>(db, 'SELECT hits, reset_at FROM rate_limits WHERE key = ? AND reset_at > ?').get(key, now);
  return row && { current: row.hits, ttl: row.reset_at - now };
}

/** Forgets the hits counted for `key` (a correct login clears its account's failures). */
export function clearRateLimit(db: Db, key: string): void {
  statement<[string]>(db, 'DELETE FROM rate_limits WHERE key = ?').run(key);
}

/** Deletes the counters whose window is over; returns how many. */
export function deleteExpiredRateLimits(db: Db, now: number): number {
  return statement<[number]>(db, 'DELETE FROM rate_limits WHERE reset_at <= ?').run(now).changes;
}

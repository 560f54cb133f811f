// Rate limits, counted in SQLite (src/db/rate-limits.ts) instead of process memory: a limit holds
// across every server process on the database and across restarts. Two kinds:
// - request limits: @fastify/rate-limit, registered once for the whole app; no route is limited
//   unless it asks (global: false); every app.createRateLimit() limiter counts in this store;
// - failure limits (createFailureLimit): only what failed counts, and a success can clear it —
//   what a login needs, since a limit on requests locks out the admin who logs in correctly.
import rateLimit, { type FastifyRateLimitOptions, type FastifyRateLimitStore, type FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import fp from 'fastify-plugin';
import type { Db } from '../../db/open.js';
import { clearRateLimit, countRateLimitHit, readRateLimit, type RateLimitHit } from '../../db/rate-limits.js';
import type { ServerDeps } from '../deps.js';

export const rateLimits = fp<{ deps: ServerDeps }>(
  async (app, { deps }) => {
    await app.register(rateLimit, { global: false, store: sqliteRateLimitStore(deps.db, deps.now ?? Date.now) });
  },
  { name: 'planet-rate-limits' },
);

/**
 * The plugin takes a class and constructs it itself (with its options), so the database and the
 * clock are closed over here. `now` is the server's clock: tests pin it to cross a window.
 */
export function sqliteRateLimitStore(db: Db, now: () => number = Date.now): FastifyRateLimitStoreCtor {
  return class SqliteRateLimitStore implements FastifyRateLimitStore {
    constructor(options: FastifyRateLimitOptions) {
      // Fixed windows only: refuse the options that would need a moving one rather than ignore them.
      const { continueExceeding, exponentialBackoff } = options as { continueExceeding?: boolean; exponentialBackoff?: boolean };
      if (continueExceeding || exponentialBackoff) throw new Error('rate-limit: continueExceeding and exponentialBackoff are not supported');
    }

    incr(key: string, callback: (error: Error | null, result?: RateLimitHit) => void, timeWindow: number): void {
      let hit: RateLimitHit;
      try {
        hit = countRateLimitHit(db, key, timeWindow, now());
      } catch (err) {
        // A database fault fails the request (skipOnError is off): no limit is worse than a 500.
        callback(err as Error);
        return;
      }
      callback(null, hit);
    }

    // Every limiter shares the one table: keys are namespaced by the caller's keyGenerator.
    child(routeOptions: FastifyRateLimitOptions): FastifyRateLimitStore {
      return new SqliteRateLimitStore(routeOptions);
    }
  };
}

export interface FailureLimit {
  /** Whether `key` has used up its failures in the current window, and for how long still; counts nothing. */
  check(key: string): { locked: boolean; retryAfterMs: number };
  /** One more failure for `key` (the window starts at its first failure). */
  fail(key: string): void;
  /** Forgets `key`'s failures (a correct login clears its account's). */
  clear(key: string): void;
}

/**
 * At most `max` failures per key in a fixed window of `windowMs`. @fastify/rate-limit counts every
 * request and has no way to take one back, so it cannot express this: ten correct logins in a row
 * would lock an admin out (issue 12). Same table, same fixed windows.
 */
export function createFailureLimit(db: Db, { max, windowMs, now = Date.now }: { max: number; windowMs: number; now?: () => number }): FailureLimit {
  return {
    check(key) {
      const hit = readRateLimit(db, key, now());
      return hit && hit.current >= max ? { locked: true, retryAfterMs: hit.ttl } : { locked: false, retryAfterMs: 0 };
    },
    fail: (key) => void countRateLimitHit(db, key, windowMs, now()),
    clear: (key) => clearRateLimit(db, key),
  };
}

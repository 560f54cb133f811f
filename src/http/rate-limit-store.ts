// A store for @fastify/rate-limit that counts in SQLite (src/db/rate-limits.ts) instead of process
// memory, so a limit holds across every server process on the database and across restarts.
import type { FastifyRateLimitOptions, FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Db } from '../db/open.js';
import { countRateLimitHit, type RateLimitHit } from '../db/rate-limits.js';

/**
 * The plugin takes a class and constructs it itself (with its options), so the database and the
 * clock are closed over here. `now` is the server's clock: tests pin it to cross a window.
 */
export function sqliteRateLimitStore(db: Db, now: () => number = Date.now): FastifyRateLimitStoreCtor {
  return class SqliteRateLimitStore implements FastifyRateLimitStore {
    constructor(options: FastifyRateLimitOptions) {
      // Fixed windows only: refuse the options that would need a moving one rather than ignore them.
      const { continueExceeding, exponentialBackoff } = options as { continueExceeding?: boolean; exponentialBackoff?: boolean };
      if (continueExceeding || exponentialBackoff) throw new Error('rate-limit-store: continueExceeding and exponentialBackoff are not supported');
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

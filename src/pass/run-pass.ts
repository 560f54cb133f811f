// One fetch pass: every due feed refreshed with bounded concurrency (overall and per host),
// retention applied, the pass recorded. A cross-process lock in SQLite makes sure only one
// pass — from `planet serve`'s scheduler or a `planet fetch` — writes at a time.
import { hostname } from 'node:os';
import type { Config } from '../config.js';
import { userAgent } from '../config.js';
import { expireEntries } from '../db/entries.js';
import { getFeed, listDueFeeds } from '../db/feeds.js';
import { syncSearchIndex } from '../db/timeline.js';
import { limitPageCache, type Db } from '../db/open.js';
import type { Feed, FetchOptions } from '../model.js';
import { startCpuPool } from '../pipeline/cpu-pool.js';
import { refreshFeed, type RefreshOutcome, type RefreshOptions } from '../pipeline/refresh.js';
import { sanitizedHtmlToText } from '../pipeline/sanitize.js';
import type { Logger } from '../ops/logging.js';
import { VERSION } from '../version.js';

export const PASS_LOCK = 'fetch-pass';
/** A lock whose holder has not written a heartbeat for this long is considered abandoned. */
const LOCK_STALE_MS = 60_000;
const HEARTBEAT_MS = 10_000;
/** Maximum redirects followed per fetch (PRODUCT.md: bounded). */
const MAX_REDIRECTS = 5;
/** Backoff after errors starts from this interval (doubling, capped at a day by the policy). */
const RETRY_BASE_MS = 15 * 60_000;
/** SQLite's page cache during a pass: its own default, not better-sqlite3's 16 MB (docs/decisions/0027-cpu-pool.md). */
const PASS_PAGE_CACHE_KIB = 2000;

export function fetchOptionsFromConfig(config: Config): FetchOptions {
  return {
    timeoutMs: config.fetch.timeout_seconds * 1000,
    maxBytes: config.fetch.max_bytes,
    userAgent: userAgent(config, VERSION),
    allowPrivateAddresses: config.fetch.allow_private_addresses,
    maxRedirects: MAX_REDIRECTS,
  };
}

export interface PassOptions {
  /** Refresh just these feeds, due or not (planet fetch --feed, "refresh now"). */
  feedIds?: number[];
  onFeedDone?: (outcome: RefreshOutcome) => void;
  /** Aborting stops starting new feeds; feeds already fetching finish (each stores in one transaction). */
  signal?: AbortSignal;
  logger?: Logger;
  now?: () => number;
}

export type PassReport =
  | { kind: 'ran'; passId: number; startedAt: number; finishedAt: number; feeds: RefreshOutcome[]; expired: number; aborted: boolean }
  | { kind: 'busy'; owner: string; since: number };

export async function runFetchPass(db: Db, config: Config, options: PassOptions = {}): Promise<PassReport> {
  const now = options.now ?? Date.now;
  const owner = `${hostname()}:${process.pid}`;
  const lock = acquireLock(db, PASS_LOCK, owner, now());
  if (lock.kind === 'busy') return lock;

  const heartbeat = setInterval(() => touchLock(db, PASS_LOCK, owner, now()), HEARTBEAT_MS);
  heartbeat.unref();
  const startedAt = now();
  const passId = Number(db.prepare('INSERT INTO fetch_passes (started_at) VALUES (?)').run(startedAt).lastInsertRowid);
  const cpu = startCpuPool({ maxDocumentBytes: config.fetch.max_bytes });
  const restorePageCache = limitPageCache(db, PASS_PAGE_CACHE_KIB);
  try {
    const feeds = options.feedIds
      ? options.feedIds.map((id) => getFeed(db, id)).filter((f): f is Feed => f !== undefined && f.status !== 'removed')
      : listDueFeeds(db, startedAt);
    const refreshOptions: RefreshOptions = {
      fetch: fetchOptionsFromConfig(config),
      newFeedItems: config.fetch.new_feed_items,
      intervalMs: RETRY_BASE_MS,
      now,
      cpu,
      tombstoneMaxAgeMs: 2 * config.retention.keep_days * 86_400_000,
    };
    const outcomes = await forEachLimited(feeds, config.fetch.concurrency, config.fetch.per_host, options.signal, async (feed) => {
      let outcome: RefreshOutcome;
      try {
        outcome = await refreshFeed(db, feed, refreshOptions);
      } catch (err) {
        // The database itself failing (disk full, read-only file, I/O error) fails the whole pass:
        // every other feed would fail the same way, and the caller must say so (exit 1).
        if (isDatabaseFault(err)) throw err;
        // A bug in one feed must not stop the pass; it is logged loudly and recorded on that feed.
        options.logger?.error({ feed_id: feed.id, feed_url: feed.url, err }, 'refresh failed');
        outcome = {
          feed_id: feed.id, feed_url: feed.url, outcome: 'error', error_code: 'internal',
          error_message: `refresh: ${(err as Error).message}`, http_status: null, duration_ms: 0,
          entries_new: 0, entries_updated: 0, moved_to: null, stages: { fetch: 0, parse: 0, sanitize: 0, store: 0 },
        };
      }
      const level = outcome.outcome === 'error' ? 'warn' : 'info';
      options.logger?.[level](
        {
          feed_id: outcome.feed_id, feed_url: outcome.feed_url, outcome: outcome.outcome, error_code: outcome.error_code,
          http_status: outcome.http_status, duration_ms: outcome.duration_ms, entries_new: outcome.entries_new,
          entries_updated: outcome.entries_updated, moved_to: outcome.moved_to ?? undefined,
        },
        outcome.error_message ?? 'feed refreshed',
      );
      options.onFeedDone?.(outcome);
      return outcome;
    });
    const expired = expireEntries(db, { keepDays: config.retention.keep_days, keepPerFeed: config.retention.keep_per_feed }, now());
    // Index what this pass wrote now, so the first search after a big pass does not pay for it.
    syncSearchIndex(db, sanitizedHtmlToText);
    const finishedAt = now();
    const count = (o: RefreshOutcome['outcome']) => outcomes.filter((x) => x.outcome === o).length;
    db.prepare(
      `UPDATE fetch_passes SET finished_at = ?, feeds_total = ?, feeds_ok = ?, feeds_not_modified = ?, feeds_error = ?,
         entries_new = ?, entries_updated = ? WHERE id = ?`,
    ).run(
      finishedAt, outcomes.length, count('ok'), count('not_modified'), count('error'),
      outcomes.reduce((n, o) => n + o.entries_new, 0), outcomes.reduce((n, o) => n + o.entries_updated, 0), passId,
    );
    return { kind: 'ran', passId, startedAt, finishedAt, feeds: outcomes, expired, aborted: options.signal?.aborted ?? false };
  } finally {
    await cpu.close();
    restorePageCache();
    clearInterval(heartbeat);
    releaseLock(db, PASS_LOCK, owner);
  }
}

/**
 * Runs `work` over `items`, at most `limit` at a time and at most `perHost` per feed host
 * (so one slow host with many blogs, a common hosting platform, is not hammered).
 */
async function forEachLimited<R>(
  feeds: Feed[],
  limit: number,
  perHost: number,
  signal: AbortSignal | undefined,
  work: (feed: Feed) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  const queue = [...feeds];
  const active = new Map<string, number>();
  const hostOf = (f: Feed) => {
    try {
      return new URL(f.url).host;
    } catch {
      return f.url;
    }
  };
  let running = 0;
  let failed = false;
  return new Promise((resolve, reject) => {
    const launch = () => {
      while (running < limit && !signal?.aborted && !failed) {
        const index = queue.findIndex((f) => (active.get(hostOf(f)) ?? 0) < perHost);
        if (index === -1) break;
        const [feed] = queue.splice(index, 1) as [Feed];
        const host = hostOf(feed);
        active.set(host, (active.get(host) ?? 0) + 1);
        running++;
        work(feed).then(
          (r) => {
            results.push(r);
            running--;
            active.set(host, (active.get(host) ?? 1) - 1);
            launch();
          },
          (err: unknown) => {
            failed = true; // start nothing more; feeds in flight finish on their own
            reject(err);
          },
        );
      }
      if (running === 0 && (queue.length === 0 || signal?.aborted)) resolve(results);
    };
    launch();
  });
}

type LockResult = { kind: 'acquired' } | { kind: 'busy'; owner: string; since: number };

/**
 * Takes the named lock unless a live holder has it. A holder is dead when its heartbeat is
 * stale, or when it ran on this host and its process no longer exists (kill -9).
 */
export function acquireLock(db: Db, name: string, owner: string, now: number): LockResult {
  return db.transaction((): LockResult => {
    const held = db.prepare<[string], { owner: string; acquired_at: number; heartbeat_at: number }>('SELECT owner, acquired_at, heartbeat_at FROM locks WHERE name = ?').get(name);
    if (held && held.owner !== owner && now - held.heartbeat_at < LOCK_STALE_MS && isAlive(held.owner)) {
      return { kind: 'busy', owner: held.owner, since: held.acquired_at };
    }
    db.prepare('INSERT OR REPLACE INTO locks (name, owner, acquired_at, heartbeat_at) VALUES (?, ?, ?, ?)').run(name, owner, now, now);
    return { kind: 'acquired' };
  }).immediate();
}

function touchLock(db: Db, name: string, owner: string, now: number): void {
  try {
    db.prepare('UPDATE locks SET heartbeat_at = ? WHERE name = ? AND owner = ?').run(now, name, owner);
  } catch {
    // A busy database delays one heartbeat; the next one catches up long before the lock goes stale.
  }
}

export function releaseLock(db: Db, name: string, owner: string): void {
  db.prepare('DELETE FROM locks WHERE name = ? AND owner = ?').run(name, owner);
}

function isAlive(owner: string): boolean {
  const [host, pid] = owner.split(':');
  if (host !== hostname()) return true; // another machine: only the heartbeat can tell
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const DATABASE_FAULTS = /^SQLITE_(FULL|READONLY|IOERR|CORRUPT|CANTOPEN|NOTADB|PERM)/;

/** better-sqlite3 raises SqliteError with a `code` like SQLITE_FULL or SQLITE_IOERR_WRITE. */
export function isDatabaseFault(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && DATABASE_FAULTS.test(code);
}

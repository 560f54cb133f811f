// One fetch pass: every due feed refreshed with bounded concurrency (overall and per host),
// retention applied, the pass recorded. A cross-process lock in SQLite makes sure only one
// pass — from `planet serve`'s scheduler or a `planet fetch` — writes at a time.
import { hostname } from 'node:os';
import type { Config } from '../config.js';
import { fetchOptionsFromConfig } from '../config.js';
import { expireEntries } from '../db/entries.js';
import { isDatabaseFault } from '../db/faults.js';
import { foldMovedFeed } from '../db/feed-merge.js';
import { getFeed, listDueFeeds } from '../db/feeds.js';
import { acquireLock, PASS_LOCK, releaseLock, touchLock } from '../db/locks.js';
import { finishPass, startPass } from '../db/passes.js';
import { syncSearchIndex } from '../db/timeline.js';
import { limitPageCache, type Db } from '../db/open.js';
import type { Feed } from '../model.js';
import { startCpuPool, type CpuWork } from '../pipeline/cpu-pool.js';
import { compileStoredFilters } from '../pipeline/filters.js';
import { refreshFeed, type RefreshOutcome, type RefreshOptions } from '../pipeline/refresh.js';
import { sanitizedHtmlToSearchText } from '../pipeline/sanitize.js';
import { refreshReadingLists, type ListRefreshOutcome } from '../subscriptions/reading-lists.js';
import type { Logger } from '../ops/logging.js';
import { changedByDeliveries, isDeliveryOwner, storeQueuedDeliveries, type StoredDelivery } from '../websub/deliveries.js';
import { hubContext, type HubRequestReport } from '../websub/hub-context.js';
import { publishChangedFeeds } from '../websub/publisher.js';
import { renewLeases, skipPushedFeeds, subscribeDiscoveredHubs, unsubscribeRemovedFeeds } from '../websub/subscriber.js';

/** How often the pass writes its lock's heartbeat; well inside LOCK_STALE_MS (db/locks.ts). */
const HEARTBEAT_MS = 10_000;
/** Backoff after errors starts from this interval (doubling, capped at a day by the policy). */
const RETRY_BASE_MS = 15 * 60_000;

export interface PassOptions {
  /** Refresh just these feeds, due or not (planet fetch --feed, "refresh now"). */
  feedIds?: number[];
  onFeedDone?: (outcome: RefreshOutcome) => void;
  /** Aborting stops starting new feeds; feeds already fetching finish (each stores in one transaction). */
  signal?: AbortSignal;
  logger?: Logger;
  now?: () => number;
}

/** What a pass did for WebSub: pushed content it stored, and the requests it sent to hubs. */
export interface WebsubPassReport {
  deliveries: StoredDelivery[];
  hub_requests: HubRequestReport[];
}

export type PassReport =
  | { kind: 'ran'; passId: number; startedAt: number; finishedAt: number; feeds: RefreshOutcome[]; lists: ListRefreshOutcome[]; expired: number; aborted: boolean; websub?: WebsubPassReport }
  | { kind: 'busy'; owner: string; since: number };

export async function runFetchPass(db: Db, config: Config, options: PassOptions = {}): Promise<PassReport> {
  const now = options.now ?? Date.now;
  const owner = `${hostname()}:${process.pid}`;
  let lock = acquireLock(db, PASS_LOCK, owner, now());
  // WebSub: a server process storing a pushed delivery holds the lock for milliseconds; wait for it
  // (up to 5 s) rather than skip the pass.
  for (let i = 0; lock.kind === 'busy' && isDeliveryOwner(lock.owner) && i < 50; i++) {
    await new Promise((r) => setTimeout(r, 100));
    lock = acquireLock(db, PASS_LOCK, owner, now());
  }
  if (lock.kind === 'busy') return lock;

  const heartbeat = setInterval(() => {
    try {
      touchLock(db, PASS_LOCK, owner, now());
    } catch {
      // A busy database delays one heartbeat; the next one catches up long before the lock goes stale.
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();
  const startedAt = now();
  const passId = startPass(db, startedAt);
  const cpu = startCpuPool({ maxDocumentBytes: config.fetch.max_bytes });
  // SQLite's own 2 MB page cache, not better-sqlite3's 16 MB (docs/decisions/0027-cpu-pool.md).
  const restorePageCache = limitPageCache(db);
  try {
    const lists = await readReadingLists(db, config, options);
    const feeds = options.feedIds
      ? options.feedIds.map((id) => getFeed(db, id)).filter((f): f is Feed => f !== undefined && f.status !== 'removed')
      : skipPushedFeeds(db, config, listDueFeeds(db, startedAt), startedAt); // WebSub: pushed feeds are polled every websub.poll_hours
    const refreshOptions: RefreshOptions = {
      fetch: fetchOptionsFromConfig(config),
      newFeedItems: config.fetch.new_feed_items,
      intervalMs: RETRY_BASE_MS,
      now,
      cpu,
      tombstoneMaxAgeMs: 2 * config.retention.keep_days * 86_400_000,
      planetFilters: compileStoredFilters(config.filters),
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
    foldMovedFeeds(db, outcomes, options.logger);
    // ---- WebSub (src/websub/): content pushed while this pass held the lock, then the pass's hub traffic.
    const websub = await websubSteps(db, config, outcomes, cpu, now, options);
    // ---- end of WebSub
    const expired = expireEntries(db, { keepDays: config.retention.keep_days, keepPerFeed: config.retention.keep_per_feed }, now());
    // Index what this pass wrote now, so the first search after a big pass does not pay for it.
    syncSearchIndex(db, sanitizedHtmlToSearchText);
    const finishedAt = now();
    const count = (o: RefreshOutcome['outcome']) => outcomes.filter((x) => x.outcome === o).length;
    finishPass(db, passId, {
      finishedAt,
      feedsTotal: outcomes.length,
      feedsOk: count('ok'),
      feedsNotModified: count('not_modified'),
      feedsError: count('error'),
      entriesNew: outcomes.reduce((n, o) => n + o.entries_new, 0),
      entriesUpdated: outcomes.reduce((n, o) => n + o.entries_updated, 0),
    });
    return { kind: 'ran', passId, startedAt, finishedAt, feeds: outcomes, lists, expired, aborted: options.signal?.aborted ?? false, websub };
  } finally {
    await cpu.close();
    restorePageCache();
    clearInterval(heartbeat);
    releaseLock(db, PASS_LOCK, owner);
  }
}

/**
 * The pass's first step: the reading lists (src/subscriptions/reading-lists.ts), so the feeds they
 * gain are fetched in this pass. Not for a pass over chosen feeds. A bug there never stops the pass.
 */
async function readReadingLists(db: Db, config: Config, options: PassOptions): Promise<ListRefreshOutcome[]> {
  if (options.feedIds) return [];
  try {
    return await refreshReadingLists(db, { fetch: fetchOptionsFromConfig(config), concurrency: config.fetch.concurrency, now: options.now, logger: options.logger, signal: options.signal });
  } catch (err) {
    if (isDatabaseFault(err)) throw err;
    options.logger?.error({ err }, 'reading lists failed; feeds are fetched all the same');
    return [{ list_id: 0, list_url: '(every list)', outcome: 'error', error_code: 'internal', error_message: `reading lists: ${(err as Error).message}`, feeds: 0, subscribed: [], unsubscribed: [] }];
  }
}

/** One blog subscribed twice, found out by a permanent redirect onto the other's URL: the two become one. */
function foldMovedFeeds(db: Db, outcomes: RefreshOutcome[], logger: Logger | undefined): void {
  for (const o of outcomes) {
    if (o.merge_into === undefined || o.moved_to === null) continue;
    const into = foldMovedFeed(db, o.feed_id, o.moved_to);
    if (into !== undefined) logger?.info({ feed_id: o.feed_id, feed_url: o.feed_url, moved_to: o.moved_to, merged_into: into }, 'one blog subscribed twice: folded into one subscription');
  }
}

/**
 * WebSub's part of a pass, each step one call: store what hubs pushed while the pass held the lock,
 * renew leases, subscribe to newly advertised hubs, unsubscribe removed feeds, ping our own hub.
 * Hubs' failures are values in the report; not even a bug here fails the pass (its feeds are stored).
 */
async function websubSteps(db: Db, config: Config, outcomes: RefreshOutcome[], cpu: CpuWork, now: () => number, options: PassOptions): Promise<WebsubPassReport> {
  const report: WebsubPassReport = { deliveries: [], hub_requests: [] };
  try {
    report.deliveries = await storeQueuedDeliveries(db, config, { cpu, now });
    // A pass stopped by a signal skips the hub traffic (bounded, but seconds): the next pass does it.
    if (options.signal?.aborted) return report;
    const hub = hubContext(config, now);
    // Renewals first: a subscription this pass creates is not renewed by it (a lease shorter than
    // the renewal margin would be), and a lease found lapsed is subscribed anew right after.
    report.hub_requests.push(...(await renewLeases(db, config, hub)));
    report.hub_requests.push(...(await subscribeDiscoveredHubs(db, config, outcomes, hub)));
    report.hub_requests.push(...(await unsubscribeRemovedFeeds(db, config, hub)));
    report.hub_requests.push(...(await publishChangedFeeds(db, config, [...changedFeedIds(outcomes), ...changedByDeliveries(report.deliveries)], hub)));
  } catch (err) {
    if (isDatabaseFault(err)) throw err;
    options.logger?.error({ err }, 'websub: the pass\'s WebSub steps failed');
  }
  return report;
}

/** Feeds whose refresh stored new or changed entries: the merged feeds changed through them. */
function changedFeedIds(outcomes: RefreshOutcome[]): number[] {
  return outcomes.filter((o) => o.entries_new + o.entries_updated > 0).map((o) => o.feed_id);
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

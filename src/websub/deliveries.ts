// Content pushed by hubs, stored through the one writer lock. A delivery with a valid signature is
// queued in SQLite (websub_deliveries) first; whoever holds the lock stores the queue in arrival
// order through the same decode → parse → dedupe → sanitize → store as a fetch (storeDocument):
// the pass at its end, or the server process that received it once the lock is free. So a push
// that arrives during a pass waits for it and never races its writes.
import type { Config } from '../config.js';
import { getFeed } from '../db/feeds.js';
import type { Db } from '../db/open.js';
import { deleteDelivery, getSubscription, nextDeliveries, recordDeliveryAt } from '../db/websub.js';
import type { Logger } from '../ops/logging.js';
import type { CpuWork } from '../pipeline/cpu-pool.js';
import { compileStoredFilters } from '../pipeline/filters.js';
import { storeDocument } from '../pipeline/refresh.js';

/** The lock owner a server process writes while it stores deliveries: the pass waits for it briefly. */
export const DELIVERY_OWNER_SUFFIX = ':websub';

/** A pass that finds the lock held by a delivery store waits for it rather than skipping the pass. */
export function isDeliveryOwner(owner: string): boolean {
  return owner.endsWith(DELIVERY_OWNER_SUFFIX);
}

/** Deliveries stored per hold of the lock: a flood of pushes cannot keep a pass from starting. */
const BATCH = 50;

export interface StoredDelivery {
  delivery_id: number;
  subscription_id: number;
  feed_id: number | null;
  outcome: 'stored' | 'unreadable' | 'dropped';
  entries_new: number;
  entries_updated: number;
  error: string | null;
  /** From arrival to stored, for the log and the benchmark. */
  waited_ms: number;
}

export interface StoreDeliveriesOptions {
  now?: () => number;
  cpu?: CpuWork;
  logger?: Logger;
  /** Most deliveries to store in this call. */
  limit?: number;
}

/**
 * Stores queued deliveries, oldest first. The caller holds the writer lock. A delivery whose feed
 * was removed meanwhile is dropped; one that cannot be read is logged and dropped (the feed's own
 * health is its polls': a bad push does not mark the feed as failing).
 */
export async function storeQueuedDeliveries(db: Db, config: Config, options: StoreDeliveriesOptions = {}): Promise<StoredDelivery[]> {
  const now = options.now ?? Date.now;
  const out: StoredDelivery[] = [];
  const limit = options.limit ?? Infinity;
  while (out.length < limit) {
    const batch = nextDeliveries(db, Math.min(BATCH, limit - out.length));
    if (batch.length === 0) break;
    for (const delivery of batch) {
      const sub = getSubscription(db, delivery.subscriptionId);
      const feed = sub?.feedId != null ? getFeed(db, sub.feedId) : undefined;
      const base = { delivery_id: delivery.id, subscription_id: delivery.subscriptionId, feed_id: feed?.id ?? null, entries_new: 0, entries_updated: 0, error: null };
      let result: StoredDelivery;
      if (!sub || !feed || feed.status !== 'active') {
        result = { ...base, outcome: 'dropped', error: 'websub: the feed was removed before its delivery was stored', waited_ms: now() - delivery.receivedAt };
      } else {
        const at = now();
        const stored = await storeDocument(db, feed, { body: delivery.body, contentType: delivery.contentType, url: sub.topic }, at, {
          newFeedItems: config.fetch.new_feed_items,
          cpu: options.cpu,
          // Pushed posts pass the same rules as fetched ones.
          planetFilters: compileStoredFilters(config.filters),
        });
        recordDeliveryAt(db, sub.id, at);
        result =
          stored.kind === 'ok'
            ? { ...base, outcome: 'stored', entries_new: stored.inserted, entries_updated: stored.updated, waited_ms: now() - delivery.receivedAt }
            : { ...base, outcome: 'unreadable', error: stored.message, waited_ms: now() - delivery.receivedAt };
      }
      deleteDelivery(db, delivery.id);
      const level = result.outcome === 'stored' ? 'info' : 'warn';
      options.logger?.[level]({ ...result, feed_url: feed?.url }, result.error ?? 'websub: delivery stored');
      out.push(result);
    }
  }
  return out;
}

/** Feeds whose shown entries a set of stored deliveries changed (for publish pings). */
export function changedByDeliveries(stored: StoredDelivery[]): number[] {
  return stored.filter((d) => d.feed_id !== null && d.entries_new + d.entries_updated > 0).map((d) => d.feed_id!);
}

/** The writer lock as a server process takes it for deliveries (the pass's lock row, src/pass/). */
export interface WriterLock {
  /** True when taken; false when a pass (or another process's delivery store) holds it. */
  tryAcquire(): boolean;
  release(): void;
}

export interface DeliveryDrainer {
  /** Stores what is queued now if the lock is free, else retries until it is. Resolves after this attempt. */
  kick(): Promise<StoredDelivery[]>;
  /** Stops retrying and waits for a store in progress. */
  close(): Promise<void>;
}

export interface DrainerOptions {
  lock: WriterLock;
  logger?: Logger;
  /** After each store: what was stored (the server counts them, refreshes its cache, pings the hub). */
  onStored?: (stored: StoredDelivery[]) => void;
  /** How often to try again while a pass holds the lock. */
  retryMs?: number;
  now?: () => number;
}

/**
 * The server side of the queue: tries the lock at once when a delivery arrives, and while a pass
 * holds it, every `retryMs` until the queue is empty (a pass stores what it finds at its end; this
 * stores what arrived after that). Every server process of `server.workers` has one; they share
 * the queue and the lock, so whichever is free first stores.
 */
export function createDeliveryDrainer(db: Db, config: Config, options: DrainerOptions): DeliveryDrainer {
  const retryMs = options.retryMs ?? 250;
  let running: Promise<StoredDelivery[]> | null = null;
  /** A delivery arrived while a store was running: run once more before resolving. */
  let again = false;
  let timer: NodeJS.Timeout | null = null;
  let closed = false;

  /** One hold of the lock; null when it is busy (a retry is scheduled). */
  const attempt = async (): Promise<StoredDelivery[] | null> => {
    if (!options.lock.tryAcquire()) {
      schedule();
      return null;
    }
    let stored: StoredDelivery[];
    try {
      stored = await storeQueuedDeliveries(db, config, { logger: options.logger, now: options.now, limit: BATCH });
    } finally {
      options.lock.release();
    }
    if (stored.length) options.onStored?.(stored);
    // More than one batch waiting: let a pass in between, then go on.
    if (stored.length >= BATCH) schedule(0);
    return stored;
  };

  function schedule(ms = retryMs): void {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = null;
      void kick().catch((err: unknown) => options.logger?.error({ err }, 'websub: storing queued deliveries failed'));
    }, ms);
    timer.unref();
  }

  function kick(): Promise<StoredDelivery[]> {
    if (closed) return Promise.resolve([]);
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      const all: StoredDelivery[] = [];
      do {
        again = false;
        const stored = await attempt();
        if (stored === null) break; // busy: the scheduled retry takes over
        all.push(...stored);
      } while (again && !closed);
      return all;
    })().finally(() => {
      running = null;
    });
    return running;
  }

  return {
    kick,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await running?.catch(() => undefined);
    },
  };
}

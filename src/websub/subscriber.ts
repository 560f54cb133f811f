// The subscriber's side of WebSub that a fetch pass drives (W3C WebSub §5): subscribe to the hubs
// feeds advertise, renew leases before they run out, let lapsed or unconfirmed ones go (the feed is
// polled as usual again), and unsubscribe what was removed. Each step is one call from the pass.
import { randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import { getFeed } from '../db/feeds.js';
import type { Db } from '../db/open.js';
import {
  currentSubscriptions,
  deleteSubscription,
  failRequest,
  failUnsubscribe,
  lapseSubscription,
  listPushedFeedIds,
  listSubscriptions,
  markRequested,
  retireSubscription,
  startSubscription,
  type HubSubscription,
} from '../db/websub.js';
import type { Feed } from '../model.js';
import type { HubLinks } from '../pipeline/hub-links.js';
import { inBatches, type HubContext, type HubMode, type HubRequestReport } from './hub-context.js';
import { postToHub } from './hub-request.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
/** A lease is renewed once less than this (or a quarter of it) is left: several passes of slack. */
export const RENEW_MARGIN_MS = 2 * HOUR_MS;
/** A request the hub has not verified within this is given up on (the feed is polled as usual). */
export const VERIFY_TIMEOUT_MS = 15 * MINUTE_MS;
/** After a denial the hub is asked again no sooner than this. */
export const RETRY_AFTER_DENIAL_MS = 24 * HOUR_MS;
/** After a hub could not be asked, or never verified, or a lease lapsed. */
export const RETRY_AFTER_FAILURE_MS = HOUR_MS;
/** Unsubscription requests tried before the row is dropped anyway (the lease ends it at the hub). */
export const MAX_UNSUBSCRIBE_ATTEMPTS = 3;
/** Hub requests in flight at once. */
const HUB_CONCURRENCY = 4;

/** What `planet feeds list --json` shows as `push`. */
export type PushState = 'pending' | 'active' | 'denied' | null;

/** A subscription as the admin sees it: lapsed and unconfirmed ones are plain polling again (null). */
export function pushState(sub: HubSubscription | undefined, now: number): PushState {
  if (!sub) return null;
  if (sub.state === 'active') return sub.leaseExpiresAt !== null && sub.leaseExpiresAt > now ? 'active' : null;
  if (sub.state === 'pending') return 'pending';
  if (sub.state === 'denied') return 'denied';
  return null;
}

/** The callback prefix for this configuration, e.g. https://planet.example/websub/ (null: not a subscriber). */
export function callbackPrefix(config: Config): string | null {
  const base = config.websub.callback_base;
  return base ? `${base.replace(/\/+$/, '')}/websub/` : null;
}

/**
 * The pass leaves alone the feeds whose hub pushes to us, until they are websub.poll_hours old
 * (a pushed feed is still polled now and then, to catch what a push missed).
 */
export function skipPushedFeeds(db: Db, config: Config, feeds: Feed[], now: number): Feed[] {
  if (!callbackPrefix(config)) return feeds;
  const pushed = listPushedFeedIds(db, now, config.websub.poll_hours * HOUR_MS);
  return pushed.size ? feeds.filter((f) => !pushed.has(f.id)) : feeds;
}

function report(mode: HubMode, sub: Pick<HubSubscription, 'hub' | 'topic' | 'feedId'>, response: Awaited<ReturnType<typeof postToHub>>): HubRequestReport {
  return {
    mode,
    hub: sub.hub,
    topic: sub.topic,
    feed_id: sub.feedId,
    outcome: response.kind,
    http_status: response.status,
    error: response.kind === 'error' ? response.message : null,
  };
}

/** hub.mode=subscribe (a new subscription or a renewal of this one: same callback and secret). */
function subscribeRequest(sub: HubSubscription, ctx: HubContext) {
  return postToHub(sub.hub, { 'hub.mode': 'subscribe', 'hub.topic': sub.topic, 'hub.callback': sub.callback, 'hub.secret': sub.secret }, ctx.request);
}

/** A refused request is a denial (4xx: the hub said no); anything else a failure to ask. */
function afterFailedSubscribe(db: Db, sub: HubSubscription, response: Extract<Awaited<ReturnType<typeof postToHub>>, { kind: 'error' }>, requestedAt: number, now: number): void {
  const refused = response.status !== null && response.status >= 400 && response.status < 500 && response.status !== 429;
  if (refused) failRequest(db, sub.id, requestedAt, 'denied', response.message, now + RETRY_AFTER_DENIAL_MS);
  else failRequest(db, sub.id, requestedAt, 'lapsed', response.message, now + RETRY_AFTER_FAILURE_MS);
}

/**
 * Subscribes each refreshed feed that advertises a hub and has no live subscription to it (a new
 * feed, a changed hub or topic, a denial or lapse whose wait is over), with a fresh random secret
 * and an unguessable callback. A feed that stopped naming its hub is unsubscribed from it.
 */
export async function subscribeDiscoveredHubs(
  db: Db,
  config: Config,
  refreshed: Array<{ feed_id: number; websub?: HubLinks | null }>,
  ctx: HubContext,
): Promise<HubRequestReport[]> {
  const prefix = callbackPrefix(config);
  if (!prefix) return [];
  const now = ctx.now();
  const current = currentSubscriptions(db);
  const wanted: Array<{ feed: Feed; hub: string; topic: string }> = [];
  for (const outcome of refreshed) {
    if (outcome.websub === undefined) continue; // not modified or failed: nothing new was learnt
    const feed = getFeed(db, outcome.feed_id);
    if (!feed || feed.status !== 'active') continue;
    const sub = current.get(feed.id);
    const links = outcome.websub;
    if (links === null) {
      if (sub?.state === 'active' || sub?.state === 'pending') retireSubscription(db, sub.id);
      else if (sub) deleteSubscription(db, sub.id);
      continue;
    }
    // Several hubs: stay with the one we have, else the first named (the Link header's first).
    const hub = sub && links.hubs.includes(sub.hub) ? sub.hub : links.hubs[0]!;
    const topic = links.self ?? feed.url;
    const same = sub !== undefined && sub.hub === hub && sub.topic === topic && sub.callback.startsWith(prefix);
    const live = sub?.state === 'pending' || (sub?.state === 'active' && (sub.leaseExpiresAt ?? 0) > now);
    if (same && live) continue; // renewals are renewLeases's
    if (same && sub.state !== 'active' && sub.retryAt !== null && sub.retryAt > now) continue; // denied or lapsed: not yet again
    wanted.push({ feed, hub, topic });
  }
  return inBatches(wanted, HUB_CONCURRENCY, async ({ feed, hub, topic }) => {
    const token = randomBytes(24).toString('base64url');
    // hub.secret: at most 200 bytes (WebSub §5.1); 32 random bytes, hex.
    const sub = startSubscription(db, { feedId: feed.id, hub, topic, callback: `${prefix}${token}`, token, secret: randomBytes(32).toString('hex') }, now);
    const response = await subscribeRequest(sub, ctx);
    if (response.kind === 'error') afterFailedSubscribe(db, sub, response, now, ctx.now());
    return report('subscribe', sub, response);
  });
}

/**
 * Renews active leases that are near their end (the same callback and secret, so deliveries in
 * flight still verify), and lets go of what cannot be pushed any more: an expired lease, a request
 * the hub never verified. Those feeds are polled on the normal schedule again.
 */
export async function renewLeases(db: Db, config: Config, ctx: HubContext): Promise<HubRequestReport[]> {
  if (!callbackPrefix(config)) return [];
  const now = ctx.now();
  const due: HubSubscription[] = [];
  for (const sub of listSubscriptions(db)) {
    if (sub.state === 'pending' && sub.requestedAt !== null && now - sub.requestedAt > VERIFY_TIMEOUT_MS) {
      lapseSubscription(db, sub.id, `the hub did not verify the subscription within ${VERIFY_TIMEOUT_MS / MINUTE_MS} minutes`, now + RETRY_AFTER_FAILURE_MS);
      continue;
    }
    if (sub.state !== 'active' || sub.leaseExpiresAt === null || sub.leaseSeconds === null) continue;
    if (sub.leaseExpiresAt <= now) {
      // Polled again from now; the next poll that still finds the hub subscribes anew.
      lapseSubscription(db, sub.id, `the lease ran out at ${new Date(sub.leaseExpiresAt).toISOString()}`, now);
      continue;
    }
    const margin = Math.max(RENEW_MARGIN_MS, (sub.leaseSeconds * 1000) / 4);
    const renewing = sub.pendingMode === 'subscribe' && sub.requestedAt !== null && now - sub.requestedAt <= VERIFY_TIMEOUT_MS;
    if (sub.leaseExpiresAt - now <= margin && !renewing) due.push(sub);
  }
  return inBatches(due, HUB_CONCURRENCY, async (sub) => {
    markRequested(db, sub.id, 'subscribe', now);
    // A failed renewal leaves the lease running; the next pass asks again, until it lapses.
    return report('subscribe', sub, await subscribeRequest(sub, ctx));
  });
}

/**
 * Unsubscribes (hub.mode=unsubscribe) what must stop: subscriptions of removed, purged or gone
 * feeds, of a hub or topic the feed no longer names, and of a callback_base no longer configured.
 * Denied and lapsed ones are only forgotten: the hub holds nothing to cancel.
 */
export async function unsubscribeRemovedFeeds(db: Db, config: Config, ctx: HubContext): Promise<HubRequestReport[]> {
  const prefix = callbackPrefix(config);
  const now = ctx.now();
  const due: HubSubscription[] = [];
  for (const sub of listSubscriptions(db)) {
    if (sub.state !== 'unsubscribing') {
      const feed = sub.feedId === null ? undefined : getFeed(db, sub.feedId);
      const stop = !feed || feed.status !== 'active' || prefix === null || !sub.callback.startsWith(prefix);
      if (!stop) continue;
      if (sub.state === 'denied' || sub.state === 'lapsed') {
        deleteSubscription(db, sub.id);
        continue;
      }
      retireSubscription(db, sub.id);
      sub.attempts = 0;
    }
    if (sub.pendingMode === 'unsubscribe' && sub.requestedAt !== null && now - sub.requestedAt <= VERIFY_TIMEOUT_MS) continue; // awaiting the hub
    if (sub.attempts >= MAX_UNSUBSCRIBE_ATTEMPTS) {
      deleteSubscription(db, sub.id); // its lease ends it at the hub; deliveries meanwhile get 410 Gone
      continue;
    }
    due.push(sub);
  }
  return inBatches(due, HUB_CONCURRENCY, async (sub) => {
    markRequested(db, sub.id, 'unsubscribe', now);
    const response = await postToHub(sub.hub, { 'hub.mode': 'unsubscribe', 'hub.topic': sub.topic, 'hub.callback': sub.callback }, ctx.request);
    if (response.kind === 'error') failUnsubscribe(db, sub.id, response.message);
    return report('unsubscribe', sub, response);
  });
}

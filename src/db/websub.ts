// The WebSub tables: our subscriptions at feeds' hubs (websub_subscriptions) and the content
// distributions that wait for the writer lock (websub_deliveries). See src/websub/.
import type { Db } from './open.js';
import { statement } from './statements.js';

export type SubscriptionState = 'pending' | 'active' | 'denied' | 'lapsed' | 'unsubscribing';
export type PendingMode = 'subscribe' | 'unsubscribe';

/** One subscription at a hub, as stored. Times are unix milliseconds. */
export interface HubSubscription {
  id: number;
  feedId: number | null;
  hub: string;
  topic: string;
  callback: string;
  token: string;
  secret: string;
  state: SubscriptionState;
  /** The request the hub may verify now, if any. */
  pendingMode: PendingMode | null;
  requestedAt: number | null;
  attempts: number;
  leaseSeconds: number | null;
  leaseExpiresAt: number | null;
  verifiedAt: number | null;
  retryAt: number | null;
  reason: string | null;
  lastDeliveryAt: number | null;
  createdAt: number;
}

interface SubscriptionRow {
  id: number;
  feed_id: number | null;
  hub: string;
  topic: string;
  callback: string;
  token: string;
  secret: string;
  state: SubscriptionState;
  pending_mode: PendingMode | null;
  requested_at: number | null;
  attempts: number;
  lease_seconds: number | null;
  lease_expires_at: number | null;
  verified_at: number | null;
  retry_at: number | null;
  reason: string | null;
  last_delivery_at: number | null;
  created_at: number;
}

function toSubscription(r: SubscriptionRow): HubSubscription {
  return {
    id: r.id,
    feedId: r.feed_id,
    hub: r.hub,
    topic: r.topic,
    callback: r.callback,
    token: r.token,
    secret: r.secret,
    state: r.state,
    pendingMode: r.pending_mode,
    requestedAt: r.requested_at,
    attempts: r.attempts,
    leaseSeconds: r.lease_seconds,
    leaseExpiresAt: r.lease_expires_at,
    verifiedAt: r.verified_at,
    retryAt: r.retry_at,
    reason: r.reason,
    lastDeliveryAt: r.last_delivery_at,
    createdAt: r.created_at,
  };
}

export function findSubscriptionByToken(db: Db, token: string): HubSubscription | undefined {
  const row = statement<[string], SubscriptionRow>(db, 'SELECT * FROM websub_subscriptions WHERE token = ?').get(token);
  return row && toSubscription(row);
}

export function getSubscription(db: Db, id: number): HubSubscription | undefined {
  const row = statement<[number], SubscriptionRow>(db, 'SELECT * FROM websub_subscriptions WHERE id = ?').get(id);
  return row && toSubscription(row);
}

/** Every subscription (a few per feed at most): what a pass goes through. */
export function listSubscriptions(db: Db): HubSubscription[] {
  return statement<[], SubscriptionRow>(db, 'SELECT * FROM websub_subscriptions ORDER BY id').all().map(toSubscription);
}

/** Each feed's current subscription (not one being unsubscribed), by feed id. */
export function currentSubscriptions(db: Db): Map<number, HubSubscription> {
  const rows = statement<[], SubscriptionRow>(db, "SELECT * FROM websub_subscriptions WHERE feed_id IS NOT NULL AND state <> 'unsubscribing'").all();
  return new Map(rows.map((r) => [r.feed_id!, toSubscription(r)]));
}

export interface NewSubscription {
  feedId: number;
  hub: string;
  topic: string;
  callback: string;
  token: string;
  secret: string;
}

/**
 * A subscription request about to be sent: the feed's current row is replaced by a pending one
 * (its old hub/topic, if it was subscribed there, is kept as `unsubscribing` so that the hub is told).
 * Written before the request goes out, because a hub may verify before it answers.
 */
export function startSubscription(db: Db, s: NewSubscription, now: number): HubSubscription {
  return db.transaction(() => {
    const old = statement<[number], SubscriptionRow>(db, "SELECT * FROM websub_subscriptions WHERE feed_id = ? AND state <> 'unsubscribing'").get(s.feedId);
    if (old && ((old.state === 'active' && (old.lease_expires_at ?? 0) > now) || old.state === 'pending')) {
      statement(db, "UPDATE websub_subscriptions SET state = 'unsubscribing', pending_mode = NULL, requested_at = NULL, attempts = 0 WHERE id = ?").run(old.id);
    } else if (old) {
      statement(db, 'DELETE FROM websub_subscriptions WHERE id = ?').run(old.id);
    }
    const { lastInsertRowid } = statement(
      db,
      `INSERT INTO websub_subscriptions (feed_id, hub, topic, callback, token, secret, state, pending_mode, requested_at, attempts, created_at)
       VALUES (@feedId, @hub, @topic, @callback, @token, @secret, 'pending', 'subscribe', @now, 1, @now)`,
    ).run({ ...s, now });
    return getSubscription(db, Number(lastInsertRowid))!;
  })();
}

/** A request (renewal, unsubscription) is about to be sent for an existing subscription. */
export function markRequested(db: Db, id: number, mode: PendingMode, now: number): void {
  statement(
    db,
    `UPDATE websub_subscriptions SET pending_mode = ?, requested_at = ?, attempts = attempts + 1,
       state = CASE WHEN ? = 'unsubscribe' THEN 'unsubscribing' ELSE state END
     WHERE id = ?`,
  ).run(mode, now, mode, id);
}

/** The hub confirmed a subscription (verification of intent): the lease runs from now. */
export function confirmSubscription(db: Db, id: number, leaseSeconds: number, now: number): void {
  statement(
    db,
    `UPDATE websub_subscriptions SET state = 'active', pending_mode = NULL, requested_at = NULL, attempts = 0,
       lease_seconds = ?, lease_expires_at = ?, verified_at = ?, retry_at = NULL, reason = NULL
     WHERE id = ?`,
  ).run(leaseSeconds, now + leaseSeconds * 1000, now, id);
}

/**
 * The request sent at `requestedAt` did not go through (the hub refused it, or could not be
 * reached): the subscription is denied or lapsed, asked again from `retryAt`. A request the hub
 * has verified meanwhile (requested_at cleared) is left alone.
 */
export function failRequest(db: Db, id: number, requestedAt: number, to: 'denied' | 'lapsed', reason: string, retryAt: number): void {
  statement(
    db,
    `UPDATE websub_subscriptions SET state = ?, pending_mode = NULL, requested_at = NULL, reason = ?, retry_at = ?
     WHERE id = ? AND requested_at = ? AND state <> 'unsubscribing'`,
  ).run(to, reason, retryAt, id, requestedAt);
}

/** An unsubscription that failed: asked again at the next pass (attempts counts them). */
export function failUnsubscribe(db: Db, id: number, reason: string): void {
  statement(db, "UPDATE websub_subscriptions SET pending_mode = NULL, requested_at = NULL, reason = ? WHERE id = ? AND state = 'unsubscribing'").run(reason, id);
}

/** The hub said hub.mode=denied for this subscription. */
export function denySubscription(db: Db, id: number, reason: string, retryAt: number): void {
  statement(
    db,
    `UPDATE websub_subscriptions SET state = 'denied', pending_mode = NULL, requested_at = NULL, reason = ?, retry_at = ?,
       lease_expires_at = NULL
     WHERE id = ? AND state <> 'unsubscribing'`,
  ).run(reason, retryAt, id);
}

/** The lease ran out, or a verification never came: the feed is polled as usual again. */
export function lapseSubscription(db: Db, id: number, reason: string, retryAt: number): void {
  statement(
    db,
    `UPDATE websub_subscriptions SET state = 'lapsed', pending_mode = NULL, requested_at = NULL, reason = ?, retry_at = ?
     WHERE id = ? AND state IN ('pending', 'active')`,
  ).run(reason, retryAt, id);
}

/** The feed no longer names this hub (or is gone): the hub is to be told, at the next chance. */
export function retireSubscription(db: Db, id: number): void {
  statement(db, "UPDATE websub_subscriptions SET state = 'unsubscribing', pending_mode = NULL, requested_at = NULL, attempts = 0 WHERE id = ?").run(id);
}

export function deleteSubscription(db: Db, id: number): void {
  statement(db, 'DELETE FROM websub_subscriptions WHERE id = ?').run(id);
}

export function recordDeliveryAt(db: Db, id: number, now: number): void {
  statement(db, 'UPDATE websub_subscriptions SET last_delivery_at = ? WHERE id = ?').run(now, id);
}

/**
 * Feeds a pass leaves alone: their hub pushes to us (an active subscription whose lease is
 * running) and they were polled less than `pollMs` ago (websub.poll_hours).
 */
export function listPushedFeedIds(db: Db, now: number, pollMs: number): Set<number> {
  const ids = statement<[number, number], number>(
    db,
    `SELECT s.feed_id FROM websub_subscriptions s JOIN feeds f ON f.id = s.feed_id
     WHERE s.state = 'active' AND s.lease_expires_at > ? AND f.last_attempt_at > ?`,
  )
    .pluck()
    .all(now, now - pollMs);
  return new Set(ids);
}

// ---------------------------------------------------------------- deliveries waiting for the lock

export interface QueuedDelivery {
  id: number;
  subscriptionId: number;
  contentType: string | null;
  body: Buffer;
  receivedAt: number;
}

export function queueDelivery(db: Db, subscriptionId: number, contentType: string | null, body: Buffer, now: number): number {
  const { lastInsertRowid } = statement(db, 'INSERT INTO websub_deliveries (subscription_id, content_type, body, received_at) VALUES (?, ?, ?, ?)').run(
    subscriptionId,
    contentType,
    body,
    now,
  );
  return Number(lastInsertRowid);
}

/** The oldest waiting deliveries, in arrival order. */
export function nextDeliveries(db: Db, limit: number): QueuedDelivery[] {
  return statement<[number], { id: number; subscription_id: number; content_type: string | null; body: Buffer; received_at: number }>(
    db,
    'SELECT id, subscription_id, content_type, body, received_at FROM websub_deliveries ORDER BY id LIMIT ?',
  )
    .all(limit)
    .map((r) => ({ id: r.id, subscriptionId: r.subscription_id, contentType: r.content_type, body: r.body, receivedAt: r.received_at }));
}

export function deleteDelivery(db: Db, id: number): void {
  statement(db, 'DELETE FROM websub_deliveries WHERE id = ?').run(id);
}

export function countQueuedDeliveries(db: Db): number {
  return statement<[], number>(db, 'SELECT count(*) FROM websub_deliveries').pluck().get() ?? 0;
}

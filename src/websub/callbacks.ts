// What the subscriber answers on its callbacks, `/websub/<token>` (W3C WebSub §5.3, §6, §7):
// verification of intent only for the (un)subscription we asked for, denial recorded, and content
// accepted only with a valid X-Hub-Signature. The HTTP routes (src/http/routes/websub.ts) call these.
import type { Db } from '../db/open.js';
import { getFeed } from '../db/feeds.js';
import { confirmSubscription, deleteSubscription, denySubscription, findSubscriptionByToken, queueDelivery, type HubSubscription } from '../db/websub.js';
import { checkSignature, type SignatureCheck } from './signature.js';
import { RETRY_AFTER_DENIAL_MS } from './subscriber.js';

/** Tokens are 24 random bytes, base64url; anything else is not one of our callbacks. */
const TOKEN = /^[A-Za-z0-9_-]{32}$/;
/** hub.lease_seconds is required for a subscription (§5.3); a hub that leaves it out gets a day. */
const DEFAULT_LEASE_SECONDS = 86_400;
const MAX_LEASE_SECONDS = 366 * 86_400;

function subscriptionFor(db: Db, token: string): HubSubscription | undefined {
  return TOKEN.test(token) ? findSubscriptionByToken(db, token) : undefined;
}

export interface VerificationAnswer {
  status: 200 | 404;
  /** The hub.challenge, echoed (200), or why not (404). */
  body: string;
  /** For the log and planet_websub_verifications_total: one of a few values, whatever the hub sent. */
  mode: 'subscribe' | 'unsubscribe' | 'denied' | 'other';
  outcome: 'confirmed' | 'refused' | 'denied';
  subscription_id: number | null;
  feed_id: number | null;
  reason: string;
}

const one = (v: unknown): string | undefined => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined);

/**
 * A hub's GET on a callback. hub.mode=subscribe/unsubscribe: confirmed (the challenge echoed) only
 * when it is the request we have pending for this callback and its topic; anything else is 404, the
 * "no" of §5.3.1. hub.mode=denied (§5.2): the hub refused or cancelled the subscription.
 */
export function answerVerification(db: Db, token: string, query: Record<string, unknown>, now: number): VerificationAnswer {
  const asked = one(query['hub.mode']) ?? '';
  const mode = asked === 'subscribe' || asked === 'unsubscribe' || asked === 'denied' ? asked : 'other';
  const topic = one(query['hub.topic']) ?? '';
  const sub = subscriptionFor(db, token);
  const refuse = (reason: string): VerificationAnswer => ({
    status: 404, body: 'not found', mode, outcome: 'refused', subscription_id: sub?.id ?? null, feed_id: sub?.feedId ?? null, reason,
  });
  if (!sub) return refuse('websub: no such callback');
  if (topic !== sub.topic) return refuse('websub: verification for another topic');
  const ok = (body: string, outcome: VerificationAnswer['outcome'], reason: string): VerificationAnswer => ({
    status: 200, body, mode, outcome, subscription_id: sub.id, feed_id: sub.feedId, reason,
  });

  if (mode === 'denied') {
    if (sub.state === 'unsubscribing') return ok('', 'denied', 'websub: the hub ended a subscription we are leaving');
    const reason = (one(query['hub.reason']) ?? '').replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, 200);
    denySubscription(db, sub.id, reason ? `the hub denied the subscription: ${reason}` : 'the hub denied the subscription', now + RETRY_AFTER_DENIAL_MS);
    return ok('', 'denied', reason || 'websub: subscription denied');
  }
  if (mode === 'other') return refuse('websub: unknown hub.mode');
  if (sub.pendingMode !== mode) return refuse(`websub: no ${mode} request is pending for this callback`);
  const challenge = one(query['hub.challenge']);
  if (!challenge) return refuse('websub: verification without hub.challenge');

  if (mode === 'unsubscribe') {
    deleteSubscription(db, sub.id);
    return ok(challenge, 'confirmed', 'websub: unsubscription confirmed');
  }
  const feed = sub.feedId === null ? undefined : getFeed(db, sub.feedId);
  if (!feed || feed.status !== 'active') return refuse('websub: the feed is no longer subscribed');
  const granted = Number(one(query['hub.lease_seconds']));
  const lease = Number.isInteger(granted) && granted > 0 ? Math.min(granted, MAX_LEASE_SECONDS) : DEFAULT_LEASE_SECONDS;
  confirmSubscription(db, sub.id, lease, now);
  return ok(challenge, 'confirmed', `websub: subscribed, lease ${lease} s`);
}

export type DeliveryAcceptance =
  /** Not (or no longer) subscribed: 410 Gone tells the hub to stop (§7). */
  | { kind: 'gone'; reason: string; subscription_id: number | null }
  /** Acknowledged with a 2xx and dropped (§7: a wrong signature is still acknowledged). */
  | { kind: 'bad_signature'; check: Extract<SignatureCheck, { ok: false }>; subscription_id: number; feed_id: number | null }
  | { kind: 'queued'; delivery_id: number; subscription_id: number; feed_id: number | null; algorithm: string };

/**
 * A hub's POST on a callback: the raw body is checked against X-Hub-Signature with the
 * subscription's secret, in constant time; a valid one is queued for the writer lock.
 */
export function acceptDelivery(db: Db, token: string, signature: string | undefined, contentType: string | null, body: Buffer, now: number): DeliveryAcceptance {
  const sub = subscriptionFor(db, token);
  if (!sub) return { kind: 'gone', reason: 'websub: no such callback', subscription_id: null };
  if (sub.state !== 'active' && sub.state !== 'pending') return { kind: 'gone', reason: `websub: delivery for a subscription that is ${sub.state}`, subscription_id: sub.id };
  const check = checkSignature(signature, sub.secret, body);
  if (!check.ok) return { kind: 'bad_signature', check, subscription_id: sub.id, feed_id: sub.feedId };
  const id = queueDelivery(db, sub.id, contentType, body, now);
  return { kind: 'queued', delivery_id: id, subscription_id: sub.id, feed_id: sub.feedId, algorithm: check.algorithm };
}

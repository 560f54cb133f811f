// When a feed is polled next: the regular interval after success, exponential backoff after
// errors, and a server's Retry-After honoured within reason. Pure functions of their inputs.

const HOUR_MS = 60 * 60 * 1000;
/** Backoff stops doubling here: a broken feed is still retried daily, so a fixed one comes back. */
export const MAX_BACKOFF_MS = 24 * HOUR_MS;
/** A Retry-After further out than this is treated as this; a typo'd date must not silence a feed for years. */
export const MAX_RETRY_AFTER_MS = 7 * 24 * HOUR_MS;

/** Next poll after a successful fetch (200 or 304). */
export function nextFetchAfterSuccess(now: number, intervalMs: number): number {
  return now + intervalMs;
}

/**
 * Next poll after the `errorCount`-th consecutive error (1 for the first): interval × 2^(errorCount−1),
 * capped at a day (or the interval, if that is longer). RFC 9110 §10.2.3: a Retry-After from a
 * 429 / 503 is honoured when it asks for more patience than the backoff, up to seven days.
 */
export function nextFetchAfterError(now: number, errorCount: number, intervalMs: number, retryAfter: Date | null): number {
  // 2^30 × any sane interval is far past the cap; clamping the exponent keeps the arithmetic finite.
  const exponent = Math.min(Math.max(Math.floor(errorCount), 1) - 1, 30);
  const backoff = Math.min(intervalMs * 2 ** exponent, Math.max(MAX_BACKOFF_MS, intervalMs));
  const afterBackoff = now + backoff;
  const retryAt = retryAfter?.getTime();
  if (retryAt === undefined || Number.isNaN(retryAt)) return afterBackoff;
  return Math.max(afterBackoff, Math.min(retryAt, now + MAX_RETRY_AFTER_MS));
}

// When the next poll happens after a success, after errors, and with a server's Retry-After.
import { describe, expect, it } from 'vitest';
import {
  MAX_BACKOFF_MS,
  MAX_RETRY_AFTER_MS,
  nextFetchAfterError,
  nextFetchAfterSuccess,
} from '../../src/pipeline/schedule-policy.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const now = Date.UTC(2024, 4, 1, 10, 0, 0);

describe('nextFetchAfterSuccess', () => {
  it('waits one interval', () => {
    expect(nextFetchAfterSuccess(now, 30 * MIN)).toBe(now + 30 * MIN);
  });
});

describe('nextFetchAfterError', () => {
  it.each<[string, number, number, Date | null, number]>([
    ['first error waits one interval', 1, 30 * MIN, null, 30 * MIN],
    ['second error doubles', 2, 30 * MIN, null, 60 * MIN],
    ['fifth error is 16 intervals', 5, 30 * MIN, null, 8 * HOUR],
    ['backoff is capped at a day', 7, 30 * MIN, null, DAY],
    ['a huge error count stays finite and capped', 10_000, 30 * MIN, null, DAY],
    ['an error count of zero is treated as the first', 0, 30 * MIN, null, 30 * MIN],
    ['an interval longer than a day is never shortened', 3, 2 * DAY, null, 2 * DAY],
    ['a later Retry-After wins', 1, 30 * MIN, new Date(now + 3 * HOUR), 3 * HOUR],
    ['an earlier Retry-After does not shorten the backoff', 3, 30 * MIN, new Date(now + 10 * MIN), 2 * HOUR],
    ['a Retry-After in the past is ignored', 1, 30 * MIN, new Date(now - HOUR), 30 * MIN],
    ['a Retry-After years away is capped at seven days', 1, 30 * MIN, new Date('2100-01-01T00:00:00Z'), 7 * DAY],
    ['an invalid Date is ignored', 2, 30 * MIN, new Date(Number.NaN), 60 * MIN],
  ])('%s', (_name, errorCount, intervalMs, retryAfter, expectedDelay) => {
    expect(nextFetchAfterError(now, errorCount, intervalMs, retryAfter) - now).toBe(expectedDelay);
  });

  it('caps are what the module says', () => {
    expect(MAX_BACKOFF_MS).toBe(DAY);
    expect(MAX_RETRY_AFTER_MS).toBe(7 * DAY);
  });
});

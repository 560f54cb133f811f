// Pure: a feed's health in plain words, for its public page (/feed/ID, in the planet's language) and
// `planet why` (in English): when it was last read, and when it is failing, since when and why,
// without error codes to decode.
import type { MessageKey } from '../i18n/catalogs.js';
import type { Words } from '../i18n/words.js';
import type { Feed } from '../model.js';

/** Error codes with a sentence of their own (health.problem.CODE in the catalogs). */
const PROBLEMS = new Set(['bad_url', 'address_refused', 'dns', 'network', 'timeout', 'too_large', 'empty_body', 'too_many_redirects', 'redirect_loop', 'http_status', 'gone', 'rate_limited', 'decode', 'not_a_feed', 'parse', 'internal']);

/** The feed's current problem in words, or null when it is healthy; the fetcher's own message follows in brackets. */
export function feedProblem(feed: Feed, words: Words): string | null {
  if (feed.status !== 'gone' && !feed.errorCode) return null;
  const code = feed.status === 'gone' ? 'gone' : feed.errorCode!;
  const problem =
    code === 'http_status'
      ? feed.lastHttpStatus
        ? words.t('health.problem.http_status', { status: feed.lastHttpStatus })
        : words.t('health.problem.http_error')
      : words.t((PROBLEMS.has(code) ? `health.problem.${code}` : 'health.problem.other') as MessageKey);
  return feed.errorMessage ? words.t('health.withMessage', { problem, message: feed.errorMessage }) : problem;
}

export interface FeedHealthWords {
  /** "Last read successfully on 13 January 2015, 18:00 UTC." or "Not read successfully yet." */
  lastRead: string;
  /** "Failing since 12 January 2015, 09:00 UTC: its server answered HTTP 500 (fetch: HTTP 500)." or null. */
  failing: string | null;
}

/** Absolute dates only: the page is cached until something readers see changes. */
export function feedHealthWords(feed: Feed, words: Words): FeedHealthWords {
  const lastRead = feed.lastSuccessAt === null ? words.t('health.notRead') : words.t('health.lastRead', { when: words.dates.full(feed.lastSuccessAt) });
  const problem = feedProblem(feed, words);
  if (problem === null) return { lastRead, failing: null };
  const since = feed.failingSince ?? feed.lastAttemptAt;
  return { lastRead, failing: since === null ? words.t('health.failing', { problem }) : words.t('health.failingSince', { when: words.dates.full(since), problem }) };
}

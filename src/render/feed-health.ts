// Pure: a feed's health in plain words, for its public page (/feed/ID) and `planet why`: when it
// was last read, and when it is failing, since when and why, without error codes to decode.
import type { Feed } from '../model.js';
import type { DateFormatter } from './dates.js';

/** What went wrong, as a blogger would say it; the fetcher's own message follows in brackets. */
const PROBLEMS: Record<string, (f: Feed) => string> = {
  bad_url: () => 'its address is not a valid http(s) URL',
  address_refused: () => 'its address is on a private network, which the planet does not fetch',
  dns: () => 'its host name does not resolve (DNS)',
  network: () => 'the connection to its server failed',
  timeout: () => 'its server did not answer in time',
  too_large: () => 'the feed is larger than the planet accepts',
  empty_body: () => 'its server sent an empty answer',
  too_many_redirects: () => 'it redirects too many times',
  redirect_loop: () => 'it redirects in a loop',
  http_status: (f) => `its server answered HTTP ${f.lastHttpStatus ?? 'with an error'}`,
  gone: () => 'its server answered 410 Gone, so the planet stopped polling it',
  rate_limited: () => 'its server asked the planet to slow down (HTTP 429 or 503)',
  decode: () => 'its text could not be decoded',
  not_a_feed: () => 'its address answers with a page that is not a feed',
  parse: () => 'the feed could not be read (it is not well-formed)',
  internal: () => 'the planet failed to store it (see the server log)',
};

/** The feed's current problem in words, or null when it is healthy. */
export function feedProblem(feed: Feed): string | null {
  if (feed.status !== 'gone' && !feed.errorCode) return null;
  const code = feed.status === 'gone' ? 'gone' : feed.errorCode!;
  const words = PROBLEMS[code]?.(feed) ?? 'it could not be fetched';
  return feed.errorMessage ? `${words} (${feed.errorMessage})` : words;
}

export interface FeedHealthWords {
  /** "Last read successfully on 13 January 2015, 18:00 UTC." or "Not read successfully yet." */
  lastRead: string;
  /** "Failing since 12 January 2015, 09:00 UTC: its server answered HTTP 500 (fetch: HTTP 500)." or null. */
  failing: string | null;
}

/** Absolute dates only: the page is cached until something readers see changes. */
export function feedHealthWords(feed: Feed, dates: DateFormatter): FeedHealthWords {
  const lastRead = feed.lastSuccessAt === null ? 'Not read successfully yet.' : `Last read successfully on ${dates.full(feed.lastSuccessAt)}.`;
  const problem = feedProblem(feed);
  if (problem === null) return { lastRead, failing: null };
  const since = feed.failingSince ?? feed.lastAttemptAt;
  return { lastRead, failing: `${since === null ? 'Failing' : `Failing since ${dates.full(since)}`}: ${problem}.` };
}

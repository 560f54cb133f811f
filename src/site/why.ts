// "Why isn't my post here?" (PRODUCT.md): where a post is on the planet, or the one reason it is
// not, from what the database already knows — the stored entries (tombstones and filtered posts
// included), each feed's health and the permalinks of its last document. Never fetches anything.
// Shared by `planet why` and GET /why.
import type { Config } from '../config.js';
import { findEntriesByLinks, findFeedEntriesByLinks, getEntry } from '../db/entries.js';
import { feedDocumentLinks, findFeedByUrl, findFeedsListingLinks, getFeed, listFeeds } from '../db/feeds.js';
import type { Db } from '../db/open.js';
import { timelinePosition, type Scope } from '../db/timeline.js';
import { feedDisplayName, feedHomeLink, type Entry, type Feed } from '../model.js';
import type { DateFormatter } from '../i18n/dates.js';
import { createWords, type Words } from '../i18n/words.js';
import { feedHealthWords, feedProblem } from '../render/feed-health.js';

export type WhyReason = 'not_in_feed' | 'feed_failing' | 'backlog' | 'expired' | 'filtered' | 'hidden_by_admin' | 'duplicate';

export interface WhyEntry {
  link: string | null;
  title: string | null;
  shown: boolean;
  reason: WhyReason | null;
  detail: string;
}

/** The machine-readable answer (PRODUCT.md "Machine-readable answers"). */
export interface WhyAnswer {
  url: string;
  kind: 'post' | 'feed' | 'unknown';
  shown: boolean;
  reason: WhyReason | null;
  detail: string;
  places: string[];
  feed: { id: number; url: string; name: string } | null;
  entries: WhyEntry[];
}

/** A URL `planet why` cannot ask about: not absolute http(s). */
export function whyUrlProblem(url: string): string | null {
  try {
    const u = new URL(url.trim());
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return `"${u.protocol.replace(/:$/, '')}:" URLs are never on a planet; give a post's permalink or a feed's http(s) URL`;
    return null;
  } catch {
    return 'not an absolute URL: give a post\'s permalink or a feed\'s URL, starting with http:// or https://';
  }
}

/**
 * The spellings one permalink goes by: as given, with and without a trailing slash and its
 * fragment, over http and https (bloggers paste either; feeds write either).
 */
export function urlVariants(url: string): string[] {
  const out = new Set<string>([url.trim()]);
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    return [...out];
  }
  u.hash = '';
  for (const protocol of ['https:', 'http:']) {
    const v = new URL(u.href);
    v.protocol = protocol;
    out.add(v.href);
    if (v.pathname.length > 1 && v.pathname.endsWith('/')) v.pathname = v.pathname.replace(/\/+$/, '');
    else if (!v.search) v.pathname = `${v.pathname}/`;
    out.add(v.href);
  }
  return [...out];
}

interface Context {
  db: Db;
  config: Config;
  dates: DateFormatter;
  /** The answers are English, as `planet why` prints them (the /why page's own words follow planet.language). */
  words: Words;
  perPage: number;
}

export function answerWhy(db: Db, config: Config, url: string): WhyAnswer {
  const words = createWords('en', config.planet.timezone);
  const ctx: Context = { db, config, dates: words.dates, words, perPage: config.page.items_per_page };
  const given = url.trim();
  const variants = urlVariants(given);

  const feed = feedByUrl(db, variants);
  if (feed) return feedAnswer(ctx, given, feed);

  const found = findEntriesByLinks(db, variants);
  if (found.length) return postAnswer(ctx, given, found);

  // In a feed's last document but not stored: a second post under an id the feed already used.
  const listing = findFeedsListingLinks(db, variants).map((id) => getFeed(db, id)).filter((f): f is Feed => f !== undefined);
  if (listing[0]) {
    return {
      url: given, kind: 'post', shown: false, reason: 'duplicate', places: [], feed: feedRef(listing[0]), entries: [],
      detail: `"${feedDisplayName(listing[0])}" lists it, under the same id as another of its posts, which is the one kept`,
    };
  }

  // Not in any feed: a blog whose feed fails cannot deliver it; otherwise it is not in the feed.
  const candidates = feedsOfHost(db, given);
  const failing = candidates.find((f) => feedProblem(f, ctx.words) !== null);
  if (failing) {
    return { url: given, kind: 'unknown', shown: false, reason: 'feed_failing', places: [], feed: feedRef(failing), entries: [], detail: `${failingWords(ctx, failing)} New posts arrive when it is read again.` };
  }
  const candidate = candidates[0];
  let detail: string;
  if (!candidate) detail = `No subscribed feed's last document has this URL, and no subscribed blog is on ${hostOf(given) ?? 'that host'}.`;
  else if (!candidate.hasFetched) detail = `"${feedDisplayName(candidate)}" <${candidate.url}> has not been read yet; its posts arrive with the next fetch pass.`;
  else {
    const links = feedDocumentLinks(db, candidate.id).length;
    detail =
      `This URL is not in the last document of "${feedDisplayName(candidate)}" <${candidate.url}> ` +
      `(read on ${ctx.dates.full(candidate.lastSuccessAt!)}, ${links} post${links === 1 ? '' : 's'}). A feed lists only its newest posts, and a post's permalink there may differ from this one.`;
  }
  return { url: given, kind: 'unknown', shown: false, reason: 'not_in_feed', places: [], feed: candidate ? feedRef(candidate) : null, entries: [], detail };
}

/** The subscription (or removed subscription) at one of the URL's spellings. */
function feedByUrl(db: Db, variants: string[]): Feed | undefined {
  for (const v of variants) {
    const feed = findFeedByUrl(db, v);
    if (feed) return feed;
  }
  return undefined;
}

const feedRef = (f: Feed) => ({ id: f.id, url: f.url, name: feedDisplayName(f) });

function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname.toLowerCase().replace(/^www\./, '');
  } catch {
    return null;
  }
}

/** Whether feedProblem() has something to say. */
const failing = (f: Feed) => f.status === 'gone' || Boolean(f.errorCode);

/** Subscriptions whose blog or feed is on the URL's host (a post's likely feed), failing ones first. */
function feedsOfHost(db: Db, url: string): Feed[] {
  const host = hostOf(url);
  if (!host) return [];
  return listFeeds(db)
    .filter((f) => [feedHomeLink(f), f.siteLink, f.url].some((u) => u && hostOf(u) === host))
    .sort((a, b) => Number(failing(b)) - Number(failing(a)));
}

function failingWords(ctx: Context, feed: Feed): string {
  const words = feedHealthWords(feed, ctx.words);
  return `Its feed "${feedDisplayName(feed)}" <${feed.url}> is failing: ${words.failing!.replace(/^Failing/, 'failing')} ${words.lastRead}`;
}

/** The pages a visible entry is on: the planet's, its blog's, its tags'. */
function placesOf(ctx: Context, entry: Entry, feed: Feed | undefined): string[] {
  const page = (scope: Scope, base: string) => {
    const n = Math.floor(timelinePosition(ctx.db, scope, entry) / ctx.perPage) + 1;
    return n === 1 ? base : `${base === '/' ? '' : base}/page/${n}`;
  };
  const places = [page({ kind: 'all' }, '/')];
  if (feed && feed.status !== 'removed') {
    places.push(page({ kind: 'feed', feedId: feed.id }, `/feed/${feed.id}`));
    for (const tag of feed.tags) places.push(page({ kind: 'tag', tag }, `/tag/${tag}`));
  }
  return places;
}

const isVisible = (e: Entry) => !e.expired && !e.hidden && e.filter === null && e.duplicateOf === null;

/** One stored entry's state, in the answer's terms. */
function entryState(ctx: Context, entry: Entry, feed: Feed | undefined): { shown: boolean; reason: WhyReason | null; detail: string; places: string[] } {
  const blog = feed ? `"${feedDisplayName(feed)}"` : 'its feed';
  if (entry.expired) {
    if (entry.expiredBy === 'backlog') {
      const n = ctx.config.fetch.new_feed_items;
      return {
        shown: false, reason: 'backlog', places: [],
        detail: `It was beyond the newest ${n} posts taken from ${blog} when the feed was added (fetch.new_feed_items: ${n}), so that a new feed cannot flood the planet with its archive. Posts published from then on are shown.`,
      };
    }
    const r = ctx.config.retention;
    return {
      shown: false, reason: 'expired', places: [],
      detail: `It expired by retention: older than ${r.keep_days} days and not among the ${r.keep_per_feed} newest posts of ${blog} (retention.keep_days, retention.keep_per_feed).`,
    };
  }
  if (entry.hidden) return { shown: false, reason: 'hidden_by_admin', places: [], detail: `An admin of the planet hid it (it stays hidden when ${blog} is fetched again).` };
  if (entry.filter) {
    const { rule, scope } = entry.filter;
    const where = scope === 'feed' ? `set on ${blog} (its own filter rules)` : 'set planet-wide (the config file\'s filters:)';
    const detail = rule.startsWith('not included: ')
      ? `A filter rule hid it: it matches none of the include rules ${rule.slice('not included: '.length)}, ${where}.`
      : `A filter rule hid it: "${rule}", ${where}.`;
    return { shown: false, reason: 'filtered', places: [], detail };
  }
  if (entry.duplicateOf !== null) {
    const original = getEntry(ctx.db, entry.duplicateOf);
    const other = original ? getFeed(ctx.db, original.feedId) : undefined;
    const otherState = original ? entryState(ctx, original, other) : null;
    const through = other ? `"${feedDisplayName(other)}"` : 'another feed';
    const detail = otherState?.shown
      ? `It is shown once, through ${through}, which has the same permalink.`
      : `It has the same permalink as a post of ${through}, which is kept instead; that one is not shown: ${otherState?.detail ?? 'it was deleted'}`;
    return { shown: false, reason: 'duplicate', places: otherState?.places ?? [], detail };
  }
  const places = placesOf(ctx, entry, feed);
  const where = places[0] === '/' ? 'on the front page' : `on ${places[0]}`;
  let detail = `It is on the planet: ${where}, dated ${ctx.dates.full(entry.sortAt)}.`;
  if (entry.futureAt !== null) {
    detail += ` Its date (${ctx.dates.full(entry.futureAt)}) was in the future when it was first seen, so it is shown as first seen.`;
  }
  return { shown: true, reason: null, detail, places };
}

function postAnswer(ctx: Context, url: string, found: Entry[]): WhyAnswer {
  // The copy readers see, else the one kept for the permalink (not a duplicate), else the first.
  const entry = found.find(isVisible) ?? found.find((e) => e.duplicateOf === null && !e.expired) ?? found.find((e) => e.duplicateOf === null) ?? found[0]!;
  const feed = getFeed(ctx.db, entry.feedId);
  const state = entryState(ctx, entry, feed);
  // A post whose feed now fails is still shown; one that is not shown says so as well.
  let detail = state.detail;
  if (!state.shown && feed && feedProblem(feed, ctx.words) !== null) detail += ` Besides, ${failingWords(ctx, feed).replace(/^Its/, 'its')}`;
  return { url, kind: 'post', shown: state.shown, reason: state.reason, detail, places: state.places, feed: feed ? feedRef(feed) : null, entries: [] };
}

function feedAnswer(ctx: Context, url: string, feed: Feed): WhyAnswer {
  const links = feedDocumentLinks(ctx.db, feed.id);
  const stored = findFeedEntriesByLinks(ctx.db, feed.id, links);
  const entries: WhyEntry[] = links.map((link) => {
    const e = stored.get(link);
    if (!e) return { link, title: null, shown: false, reason: 'duplicate', detail: 'The feed lists it under the same id as another of its posts, which is the one kept.' };
    const s = entryState(ctx, e, feed);
    return { link, title: e.title, shown: s.shown, reason: s.reason, detail: s.detail };
  });
  const words = feedHealthWords(feed, ctx.words);
  const shownCount = entries.filter((e) => e.shown).length;
  const contents = feed.hasFetched ? ` Its last document has ${links.length} post${links.length === 1 ? '' : 's'} with a permalink; ${shownCount} of them ${shownCount === 1 ? 'is' : 'are'} on the planet.` : '';
  const places = feed.status === 'removed' ? [] : [`/feed/${feed.id}`];
  if (feed.status === 'removed') {
    return { url, kind: 'feed', shown: false, reason: null, places, feed: feedRef(feed), entries, detail: `The planet unsubscribed this feed; its posts stay on the planet. ${words.lastRead}` };
  }
  if (words.failing) {
    return { url, kind: 'feed', shown: false, reason: 'feed_failing', places, feed: feedRef(feed), entries, detail: `${words.failing} ${words.lastRead}${contents}` };
  }
  return { url, kind: 'feed', shown: true, reason: null, places, feed: feedRef(feed), entries, detail: `The feed is healthy. ${words.lastRead}${contents}` };
}

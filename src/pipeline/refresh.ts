// refreshFeed(): one feed through the whole pipeline — fetch → decode → parse → dedupe → sanitize →
// store — and its outcome written on the feed row. The only pipeline module that touches db/.
// One transaction per feed: a crash or kill mid-refresh leaves the feed exactly as it was.
import {
  findFeedByUrl,
  getFeed,
  recordFetchFailure,
  recordFetchSuccess,
  updateFeedMetadata,
  type FetchFailure,
} from '../db/feeds.js';
import { entryStatements, type EntryWrite } from '../db/entries.js';
import type { Db } from '../db/open.js';
import type { Feed, FetchOptions, FetchResult, NormalizedEntry, NormalizedFeed } from '../model.js';
import { inThread, type CpuWork } from './cpu-pool.js';
import { contentHash, entryKey } from './dedupe.js';
import { fetchFeed } from './fetch.js';
import { discoverHubLinks, type HubLinks } from './hub-links.js';
import { compileStoredFilters, decide, filterSubject, NO_FILTERS, type CompiledFilters } from './filters.js';
import { nextFetchAfterError, nextFetchAfterSuccess } from './schedule-policy.js';

export interface RefreshOptions {
  fetch: FetchOptions;
  /** A feed's first successful fetch stores at most this many of its entries (the rest as tombstones). */
  newFeedItems: number;
  /**
   * Base of the exponential backoff after errors. A healthy feed is due again at the next pass:
   * fetch.schedule sets the pace, and conditional GET makes an unchanged feed cost a 304.
   */
  intervalMs: number;
  now?: () => number;
  /** Where parsing and sanitizing run: worker threads during a pass, else this thread. */
  cpu?: CpuWork;
  /**
   * Tombstones (expired entries) older than this that have left their feed's document are
   * deleted, so the database stays bounded. Default: never. The pass uses 2 × retention.keep_days.
   */
  tombstoneMaxAgeMs?: number;
  /** The planet-wide filter rules (config `filters:`); each feed's own come with its row. */
  planetFilters?: CompiledFilters;
}

/** Milliseconds spent in each stage, for logs and the benchmark. */
export interface StageTimes {
  fetch: number;
  parse: number;
  sanitize: number;
  store: number;
}

export interface RefreshOutcome {
  feed_id: number;
  feed_url: string;
  outcome: 'ok' | 'not_modified' | 'error';
  error_code: string | null;
  error_message: string | null;
  http_status: number | null;
  duration_ms: number;
  entries_new: number;
  entries_updated: number;
  /** The URL the feed moved to by permanent redirect, if it did. */
  moved_to: string | null;
  /**
   * The subscription that already has moved_to: the two are one blog, to be folded into one
   * (db/feed-merge.ts foldMovedFeed) once the pass has refreshed both.
   */
  merge_into?: number;
  stages: StageTimes;
  /**
   * WebSub discovery (src/websub/ subscribes): after a 200, the hubs and topic the feed advertises
   * in its Link headers and document, or null when it names no hub; absent otherwise (304, error).
   */
  websub?: HubLinks | null;
}

/** A feed document to store: what a fetch returned, or what a WebSub hub delivered. */
export interface FetchedDocument {
  body: Buffer;
  contentType: string | null;
  /** Where relative links resolve: the fetched URL, or the topic of a delivery. */
  url: string;
}

/** What storing a document needs of the refresh options (a delivery has no fetch or backoff). */
export type StoreOptions = Pick<RefreshOptions, 'newFeedItems' | 'cpu' | 'tombstoneMaxAgeMs' | 'planetFilters'>;

export type StoredDocument =
  | { kind: 'ok'; feed: NormalizedFeed; inserted: number; updated: number }
  | { kind: 'error'; code: 'decode' | 'not_a_feed' | 'parse'; message: string };

export async function refreshFeed(db: Db, feed: Feed, options: RefreshOptions): Promise<RefreshOutcome> {
  const now = options.now ?? Date.now;
  const started = performance.now();
  const stages: StageTimes = { fetch: 0, parse: 0, sanitize: 0, store: 0 };
  const outcome = (o: Partial<RefreshOutcome> & Pick<RefreshOutcome, 'outcome'>): RefreshOutcome => ({
    feed_id: feed.id,
    feed_url: feed.url,
    error_code: null,
    error_message: null,
    http_status: null,
    entries_new: 0,
    entries_updated: 0,
    moved_to: null,
    ...o,
    duration_ms: Math.round(performance.now() - started),
    stages,
  });

  let mark = performance.now();
  const lap = (stage: keyof StageTimes) => {
    const t = performance.now();
    stages[stage] += t - mark;
    mark = t;
  };

  const result = await fetchFeed(feed.url, { etag: feed.etag, lastModified: feed.lastModified }, options.fetch);
  lap('fetch');
  const at = now();

  if (result.kind === 'error') {
    const failure = failureFor(feed, result, at, options.intervalMs);
    recordFetchFailure(db, feed.id, failure);
    return outcome({ outcome: 'error', error_code: result.code, error_message: result.message, http_status: result.status });
  }

  const move = movedUrl(db, feed, result);
  // A move onto another subscription's URL waits for the pass to fold the two; any other, now.
  const newUrl = move && move.mergeInto === undefined ? move.url : null;
  const moved = move && { moved_to: move.url, ...(move.mergeInto !== undefined && { merge_into: move.mergeInto }) };
  if (result.kind === 'not_modified') {
    recordFetchSuccess(db, feed.id, {
      at,
      httpStatus: 304,
      etag: result.etag ?? feed.etag,
      lastModified: result.lastModified ?? feed.lastModified,
      nextFetchAt: nextFetchAfterSuccess(at, 0),
      newUrl,
    });
    lap('store');
    return outcome({ outcome: 'not_modified', http_status: 304, ...moved });
  }

  const stored = await storeDocument(db, feed, { body: result.body, contentType: result.contentType, url: result.finalUrl }, at, options, stages, () =>
    recordFetchSuccess(db, feed.id, {
      at,
      httpStatus: result.status,
      etag: result.etag,
      lastModified: result.lastModified,
      nextFetchAt: nextFetchAfterSuccess(at, 0),
      newUrl,
    }),
  );
  if (stored.kind === 'error') {
    recordFetchFailure(db, feed.id, parseFailure(feed, stored.code, stored.message, result.status, at, options.intervalMs));
    return outcome({ outcome: 'error', error_code: stored.code, error_message: stored.message, http_status: result.status });
  }
  return outcome({
    outcome: 'ok', http_status: result.status, ...moved, entries_new: stored.inserted, entries_updated: stored.updated,
    websub: discoverHubLinks(result.link, stored.feed.websub, result.finalUrl),
  });
}

/**
 * One document of a feed through decode → parse → dedupe → sanitize → store: a fetch's body
 * (refreshFeed) or a WebSub content distribution (src/websub/) alike. The feed's own title, home
 * page and image are updated with the entries; `alsoInTransaction` (refreshFeed's fetch success)
 * commits with them. The caller holds the writer lock (one pass, or one delivery, at a time).
 */
export async function storeDocument(
  db: Db,
  feed: Feed,
  doc: FetchedDocument,
  at: number,
  options: StoreOptions,
  stages: StageTimes = { fetch: 0, parse: 0, sanitize: 0, store: 0 },
  alsoInTransaction?: () => void,
): Promise<StoredDocument> {
  const cpu = options.cpu ?? inThread;
  let t = performance.now();
  const read = await cpu.readDocument(doc.body, doc.contentType, doc.url);
  stages.parse += performance.now() - t;
  if (read.kind === 'error') return { kind: 'error', code: read.code, message: read.message };
  const parsed = read.feed;

  const counts = await storeEntries(db, feed, parsed.entries, at, options, cpu, stages);
  t = performance.now();
  db.transaction(() => {
    updateFeedMetadata(db, feed.id, {
      title: parsed.title,
      siteLink: parsed.link,
      image: parsed.image,
      language: parsed.language,
      // The permalinks of this document, for `planet why` ("is that post in the feed at all?").
      documentLinks: [...new Set(parsed.entries.flatMap((e) => (e.link ? [e.link] : [])))],
    });
    alsoInTransaction?.();
  })();
  stages.store += performance.now() - t;
  return { kind: 'ok', feed: parsed, inserted: counts.inserted, updated: counts.updated };
}

/**
 * Where a permanent redirect (301 / 308) took the feed. It moves there, its old URL kept as an
 * alias (db/feeds.ts moveFeedUrl), unless another subscription already has that URL: then the two
 * are one blog subscribed twice, and the pass folds them into one after refreshing both.
 */
function movedUrl(db: Db, feed: Feed, result: Extract<FetchResult, { kind: 'ok' | 'not_modified' }>): { url: string; mergeInto?: number } | null {
  const to = result.permanentUrl;
  if (!to || to === feed.url) return null;
  const holder = findFeedByUrl(db, to);
  return holder && holder.id !== feed.id ? { url: to, mergeInto: holder.id } : { url: to };
}

function failureFor(feed: Feed, result: Extract<FetchResult, { kind: 'error' }>, at: number, intervalMs: number): FetchFailure {
  const errorCount = feed.errorCount + 1;
  if (result.code === 'gone') {
    // 410 Gone: the publisher says the feed will not come back. Stop polling; an admin can re-enable.
    return { at, httpStatus: result.status, code: 'gone', message: result.message, errorCount, nextFetchAt: null, status: 'gone' };
  }
  return {
    at,
    httpStatus: result.status,
    code: result.code,
    message: result.message,
    errorCount,
    nextFetchAt: nextFetchAfterError(at, errorCount, intervalMs, result.retryAfter),
    status: 'active',
  };
}

function parseFailure(feed: Feed, code: string, message: string, status: number, at: number, intervalMs: number): FetchFailure {
  const errorCount = feed.errorCount + 1;
  return { at, httpStatus: status, code, message, errorCount, nextFetchAt: nextFetchAfterError(at, errorCount, intervalMs, null), status: 'active' };
}

interface Candidate {
  entry: NormalizedEntry;
  key: string;
  hash: string;
  /** published, else updated, else first seen; never after first seen. */
  sortAt: number;
}

/**
 * Dedupe and store one document's entries in a single transaction. Returns the counts.
 *
 * Identity is entryKey() within the feed. Two repairs for real-world feeds:
 * - a feed that churns GUIDs on every build (seen with some static-site generators) but keeps
 *   permalinks: an unknown key whose permalink matches a stored entry that is no longer in the
 *   document is the same post;
 * - the same permalink arriving through two subscriptions (a personal feed and a team feed)
 *   is stored for both but shown once (duplicate_of).
 */
async function storeEntries(db: Db, feed: Feed, entries: NormalizedEntry[], at: number, options: StoreOptions, cpu: CpuWork, stages: StageTimes) {
  const statements = entryStatements(db);
  const seen = new Set<string>();
  const candidates: Candidate[] = [];
  const linkCounts = new Map<string, number>();
  for (const entry of entries) {
    const key = entryKey(entry);
    if (seen.has(key)) continue; // the same entry twice in one document
    seen.add(key);
    if (entry.link) linkCounts.set(entry.link, (linkCounts.get(entry.link) ?? 0) + 1);
    const dated = entry.published ?? entry.updated;
    // A date in the future (misconfigured clocks, scheduled posts) is clamped to the time first seen.
    const sortAt = dated ? Math.min(dated.getTime(), at) : at;
    candidates.push({ entry, key, hash: contentHash(entry), sortAt });
  }

  // A newly added feed contributes at most newFeedItems of its backlog; the rest become
  // tombstones so they do not trickle in on the next fetch.
  let backlogCut = new Set<Candidate>();
  if (!feed.hasFetched) {
    const newestFirst = [...candidates].sort((a, b) => b.sortAt - a.sortAt);
    backlogCut = new Set(newestFirst.slice(options.newFeedItems));
  }

  // Plan: what is new, what changed, what is already stored as it is. Only new and changed
  // entries are sanitized — in steady state one post in twenty.
  type Step = { c: Candidate; storedId: number | null; tombstone: boolean };
  const steps: Step[] = [];
  let t = performance.now();
  for (const c of candidates) {
    let stored = statements.findByKey(feed.id, c.key);
    if (!stored && c.entry.link && linkCounts.get(c.entry.link) === 1) {
      const byLink = statements.findByLink(feed.id, c.entry.link);
      if (byLink && !seen.has(byLink.entry_key)) stored = byLink;
    }
    if (stored && (stored.expired || stored.content_hash === c.hash)) continue;
    steps.push({ c, storedId: stored?.id ?? null, tombstone: !stored && backlogCut.has(c) });
  }
  stages.store += performance.now() - t;

  t = performance.now();
  const toSanitize = steps.filter((s) => !s.tombstone);
  const safe = await cpu.sanitizeEntries(
    toSanitize.map(({ c: { entry } }) => ({ contentHtml: entry.contentHtml, summaryHtml: entry.summaryHtml, baseUrl: entry.baseUrl, summaryBaseUrl: entry.summaryBaseUrl })),
  );
  const html = new Map(toSanitize.map((s, i) => [s, safe[i]!]));
  stages.sanitize += performance.now() - t;

  // Filter rules decide on what is stored (sanitized HTML), so a re-application over stored posts
  // decides the same way. Only new and changed posts are decided; the others keep their decision.
  const planetFilters = options.planetFilters ?? NO_FILTERS;
  // Read again now: an admin may have changed the feed's rules while it was being fetched.
  const feedFilters = compileStoredFilters(getFeed(db, feed.id)?.filters ?? feed.filters);
  const decisions = new Map<Step, { rule: string; scope: 'planet' | 'feed' } | null>();
  for (const step of toSanitize) {
    const e = step.c.entry;
    const content = html.get(step)!;
    const d = decide(filterSubject({ title: e.title, author: e.author, categories: e.categories, language: e.language, ...content }), planetFilters, feedFilters);
    decisions.set(step, d.shown ? null : { rule: d.rule, scope: d.scope });
  }

  // Write, in one transaction. This feed's rows cannot have changed since the plan: one pass
  // at a time (the pass lock), and every feed is refreshed once per pass.
  t = performance.now();
  let inserted = 0;
  let updated = 0;
  db.transaction(() => {
    for (const step of steps) {
      const { c } = step;
      // A tombstone keeps no content, and no enclosures either.
      const content = { ...(html.get(step) ?? { contentHtml: null, summaryHtml: null }), enclosures: step.tombstone ? [] : c.entry.enclosures };
      const filter = decisions.get(step) ?? null;
      if (step.storedId !== null) {
        statements.update(step.storedId, { ...fields(c, at), ...content, filter });
        updated++;
        continue;
      }
      const dated = c.entry.published ?? c.entry.updated;
      const write: EntryWrite = {
        feedId: feed.id,
        entryKey: c.key,
        ...fields(c, at),
        ...content,
        filter,
        futureAt: dated && dated.getTime() > at ? dated.getTime() : null,
        firstSeenAt: at,
        sortAt: c.sortAt,
        duplicateOf: c.entry.link && !step.tombstone ? (statements.findOtherFeedByLink(c.entry.link, feed.id) ?? null) : null,
        expired: step.tombstone,
      };
      statements.insert(write);
      if (!step.tombstone) inserted++;
    }
    // A tombstone only has to outlive the post's presence in its feed. Long gone from the
    // document and older than twice the retention period, it cannot plausibly return.
    if (options.tombstoneMaxAgeMs !== undefined) {
      statements.purgeTombstones(feed.id, at - options.tombstoneMaxAgeMs, [...seen]);
    }
  })();
  stages.store += performance.now() - t;
  return { inserted, updated };
}

/** The stored fields of a candidate; dates in the future are clamped to now like sort_at. */
function fields(c: Candidate, at: number) {
  const e = c.entry;
  return {
    guid: e.guid,
    link: e.link,
    title: e.title,
    author: e.author,
    contentHash: c.hash,
    publishedAt: e.published ? Math.min(e.published.getTime(), at) : null,
    updatedAt: e.updated ? Math.min(e.updated.getTime(), at) : null,
    categories: e.categories,
    language: e.language,
  };
}

// Reading lists: OPML files kept elsewhere (a community's wiki, a git repository, a local file)
// whose feeds are subscribed and kept in sync. Every pass reads each due list before the feeds,
// through the feed fetcher (conditional GET, address guard, byte cap, backoff). The rules:
// - a feed the list gained is subscribed, with the outline's name, home page and tags plus the
//   list's tags; a feed it lost is unsubscribed (entries kept), unless something else holds it:
//   a source of its own (config, cli, admin, api, opml, suggestion) or another list;
// - a list that cannot be fetched or read keeps its last good state and shows the error;
// - a feed an admin removes is declined by the lists holding it while they list it, and
//   subscribed again only when a list adds it anew.
import { stat, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config.js';
import { recordAudit } from '../db/audit.js';
import { isFeedHeld } from '../db/feed-sources.js';
import { insertFeed, retireFeed } from '../db/feeds.js';
import type { Db } from '../db/open.js';
import {
  deleteReadingList,
  findReadingList,
  getReadingList,
  insertReadingList,
  listDueReadingLists,
  listReadingListFeeds,
  listReadingLists,
  recordListFailure,
  recordListSuccess,
  replaceReadingListFeeds,
  setListFeedDeclined,
  type ListAddedBy,
  type ListFeed,
  type ListFeedInput,
  type ReadingList,
} from '../db/reading-lists.js';
import { feedUrlKey, type FetchOptions } from '../model.js';
import type { Logger } from '../ops/logging.js';
import { decodeBody } from '../pipeline/decode.js';
import { fetchFeed, formatBytes } from '../pipeline/fetch.js';
import { nextFetchAfterError, nextFetchAfterSuccess } from '../pipeline/schedule-policy.js';
import { readOpml, type OpmlOutline } from './opml-import.js';
import { fieldError, urlProblem, type FieldError } from './refusals.js';
import type { Actor } from './service.js';

/** Backoff after a list's errors starts here and doubles (capped at a day by the policy), as for feeds. */
const RETRY_BASE_MS = 15 * 60_000;

/** Where a list lives: a URL fetched over HTTP, or a local file. `key` is its identity. */
export type ListLocation = { kind: 'url'; url: string; key: string } | { kind: 'file'; url: string; key: string };

/**
 * URL_OR_FILE → where the list lives. http(s) URLs are keyed like feed URLs (spellings of one URL
 * are one list); `file:` URLs and paths become absolute paths, resolved against `baseDir`.
 */
export function listLocation(value: string, baseDir = process.cwd()): ListLocation | { kind: 'invalid'; reason: string } {
  const trimmed = value.trim();
  if (!trimmed) return { kind: 'invalid', reason: 'required' };
  if (/^https?:/i.test(trimmed)) {
    const problem = urlProblem(trimmed, true);
    return problem ? { kind: 'invalid', reason: problem } : { kind: 'url', url: trimmed, key: feedUrlKey(trimmed) };
  }
  let file = trimmed;
  if (/^file:/i.test(trimmed)) {
    try {
      file = fileURLToPath(trimmed);
    } catch (err) {
      return { kind: 'invalid', reason: `not a usable file URL (${(err as Error).message})` };
    }
  } else if (/^[a-z][a-z0-9+.-]+:/i.test(trimmed)) {
    return { kind: 'invalid', reason: `unsupported scheme "${trimmed.slice(0, trimmed.indexOf(':'))}" (an http or https URL, or a local file)` };
  }
  const absolute = path.resolve(baseDir, file);
  return { kind: 'file', url: absolute, key: absolute };
}

type ListRead =
  | { kind: 'ok'; body: Buffer; contentType: string | null; status: number | null; etag: string | null; lastModified: string | null; movedTo: string | null }
  | { kind: 'not_modified'; status: number | null; etag: string | null; lastModified: string | null; movedTo: string | null }
  | { kind: 'error'; code: string; message: string; status: number | null; retryAfter: Date | null };

/** One read of a list: an HTTP fetch with its validators, or a local file (its size and mtime as validator). */
async function readListSource(location: ListLocation, conditional: { etag: string | null; lastModified: string | null }, options: FetchOptions): Promise<ListRead> {
  if (location.kind === 'url') {
    const r = await fetchFeed(location.url, conditional, options);
    if (r.kind === 'error') return { kind: 'error', code: r.code, message: r.message, status: r.status, retryAfter: r.retryAfter };
    const movedTo = r.permanentUrl && r.permanentUrl !== location.url ? r.permanentUrl : null;
    if (r.kind === 'not_modified') return { kind: 'not_modified', status: 304, etag: r.etag ?? conditional.etag, lastModified: r.lastModified ?? conditional.lastModified, movedTo };
    return { kind: 'ok', body: r.body, contentType: r.contentType, status: r.status, etag: r.etag, lastModified: r.lastModified, movedTo };
  }
  const fail = (err: unknown): ListRead => ({
    kind: 'error',
    code: 'file',
    message: `reading list: cannot read ${location.url} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    status: null,
    retryAfter: null,
  });
  try {
    const info = await stat(location.url);
    if (!info.isFile()) return { kind: 'error', code: 'file', message: `reading list: ${location.url} is not a file`, status: null, retryAfter: null };
    if (info.size > options.maxBytes) return { kind: 'error', code: 'too_large', message: `reading list: ${location.url} is larger than ${formatBytes(options.maxBytes)}`, status: null, retryAfter: null };
    const validator = `"${info.size}-${Math.trunc(info.mtimeMs)}"`;
    if (validator === conditional.etag) return { kind: 'not_modified', status: null, etag: validator, lastModified: conditional.lastModified, movedTo: null };
    const body = await readFile(location.url);
    if (body.length > options.maxBytes) return { kind: 'error', code: 'too_large', message: `reading list: ${location.url} is larger than ${formatBytes(options.maxBytes)}`, status: null, retryAfter: null };
    return { kind: 'ok', body, contentType: null, status: null, etag: validator, lastModified: info.mtime.toUTCString(), movedTo: null };
  } catch (err) {
    return fail(err);
  }
}

const locationOf = (list: ReadingList): ListLocation => (/^https?:/i.test(list.url) ? { kind: 'url', url: list.url, key: list.urlKey } : { kind: 'file', url: list.url, key: list.urlKey });

/** A list's document as the rows it names: valid outlines, once each; the others as warnings. */
export function listFeedsOf(outlines: OpmlOutline[], allowPrivateAddresses: boolean): { feeds: ListFeedInput[]; warnings: string[] } {
  const feeds: ListFeedInput[] = [];
  const warnings: string[] = [];
  const seen = new Map<string, string>();
  for (const o of outlines) {
    const label = o.name ? `"${o.name}" <${o.url}>` : `<${o.url}>`;
    const problem = urlProblem(o.url, allowPrivateAddresses);
    if (problem) {
      warnings.push(`${label}: ${problem}`);
      continue;
    }
    const key = feedUrlKey(o.url);
    const first = seen.get(key);
    if (first !== undefined) {
      warnings.push(`${label}: listed twice (first as <${first}>)`);
      continue;
    }
    seen.set(key, o.url);
    feeds.push({ urlKey: key, url: o.url, name: o.name, link: o.link && urlProblem(o.link, true) === null ? o.link : null, tags: o.tags });
  }
  return { feeds, warnings };
}

/** What reading one list did. */
export interface ListRefreshOutcome {
  list_id: number;
  list_url: string;
  outcome: 'ok' | 'not_modified' | 'error';
  error_code: string | null;
  error_message: string | null;
  /** Feeds it names, as of its last good read. */
  feeds: number;
  subscribed: string[];
  unsubscribed: string[];
}

type Read = { list: ReadingList; read: ListRead };

/**
 * Applies reads of lists in one transaction: the state of each (its error, or its new rows),
 * then what their rows imply for subscriptions. Every list's gains are recorded before any loss
 * is judged, so a feed moving from one list to another in the same pass is never dropped.
 */
function applyReads(db: Db, reads: Read[], allowPrivateAddresses: boolean, now: number): ListRefreshOutcome[] {
  return db.transaction(() => {
    const outcomes = new Map<number, ListRefreshOutcome>();
    const dropped: { list: ReadingList; row: ListFeed }[] = [];
    const ensure: ReadingList[] = [];
    for (const { list, read } of reads) {
      const outcome: ListRefreshOutcome = { list_id: list.id, list_url: list.url, outcome: read.kind, error_code: null, error_message: null, feeds: 0, subscribed: [], unsubscribed: [] };
      outcomes.set(list.id, outcome);
      if (read.kind === 'error') {
        fail(list, read.code, read.message, read.status, read.retryAfter);
        continue;
      }
      const moved = read.movedTo ? { url: read.movedTo, urlKey: feedUrlKey(read.movedTo) } : undefined;
      const success = { at: now, httpStatus: read.status, etag: read.etag, lastModified: read.lastModified, nextFetchAt: nextFetchAfterSuccess(now, 0), moved };
      if (read.kind === 'not_modified') {
        recordListSuccess(db, list.id, success);
        ensure.push(list);
        continue;
      }
      const decoded = decodeBody(read.body, read.contentType);
      const opml = decoded.kind === 'ok' ? readOpml(decoded.text) : decoded;
      if (opml.kind === 'error') {
        fail(list, decoded.kind === 'ok' ? 'parse' : 'decode', opml.message, read.status, null);
        continue;
      }
      const { feeds, warnings } = listFeedsOf(opml.outlines, allowPrivateAddresses);
      recordListSuccess(db, list.id, { ...success, read: { title: opml.title, warnings } });
      for (const row of replaceReadingListFeeds(db, list.id, feeds, now)) dropped.push({ list, row });
      ensure.push(list);
    }

    for (const { list, row } of dropped) {
      if (row.feedId === null || row.feedStatus === 'removed' || isFeedHeld(db, row.feedId)) continue;
      retireFeed(db, row.feedId);
      outcomes.get(list.id)!.unsubscribed.push(row.url);
    }
    for (const list of ensure) {
      const outcome = outcomes.get(list.id)!;
      const rows = listReadingListFeeds(db, list.id);
      outcome.feeds = rows.length;
      for (const row of rows) {
        if (row.feedId !== null && row.feedStatus !== 'removed') {
          // Subscribed again by an admin since they removed it: the list holds it once more.
          if (row.declined) setListFeedDeclined(db, list.id, row.urlKey, false);
          continue;
        }
        if (row.declined) continue;
        insertFeed(db, { url: row.url, name: row.name, link: row.link, tags: [...new Set([...row.tags, ...list.tags])] }, now);
        outcome.subscribed.push(row.url);
      }
    }
    return [...outcomes.values()];

    function fail(list: ReadingList, code: string, message: string, status: number | null, retryAfter: Date | null) {
      const errorCount = list.errorCount + 1;
      recordListFailure(db, list.id, { at: now, httpStatus: status, code, message, errorCount, nextFetchAt: nextFetchAfterError(now, errorCount, RETRY_BASE_MS, retryAfter) });
      const outcome = outcomes.get(list.id)!;
      Object.assign(outcome, { outcome: 'error', error_code: code, error_message: message, feeds: listReadingListFeeds(db, list.id).length });
    }
  })();
}

export interface ListPassOptions {
  fetch: FetchOptions;
  /** Lists read at once. */
  concurrency: number;
  now?: () => number;
  logger?: Logger;
  signal?: AbortSignal;
}

/** The pass's first step: reads every due list and applies what they say. */
export async function refreshReadingLists(db: Db, options: ListPassOptions): Promise<ListRefreshOutcome[]> {
  const now = options.now ?? Date.now;
  const due = listDueReadingLists(db, now());
  const reads: Read[] = [];
  for (let i = 0; i < due.length && !options.signal?.aborted; i += options.concurrency) {
    const batch = due.slice(i, i + options.concurrency);
    reads.push(...(await Promise.all(batch.map(async (list) => ({ list, read: await readListSource(locationOf(list), list, options.fetch) })))));
  }
  const outcomes = applyReads(db, reads, options.fetch.allowPrivateAddresses, now());
  for (const o of outcomes) logListOutcome(options.logger, o);
  return outcomes;
}

/** One log line per list read, and one per feed it subscribed or unsubscribed. */
export function logListOutcome(logger: Logger | undefined, o: ListRefreshOutcome): void {
  if (!logger) return;
  const fields = { list_id: o.list_id, list_url: o.list_url, outcome: o.outcome, error_code: o.error_code ?? undefined, feeds: o.feeds, subscribed: o.subscribed.length, unsubscribed: o.unsubscribed.length };
  if (o.outcome === 'error') logger.warn(fields, `${o.error_message}; the list keeps its last good state`);
  else logger.info(fields, 'reading list read');
  for (const url of o.subscribed) logger.info({ list_url: o.list_url, feed_url: url }, 'reading list: subscribed a feed it gained');
  for (const url of o.unsubscribed) logger.info({ list_url: o.list_url, feed_url: url }, 'reading list: unsubscribed a feed it dropped (its entries stay)');
}

const addedByOf = (actor: Actor): ListAddedBy => (actor.via === 'web' ? 'admin' : actor.via);

export type ListAdd =
  | { kind: 'ok'; list: ReadingList; outcome: ListRefreshOutcome }
  | { kind: 'duplicate'; existing: ReadingList; error: FieldError }
  | FieldError;

/**
 * Adds a reading list (the CLI, the admin UI, the API) and reads it at once: a list that cannot
 * be fetched or read is refused with the reason, and nothing is stored. Over the web only http(s)
 * URLs are accepted (a local path there would let a browser read the server's files).
 */
export async function addReadingList(
  db: Db,
  config: Config,
  actor: Actor,
  input: { url: string; tags: string[] },
  options: { fetch: FetchOptions; allowFiles: boolean; field?: string; baseDir?: string; now?: () => number },
): Promise<ListAdd> {
  const field = options.field ?? 'url';
  const now = options.now ?? Date.now;
  const location = listLocation(input.url, options.baseDir);
  if (location.kind === 'invalid') return fieldError(field, location.reason);
  if (location.kind === 'file' && !options.allowFiles) {
    return fieldError(field, 'an http or https URL (a local file can be added with `planet lists add FILE` or in the config file)');
  }
  if (location.kind === 'url') {
    const problem = urlProblem(location.url, config.fetch.allow_private_addresses);
    if (problem) return fieldError(field, problem);
  }
  const existing = findReadingList(db, location.key);
  if (existing) return { kind: 'duplicate', existing, error: fieldError(field, `already a reading list: <${existing.url}>`, 'duplicate reading list') };

  const read = await readListSource(location, { etag: null, lastModified: null }, options.fetch);
  if (read.kind === 'error') return fieldError(field, read.message, 'reading list not readable');
  if (read.kind === 'ok') {
    const decoded = decodeBody(read.body, read.contentType);
    const opml = decoded.kind === 'ok' ? readOpml(decoded.text) : decoded;
    if (opml.kind === 'error') return fieldError(field, opml.message, 'reading list not readable');
  }
  return db.transaction((): ListAdd => {
    // Added meanwhile (two admins at once): the second is a duplicate.
    const raced = findReadingList(db, location.key);
    if (raced) return { kind: 'duplicate', existing: raced, error: fieldError(field, `already a reading list: <${raced.url}>`, 'duplicate reading list') };
    const list = insertReadingList(db, { url: location.url, urlKey: location.key, tags: input.tags, addedBy: addedByOf(actor) }, now());
    const [outcome] = applyReads(db, [{ list, read }], config.fetch.allow_private_addresses, now());
    recordAudit(db, {
      actor: actor.username,
      via: actor.via,
      action: 'list.add',
      summary: `added reading list ${list.url}: ${outcome!.feeds} feeds, ${outcome!.subscribed.length} subscribed`,
      detail: { url: list.url, tags: input.tags, subscribed: outcome!.subscribed },
    });
    return { kind: 'ok', list: getReadingList(db, list.id)!, outcome: outcome! };
  })();
}

/**
 * Removes a list: the feeds it held that nothing else holds are unsubscribed (their entries
 * stay), and the config file does not add it back.
 */
export function removeReadingList(db: Db, actor: Actor, list: ReadingList, now = Date.now()): { unsubscribed: string[] } {
  return db.transaction(() => {
    const rows = listReadingListFeeds(db, list.id);
    deleteReadingList(db, list.id, { remember: true }, now);
    const unsubscribed: string[] = [];
    for (const row of rows) {
      if (row.feedId === null || row.feedStatus === 'removed' || isFeedHeld(db, row.feedId)) continue;
      retireFeed(db, row.feedId);
      unsubscribed.push(row.url);
    }
    recordAudit(db, {
      actor: actor.username,
      via: actor.via,
      action: 'list.remove',
      summary: `removed reading list ${list.url}: ${unsubscribed.length} of its ${rows.length} feeds unsubscribed (entries kept)`,
      detail: { url: list.url, unsubscribed },
    }, now);
    return { unsubscribed };
  })();
}

/** A list by id, or by its URL or path (any spelling). */
export function findReadingListBy(db: Db, urlOrId: string, baseDir?: string): ReadingList | undefined {
  if (/^\d+$/.test(urlOrId)) return getReadingList(db, Number(urlOrId));
  const location = listLocation(urlOrId, baseDir);
  return location.kind === 'invalid' ? undefined : findReadingList(db, location.key);
}

export type ListStatus = 'new' | 'ok' | 'erroring';

export const listStatus = (list: ReadingList): ListStatus => (list.errorCount > 0 ? 'erroring' : list.lastSuccessAt === null ? 'new' : 'ok');

/** What becomes of one feed a list names. */
export type ListFeedState = 'subscribed' | 'removed_by_admin' | 'not_subscribed';

export const listFeedState = (row: ListFeed): ListFeedState =>
  row.declined ? 'removed_by_admin' : row.feedId !== null && row.feedStatus !== 'removed' ? 'subscribed' : 'not_subscribed';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** `planet lists list --json` and `GET /api/lists`: `{ url, tags, status, last_success, last_error, feeds }` and more. */
export function readingListJson(db: Db, list: ReadingList) {
  return {
    id: list.id,
    url: list.url,
    tags: list.tags,
    status: listStatus(list),
    last_success: iso(list.lastSuccessAt),
    last_error: list.errorMessage,
    feeds: listReadingListFeeds(db, list.id).map((row) => ({ url: row.url, name: row.name, feed_id: row.feedId, state: listFeedState(row) })),
    title: list.title,
    added_by: list.addedBy,
    last_attempt: iso(list.lastAttemptAt),
    error_code: list.errorCode,
    http_status: list.lastHttpStatus,
    consecutive_errors: list.errorCount,
    next_fetch: iso(list.nextFetchAt),
    warnings: list.warnings,
  };
}

export const readingListsJson = (db: Db) => listReadingLists(db).map((l) => readingListJson(db, l));

// The feeds table: subscriptions, their admin-given details and their fetch health, and the
// feed_aliases they are also found by. A URL finds its feed through its key (model.ts
// feedUrlKey: spellings of one URL are one feed) and through the aliases a move left behind.
import { feedUrlKey, type Feed, type FeedStatus, type FilterLists } from '../model.js';
import { clearFeedSources } from './feed-sources.js';
import type { Db } from './open.js';
import { declineListFeeds } from './reading-lists.js';
import { statement } from './statements.js';

interface FeedRow {
  id: number;
  url: string;
  url_key: string;
  name: string | null;
  title: string | null;
  link: string | null;
  site_link: string | null;
  face: string | null;
  image: string | null;
  excerpt: number;
  status: string;
  etag: string | null;
  last_modified: string | null;
  last_attempt_at: number | null;
  last_success_at: number | null;
  last_http_status: number | null;
  error_code: string | null;
  error_message: string | null;
  error_count: number;
  next_fetch_at: number | null;
  has_fetched: number;
  created_at: number;
  tags: string | null;
  language: string | null;
  filters: string | null;
  failing_since: number | null;
}

/** A feed's rules as stored: JSON, NULL when it has none of its own. */
function filtersJson(filters: FilterLists | null): string | null {
  return filters && (filters.include.length || filters.exclude.length) ? JSON.stringify({ include: filters.include, exclude: filters.exclude }) : null;
}

function parseFilters(json: string | null): FilterLists | null {
  if (json === null) return null;
  const v = JSON.parse(json) as Partial<FilterLists>;
  return { include: v.include ?? [], exclude: v.exclude ?? [] };
}

const SELECT_FEED = `
  SELECT f.*, (SELECT group_concat(tag, ' ') FROM (SELECT tag FROM feed_tags t WHERE t.feed_id = f.id ORDER BY tag)) AS tags
  FROM feeds f`;

function toFeed(row: FeedRow): Feed {
  return {
    id: row.id,
    url: row.url,
    name: row.name,
    title: row.title,
    link: row.link,
    siteLink: row.site_link,
    face: row.face,
    image: row.image,
    tags: row.tags ? row.tags.split(' ') : [],
    excerpt: row.excerpt === 1,
    status: row.status as FeedStatus,
    etag: row.etag,
    lastModified: row.last_modified,
    lastAttemptAt: row.last_attempt_at,
    lastSuccessAt: row.last_success_at,
    lastHttpStatus: row.last_http_status,
    errorCode: row.error_code,
    errorMessage: row.error_message,
    errorCount: row.error_count,
    nextFetchAt: row.next_fetch_at,
    createdAt: row.created_at,
    hasFetched: row.has_fetched === 1,
    language: row.language,
    filters: parseFilters(row.filters),
    failingSince: row.failing_since,
  };
}

export function getFeed(db: Db, id: number): Feed | undefined {
  const row = statement<[number], FeedRow>(db, `${SELECT_FEED} WHERE f.id = ?`).get(id);
  return row && toFeed(row);
}

/**
 * The feed a URL names, in any spelling, also by an old URL it moved from (an alias); removed
 * feeds included (callers decide what a removed one means).
 */
export function findFeedByUrl(db: Db, url: string): Feed | undefined {
  const key = feedUrlKey(url);
  const row =
    statement<[string], FeedRow>(db, `${SELECT_FEED} WHERE f.url_key = ?`).get(key) ??
    statement<[string], FeedRow>(db, `${SELECT_FEED} WHERE f.id = (SELECT feed_id FROM feed_aliases WHERE url_key = ?)`).get(key);
  return row && toFeed(row);
}

/** A feed by numeric id or by URL (any spelling, or an alias), as the CLI's URL_OR_ID arguments name them. */
export function findFeed(db: Db, urlOrId: string): Feed | undefined {
  if (/^\d+$/.test(urlOrId)) return getFeed(db, Number(urlOrId));
  return findFeedByUrl(db, urlOrId);
}

/** Subscriptions (not the removed ones), by display name. */
export function listFeeds(db: Db): Feed[] {
  return statement<[], FeedRow>(db, `${SELECT_FEED} WHERE f.status != 'removed' ORDER BY lower(coalesce(f.name, f.title, f.url)), f.id`).all().map(toFeed);
}

/** Active feeds whose next fetch time has come (or was never set). */
export function listDueFeeds(db: Db, now: number): Feed[] {
  return statement<[number], FeedRow>(db, `${SELECT_FEED} WHERE f.status = 'active' AND (f.next_fetch_at IS NULL OR f.next_fetch_at <= ?) ORDER BY f.id`)
    .all(now)
    .map(toFeed);
}

export interface NewFeed {
  url: string;
  name?: string | null;
  link?: string | null;
  face?: string | null;
  tags?: string[];
  excerpt?: boolean;
  filters?: FilterLists | null;
}

/**
 * Subscribes a URL no subscribed feed has (callers check: the service refuses duplicates). A
 * feed removed with its entries kept, found by any of its URLs, is revived, entries and all,
 * at the URL it last lived at.
 */
export function insertFeed(db: Db, feed: NewFeed, now = Date.now()): Feed {
  return db.transaction(() => {
    const existing = findFeedByUrl(db, feed.url);
    if (existing && existing.status !== 'removed') throw new Error(`feeds: ${feed.url} is already subscribed as #${existing.id}`);
    let id: number;
    if (existing) {
      // Re-subscribing to a feed removed with its entries kept: revive the row, entries and all.
      id = existing.id;
      statement(db, "UPDATE feeds SET status = 'active', name = ?, link = ?, face = ?, excerpt = ?, filters = ?, next_fetch_at = NULL WHERE id = ?").run(
        feed.name ?? null, feed.link ?? null, feed.face ?? null, feed.excerpt ? 1 : 0, filtersJson(feed.filters ?? null), id);
    } else {
      const { lastInsertRowid } = statement(db, 'INSERT INTO feeds (url, url_key, name, link, face, excerpt, filters, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(feed.url, feedUrlKey(feed.url), feed.name ?? null, feed.link ?? null, feed.face ?? null, feed.excerpt ? 1 : 0, filtersJson(feed.filters ?? null), now);
      id = Number(lastInsertRowid);
    }
    setFeedTags(db, id, feed.tags ?? []);
    forgetRemoval(db, id, feed.url);
    return getFeed(db, id)!;
  })();
}

export interface FeedEdit {
  url?: string;
  name?: string | null;
  link?: string | null;
  face?: string | null;
  tags?: string[];
  excerpt?: boolean;
  status?: FeedStatus;
  /** null clears the feed's own rules. */
  filters?: FilterLists | null;
}

/** Applies an admin edit; fields left undefined are untouched. Returns undefined for an unknown id. */
export function updateFeed(db: Db, id: number, edit: FeedEdit): Feed | undefined {
  return db.transaction(() => {
    if (!getFeed(db, id)) return undefined;
    const columns: Record<string, unknown> = {};
    if (edit.url !== undefined) Object.assign(columns, { url: edit.url, url_key: feedUrlKey(edit.url) });
    if (edit.name !== undefined) columns.name = edit.name;
    if (edit.link !== undefined) columns.link = edit.link;
    if (edit.face !== undefined) columns.face = edit.face;
    if (edit.excerpt !== undefined) columns.excerpt = edit.excerpt ? 1 : 0;
    if (edit.filters !== undefined) columns.filters = filtersJson(edit.filters);
    if (edit.status !== undefined) {
      columns.status = edit.status;
      if (edit.status === 'active') Object.assign(columns, { error_count: 0, next_fetch_at: null, error_code: null, error_message: null, failing_since: null });
    }
    const names = Object.keys(columns);
    if (names.length) {
      statement(db, `UPDATE feeds SET ${names.map((n) => `${n} = @${n}`).join(', ')} WHERE id = @id`).run({ ...columns, id });
    }
    if (edit.tags !== undefined) setFeedTags(db, id, edit.tags);
    return getFeed(db, id);
  })();
}

export function setFeedTags(db: Db, feedId: number, tags: string[]): void {
  statement(db, 'DELETE FROM feed_tags WHERE feed_id = ?').run(feedId);
  const insert = statement(db, 'INSERT OR IGNORE INTO feed_tags (feed_id, tag) VALUES (?, ?)');
  for (const tag of tags) insert.run(feedId, tag);
}

/**
 * Unsubscribes, as an admin does. Its URLs (its own and its aliases) are remembered so the config
 * file does not re-add it, and each reading list holding it declines it while it lists it.
 * With `purge` the feed and its entries are deleted; without, the feed is marked
 * 'removed' (never polled, not listed) and its entries stay on the planet.
 * Returns false for an unknown id.
 */
export function removeFeed(db: Db, id: number, options: { purge: boolean }, now = Date.now()): boolean {
  return db.transaction(() => {
    const feed = getFeed(db, id);
    if (!feed) return false;
    const urls = feedUrls(db, id);
    const remember = statement(db, 'INSERT OR REPLACE INTO removed_feeds (url, url_key, removed_at) VALUES (?, ?, ?)');
    for (const u of urls) remember.run(u.url, u.key, now);
    declineListFeeds(db, urls.map((u) => u.key));
    retireFeed(db, id, options);
    return true;
  })();
}

/**
 * Unsubscribes without an admin's say (a reading list dropped a feed nobody else holds): nothing
 * is remembered, so a list or the config file naming it later subscribes it again.
 */
export function retireFeed(db: Db, id: number, options: { purge: boolean } = { purge: false }): void {
  clearFeedSources(db, id);
  if (options.purge) statement(db, 'DELETE FROM feeds WHERE id = ?').run(id);
  else statement(db, "UPDATE feeds SET status = 'removed', next_fetch_at = NULL WHERE id = ?").run(id);
}

/** A feed's URL and its aliases, each with its key. */
function feedUrls(db: Db, id: number): { url: string; key: string }[] {
  return statement<[number, number], { url: string; key: string }>(
    db,
    'SELECT url, url_key AS key FROM feeds WHERE id = ? UNION SELECT url, url_key AS key FROM feed_aliases WHERE feed_id = ?',
  ).all(id, id);
}

function forgetRemoval(db: Db, id: number, url: string): void {
  const forget = statement(db, 'DELETE FROM removed_feeds WHERE url_key = ?');
  forget.run(feedUrlKey(url));
  for (const u of feedUrls(db, id)) forget.run(u.key);
}

/** Did an admin remove the feed at this URL (any spelling)? */
export function wasRemoved(db: Db, url: string): boolean {
  return statement(db, 'SELECT 1 FROM removed_feeds WHERE url_key = ?').get(feedUrlKey(url)) !== undefined;
}

/**
 * A permanent redirect moved the feed to `url`: the URL it had becomes an alias, so whatever still
 * names it finds the feed. Moving back to an old URL turns that alias into the feed's URL again.
 * A new spelling of the same URL (http → https) changes the URL and leaves no alias. The caller
 * makes sure no other feed has `url` (db/feed-merge.ts folds the two first).
 */
export function moveFeedUrl(db: Db, id: number, url: string, now = Date.now()): void {
  db.transaction(() => {
    const feed = statement<[number], { url: string; url_key: string }>(db, 'SELECT url, url_key FROM feeds WHERE id = ?').get(id);
    if (!feed || feed.url === url) return;
    const key = feedUrlKey(url);
    if (key === feed.url_key) {
      statement(db, 'UPDATE feeds SET url = ? WHERE id = ?').run(url, id);
      return;
    }
    statement(db, 'DELETE FROM feed_aliases WHERE url_key = ? AND feed_id = ?').run(key, id);
    statement(db, 'UPDATE feeds SET url = ?, url_key = ? WHERE id = ?').run(url, key, id);
    statement(db, "INSERT OR REPLACE INTO feed_aliases (url_key, url, feed_id, reason, created_at) VALUES (?, ?, ?, 'moved', ?)").run(feed.url_key, feed.url, id, now);
  })();
}

/** Every feed's old URLs, oldest first. */
export function listFeedAliases(db: Db): Map<number, string[]> {
  const rows = statement<[], { feed_id: number; url: string }>(db, 'SELECT feed_id, url FROM feed_aliases ORDER BY created_at, url').all();
  const out = new Map<number, string[]>();
  for (const r of rows) out.set(r.feed_id, [...(out.get(r.feed_id) ?? []), r.url]);
  return out;
}

/**
 * What refresh learned about the feed itself (title, home page, image, language) and the permalinks
 * of the document it read (for `planet why`).
 */
export function updateFeedMetadata(
  db: Db,
  id: number,
  meta: { title: string | null; siteLink: string | null; image: string | null; language: string | null; documentLinks: string[] },
): void {
  statement(db, 'UPDATE feeds SET title = coalesce(?, title), site_link = coalesce(?, site_link), image = coalesce(?, image), language = ?, document_links = ? WHERE id = ?').run(
    meta.title,
    meta.siteLink,
    meta.image,
    meta.language,
    meta.documentLinks.join('\n'),
    id,
  );
}

/** The permalinks of the feed's last document, in document order (empty before its first success). */
export function feedDocumentLinks(db: Db, id: number): string[] {
  const row = statement<[number], { document_links: string | null }>(db, 'SELECT document_links FROM feeds WHERE id = ?').get(id);
  return row?.document_links ? row.document_links.split('\n') : [];
}

/** The feeds whose last document has `links` among its permalinks (any of them), by id. */
export function findFeedsListingLinks(db: Db, links: string[]): number[] {
  const ids: number[] = [];
  const rows = statement<[], { id: number; document_links: string | null }>(db, "SELECT id, document_links FROM feeds WHERE status != 'removed' AND document_links IS NOT NULL").all();
  for (const row of rows) {
    const listed = new Set(row.document_links!.split('\n'));
    if (links.some((l) => listed.has(l))) ids.push(row.id);
  }
  return ids;
}

/** What the config file's feeds[].filters said when last applied to this feed (JSON), or null. */
export function configFiltersApplied(db: Db, id: number): string | null {
  return statement<[number], { config_filters: string | null }>(db, 'SELECT config_filters FROM feeds WHERE id = ?').get(id)?.config_filters ?? null;
}

export function setConfigFiltersApplied(db: Db, id: number, json: string): void {
  statement(db, 'UPDATE feeds SET config_filters = ? WHERE id = ?').run(json, id);
}

export interface FetchSuccess {
  at: number;
  httpStatus: number;
  etag: string | null;
  lastModified: string | null;
  nextFetchAt: number;
  /** A permanent redirect moved the feed. */
  newUrl?: string | null;
}

export function recordFetchSuccess(db: Db, id: number, s: FetchSuccess): void {
  db.transaction(() => {
    statement(db,
      `UPDATE feeds SET last_attempt_at = @at, last_success_at = @at, last_http_status = @httpStatus,
         etag = @etag, last_modified = @lastModified, error_code = NULL, error_message = NULL,
         error_count = 0, failing_since = NULL, next_fetch_at = @nextFetchAt, has_fetched = 1, status = 'active'
       WHERE id = @id`,
    ).run({ at: s.at, httpStatus: s.httpStatus, etag: s.etag, lastModified: s.lastModified, nextFetchAt: s.nextFetchAt, id });
    if (s.newUrl) moveFeedUrl(db, id, s.newUrl, s.at);
  })();
}

export interface FetchFailure {
  at: number;
  httpStatus: number | null;
  code: string;
  message: string;
  errorCount: number;
  nextFetchAt: number | null;
  status: FeedStatus;
}

export function recordFetchFailure(db: Db, id: number, f: FetchFailure): void {
  statement(db, 
    `UPDATE feeds SET last_attempt_at = @at, last_http_status = @httpStatus, error_code = @code,
       error_message = @message, error_count = @errorCount, next_fetch_at = @nextFetchAt, status = @status,
       failing_since = coalesce(failing_since, @at)
     WHERE id = @id`,
  ).run({ ...f, id });
}

export function countEntriesByFeed(db: Db): Map<number, { entries: number; latest: number | null }> {
  const rows = statement<[], { feed_id: number; n: number; latest: number | null }>(db, 
      'SELECT feed_id, count(*) AS n, max(sort_at) AS latest FROM entries WHERE expired = 0 GROUP BY feed_id',
    )
    .all();
  return new Map(rows.map((r) => [r.feed_id, { entries: r.n, latest: r.latest }]));
}

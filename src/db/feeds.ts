// The feeds table: subscriptions, their admin-given details and their fetch health.
import type { Feed, FeedStatus, FilterLists } from '../model.js';
import type { Db } from './open.js';
import { statement } from './statements.js';

interface FeedRow {
  id: number;
  url: string;
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

export function findFeedByUrl(db: Db, url: string): Feed | undefined {
  const row = statement<[string], FeedRow>(db, `${SELECT_FEED} WHERE f.url = ?`).get(url);
  return row && toFeed(row);
}

/** A feed by numeric id or by exact URL, as the CLI's URL_OR_ID arguments name them. */
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

export function insertFeed(db: Db, feed: NewFeed, now = Date.now()): Feed {
  return db.transaction(() => {
    const removed = statement<[string], { id: number }>(db, "SELECT id FROM feeds WHERE url = ? AND status = 'removed'").get(feed.url);
    let id: number;
    if (removed) {
      // Re-subscribing to a feed removed with its entries kept: revive the row, entries and all.
      id = removed.id;
      statement(db, "UPDATE feeds SET status = 'active', name = ?, link = ?, face = ?, excerpt = ?, filters = ?, next_fetch_at = NULL WHERE id = ?").run(
        feed.name ?? null, feed.link ?? null, feed.face ?? null, feed.excerpt ? 1 : 0, filtersJson(feed.filters ?? null), id);
    } else {
      const { lastInsertRowid } = db
        .prepare('INSERT INTO feeds (url, name, link, face, excerpt, filters, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(feed.url, feed.name ?? null, feed.link ?? null, feed.face ?? null, feed.excerpt ? 1 : 0, filtersJson(feed.filters ?? null), now);
      id = Number(lastInsertRowid);
    }
    setFeedTags(db, id, feed.tags ?? []);
    statement(db, 'DELETE FROM removed_feeds WHERE url = ?').run(feed.url);
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
    if (edit.url !== undefined) columns.url = edit.url;
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
 * Unsubscribes. The URL is remembered so the config file does not re-add it.
 * With `purge` the feed and its entries are deleted; without, the feed is marked
 * 'removed' (never polled, not listed) and its entries stay on the planet.
 * Returns false for an unknown id.
 */
export function removeFeed(db: Db, id: number, options: { purge: boolean }, now = Date.now()): boolean {
  return db.transaction(() => {
    const feed = getFeed(db, id);
    if (!feed) return false;
    statement(db, 'INSERT OR REPLACE INTO removed_feeds (url, removed_at) VALUES (?, ?)').run(feed.url, now);
    if (options.purge) statement(db, 'DELETE FROM feeds WHERE id = ?').run(id);
    else statement(db, "UPDATE feeds SET status = 'removed', next_fetch_at = NULL WHERE id = ?").run(id);
    return true;
  })();
}

export function wasRemoved(db: Db, url: string): boolean {
  return statement(db, 'SELECT 1 FROM removed_feeds WHERE url = ?').get(url) !== undefined;
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
  statement(db, 
    `UPDATE feeds SET last_attempt_at = @at, last_success_at = @at, last_http_status = @httpStatus,
       etag = @etag, last_modified = @lastModified, error_code = NULL, error_message = NULL,
       error_count = 0, failing_since = NULL, next_fetch_at = @nextFetchAt, has_fetched = 1, status = 'active',
       url = coalesce(@newUrl, url)
     WHERE id = @id`,
  ).run({ ...s, newUrl: s.newUrl ?? null, id });
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

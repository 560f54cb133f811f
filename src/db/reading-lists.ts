// The reading_lists table (OPML files kept elsewhere, fetched every pass like feeds) and
// reading_list_feeds (each list's feeds as of its last good read). A list holds the feed whose
// URL key or alias is a row's url_key, unless the row is declined: an admin removed that feed
// while the list listed it. The rules are in src/subscriptions/reading-lists.ts.
import type { FeedStatus, FetchState } from '../model.js';
import type { Db } from './open.js';
import { statement } from './statements.js';

export type ListAddedBy = 'config' | 'cli' | 'admin' | 'api';

/** A reading list, as stored. Times are unix milliseconds. */
export interface ReadingList extends FetchState {
  id: number;
  /** An http(s) URL, or an absolute local path. */
  url: string;
  urlKey: string;
  tags: string[];
  addedBy: ListAddedBy;
  title: string | null;
  /** Outlines of the last good read that were left out, and why. */
  warnings: string[];
  createdAt: number;
}

interface ListRow {
  id: number;
  url: string;
  url_key: string;
  tags: string;
  added_by: ListAddedBy;
  title: string | null;
  etag: string | null;
  last_modified: string | null;
  last_attempt_at: number | null;
  last_success_at: number | null;
  last_http_status: number | null;
  error_code: string | null;
  error_message: string | null;
  error_count: number;
  next_fetch_at: number | null;
  warnings: string;
  created_at: number;
}

const toList = (r: ListRow): ReadingList => ({
  id: r.id,
  url: r.url,
  urlKey: r.url_key,
  tags: JSON.parse(r.tags) as string[],
  addedBy: r.added_by,
  title: r.title,
  etag: r.etag,
  lastModified: r.last_modified,
  lastAttemptAt: r.last_attempt_at,
  lastSuccessAt: r.last_success_at,
  lastHttpStatus: r.last_http_status,
  errorCode: r.error_code,
  errorMessage: r.error_message,
  errorCount: r.error_count,
  nextFetchAt: r.next_fetch_at,
  warnings: JSON.parse(r.warnings) as string[],
  createdAt: r.created_at,
});

/** The (list, feed) pairs of lists holding feeds: a row's key is the feed's own or one of its aliases. */
export const LIST_HOLDS = `
  SELECT m.list_id, coalesce(f.id, a.feed_id) AS feed_id
  FROM reading_list_feeds m
  LEFT JOIN feeds f ON f.url_key = m.url_key
  LEFT JOIN feed_aliases a ON a.url_key = m.url_key
  WHERE m.declined = 0 AND coalesce(f.id, a.feed_id) IS NOT NULL`;

export function insertReadingList(db: Db, list: { url: string; urlKey: string; tags: string[]; addedBy: ListAddedBy }, now = Date.now()): ReadingList {
  return db.transaction(() => {
    const { lastInsertRowid } = statement(db, 'INSERT INTO reading_lists (url, url_key, tags, added_by, created_at) VALUES (?, ?, ?, ?, ?)').run(
      list.url, list.urlKey, JSON.stringify(list.tags), list.addedBy, now);
    statement(db, 'DELETE FROM removed_reading_lists WHERE url_key = ?').run(list.urlKey);
    return getReadingList(db, Number(lastInsertRowid))!;
  })();
}

export function getReadingList(db: Db, id: number): ReadingList | undefined {
  const row = statement<[number], ListRow>(db, 'SELECT * FROM reading_lists WHERE id = ?').get(id);
  return row && toList(row);
}

export function findReadingList(db: Db, urlKey: string): ReadingList | undefined {
  const row = statement<[string], ListRow>(db, 'SELECT * FROM reading_lists WHERE url_key = ?').get(urlKey);
  return row && toList(row);
}

export function listReadingLists(db: Db): ReadingList[] {
  return statement<[], ListRow>(db, 'SELECT * FROM reading_lists ORDER BY id').all().map(toList);
}

/** Lists whose next fetch time has come (or was never set). */
export function listDueReadingLists(db: Db, now: number): ReadingList[] {
  return statement<[number], ListRow>(db, 'SELECT * FROM reading_lists WHERE next_fetch_at IS NULL OR next_fetch_at <= ? ORDER BY id').all(now).map(toList);
}

export function setReadingListTags(db: Db, id: number, tags: string[]): void {
  statement(db, 'UPDATE reading_lists SET tags = ? WHERE id = ?').run(JSON.stringify(tags), id);
}

/** Deletes a list and its rows; `remember` (an admin removed it) keeps the config file from re-adding it. */
export function deleteReadingList(db: Db, id: number, options: { remember: boolean }, now = Date.now()): void {
  db.transaction(() => {
    const list = getReadingList(db, id);
    if (!list) return;
    if (options.remember) {
      statement(db, 'INSERT OR REPLACE INTO removed_reading_lists (url_key, url, removed_at) VALUES (?, ?, ?)').run(list.urlKey, list.url, now);
    }
    statement(db, 'DELETE FROM reading_lists WHERE id = ?').run(id);
  })();
}

export function wasReadingListRemoved(db: Db, urlKey: string): boolean {
  return statement(db, 'SELECT 1 FROM removed_reading_lists WHERE url_key = ?').get(urlKey) !== undefined;
}

export interface ListReadSuccess {
  at: number;
  httpStatus: number | null;
  etag: string | null;
  lastModified: string | null;
  nextFetchAt: number;
  /** Absent for a 304: what the last good read said still stands. */
  read?: { title: string | null; warnings: string[] };
  /** A permanent redirect moved the list. */
  moved?: { url: string; urlKey: string };
}

export function recordListSuccess(db: Db, id: number, s: ListReadSuccess): void {
  db.transaction(() => {
    statement(db,
      `UPDATE reading_lists SET last_attempt_at = @at, last_success_at = @at, last_http_status = @httpStatus, etag = @etag,
         last_modified = @lastModified, error_code = NULL, error_message = NULL, error_count = 0, next_fetch_at = @nextFetchAt
       WHERE id = @id`,
    ).run({ at: s.at, httpStatus: s.httpStatus, etag: s.etag, lastModified: s.lastModified, nextFetchAt: s.nextFetchAt, id });
    if (s.read) statement(db, 'UPDATE reading_lists SET title = ?, warnings = ? WHERE id = ?').run(s.read.title, JSON.stringify(s.read.warnings), id);
    // A move onto another list's URL is left alone: that list reads the same file.
    if (s.moved && !findReadingList(db, s.moved.urlKey)) statement(db, 'UPDATE reading_lists SET url = ?, url_key = ? WHERE id = ?').run(s.moved.url, s.moved.urlKey, id);
  })();
}

export interface ListReadFailure {
  at: number;
  httpStatus: number | null;
  code: string;
  message: string;
  errorCount: number;
  nextFetchAt: number;
}

export function recordListFailure(db: Db, id: number, f: ListReadFailure): void {
  statement(db,
    `UPDATE reading_lists SET last_attempt_at = @at, last_http_status = @httpStatus, error_code = @code, error_message = @message,
       error_count = @errorCount, next_fetch_at = @nextFetchAt
     WHERE id = @id`,
  ).run({ ...f, id });
}

/** One feed a list names, as of its last good read, with the subscription it resolves to. */
export interface ListFeed {
  listId: number;
  urlKey: string;
  url: string;
  name: string | null;
  link: string | null;
  tags: string[];
  declined: boolean;
  feedId: number | null;
  feedStatus: FeedStatus | null;
}

export type ListFeedInput = Pick<ListFeed, 'urlKey' | 'url' | 'name' | 'link' | 'tags'>;

const SELECT_LIST_FEEDS = `
  SELECT m.*, coalesce(f.id, af.id) AS feed_id, coalesce(f.status, af.status) AS feed_status
  FROM reading_list_feeds m
  LEFT JOIN feeds f ON f.url_key = m.url_key
  LEFT JOIN feed_aliases a ON a.url_key = m.url_key
  LEFT JOIN feeds af ON af.id = a.feed_id`;

interface ListFeedRow {
  list_id: number;
  url_key: string;
  url: string;
  name: string | null;
  link: string | null;
  tags: string;
  declined: number;
  feed_id: number | null;
  feed_status: FeedStatus | null;
}

const toListFeed = (r: ListFeedRow): ListFeed => ({
  listId: r.list_id,
  urlKey: r.url_key,
  url: r.url,
  name: r.name,
  link: r.link,
  tags: JSON.parse(r.tags) as string[],
  declined: r.declined === 1,
  feedId: r.feed_id,
  feedStatus: r.feed_status,
});

export function listReadingListFeeds(db: Db, listId: number): ListFeed[] {
  return statement<[number], ListFeedRow>(db, `${SELECT_LIST_FEEDS} WHERE m.list_id = ? ORDER BY m.added_at, m.url`).all(listId).map(toListFeed);
}

/**
 * Replaces a list's rows with what its last good read named: new rows are added, rows it no
 * longer names are deleted (their declined flag with them) and returned, the others get the
 * outline's current name, link and tags and keep their flag.
 */
export function replaceReadingListFeeds(db: Db, listId: number, feeds: ListFeedInput[], now = Date.now()): ListFeed[] {
  return db.transaction(() => {
    const before = listReadingListFeeds(db, listId);
    const wanted = new Set(feeds.map((f) => f.urlKey));
    const dropped = before.filter((m) => !wanted.has(m.urlKey));
    const remove = statement(db, 'DELETE FROM reading_list_feeds WHERE list_id = ? AND url_key = ?');
    for (const m of dropped) remove.run(listId, m.urlKey);
    const upsert = statement(db,
      `INSERT INTO reading_list_feeds (list_id, url_key, url, name, link, tags, added_at) VALUES (@listId, @urlKey, @url, @name, @link, @tags, @now)
       ON CONFLICT (list_id, url_key) DO UPDATE SET url = excluded.url, name = excluded.name, link = excluded.link, tags = excluded.tags`);
    for (const f of feeds) upsert.run({ listId, urlKey: f.urlKey, url: f.url, name: f.name, link: f.link, tags: JSON.stringify(f.tags), now });
    return dropped;
  })();
}

export function setListFeedDeclined(db: Db, listId: number, urlKey: string, declined: boolean): void {
  statement(db, 'UPDATE reading_list_feeds SET declined = ? WHERE list_id = ? AND url_key = ?').run(declined ? 1 : 0, listId, urlKey);
}

/** An admin removed the feed with these keys: every list listing it declines it while it does. */
export function declineListFeeds(db: Db, urlKeys: string[]): void {
  const decline = statement(db, 'UPDATE reading_list_feeds SET declined = 1 WHERE url_key = ?');
  for (const key of urlKeys) decline.run(key);
}

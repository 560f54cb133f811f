// Read queries of the reader side: timeline pages (all, per blog, per tag), the feeds they name,
// "last updated", and full-text search over the entries_search index (migration 0002).
import type { Entry, Feed } from '../model.js';
import { toEntry, VISIBLE, type EntryRow } from './entries.js';
import { countEntriesByFeed, getFeed, listFeeds } from './feeds.js';
import type { Db } from './open.js';

/** Which entries a page shows: the whole planet, one blog, or the feeds tagged T (a sub-planet). */
export type Scope = { kind: 'all' } | { kind: 'feed'; feedId: number } | { kind: 'tag'; tag: string };

function scopeSql(scope: Scope): { where: string; params: unknown[] } {
  switch (scope.kind) {
    case 'all':
      return { where: VISIBLE, params: [] };
    case 'feed':
      return { where: `${VISIBLE} AND e.feed_id = ?`, params: [scope.feedId] };
    case 'tag':
      return { where: `${VISIBLE} AND e.feed_id IN (SELECT feed_id FROM feed_tags WHERE tag = ?)`, params: [scope.tag] };
  }
}

/**
 * Newest first: publication order (sort_at), ties broken by id so pages never overlap. `after`, the
 * last entry of the previous page when known, seeks instead of skipping: OFFSET reads every skipped
 * row, which made `planet build` quadratic in the number of pages.
 */
export function listTimeline(db: Db, scope: Scope, limit: number, offset = 0, after?: { sortAt: number; id: number }): Entry[] {
  const { where, params } = scopeSql(scope);
  if (after) {
    return db
      .prepare<unknown[], EntryRow>(`SELECT e.* FROM entries e WHERE ${where} AND (e.sort_at, e.id) < (?, ?) ORDER BY e.sort_at DESC, e.id DESC LIMIT ?`)
      .all(...params, after.sortAt, after.id, limit)
      .map(toEntry);
  }
  return db
    .prepare<unknown[], EntryRow>(`SELECT e.* FROM entries e WHERE ${where} ORDER BY e.sort_at DESC, e.id DESC LIMIT ? OFFSET ?`)
    .all(...params, limit, offset)
    .map(toEntry);
}

export function countTimeline(db: Db, scope: Scope): number {
  const { where, params } = scopeSql(scope);
  return (db.prepare<unknown[], { n: number }>(`SELECT count(*) AS n FROM entries e WHERE ${where}`).get(...params) ?? { n: 0 }).n;
}

/** How many visible entries of the scope come before `entry` (newest first): its index on the timeline. */
export function timelinePosition(db: Db, scope: Scope, entry: { sortAt: number; id: number }): number {
  const { where, params } = scopeSql(scope);
  return (db.prepare<unknown[], { n: number }>(`SELECT count(*) AS n FROM entries e WHERE ${where} AND (e.sort_at, e.id) > (?, ?)`).get(...params, entry.sortAt, entry.id) ?? { n: 0 }).n;
}

export interface FeedSummary {
  feed: Feed;
  entries: number;
  /** sort time of its newest stored entry, or null. */
  latest: number | null;
}

/** Subscriptions (not removed) with their entry counts, by display name; optionally one tag's. */
export function listFeedSummaries(db: Db, tag?: string): FeedSummary[] {
  const counts = countEntriesByFeed(db);
  return listFeeds(db)
    .filter((f) => tag === undefined || f.tags.includes(tag))
    .map((feed) => ({ feed, entries: counts.get(feed.id)?.entries ?? 0, latest: counts.get(feed.id)?.latest ?? null }));
}

/**
 * The feeds that entries belong to, by id. Includes removed feeds: an admin may unsubscribe
 * and keep the entries on the planet, and those still need a name and a face.
 */
export function feedsById(db: Db, entries: Pick<Entry, 'feedId'>[], known: Feed[] = []): Map<number, Feed> {
  const map = new Map(known.map((f) => [f.id, f]));
  for (const e of entries) {
    if (map.has(e.feedId)) continue;
    const feed = getFeed(db, e.feedId);
    if (feed) map.set(feed.id, feed);
  }
  return map;
}

export function listTags(db: Db): { tag: string; feeds: number }[] {
  return db
    .prepare<[], { tag: string; feeds: number }>(
      `SELECT t.tag, count(*) AS feeds FROM feed_tags t JOIN feeds f ON f.id = t.feed_id
       WHERE f.status != 'removed' GROUP BY t.tag ORDER BY t.tag`,
    )
    .all();
}

export function tagExists(db: Db, tag: string): boolean {
  return db.prepare('SELECT 1 FROM feed_tags WHERE tag = ? LIMIT 1').get(tag) !== undefined;
}

/**
 * When the planet last heard from its feeds: the newest successful fetch of any feed.
 * feeds.last_success_at moves content_version, so a page cached on that version stays right.
 */
export function lastUpdatedAt(db: Db): number | null {
  return (db.prepare<[], { t: number | null }>('SELECT max(last_success_at) AS t FROM feeds').get() ?? { t: null }).t;
}

/** Last-Modified of the reader side: the newest of a first-seen entry, a success, a subscription. */
export function lastModifiedAt(db: Db): number {
  const row = db
    .prepare<[], { t: number | null }>(
      `SELECT max(coalesce((SELECT max(first_seen_at) FROM entries), 0),
                  coalesce((SELECT max(last_success_at) FROM feeds), 0),
                  coalesce((SELECT max(created_at) FROM feeds), 0)) AS t`,
    )
    .get();
  return row?.t ?? 0;
}

/**
 * Brings the search index up to date with the entries that triggers queued since the last call.
 * `toText` turns sanitized HTML into plain text. Returns how many entries were (re)indexed.
 */
export function syncSearchIndex(db: Db, toText: (html: string) => string, batch = 2000): number {
  const pending = db.prepare<[number], { entry_id: number }>('SELECT entry_id FROM entries_search_pending ORDER BY entry_id LIMIT ?');
  const get = db.prepare<[number], { id: number; title: string | null; author: string | null; content_html: string | null; summary_html: string | null; expired: number }>(
    'SELECT id, title, author, content_html, summary_html, expired FROM entries WHERE id = ?',
  );
  const remove = db.prepare('DELETE FROM entries_search WHERE rowid = ?');
  const insert = db.prepare('INSERT INTO entries_search (rowid, title, author, body) VALUES (?, ?, ?, ?)');
  const done = db.prepare('DELETE FROM entries_search_pending WHERE entry_id = ?');
  let total = 0;
  for (;;) {
    const ids = pending.all(batch);
    if (!ids.length) return total;
    db.transaction(() => {
      for (const { entry_id: id } of ids) {
        remove.run(id);
        const e = get.get(id);
        if (e && !e.expired) insert.run(id, e.title ?? '', e.author ?? '', toText(e.content_html ?? e.summary_html ?? ''));
        done.run(id);
      }
    })();
    total += ids.length;
  }
}

/**
 * Visible entries matching an FTS5 query, best first (bm25; a title match weighs most, then the
 * author, then the text). Throws SqliteError on FTS5 syntax errors: the caller retries as words.
 * Highlighting is the renderer's job: a contentless table has no column text for highlight().
 */
export function searchEntries(db: Db, match: string, limit: number, offset = 0): { entries: Entry[]; total: number } {
  const from = `FROM entries_search s JOIN entries e ON e.id = s.rowid WHERE entries_search MATCH ? AND ${VISIBLE}`;
  const total = (db.prepare<[string], { n: number }>(`SELECT count(*) AS n ${from}`).get(match) ?? { n: 0 }).n;
  const entries = db
    .prepare<[string, number, number], EntryRow>(
      `SELECT e.* ${from} ORDER BY bm25(entries_search, 10.0, 5.0, 1.0), e.sort_at DESC, e.id DESC LIMIT ? OFFSET ?`,
    )
    .all(match, limit, offset)
    .map(toEntry);
  return { entries, total };
}

// The entries table: each post once per feed (UNIQUE(feed_id, entry_key)), tombstones for expired ones.
import type { Enclosure, Entry } from '../model.js';
import type { Db } from './open.js';
import { statement } from './statements.js';

export interface EntryRow {
  id: number;
  feed_id: number;
  entry_key: string;
  guid: string | null;
  link: string | null;
  title: string | null;
  author: string | null;
  content_html: string | null;
  summary_html: string | null;
  content_hash: string;
  published_at: number | null;
  updated_at: number | null;
  /** JSON array of Enclosure, or NULL (migration 0011). */
  enclosures: string | null;
  first_seen_at: number;
  sort_at: number;
  hidden: number;
  expired: number;
  duplicate_of: number | null;
}

export function toEntry(row: EntryRow): Entry {
  return {
    id: row.id,
    feedId: row.feed_id,
    entryKey: row.entry_key,
    guid: row.guid,
    link: row.link,
    title: row.title,
    author: row.author,
    contentHtml: row.content_html,
    summaryHtml: row.summary_html,
    publishedAt: row.published_at,
    updatedAt: row.updated_at,
    enclosures: readEnclosures(row.enclosures),
    firstSeenAt: row.first_seen_at,
    sortAt: row.sort_at,
    hidden: row.hidden === 1,
    duplicateOf: row.duplicate_of,
  };
}

/** The stored JSON back to enclosures; anything malformed (a hand-edited row) reads as none. */
function readEnclosures(json: string | null): Enclosure[] {
  if (json === null) return [];
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((e): e is Enclosure => typeof e === 'object' && e !== null && typeof (e as Enclosure).url === 'string') : [];
  } catch {
    return [];
  }
}

const storedEnclosures = (enclosures: Enclosure[]) => (enclosures.length > 0 ? JSON.stringify(enclosures) : null);

/** The SQL condition for an entry readers see: not expired, not hidden, not a cross-feed duplicate. */
export const VISIBLE = 'e.expired = 0 AND e.hidden = 0 AND e.duplicate_of IS NULL';

/** What dedupe needs to know about an already stored entry. */
export interface StoredEntryKey {
  id: number;
  entry_key: string;
  content_hash: string;
  expired: number;
  first_seen_at: number;
  sort_at: number;
}

export interface EntryWrite {
  feedId: number;
  entryKey: string;
  guid: string | null;
  link: string | null;
  title: string | null;
  author: string | null;
  contentHtml: string | null;
  summaryHtml: string | null;
  contentHash: string;
  publishedAt: number | null;
  updatedAt: number | null;
  enclosures: Enclosure[];
  firstSeenAt: number;
  sortAt: number;
  duplicateOf: number | null;
  /** Stored as a tombstone straight away (a new feed's backlog beyond fetch.new_feed_items). */
  expired: boolean;
}

/** Prepared statements for one refresh; prepare once per database, reuse per entry. */
export function entryStatements(db: Db) {
  const byKey = statement<[number, string], StoredEntryKey>(db, 
    'SELECT id, entry_key, content_hash, expired, first_seen_at, sort_at FROM entries WHERE feed_id = ? AND entry_key = ?',
  );
  const byLink = statement<[number, string], StoredEntryKey>(db, 
    'SELECT id, entry_key, content_hash, expired, first_seen_at, sort_at FROM entries WHERE feed_id = ? AND link = ? ORDER BY id LIMIT 1',
  );
  const otherFeedByLink = statement<[string, number], { id: number }>(db, 
    'SELECT id FROM entries WHERE link = ? AND feed_id != ? AND duplicate_of IS NULL AND expired = 0 ORDER BY id LIMIT 1',
  );
  const insert = statement(db, 
    `INSERT INTO entries (feed_id, entry_key, guid, link, title, author, content_html, summary_html, content_hash,
       published_at, updated_at, enclosures, first_seen_at, sort_at, duplicate_of, expired)
     VALUES (@feedId, @entryKey, @guid, @link, @title, @author, @contentHtml, @summaryHtml, @contentHash,
       @publishedAt, @updatedAt, @enclosures, @firstSeenAt, @sortAt, @duplicateOf, @expired)`,
  );
  // An update keeps first_seen_at and sort_at: a corrected post does not jump to the top.
  const update = statement(db, 
    `UPDATE entries SET guid = @guid, link = @link, title = @title, author = @author, content_html = @contentHtml,
       summary_html = @summaryHtml, content_hash = @contentHash, published_at = @publishedAt, updated_at = @updatedAt,
       enclosures = @enclosures
     WHERE id = @id`,
  );
  const purge = statement(
    db,
    `DELETE FROM entries WHERE feed_id = ? AND expired = 1 AND sort_at < ?
       AND entry_key NOT IN (SELECT value FROM json_each(?))`,
  );
  return {
    purgeTombstones: (feedId: number, olderThan: number, keepKeys: string[]) => purge.run(feedId, olderThan, JSON.stringify(keepKeys)).changes,
    findByKey: (feedId: number, key: string) => byKey.get(feedId, key),
    findByLink: (feedId: number, link: string) => byLink.get(feedId, link),
    findOtherFeedByLink: (link: string, feedId: number) => otherFeedByLink.get(link, feedId)?.id,
    insert: (e: EntryWrite) => Number(insert.run({ ...e, enclosures: storedEnclosures(e.enclosures), expired: e.expired ? 1 : 0 }).lastInsertRowid),
    update: (id: number, e: Omit<EntryWrite, 'feedId' | 'entryKey' | 'firstSeenAt' | 'sortAt' | 'duplicateOf' | 'expired'>) =>
      update.run({ ...e, enclosures: storedEnclosures(e.enclosures), id }),
  };
}

export function getEntry(db: Db, id: number): Entry | undefined {
  const row = statement<[number], EntryRow>(db, 'SELECT * FROM entries WHERE id = ?').get(id);
  return row && toEntry(row);
}

export function listFeedEntries(db: Db, feedId: number): Entry[] {
  return statement<[number], EntryRow>(db, 'SELECT e.* FROM entries e WHERE e.feed_id = ? AND e.expired = 0 ORDER BY e.sort_at DESC, e.id DESC')
    .all(feedId)
    .map(toEntry);
}

export function setEntryHidden(db: Db, id: number, hidden: boolean): boolean {
  return statement(db, 'UPDATE entries SET hidden = ? WHERE id = ?').run(hidden ? 1 : 0, id).changes > 0;
}

export interface RetentionPolicy {
  /** Entries older than this (by sort time) may expire … */
  keepDays: number;
  /** … but each feed always keeps its newest keepPerFeed entries. */
  keepPerFeed: number;
}

/**
 * Expires old entries: content dropped, row kept as a tombstone so that an entry still
 * present in its feed is recognised and not stored again. Returns how many expired.
 */
export function expireEntries(db: Db, policy: RetentionPolicy, now = Date.now()): number {
  const cutoff = now - policy.keepDays * 86_400_000;
  return db.transaction(() => {
    // Another feed's copy of an expiring post may now be shown in its place.
    const expiring = `SELECT id FROM (
         SELECT id, sort_at, row_number() OVER (PARTITION BY feed_id ORDER BY sort_at DESC, id DESC) AS rank
         FROM entries WHERE expired = 0)
       WHERE rank > @keepPerFeed AND sort_at < @cutoff`;
    const params = { keepPerFeed: policy.keepPerFeed, cutoff };
    statement(db, `UPDATE entries SET duplicate_of = NULL WHERE duplicate_of IN (${expiring})`).run(params);
    const { changes } = db
      .prepare(
        `UPDATE entries SET expired = 1, content_html = NULL, summary_html = NULL, enclosures = NULL, duplicate_of = NULL
         WHERE id IN (${expiring})`,
      )
      .run(params);
    return changes;
  })();
}

/** Moves whenever anything readers see changes (triggers in migration 0001), in any process. */
export function contentVersion(db: Db): number {
  // Read on every page request, so as a bare value (pluck: no row object).
  return statement<[], number>(db, 'SELECT version FROM content_version WHERE id = 1').pluck().get()!;
}

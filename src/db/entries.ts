// The entries table: each post once per feed (UNIQUE(feed_id, entry_key)), tombstones for expired ones.
import type { Category, Enclosure, Entry, FilterScope } from '../model.js';
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
  categories: string | null;
  language: string | null;
  filter_rule: string | null;
  filter_scope: string | null;
  expired_by: string | null;
  future_at: number | null;
}

/** Categories as stored: a JSON array, NULL for none. */
export function categoriesJson(categories: Category[]): string | null {
  return categories.length ? JSON.stringify(categories) : null;
}

function parseCategories(json: string | null): Category[] {
  if (json === null) return [];
  try {
    const parsed = JSON.parse(json) as unknown;
    return Array.isArray(parsed) ? (parsed as Category[]) : [];
  } catch {
    return [];
  }
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
    categories: parseCategories(row.categories),
    language: row.language,
    filter: row.filter_rule === null ? null : { rule: row.filter_rule, scope: (row.filter_scope ?? 'feed') as FilterScope },
    expired: row.expired === 1,
    expiredBy: row.expired_by === 'backlog' || row.expired_by === 'retention' ? row.expired_by : null,
    futureAt: row.future_at,
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

/** The SQL condition for an entry readers see: not expired, not hidden, not filtered, not a cross-feed duplicate. */
export const VISIBLE = 'e.expired = 0 AND e.hidden = 0 AND e.filter_rule IS NULL AND e.duplicate_of IS NULL';

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
  categories: Category[];
  language: string | null;
  /** The rule that hides it, decided before it is stored. */
  filter: { rule: string; scope: FilterScope } | null;
  futureAt: number | null;
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
  // Positional parameters: bound by name from an object, better-sqlite3 made a copy of every
  // string value on the V8 heap (measured: 4.8 MB for 4.6 MB of text, 0.1 MB bound by position),
  // and a pass writes every post's HTML (docs/decisions/0027-cpu-pool.md).
  const insert = statement(db, 
    `INSERT INTO entries (${WRITTEN_COLUMNS.join(', ')}, feed_id, entry_key, first_seen_at, sort_at, duplicate_of, expired,
       expired_by, future_at)
     VALUES (${WRITTEN_COLUMNS.map(() => '?').join(', ')}, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  // An update keeps first_seen_at and sort_at: a corrected post does not jump to the top.
  const update = statement(db, `UPDATE entries SET ${WRITTEN_COLUMNS.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`);
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
    insert: (e: EntryWrite) =>
      Number(
        insert.run(...writtenValues(e), e.feedId, e.entryKey, e.firstSeenAt, e.sortAt, e.duplicateOf, e.expired ? 1 : 0, e.expired ? 'backlog' : null, e.futureAt)
          .lastInsertRowid,
      ),
    update: (id: number, e: WrittenColumns) => update.run(...writtenValues(e), id),
  };
}

type WrittenColumns = Omit<EntryWrite, 'feedId' | 'entryKey' | 'firstSeenAt' | 'sortAt' | 'duplicateOf' | 'expired' | 'futureAt'>;

/** The columns an insert and an update both write, in the order writtenValues gives them. */
const WRITTEN_COLUMNS = [
  'guid', 'link', 'title', 'author', 'content_html', 'summary_html', 'content_hash', 'published_at', 'updated_at',
  'categories', 'language', 'filter_rule', 'filter_scope', 'enclosures',
] as const;

function writtenValues(e: WrittenColumns) {
  return [
    e.guid, e.link, e.title, e.author, e.contentHtml, e.summaryHtml, e.contentHash, e.publishedAt, e.updatedAt,
    categoriesJson(e.categories), e.language, e.filter?.rule ?? null, e.filter?.scope ?? null, storedEnclosures(e.enclosures),
  ] as const;
}

export function getEntry(db: Db, id: number): Entry | undefined {
  const row = statement<[number], EntryRow>(db, 'SELECT * FROM entries WHERE id = ?').get(id);
  return row && toEntry(row);
}

/** Every stored entry (tombstones included) whose permalink is one of `links`, oldest first. */
export function findEntriesByLinks(db: Db, links: string[]): Entry[] {
  if (!links.length) return [];
  return db
    .prepare<string[], EntryRow>(`SELECT * FROM entries WHERE link IN (${links.map(() => '?').join(', ')}) ORDER BY id`)
    .all(...links)
    .map(toEntry);
}

/** One feed's stored entries (tombstones included) whose permalinks are `links`, by link. */
export function findFeedEntriesByLinks(db: Db, feedId: number, links: string[]): Map<string, Entry> {
  const out = new Map<string, Entry>();
  const byLink = statement<[number, string], EntryRow>(db, 'SELECT * FROM entries WHERE feed_id = ? AND link = ? ORDER BY id LIMIT 1');
  for (const link of links) {
    const row = byLink.get(feedId, link);
    if (row) out.set(link, toEntry(row));
  }
  return out;
}

export function listFeedEntries(db: Db, feedId: number): Entry[] {
  return statement<[number], EntryRow>(db, 'SELECT e.* FROM entries e WHERE e.feed_id = ? AND e.expired = 0 ORDER BY e.sort_at DESC, e.id DESC')
    .all(feedId)
    .map(toEntry);
}

/** What a filter decision reads of each stored (not expired) entry of one feed, or of every feed. */
export interface FilterableEntry {
  id: number;
  feedId: number;
  link: string | null;
  title: string | null;
  author: string | null;
  contentHtml: string | null;
  summaryHtml: string | null;
  categories: Category[];
  language: string | null;
  hidden: boolean;
  filter: { rule: string; scope: FilterScope } | null;
}

/**
 * Calls `each` for every stored entry that rules apply to (not tombstones), newest first: one
 * feed's or all. Rows are read one at a time, so a planet of any size fits in memory; `each` must
 * not write (collect the changes and write them after, with setEntryFilters).
 */
export function forEachFilterableEntry(db: Db, feedId: number | undefined, each: (entry: FilterableEntry) => void): void {
  const where = feedId === undefined ? 'e.expired = 0' : 'e.expired = 0 AND e.feed_id = ?';
  const rows = db
    .prepare<unknown[], EntryRow>(`SELECT e.* FROM entries e WHERE ${where} ORDER BY e.sort_at DESC, e.id DESC`)
    .iterate(...(feedId === undefined ? [] : [feedId]));
  for (const row of rows) {
    const e = toEntry(row);
    each({ id: e.id, feedId: e.feedId, link: e.link, title: e.title, author: e.author, contentHtml: e.contentHtml, summaryHtml: e.summaryHtml, categories: e.categories, language: e.language, hidden: e.hidden, filter: e.filter });
  }
}

/** Writes the filter decisions that changed, in one transaction; returns how many rows moved. */
export function setEntryFilters(db: Db, changes: { id: number; filter: { rule: string; scope: FilterScope } | null }[]): number {
  const set = statement(db, 'UPDATE entries SET filter_rule = ?, filter_scope = ? WHERE id = ?');
  return db.transaction(() => {
    let n = 0;
    for (const c of changes) n += set.run(c.filter?.rule ?? null, c.filter?.scope ?? null, c.id).changes;
    return n;
  })();
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
        `UPDATE entries SET expired = 1, expired_by = 'retention', content_html = NULL, summary_html = NULL, enclosures = NULL, duplicate_of = NULL
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

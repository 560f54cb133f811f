// Two subscriptions that turn out to be one blog become one feed: its entries once, its tags, its
// admin's edits and sources kept, the other URL recorded as an alias. Used by migration 0005 (a
// database that already holds duplicates) and after a pass in which a permanent redirect led one
// subscription onto another's URL. Touches only tables that exist at schema version 5.
import { feedUrlKey } from '../model.js';
import { findFeedByUrl, moveFeedUrl } from './feeds.js';
import type { Db } from './open.js';
import { statement } from './statements.js';

interface MergeFeedRow {
  id: number;
  url: string;
  url_key: string | null;
  status: string;
}

interface MergeEntryRow {
  id: number;
  entry_key: string;
  link: string | null;
  expired: number;
  hidden: number;
  duplicate_of: number | null;
}

const STATUS_RANK: Record<string, number> = { active: 0, gone: 1, removed: 2 };

/** The feed that survives a merge: a subscribed one over a removed one, then the older (its id is in links). */
function keeperOf(a: MergeFeedRow, b: MergeFeedRow): [keep: MergeFeedRow, drop: MergeFeedRow] {
  const rank = (f: MergeFeedRow) => (STATUS_RANK[f.status] ?? 3) * 1e15 + f.id;
  return rank(a) <= rank(b) ? [a, b] : [b, a];
}

/** Which of two copies of one post stays: the one readers saw (live, not shown through another copy), else the keeper's. */
function survivorOf(k: MergeEntryRow, d: MergeEntryRow): [survivor: MergeEntryRow, loser: MergeEntryRow] {
  const score = (e: MergeEntryRow) => e.expired * 2 + (e.duplicate_of === null ? 0 : 1);
  return score(d) < score(k) ? [d, k] : [k, d];
}

/**
 * Folds feed `aId` and feed `bId` into one and returns the id that survives. Every entry is kept
 * once: entries with the same entry_key or the same permalink are one post (the copy readers saw
 * survives, under the survivor feed's key; hidden stays hidden, tombstones stay tombstones).
 * Tags, sources and aliases are united, admin-given fields the survivor lacks are taken from the
 * other, the audit history follows, and the other's URL becomes an alias.
 */
export function mergeFeeds(db: Db, aId: number, bId: number, now = Date.now()): number {
  return db.transaction(() => {
    const feedRow = statement<[number], MergeFeedRow>(db, 'SELECT id, url, url_key, status FROM feeds WHERE id = ?');
    const a = feedRow.get(aId);
    const b = feedRow.get(bId);
    if (!a || !b) throw new Error(`feed-merge: no feed ${a ? bId : aId}`);
    if (a.id === b.id) return a.id;
    const [keep, drop] = keeperOf(a, b);

    const entryColumns = 'id, entry_key, link, expired, hidden, duplicate_of';
    const byKey = statement<[number, string], MergeEntryRow>(db, `SELECT ${entryColumns} FROM entries WHERE feed_id = ? AND entry_key = ?`);
    const byLink = statement<[number, string], MergeEntryRow>(db, `SELECT ${entryColumns} FROM entries WHERE feed_id = ? AND link = ? ORDER BY id LIMIT 1`);
    const repoint = statement(db, 'UPDATE entries SET duplicate_of = ? WHERE duplicate_of = ?');
    const remove = statement(db, 'DELETE FROM entries WHERE id = ?');
    const adopt = statement(db, 'UPDATE entries SET feed_id = ?, entry_key = ?, hidden = ?, duplicate_of = nullif(duplicate_of, id) WHERE id = ?');
    const dropEntries = statement<[number], MergeEntryRow>(db, `SELECT ${entryColumns} FROM entries WHERE feed_id = ? ORDER BY id`).all(drop.id);
    for (const d of dropEntries) {
      const k = byKey.get(keep.id, d.entry_key) ?? (d.link === null ? undefined : byLink.get(keep.id, d.link));
      if (!k) {
        adopt.run(keep.id, d.entry_key, d.hidden, d.id);
        continue;
      }
      const [survivor, loser] = survivorOf(k, d);
      // Copies of other feeds shown once through the loser are shown once through the survivor.
      repoint.run(survivor.id, loser.id);
      remove.run(loser.id);
      adopt.run(keep.id, k.entry_key, Math.max(k.hidden, d.hidden), survivor.id);
    }

    statement(db, 'INSERT OR IGNORE INTO feed_tags (feed_id, tag) SELECT ?, tag FROM feed_tags WHERE feed_id = ?').run(keep.id, drop.id);
    statement(db, 'INSERT OR IGNORE INTO feed_sources (feed_id, source, added_at) SELECT ?, source, added_at FROM feed_sources WHERE feed_id = ?').run(keep.id, drop.id);
    statement(
      db,
      `UPDATE feeds SET
         name = coalesce(feeds.name, d.name), link = coalesce(feeds.link, d.link), face = coalesce(feeds.face, d.face),
         excerpt = max(feeds.excerpt, d.excerpt), title = coalesce(feeds.title, d.title),
         site_link = coalesce(feeds.site_link, d.site_link), image = coalesce(feeds.image, d.image),
         has_fetched = max(feeds.has_fetched, d.has_fetched), created_at = min(feeds.created_at, d.created_at)
       FROM (SELECT * FROM feeds WHERE id = @drop) AS d
       WHERE feeds.id = @keep`,
    ).run({ keep: keep.id, drop: drop.id });
    statement(db, 'UPDATE audit_log SET feed_id = ? WHERE feed_id = ?').run(keep.id, drop.id);

    const keepKey = keep.url_key ?? feedUrlKey(keep.url);
    const dropKey = drop.url_key ?? feedUrlKey(drop.url);
    statement(db, 'DELETE FROM feed_aliases WHERE feed_id = ? AND url_key = ?').run(drop.id, keepKey);
    statement(db, 'UPDATE feed_aliases SET feed_id = ? WHERE feed_id = ?').run(keep.id, drop.id);
    statement(db, 'DELETE FROM feeds WHERE id = ?').run(drop.id);
    // A spelling of the survivor's own URL is no alias: its key already finds the feed.
    if (dropKey !== keepKey) {
      statement(db, "INSERT OR IGNORE INTO feed_aliases (url_key, url, feed_id, reason, created_at) VALUES (?, ?, ?, 'merged', ?)").run(dropKey, drop.url, keep.id, now);
    }
    return keep.id;
  })();
}

export interface FoldReport {
  /** Each surviving feed with the ids folded into it. */
  folded: { into: number; from: number[] }[];
}

/**
 * Migration 0005's code step: fills feeds.url_key and removed_feeds.url_key with feedUrlKey(),
 * then folds every group of subscriptions that are one feed (their URLs have one key, or one's
 * URL is another's alias) into one. Runs before 0006 makes url_key unique.
 */
export function foldDuplicateFeeds(db: Db, now = Date.now()): FoldReport {
  return db.transaction((): FoldReport => {
    const feeds = db.prepare<[], MergeFeedRow>('SELECT id, url, url_key, status FROM feeds ORDER BY id').all();
    const setKey = db.prepare('UPDATE feeds SET url_key = ? WHERE id = ?');
    for (const f of feeds) setKey.run(feedUrlKey(f.url), f.id);
    const removed = db.prepare<[], { url: string }>('SELECT url FROM removed_feeds').all();
    const setRemovedKey = db.prepare('UPDATE removed_feeds SET url_key = ? WHERE url = ?');
    for (const r of removed) setRemovedKey.run(feedUrlKey(r.url), r.url);

    // Feeds sharing a key, by their URL or an alias, are one group (union-find over feed ids).
    const parent = new Map<number, number>(feeds.map((f) => [f.id, f.id]));
    const find = (id: number): number => {
      let root = id;
      while (parent.get(root) !== root) root = parent.get(root)!;
      parent.set(id, root);
      return root;
    };
    const byKey = new Map<string, number>();
    const claim = (key: string, id: number) => {
      const other = byKey.get(key);
      if (other === undefined) byKey.set(key, id);
      else parent.set(find(id), find(other));
    };
    for (const f of feeds) claim(feedUrlKey(f.url), f.id);
    for (const a of db.prepare<[], { url: string; feed_id: number }>('SELECT url, feed_id FROM feed_aliases').all()) claim(feedUrlKey(a.url), a.feed_id);

    const groups = new Map<number, number[]>();
    for (const f of feeds) {
      const root = find(f.id);
      groups.set(root, [...(groups.get(root) ?? []), f.id]);
    }
    const report: FoldReport = { folded: [] };
    for (const ids of groups.values()) {
      if (ids.length < 2) continue;
      let survivor = ids[0]!;
      for (const id of ids.slice(1)) survivor = mergeFeeds(db, survivor, id, now);
      report.folded.push({ into: survivor, from: ids.filter((id) => id !== survivor) });
    }
    return report;
  })();
}

/**
 * A permanent redirect took feed `feedId` to `url`, which another subscription already has (the
 * same blog subscribed twice, before aliases existed): the two become one, living at `url`.
 * Returns the surviving feed's id. Run between fetches, never while either feed is refreshed.
 */
export function foldMovedFeed(db: Db, feedId: number, url: string, now = Date.now()): number | undefined {
  return db.transaction(() => {
    if (!statement(db, 'SELECT 1 FROM feeds WHERE id = ?').get(feedId)) return undefined; // folded already, from the other side
    const holder = findFeedByUrl(db, url);
    const survivor = holder && holder.id !== feedId ? mergeFeeds(db, feedId, holder.id, now) : feedId;
    moveFeedUrl(db, survivor, url, now);
    return survivor;
  })();
}

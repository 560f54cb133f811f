// The feed_sources table: who subscribed each feed (config file, CLI, admin UI, API, OPML import,
// an approved suggestion). Each holds the feed until an admin removes it; reading lists hold
// theirs through reading_list_feeds while they list them (src/db/reading-lists.ts).
import type { Db } from './open.js';
import { LIST_HOLDS } from './reading-lists.js';
import { statement } from './statements.js';

export const FEED_SOURCES = ['config', 'cli', 'admin', 'api', 'opml', 'suggestion'] as const;
export type FeedSource = (typeof FEED_SOURCES)[number];

/** Records a source; writes nothing when it is there already (the config seed runs at every start, read-only databases included). */
export function addFeedSource(db: Db, feedId: number, source: FeedSource, now = Date.now()): void {
  if (statement(db, 'SELECT 1 FROM feed_sources WHERE feed_id = ? AND source = ?').get(feedId, source)) return;
  statement(db, 'INSERT INTO feed_sources (feed_id, source, added_at) VALUES (?, ?, ?)').run(feedId, source, now);
}

export function clearFeedSources(db: Db, feedId: number): void {
  statement(db, 'DELETE FROM feed_sources WHERE feed_id = ?').run(feedId);
}

/**
 * Where each subscription comes from, as `planet feeds list --json` shows it: its sources in a
 * fixed order, then `list:URL` for every reading list that holds it, oldest list first.
 */
export function listFeedSources(db: Db): Map<number, string[]> {
  const order = FEED_SOURCES.map((s, i) => `WHEN '${s}' THEN ${i}`).join(' ');
  const rows = statement<[], { feed_id: number; source: string }>(
    db,
    `SELECT feed_id, source FROM (
       SELECT feed_id, source, CASE source ${order} END AS rank FROM feed_sources
       UNION
       SELECT h.feed_id, 'list:' || l.url, 100 + l.id AS rank FROM (${LIST_HOLDS}) h JOIN reading_lists l ON l.id = h.list_id
     ) ORDER BY feed_id, rank, source`,
  ).all();
  const out = new Map<number, string[]>();
  for (const r of rows) out.set(r.feed_id, [...(out.get(r.feed_id) ?? []), r.source]);
  return out;
}

/** Is the feed held by anything: a source of its own, or a reading list that lists it (and did not decline it)? */
export function isFeedHeld(db: Db, feedId: number): boolean {
  return (
    statement(db, 'SELECT 1 FROM feed_sources WHERE feed_id = ? LIMIT 1').get(feedId) !== undefined ||
    statement(
      db,
      `SELECT 1 FROM reading_list_feeds WHERE declined = 0
         AND url_key IN (SELECT url_key FROM feeds WHERE id = @id UNION SELECT url_key FROM feed_aliases WHERE feed_id = @id) LIMIT 1`,
    ).get({ id: feedId }) !== undefined
  );
}

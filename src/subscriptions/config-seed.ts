// Config file `feeds:` vs. the database. The database is the source of truth once a feed exists:
// the file only subscribes feeds that are missing and that an admin has not removed, finding a
// feed by any spelling of its URL and by the old URLs it moved from (a 301 is no new blog).
// Admin edits are never overwritten by the file (see README, "Subscriptions: file and database").
import type { FeedConfig } from '../config.js';
import { addFeedSource } from '../db/feed-sources.js';
import { findFeedByUrl, insertFeed, wasRemoved } from '../db/feeds.js';
import type { Db } from '../db/open.js';

export interface SyncReport {
  added: string[];
  /** Listed in the file but removed by an admin: left alone. */
  skippedRemoved: string[];
}

export function syncConfigFeeds(db: Db, feeds: FeedConfig[], now = Date.now()): SyncReport {
  const report: SyncReport = { added: [], skippedRemoved: [] };
  db.transaction(() => {
    for (const f of feeds) {
      const existing = findFeedByUrl(db, f.url);
      if (existing && existing.status !== 'removed') {
        // Subscribed some other way first: the file holds it too from now on.
        addFeedSource(db, existing.id, 'config', now);
        continue;
      }
      if (wasRemoved(db, f.url)) {
        report.skippedRemoved.push(f.url);
        continue;
      }
      const feed = insertFeed(db, { url: f.url, name: f.name ?? null, face: f.face ?? null, link: f.link ?? null, tags: f.tags }, now);
      addFeedSource(db, feed.id, 'config', now);
      report.added.push(f.url);
    }
  })();
  return report;
}

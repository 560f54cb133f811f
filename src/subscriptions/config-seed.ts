// Config file `feeds:` vs. the database. The database is the source of truth once a feed exists:
// the file only subscribes feeds that are missing and that an admin has not removed.
// Admin edits are never overwritten by the file (see README, "Subscriptions: file and database");
// a feed's `filters` are the exception when they change in the file (filter-rules.ts syncConfigFilters).
import type { FeedConfig } from '../config.js';
import { findFeedByUrl, insertFeed, setConfigFiltersApplied, wasRemoved } from '../db/feeds.js';
import type { Db } from '../db/open.js';
import { configFeedFilters } from './filter-rules.js';

export interface SyncReport {
  added: string[];
  /** Listed in the file but removed by an admin: left alone. */
  skippedRemoved: string[];
}

export function syncConfigFeeds(db: Db, feeds: FeedConfig[], now = Date.now()): SyncReport {
  const report: SyncReport = { added: [], skippedRemoved: [] };
  db.transaction(() => {
    for (const f of feeds) {
      if (findFeedByUrl(db, f.url)) continue;
      if (wasRemoved(db, f.url)) {
        report.skippedRemoved.push(f.url);
        continue;
      }
      const filters = configFeedFilters(f);
      const feed = insertFeed(db, { url: f.url, name: f.name ?? null, face: f.face ?? null, link: f.link ?? null, tags: f.tags, filters }, now);
      setConfigFiltersApplied(db, feed.id, JSON.stringify(filters));
      report.added.push(f.url);
    }
  })();
  return report;
}


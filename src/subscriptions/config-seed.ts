// Config file `feeds:` and `reading_lists:` vs. the database. The database is the source of truth
// once a feed exists: the file only subscribes feeds that are missing and that an admin has not
// removed, finding a feed by any spelling of its URL and by the old URLs it moved from (a 301 is
// no new blog). Admin edits are never overwritten by the file (see README, "Subscriptions: file
// and database"); a feed's `filters` are the exception when they change in the file
// (filter-rules.ts syncConfigFilters). Lists are added the same way; the file's tags are a list's tags.
import type { Config, FeedConfig } from '../config.js';
import { addFeedSource } from '../db/feed-sources.js';
import { findFeedByUrl, insertFeed, setConfigFiltersApplied, wasRemoved } from '../db/feeds.js';
import type { Db } from '../db/open.js';
import { findReadingList, insertReadingList, setReadingListTags, wasReadingListRemoved } from '../db/reading-lists.js';
import { configFeedFilters } from './filter-rules.js';
import { listLocation } from './reading-lists.js';

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
      const filters = configFeedFilters(f);
      const feed = insertFeed(db, { url: f.url, name: f.name ?? null, face: f.face ?? null, link: f.link ?? null, tags: f.tags, filters }, now);
      setConfigFiltersApplied(db, feed.id, JSON.stringify(filters));
      addFeedSource(db, feed.id, 'config', now);
      report.added.push(f.url);
    }
  })();
  return report;
}

export interface ConfigListSync {
  added: string[];
  /** Listed in the file but removed by an admin: left alone. */
  skippedRemoved: string[];
}

/**
 * The config file's `reading_lists:`, at every start: a list not stored yet is added (read in
 * the next pass), unless an admin removed it; the file's tags are the list's tags.
 */
export function syncConfigReadingLists(db: Db, lists: Config['reading_lists'], now = Date.now()): ConfigListSync {
  const report: ConfigListSync = { added: [], skippedRemoved: [] };
  db.transaction(() => {
    for (const l of lists) {
      const location = listLocation(l.url);
      if (location.kind === 'invalid') continue; // the config schema refuses these
      const existing = findReadingList(db, location.key);
      if (existing) {
        if (JSON.stringify(existing.tags) !== JSON.stringify(l.tags)) setReadingListTags(db, existing.id, l.tags);
        continue;
      }
      if (wasReadingListRemoved(db, location.key)) {
        report.skippedRemoved.push(location.url);
        continue;
      }
      insertReadingList(db, { url: location.url, urlKey: location.key, tags: l.tags, addedBy: 'config' }, now);
      report.added.push(location.url);
    }
  })();
  return report;
}

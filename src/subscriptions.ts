// Config file `feeds:` vs. the database. The database is the source of truth once a feed exists:
// the file only subscribes feeds that are missing and that an admin has not removed.
// Admin edits are never overwritten by the file (see README, "Subscriptions: file and database").
import type { FeedConfig } from './config.js';
import { findFeedByUrl, insertFeed, wasRemoved } from './db/feeds.js';
import type { Db } from './db/open.js';
import type { OpmlOutline } from './opml.js';

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
      insertFeed(db, { url: f.url, name: f.name ?? null, face: f.face ?? null, link: f.link ?? null, tags: f.tags }, now);
      report.added.push(f.url);
    }
  })();
  return report;
}

export interface ImportReport {
  added: { url: string; id: number }[];
  present: { url: string; id: number }[];
  invalid: { url: string; reason: string }[];
}

/** Only http(s) URLs are subscribable (PRODUCT.md "Fetching"). */
export function invalidFeedUrl(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not an absolute URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `unsupported scheme "${parsed.protocol.replace(':', '')}" (only http and https)`;
  return null;
}

/** Subscribes an OPML file's outlines in one transaction, reporting each. */
export function importOutlines(db: Db, outlines: OpmlOutline[], now = Date.now()): ImportReport {
  const report: ImportReport = { added: [], present: [], invalid: [] };
  db.transaction(() => {
    for (const o of outlines) {
      const reason = invalidFeedUrl(o.url);
      if (reason) {
        report.invalid.push({ url: o.url, reason });
        continue;
      }
      const existing = findFeedByUrl(db, o.url);
      if (existing && existing.status !== 'removed') {
        report.present.push({ url: o.url, id: existing.id });
        continue;
      }
      const feed = insertFeed(db, { url: o.url, name: o.name, link: o.link, tags: o.tags }, now);
      report.added.push({ url: o.url, id: feed.id });
    }
  })();
  return report;
}

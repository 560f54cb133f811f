// GET /search: full-text search over the entries_search index, never cached (every query differs).
// A query FTS5 rejects as syntax is searched again as plain words.
import { feedsById, searchEntries, syncSearchIndex } from '../db/timeline.js';
import { sanitizedHtmlToSearchText } from '../pipeline/sanitize.js';
import { renderSearchPage } from '../render/pages.js';
import { queryWords } from '../render/text.js';
import { HTML, makeDoc, type Doc } from './doc.js';
import type { SiteContext } from './documents.js';
import type { Snapshot } from './snapshot.js';

export function searchDoc(ctx: SiteContext, snap: Snapshot, query: string, page: number): Doc {
  const { db } = ctx;
  const perPage = ctx.config.page.items_per_page;
  const q = query.trim().slice(0, 200);
  if (q) {
    try {
      syncSearchIndex(db, sanitizedHtmlToSearchText);
    } catch {
      // The fetcher holds the write lock: search what is indexed, catch up next time.
    }
  }
  let result = { entries: [] as ReturnType<typeof searchEntries>['entries'], total: 0 };
  let relaxed = false;
  const words = queryWords(q);
  const offset = (Math.max(1, page) - 1) * perPage;
  if (q) {
    try {
      result = searchEntries(db, q, perPage, offset);
    } catch {
      // FTS5 rejected the syntax (a stray quote, "AND" alone, an unknown column…): plain words then.
      relaxed = true;
      if (words.length) result = searchEntries(db, words.map((w) => `"${w}"`).join(' '), perPage, offset);
    }
  }
  const html = renderSearchPage(ctx.templates, ctx.site, {
    query: q,
    page: Math.max(1, page),
    pages: Math.max(1, Math.ceil(result.total / perPage)),
    total: result.total,
    entries: result.entries,
    feeds: feedsById(db, result.entries, snap.feeds.map((f) => f.feed)),
    words,
    relaxed,
  });
  return makeDoc(200, HTML, html, snap.lastModified);
}

// JSON Feed 1.0 / 1.1 → NormalizedFeed: JSON.parse plus the same entry assembly.
import type { NormalizedFeed } from '../../model.js';
import { finishEntry, languageTag, type EnclosureDraft } from './entry.js';
import { ParseFailure, fail } from './failure.js';
import { collapse, escapeHtml, resolveUrl } from './text.js';
import { jsonWebsubLinks } from './websub-links.js';

function str(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v); // ids are sometimes numbers
  return null;
}

function obj(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function jsonAuthor(o: Record<string, unknown> | null): string | null {
  if (!o) return null;
  // 1.1 has `authors` (array); 1.0 had a single `author` object.
  const authors = Array.isArray(o.authors) ? o.authors : [];
  return collapse(str(obj(authors[0])?.name)) ?? collapse(str(obj(o.author)?.name));
}

export function parseJsonFeed(text: string, feedUrl: string): NormalizedFeed {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    fail(`invalid JSON: ${(err as Error).message}`);
  }
  const feed = obj(data);
  const version = str(feed?.version) ?? '';
  if (!feed || (!/jsonfeed\.org\/version\//i.test(version) && !Array.isArray(feed.items))) {
    throw new ParseFailure('not_a_feed', 'parse: not a feed: JSON without a JSON Feed "version" or "items"');
  }
  const warnings: string[] = [];
  const feedAuthor = jsonAuthor(feed);
  const items = Array.isArray(feed.items) ? feed.items : [];
  const language = languageTag(str(feed.language));
  const entries = items
    .map((v) => obj(v))
    .filter((v): v is Record<string, unknown> => v !== null)
    .map((item, i) => {
      const link = resolveUrl(str(item.url), feedUrl);
      const attachments = Array.isArray(item.attachments) ? item.attachments : [];
      const enclosures: EnclosureDraft[] = attachments
        .map((a) => obj(a))
        .filter((a): a is Record<string, unknown> => a !== null)
        .map((a) => ({ url: str(a.url), base: feedUrl, type: str(a.mime_type), length: str(a.size_in_bytes), title: str(a.title) }));
      const contentText = str(item.content_text);
      const summary = str(item.summary);
      return finishEntry(
        {
          guid: str(item.id),
          link,
          title: collapse(str(item.title)),
          author: jsonAuthor(item) ?? feedAuthor,
          content: str(item.content_html) ?? (contentText !== null ? escapeHtml(contentText) : null),
          // JSON Feed's summary is plain text.
          summary: summary !== null && summary.trim() !== '' ? escapeHtml(summary) : null,
          published: str(item.date_published),
          updated: str(item.date_modified),
          xmlBase: null,
          categories: (Array.isArray(item.tags) ? item.tags : []).map((t) => ({ term: typeof t === 'string' ? t : null })),
          // JSON Feed 1.1: an item's language, else the feed's.
          language: languageTag(str(item.language)) ?? language,
          enclosures,
        },
        i,
        feedUrl,
        warnings,
      );
    });
  return {
    format: 'json',
    title: collapse(str(feed.title)),
    link: resolveUrl(str(feed.home_page_url), feedUrl),
    image: resolveUrl(str(feed.icon) ?? str(feed.favicon), feedUrl),
    language,
    // JSON Feed has no feed-level date.
    published: null,
    updated: null,
    entries,
    warnings,
    ...jsonWebsubLinks(feed, feedUrl),
  };
}

// Entry identity within a feed: its GUID / Atom id, else its permalink, else a hash of its content
// (PRODUCT.md "Deduplication"). Also the raw-content hash that lets an unchanged entry cost no write.
import { createHash } from 'node:crypto';
import type { NormalizedEntry } from '../model.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** The key stored in entries.entry_key; UNIQUE(feed_id, entry_key) enforces "kept once". */
export function entryKey(entry: NormalizedEntry): string {
  if (entry.guid) return `guid:${entry.guid}`;
  if (entry.link) return `link:${entry.link}`;
  // No id and no link (seen in hand-written RSS): the content is all that identifies it.
  // The date is part of it so two identical short notes on different days stay two.
  return `hash:${sha256([entry.title ?? '', entry.contentHtml ?? entry.summaryHtml ?? '', entry.published?.toISOString() ?? ''].join('\u0000'))}`;
}

/** Hash of everything we store from the raw entry: equal hashes mean nothing to update. */
export function contentHash(entry: NormalizedEntry): string {
  return sha256(
    JSON.stringify([
      entry.guid,
      entry.link,
      entry.title,
      entry.author,
      entry.contentHtml,
      entry.summaryHtml,
      entry.published?.getTime() ?? null,
      entry.updated?.getTime() ?? null,
      entry.baseUrl,
      // What later versions read is appended only when present, so an entry stored before they
      // read it keeps its hash, and one that has it is stored again once, gaining it.
      ...optionalParts(entry),
    ]),
  );
}

function optionalParts(entry: NormalizedEntry): [Record<string, unknown>] | [] {
  const parts: Record<string, unknown> = {};
  if (entry.categories.length > 0) parts.categories = entry.categories;
  if (entry.language !== null) parts.language = entry.language;
  if (entry.summaryBaseUrl !== undefined) parts.summaryBaseUrl = entry.summaryBaseUrl;
  if (entry.enclosures.length > 0) parts.enclosures = entry.enclosures;
  return Object.keys(parts).length > 0 ? [parts] : [];
}

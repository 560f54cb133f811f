// The shared entry assembly: every format reader fills an EntryDraft, and finishEntry turns it
// into a NormalizedEntry the same way (dates parsed with warnings, the content rule, guid, base).
import type { NormalizedEntry } from '../../model.js';
import { parseDate } from '../dates.js';

export interface EntryDraft {
  guid: string | null;
  link: string | null;
  title: string | null;
  author: string | null;
  content: string | null;
  summary: string | null;
  published: string | null;
  updated: string | null;
  /** xml:base in scope for the content, when one was declared. */
  xmlBase: string | null;
}

export function finishEntry(d: EntryDraft, index: number, feedUrl: string, warnings: string[]): NormalizedEntry {
  const date = (raw: string | null): Date | null => {
    if (raw === null || raw.trim() === '') return null;
    const parsed = parseDate(raw);
    if (!parsed) {
      const shown = raw.trim().length > 60 ? `${raw.trim().slice(0, 60)}…` : raw.trim();
      warnings.push(`parse: entry ${index + 1} has an invalid date "${shown}"`);
    }
    return parsed;
  };
  const contentHtml = d.content ?? d.summary;
  const summaryHtml = d.summary !== null && d.summary.trim() !== (contentHtml ?? '').trim() ? d.summary : null;
  const guid = d.guid?.trim() ? d.guid.trim() : null;
  return {
    guid,
    link: d.link,
    title: d.title,
    author: d.author,
    contentHtml,
    summaryHtml,
    published: date(d.published),
    updated: date(d.updated),
    baseUrl: d.xmlBase ?? d.link ?? feedUrl,
  };
}

// The shared entry assembly: every format reader fills an EntryDraft, and finishEntry turns it
// into a NormalizedEntry the same way (dates parsed with warnings, the content rule, guid, base,
// categories and language).
import type { Category, NormalizedEntry } from '../../model.js';
import { parseDate } from '../dates.js';
import { collapse } from './text.js';
import type { XmlElement } from './xml-tree.js';

/** A category as a format reader found it: text not yet collapsed, maybe empty. */
export interface RawCategory {
  term: string | null | undefined;
  scheme?: string | null;
  label?: string | null;
}

/** Bounds on what one entry keeps: a feed listing hundreds of keywords per post is spam, not data. */
const MAX_CATEGORIES = 50;
const MAX_CATEGORY_CHARS = 200;

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
  categories: RawCategory[];
  /** Already resolved down the fallbacks (its own, else the feed's), canonical or null. */
  language: string | null;
}

/**
 * A language tag in canonical BCP 47 form ("en_us" → "en-US"), or null for an empty or invalid
 * one. Feeds write underscores (Java locales) and any case.
 */
export function languageTag(raw: string | null | undefined): string | null {
  const t = raw?.trim().replace(/_/g, '-');
  if (!t || t.length > 35 || !/^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$/.test(t)) return null;
  try {
    return Intl.getCanonicalLocales(t)[0] ?? null;
  } catch {
    return null;
  }
}

/**
 * The xml:lang in scope at `el` (XML 1.0 §2.12: inherited down the tree). An empty xml:lang says
 * "no language" and stops the search, so the feed-level fallbacks apply.
 */
export function xmlLang(el: XmlElement | null | undefined): string | null {
  for (let e = el; e; e = e.parent) {
    const value = e.attrs['xml:lang'];
    if (value !== undefined) return languageTag(value);
  }
  return null;
}

/** Collapsed, bounded, without repeats (the same term and scheme, in any case). */
function finishCategories(raw: RawCategory[]): Category[] {
  const out: Category[] = [];
  const seen = new Set<string>();
  for (const r of raw) {
    const term = collapse(r.term)?.slice(0, MAX_CATEGORY_CHARS);
    if (!term) continue;
    const scheme = collapse(r.scheme)?.slice(0, 2048) ?? null;
    const key = `${term.toLowerCase()}\u0000${scheme ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ term, scheme, label: collapse(r.label)?.slice(0, MAX_CATEGORY_CHARS) ?? null });
    if (out.length === MAX_CATEGORIES) break;
  }
  return out;
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
    categories: finishCategories(d.categories),
    language: d.language,
  };
}

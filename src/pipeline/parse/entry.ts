// The shared entry assembly: every format reader fills an EntryDraft, and finishEntry turns it
// into a NormalizedEntry the same way (dates parsed with warnings, the content rule, guid, base,
// categories and language). The rules for repeated elements and for choosing among several
// contents: docs/decisions/0020-long-tail-parsing.md.
import type { Category, Enclosure, NormalizedEntry } from '../../model.js';
import { parseDate } from '../dates.js';
import { safeMediaUrl } from '../sanitize.js';
import { collapse } from './text.js';
import type { XmlElement } from './xml-tree.js';

/** One date element's text, or all of a repeated one's in document order (the last valid one wins). */
export type DateText = string | readonly (string | null)[] | null;

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
  published: DateText;
  updated: DateText;
  /** xml:base in scope for the content, when one was declared. */
  xmlBase: string | null;
  /**
   * xml:base in scope for the summary: undefined when it is the content's, null when none was declared
   * (the summary then resolves against the link, else the feed URL).
   */
  summaryBase?: string | null;
  enclosures?: EnclosureDraft[];
  /** Fields read from another element than the format's own ("author from dc:creator"), for `planet check`. */
  fallbacks?: string[];
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

/**
 * Reads a date element (or each of a repeated one), warning about those that are not dates. Of
 * several, the last valid one wins: feedparser overwrites a date with each occurrence.
 */
export function readDate(raw: DateText, invalid: (shown: string) => void): Date | null {
  const texts = raw === null ? [] : typeof raw === 'string' ? [raw] : raw;
  let chosen: Date | null = null;
  for (const text of texts) {
    if (text === null || text.trim() === '') continue;
    const parsed = parseDate(text);
    if (parsed) chosen = parsed;
    else invalid(text.trim().length > 60 ? `${text.trim().slice(0, 60)}…` : text.trim());
  }
  return chosen;
}

/** Equal but for surrounding whitespace. */
const sameText = (a: string, b: string) => a === b || a.trim() === b.trim();

export function finishEntry(d: EntryDraft, index: number, feedUrl: string, warnings: string[]): NormalizedEntry {
  const date = (raw: DateText): Date | null => readDate(raw, (shown) => warnings.push(`parse: entry ${index + 1} has an invalid date "${shown}"`));
  const contentHtml = d.content ?? d.summary;
  const summaryHtml = d.summary !== null && !sameText(d.summary, contentHtml ?? '') ? d.summary : null;
  const guid = d.guid?.trim() ? d.guid.trim() : null;
  for (const note of d.fallbacks ?? []) warnings.push(`parse: entry ${index + 1}: ${note}`);
  const baseUrl = d.xmlBase ?? d.link ?? feedUrl;
  const entry: NormalizedEntry = {
    guid,
    link: d.link,
    title: d.title,
    author: d.author,
    contentHtml,
    summaryHtml,
    published: date(d.published),
    updated: date(d.updated),
    baseUrl,
    enclosures: finishEnclosures(d.enclosures ?? []),
    categories: finishCategories(d.categories),
    language: d.language,
  };
  if (summaryHtml !== null && d.summaryBase !== undefined) {
    const summaryBase = d.summaryBase ?? d.link ?? feedUrl;
    if (summaryBase !== baseUrl) entry.summaryBaseUrl = summaryBase;
  }
  return entry;
}

// ── Content: the richest of the candidates ───────────────────────────────────────────────────

/** One element that can hold the post's text, in the format's order of preference. */
export interface ContentCandidate {
  html: string | null;
  /** How planet check names it: "content:encoded", "itunes:summary" … */
  source: string;
  /** The format's own content element (content:encoded, Atom content). */
  content?: boolean;
  /** The format's own summary element (description, Atom summary). */
  summary?: boolean;
  /** xml:base in scope for it, when one was declared. */
  base: string | null;
}

export interface ChosenContent {
  content: string | null;
  summary: string | null;
  contentBase: string | null;
  summaryBase: string | null;
  fallbacks: string[];
}

/**
 * Characters of text in an HTML string, near enough to rank candidates (tags dropped, entities as
 * written), counting no further than `enough`: the full post usually dwarfs its summary, so deciding
 * that it holds at least half as much text as the other needs only its first few dozen characters.
 */
function textWeight(html: string, enough = Infinity): number {
  let n = 0;
  let inTag = false;
  for (let i = 0; i < html.length && n < enough; i++) {
    const c = html.charCodeAt(i);
    if (c === 60 /* < */) inTag = true;
    else if (c === 62 /* > */) inTag = false;
    else if (!inTag && c > 32) n++;
  }
  return n;
}

/**
 * The content is the format's own content element (content:encoded, Atom content) unless another
 * candidate holds more than twice its text (a teaser there, the post elsewhere); without one, the
 * richest candidate (the most text; ties go to the earlier one). The summary is the first other
 * candidate, in order of preference, that says something else. feedparser keeps them all
 * (entry.content[] and entry.summary); a planet shows one, and folds or excerpts by the other.
 */
export function chooseContent(candidates: readonly ContentCandidate[]): ChosenContent {
  const present = candidates.filter((c): c is ContentCandidate & { html: string } => c.html !== null && /\S/.test(c.html));
  const none: ChosenContent = { content: null, summary: null, contentBase: null, summaryBase: null, fallbacks: [] };
  if (present.length === 0) return none;
  const own = present.find((c) => c.content);
  let best = own ?? present[0]!;
  if (present.length > 1) {
    const others = present.filter((c) => c !== own).map((c) => ({ c, weight: textWeight(c.html) }));
    const heaviest = others.reduce((a, b) => (b.weight > a.weight ? b : a));
    if (!own) best = heaviest.c;
    // The own element loses only to more than twice its text: count its text only that far.
    else if (textWeight(own.html, Math.ceil(heaviest.weight / 2)) * 2 < heaviest.weight) best = heaviest.c;
  }
  const second = present.find((c) => c !== best && !sameText(c.html, best.html)) ?? null;
  const fallbacks: string[] = [];
  // A lone summary element is the content by the format's own rule: not a fallback.
  if (best !== own && !(best.summary && !own)) fallbacks.push(own ? `content from ${best.source}, richer than ${own.source}` : `content from ${best.source}`);
  if (second && !second.summary && !(second.content && best.summary)) fallbacks.push(`summary from ${second.source}`);
  return { content: best.html, summary: second?.html ?? null, contentBase: best.base, summaryBase: second?.base ?? null, fallbacks };
}

// ── Enclosures ───────────────────────────────────────────────────────────────────────────────

export interface EnclosureDraft {
  url: string | null | undefined;
  /** The in-scope base of the element that named it. */
  base: string;
  type?: string | null;
  length?: string | number | null;
  title?: string | null;
}

/** A hostile feed's ten thousand enclosures must not become ten thousand players. */
const MAX_ENCLOSURES = 20;

function enclosureLength(raw: string | number | null | undefined): number | null {
  if (raw === null || raw === undefined) return null;
  const s = String(raw).trim();
  if (!/^\d{1,15}$/.test(s)) return null;
  const n = Number(s);
  // "0" is what most generators write when they do not know.
  return n > 0 ? n : null;
}

function enclosureType(raw: string | null | undefined): string | null {
  const t = (raw ?? '').trim().toLowerCase();
  return /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(t) ? t : null;
}

/**
 * Enclosures with absolute URLs of a scheme the sanitizer allows, once each: a podcast names its
 * file in <enclosure> and again in <media:content>, and the second fills in what the first lacks.
 */
export function finishEnclosures(drafts: readonly EnclosureDraft[]): Enclosure[] {
  const byUrl = new Map<string, Enclosure>();
  for (const d of drafts) {
    if (d.url === null || d.url === undefined) continue;
    const type = enclosureType(d.type);
    const url = safeMediaUrl(d.url, d.base, type?.startsWith('image/') ?? false);
    if (url === null) continue;
    const length = enclosureLength(d.length);
    const title = collapse(d.title);
    const known = byUrl.get(url);
    if (known) {
      known.type ??= type;
      known.length ??= length;
      known.title ??= title;
      continue;
    }
    if (byUrl.size >= MAX_ENCLOSURES) break;
    byUrl.set(url, { url, type, length, title });
  }
  return [...byUrl.values()];
}

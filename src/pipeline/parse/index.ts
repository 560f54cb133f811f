// Text → NormalizedFeed for RSS 0.9x/2.0, RSS 1.0 (RDF), Atom 0.3/1.0 and JSON Feed 1.0/1.1.
// The rest of the code sees only parseFeed(); docs/decisions/0001-feed-parser.md says why
// the XML is read with htmlparser2's tokenizer and mapped here rather than by a feed library.
//
// Content rule: contentHtml is the richest of the elements that can hold the post (content:encoded,
// description, Atom content and summary, xhtml:body, fullitem, dc:description, itunes:summary; JSON
// content_html / escaped content_text), summaryHtml the next one when it says something else
// (docs/decisions/0020-long-tail-parsing.md). Every field read from an extension rather than the
// format's own element is a warning, so `planet check` shows where it came from.
//
// This is the seam: sniffing picks the format, the HTML-page error names a page's advertised
// feeds, and one module per format maps the document (rss.ts, atom.ts, json-feed.ts) through
// the shared entry assembly (entry.ts); XML is repaired (xml-repair.ts) and read into a tree
// (xml-tree.ts) first.
import type { FeedFormat, NormalizedFeed, ParseResult } from '../../model.js';
import { findFeedLinks } from '../feed-links.js';
import { parseAtom } from './atom.js';
import { ParseFailure } from './failure.js';
import { parseJsonFeed } from './json-feed.js';
import { parseRss } from './rss.js';
import { collapse } from './text.js';
import { repairXml } from './xml-repair.js';
import { NS, buildTree } from './xml-tree.js';

const HTML_ROOTS = new Set(['html', 'head', 'body', 'meta', 'title', 'link', 'script', 'div', 'p', 'a', 'span', 'table', 'style']);

/** The first element name and whether an HTML doctype precedes it, without building a tree. */
function sniffRoot(text: string): { name: string | null; htmlDoctype: boolean } {
  let i = 0;
  let htmlDoctype = false;
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    if (lt === -1) return { name: null, htmlDoctype };
    if (text.startsWith('<?', lt)) {
      const end = text.indexOf('?>', lt + 2);
      i = end === -1 ? text.length : end + 2;
    } else if (text.startsWith('<!--', lt)) {
      const end = text.indexOf('-->', lt + 4);
      i = end === -1 ? text.length : end + 3;
    } else if (text.startsWith('<!', lt)) {
      if (/^<!doctype\s+html\b/i.test(text.slice(lt, lt + 20))) htmlDoctype = true;
      const end = text.indexOf('>', lt + 2);
      i = end === -1 ? text.length : end + 1;
    } else {
      const m = /^<([A-Za-z_][\w:.-]*)/.exec(text.slice(lt, lt + 200));
      if (m?.[1]) return { name: m[1], htmlDoctype };
      i = lt + 1;
    }
  }
  return { name: null, htmlDoctype };
}

function htmlPageError(text: string, feedUrl: string): ParseResult {
  const alternates = findFeedLinks(text, feedUrl);
  const message =
    alternates.length > 0
      ? `parse: this is an HTML page, not a feed; it advertises: ${alternates.join(', ')}`
      : 'parse: this is an HTML page, not a feed; it advertises no feeds';
  return { kind: 'error', code: 'not_a_feed', message, alternates };
}

/** "1–3, 5": entry numbers as ranges; past ten ranges, "1, 3, 5 … (2500 in all)". */
function entryNumbers(numbers: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < numbers.length; i++) {
    let j = i;
    while (j + 1 < numbers.length && numbers[j + 1] === numbers[j]! + 1) j++;
    parts.push(j > i + 1 ? `${numbers[i]}–${numbers[j]}` : j === i + 1 ? `${numbers[i]}, ${numbers[j]}` : `${numbers[i]}`);
    i = j;
  }
  return parts.length > 10 ? `${parts.slice(0, 10).join(', ')} … (${numbers.length} in all)` : parts.join(', ');
}

/**
 * One warning per fallback however many entries used it ("parse: entries 1–20: author from
 * dc:creator"), in the order first seen; other warnings are left as they are.
 */
function groupEntryWarnings(warnings: string[]): string[] {
  const grouped = new Map<string, number[] | null>();
  for (const w of warnings) {
    const m = /^parse: entry (\d+): (.*)$/.exec(w);
    if (!m) {
      grouped.set(w, null);
      continue;
    }
    const key = `\u0000${m[2]}`;
    const list = grouped.get(key);
    if (list) list.push(Number(m[1]));
    else grouped.set(key, [Number(m[1])]);
  }
  return [...grouped].map(([key, numbers]) =>
    numbers === null ? key : `parse: ${numbers.length === 1 ? 'entry' : 'entries'} ${entryNumbers(numbers)}: ${key.slice(1)}`,
  );
}

function notAFeed(message: string): ParseResult {
  return { kind: 'error', code: 'not_a_feed', message: `parse: not a feed: ${message}`, alternates: [] };
}

function ok(feed: NormalizedFeed): ParseResult {
  feed.warnings = groupEntryWarnings(feed.warnings);
  return { kind: 'ok', feed };
}

/** Parse a decoded feed document. Never throws for bad input: failures are values. */
export function parseFeed(text: string, feedUrl: string): ParseResult {
  try {
    const body = text.replace(/^\uFEFF/, '');
    const trimmed = body.trimStart();
    if (trimmed === '') return notAFeed('the document is empty');
    if (trimmed.startsWith('%PDF-')) return notAFeed('this is a PDF document');
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) return ok(parseJsonFeed(trimmed, feedUrl));

    const sniffed = sniffRoot(body);
    if (sniffed.name === null) {
      const preview = collapse(trimmed.slice(0, 40)) ?? '';
      return notAFeed(`no XML or JSON found (it starts with "${preview}")`);
    }
    const rootName = sniffed.name.toLowerCase();
    const rootLocal = rootName.slice(rootName.indexOf(':') + 1);
    if (sniffed.htmlDoctype || HTML_ROOTS.has(rootName)) return htmlPageError(body, feedUrl);
    if (!['rss', 'rdf', 'feed', 'channel'].includes(rootLocal)) {
      return notAFeed(`the root element is <${sniffed.name}>, not <rss>, <rdf:RDF> or <feed>`);
    }

    const repaired = repairXml(body);
    const root = buildTree(repaired.text, feedUrl);
    const warnings = [...repaired.warnings];
    let format: FeedFormat;
    if (root.local === 'feed') {
      format = root.ns === NS.atom03 || (root.attrs.version ?? '').trim() === '0.3' ? 'atom03' : 'atom';
      return ok(parseAtom(root, format, feedUrl, warnings));
    }
    format = root.local === 'rdf' ? 'rdf' : 'rss';
    return ok(parseRss(root, format, feedUrl, warnings));
  } catch (err) {
    if (err instanceof ParseFailure) return { kind: 'error', code: err.code, message: err.message, alternates: [] };
    // A RangeError from a pathological document must not take the fetch pass down.
    if (err instanceof RangeError) return { kind: 'error', code: 'parse', message: `parse: ${err.message}`, alternates: [] };
    throw err;
  }
}

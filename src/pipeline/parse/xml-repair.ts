// Repairs before tokenizing: what XML parsers reject and real feeds contain (stray "&", HTML
// named entities, illegal control characters), each reported as a warning; a DOCTYPE that
// declares entities is refused.
import { Parser } from 'htmlparser2';
import { fail } from './failure.js';

// Only HTML's ~2,200 entity names can ever be cached, so the cache stays small.
const knownEntities = new Map<string, string>();

/** The character(s) an HTML named entity stands for, or null when HTML does not define it. */
function htmlEntity(name: string): string | null {
  const cached = knownEntities.get(name);
  if (cached !== undefined) return cached;
  let out = '';
  new Parser({ ontext: (t) => (out += t) }, { decodeEntities: true }).end(`&${name};`);
  // HTML also decodes legacy prefixes ("&notit;" → "¬it;"): accept only a whole match.
  if (out === `&${name};` || out.includes(';') || [...out].length > 2) return null;
  knownEntities.set(name, out);
  return out;
}

export interface Repaired {
  text: string;
  warnings: string[];
}

interface EntityCounts {
  stray: number;
  htmlCount: number;
  html: Set<string>;
  /** Names already found not to be HTML entities in this document. */
  unknown: Set<string>;
  /** Lookups left: a document full of invented names must not cost a lookup each. */
  lookups: number;
}

// "&" that starts neither one of XML's five entities, a character reference nor any
// name: a plain stray ampersand ("Fish & Chips"), the commonest XML error in feeds.
const STRAY_AMPERSAND = /&(?!(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});)(?![A-Za-z][A-Za-z0-9]{0,31};)/g;
// "&name;" where name is not one of XML's five: an HTML entity (&nbsp;) or an invented one.
const NAMED_REFERENCE = /&(?!(?:amp|lt|gt|quot|apos);)([A-Za-z][A-Za-z0-9]{0,31});/g;

/** Replace stray "&" and HTML-only entities outside CDATA so XML text decodes as intended. */
function repairEntities(segment: string, counts: EntityCounts): string {
  if (!segment.includes('&')) return segment;
  // Valid references never reach a callback, which keeps 5 MB of escaped HTML
  // (millions of "&lt;") and a million stray "&" cheap.
  const fixed = segment.replace(STRAY_AMPERSAND, '&amp;');
  counts.stray += (fixed.length - segment.length) / 4;
  return fixed.replace(NAMED_REFERENCE, (whole, name: string) => {
    let value: string | null = null;
    if (!counts.unknown.has(name) && (knownEntities.has(name) || counts.lookups-- > 0)) value = htmlEntity(name);
    if (value === null) {
      counts.unknown.add(name);
      counts.stray++;
      return `&amp;${whole.slice(1)}`;
    }
    counts.htmlCount++;
    if (counts.html.size < 5) counts.html.add(whole);
    return [...value].map((c) => `&#${c.codePointAt(0)};`).join('');
  });
}

// XML 1.0 §2.2: these characters may not appear in a document, even as references.
// Feeds pasted from word processors carry \x0B, \x0C, \x1A …
const ILLEGAL_CHARS = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/g;

export function repairXml(input: string): Repaired {
  const warnings: string[] = [];
  let text = input;

  let controls = 0;
  text = text.replace(ILLEGAL_CHARS, () => {
    controls++;
    return '';
  });
  if (controls > 0) warnings.push(`parse: removed ${controls} illegal control character${controls === 1 ? '' : 's'}`);

  // A DOCTYPE with an internal subset that declares entities is how billion-laughs and
  // XXE attacks are delivered; no real feed needs one (RSS 0.91's DOCTYPE is external and
  // only names the Netscape DTD, which is never fetched).
  const doctype = /<!DOCTYPE\b/i.exec(text);
  if (doctype) {
    const start = doctype.index;
    const close = text.indexOf('>', start);
    const bracket = text.indexOf('[', start);
    if (bracket !== -1 && (close === -1 || bracket < close)) {
      const endRe = /\]\s*>/g;
      endRe.lastIndex = bracket;
      const end = endRe.exec(text);
      const subset = text.slice(bracket, end ? end.index : text.length);
      if (/<!ENTITY/i.test(subset)) {
        fail('the document declares entities in its DOCTYPE (entity expansion or external entity attack); refused');
      }
      text = text.slice(0, start) + (end ? text.slice(end.index + end[0].length) : '');
    }
  }

  const counts: EntityCounts = { stray: 0, htmlCount: 0, html: new Set(), unknown: new Set(), lookups: 3000 };
  const parts: string[] = [];
  const cdata = /<!\[CDATA\[[\s\S]*?(?:\]\]>|$)/g;
  let last = 0;
  for (let m = cdata.exec(text); m !== null; m = cdata.exec(text)) {
    parts.push(repairEntities(text.slice(last, m.index), counts), m[0]);
    last = m.index + m[0].length;
    if (m[0].length === 0) cdata.lastIndex++;
  }
  parts.push(repairEntities(text.slice(last), counts));
  text = parts.join('');
  if (counts.stray > 0) warnings.push(`parse: repaired ${counts.stray} stray "&"`);
  if (counts.htmlCount > 0) {
    warnings.push(`parse: replaced ${counts.htmlCount} HTML entit${counts.htmlCount === 1 ? 'y' : 'ies'} undefined in XML (${[...counts.html].join(', ')})`);
  }
  return { text, warnings };
}

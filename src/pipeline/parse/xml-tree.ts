// The repaired XML as a small tree that tracks namespaces and xml:base (htmlparser2's tokenizer
// in xmlMode), with the limits that turn hostile documents into a quick `parse` error, and the
// helpers the format readers walk it with.
import { Parser } from 'htmlparser2';
import { ParseFailure, fail } from './failure.js';
import { escapeAttr, escapeHtml, resolveUrl } from './text.js';

// Limits that turn hostile documents into a quick `parse` error. Real feeds nest a few
// dozen levels (xhtml content included) and carry a handful of attributes per element.
const MAX_DEPTH = 1000;
const MAX_ATTRIBUTES = 256;

// Namespace URIs, normalized by normNs() (lowercase, http, no trailing "/" or "#").
export const NS = {
  atom10: 'http://www.w3.org/2005/atom',
  atom03: 'http://purl.org/atom/ns',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns',
  rss10: 'http://purl.org/rss/1.0',
  rss090: 'http://my.netscape.com/rdf/simple/0.9',
  dc: 'http://purl.org/dc/elements/1.1',
  dcterms: 'http://purl.org/dc/terms',
  content: 'http://purl.org/rss/1.0/modules/content',
  xhtml: 'http://www.w3.org/1999/xhtml',
  itunes: 'http://www.itunes.com/dtds/podcast-1.0.dtd',
  media: 'http://search.yahoo.com/mrss',
} as const;

/** Namespaces RSS generators put the core elements in (RSS 2.0 has none; these are the ones seen). */
export const RSS_CORE_NAMESPACES: readonly string[] = [
  '',
  NS.rss10,
  NS.rss090,
  'http://backend.userland.com/rss',
  'http://backend.userland.com/rss2',
  'http://blogs.law.harvard.edu/tech/rss',
  'http://purl.org/rss/1.0/modules/rss091',
];

/** Atom 1.0, 0.3 and the drafts before 0.3 (Echo, Pie), and no namespace at all. */
export const ATOM_CORE_NAMESPACES: readonly string[] = [
  NS.atom10,
  NS.atom03,
  '',
  'http://purl.org/echo',
  'http://purl.org/pie',
  'http://example.com/necho',
  'http://example.com/newformat',
];

// Feeds that use dc:creator or content:encoded without declaring the prefix are common
// (hand-written templates); read the conventional prefixes as their usual namespaces.
const CONVENTIONAL_PREFIXES: Record<string, string> = {
  dc: NS.dc,
  dcterms: NS.dcterms,
  content: NS.content,
  atom: NS.atom10,
  rdf: NS.rdf,
  itunes: NS.itunes,
  media: NS.media,
  xhtml: NS.xhtml,
};

/** An undeclared prefix nobody uses conventionally: its own namespace, so `foo:title` is never the title. */
const undeclared = (prefix: string) => `urn:x-undeclared:${prefix.toLowerCase()}`;

export function normNs(uri: string): string {
  return uri.trim().toLowerCase().replace(/^https:/, 'http:').replace(/[/#]+$/, '');
}

export interface XmlText {
  kind: 'text';
  text: string;
}

export interface XmlElement {
  kind: 'element';
  name: string;
  /** Local name, lowercased: feeds vary the case of element names (`pubdate`, `PubDate`). */
  local: string;
  ns: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  parent: XmlElement | null;
  /** In-scope base URL: xml:base resolved up the tree, else the feed URL. */
  base: string;
  /** True when an xml:base on this element or an ancestor set `base`. */
  explicitBase: boolean;
  nsMap: Map<string, string>;
}

export type XmlNode = XmlText | XmlElement;

export function buildTree(text: string, feedUrl: string): XmlElement {
  const doc: XmlElement = {
    kind: 'element',
    name: '#document',
    local: '#document',
    ns: '',
    attrs: {},
    children: [],
    parent: null,
    base: feedUrl,
    explicitBase: false,
    nsMap: new Map(),
  };
  let current = doc;
  let depth = 0;
  let attrCount = 0;
  // htmlparser2 emits text in small pieces (one per entity); joining them once per run
  // of text avoids building millions of string ropes on a feed of escaped HTML.
  let pending: string[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    if (current !== doc) current.children.push({ kind: 'text', text: pending.join('') });
    pending = [];
  };

  const parser = new Parser(
    {
      onopentagname() {
        attrCount = 0;
      },
      onattribute() {
        if (++attrCount > MAX_ATTRIBUTES) fail(`an element has more than ${MAX_ATTRIBUTES} attributes`);
      },
      onopentag(name, attribs) {
        flush();
        if (++depth > MAX_DEPTH) fail(`elements nested more than ${MAX_DEPTH} deep`);
        const attrs: Record<string, string> = Object.create(null) as Record<string, string>;
        let nsMap = current.nsMap;
        for (const [k, v] of Object.entries(attribs)) {
          attrs[k] = v;
          if (k === 'xmlns' || k.startsWith('xmlns:')) {
            if (nsMap === current.nsMap) nsMap = new Map(nsMap);
            nsMap.set(k === 'xmlns' ? '' : k.slice(6), normNs(v));
          }
        }
        const colon = name.indexOf(':');
        const prefix = colon === -1 ? '' : name.slice(0, colon);
        const local = (colon === -1 ? name : name.slice(colon + 1)).toLowerCase();
        const ns = nsMap.get(prefix) ?? (prefix ? (CONVENTIONAL_PREFIXES[prefix.toLowerCase()] ?? undeclared(prefix)) : '');
        const xmlBase = attrs['xml:base'];
        const base = xmlBase !== undefined ? (resolveUrl(xmlBase, current.base) ?? current.base) : current.base;
        const el: XmlElement = {
          kind: 'element',
          name,
          local,
          ns,
          attrs,
          children: [],
          parent: current,
          base,
          explicitBase: current.explicitBase || xmlBase !== undefined,
          nsMap,
        };
        current.children.push(el);
        current = el;
      },
      onclosetag() {
        flush();
        if (current.parent) {
          current = current.parent;
          depth--;
        }
      },
      ontext(data) {
        // Text outside the root element (junk before the prolog) is dropped by flush().
        pending.push(data);
      },
    },
    { xmlMode: true, decodeEntities: true },
  );
  parser.end(text);
  flush();
  const root = doc.children.find((c): c is XmlElement => c.kind === 'element');
  if (!root) throw new ParseFailure('not_a_feed', 'parse: not a feed: no XML element found');
  return root;
}

export function elements(el: XmlElement | null | undefined): XmlElement[] {
  return el ? el.children.filter((c): c is XmlElement => c.kind === 'element') : [];
}

export function all(el: XmlElement | null | undefined, local: string, nss: readonly string[]): XmlElement[] {
  return elements(el).filter((c) => c.local === local && nss.includes(c.ns));
}

export function first(el: XmlElement | null | undefined, local: string, nss: readonly string[]): XmlElement | null {
  if (!el) return null;
  for (const c of el.children) if (c.kind === 'element' && c.local === local && nss.includes(c.ns)) return c;
  return null;
}

/** The last such child: a repeated single-valued element (two <updated>) is read as feedparser reads it. */
export function last(el: XmlElement | null | undefined, local: string, nss: readonly string[]): XmlElement | null {
  if (!el) return null;
  for (let i = el.children.length - 1; i >= 0; i--) {
    const c = el.children[i]!;
    if (c.kind === 'element' && c.local === local && nss.includes(c.ns)) return c;
  }
  return null;
}

/** The first such child holding any text: an empty <title/> before a real one is skipped. */
export function firstWithText(el: XmlElement | null | undefined, local: string, nss: readonly string[]): XmlElement | null {
  return all(el, local, nss).find((c) => trimmedText(c) !== null || hasElementChildren(c)) ?? null;
}

/**
 * The children matching the first of `names` that has any ([local, namespaces] pairs, in order of
 * preference): pubDate, else dc:date, else … without collecting the ones not needed.
 */
export function allOfFirst(el: XmlElement | null | undefined, names: readonly (readonly [string, readonly string[]])[]): XmlElement[] {
  for (const [local, nss] of names) {
    if (first(el, local, nss)) return all(el, local, nss);
  }
  return [];
}

/** The element's base when an xml:base declared it (on it or above), else null. */
export function explicitBaseOf(el: XmlElement): string | null {
  return el.explicitBase ? el.base : null;
}

export function hasElementChildren(el: XmlElement): boolean {
  return el.children.some((c) => c.kind === 'element');
}

/** All descendant text, decoded. */
export function textOf(el: XmlElement | null | undefined): string | null {
  if (!el) return null;
  let out = '';
  for (const c of el.children) out += c.kind === 'text' ? c.text : (textOf(c) ?? '');
  return out;
}

export function trimmedText(el: XmlElement | null | undefined): string | null {
  const t = textOf(el)?.trim();
  return t ? t : null;
}

const VOID_ELEMENTS = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);

/** Attributes holding one URL, which an xml:base inside the markup changes. */
const URL_ATTRIBUTES = new Set(['href', 'src', 'poster', 'cite', 'background', 'longdesc', 'action']);

/**
 * Markup children (Atom xhtml, or HTML left unescaped in an RSS description) as an HTML string.
 * HTML has no xml:base, so where an element inside declares one (its base differs from `base`,
 * the one the whole fragment will be resolved against), its URL attributes are resolved here.
 */
export function serializeChildren(el: XmlElement, base: string = el.base): string {
  let out = '';
  for (const c of el.children) {
    if (c.kind === 'text') {
      out += escapeHtml(c.text);
      continue;
    }
    // Namespace prefixes (xhtml:p) mean nothing in HTML.
    const tag = c.name.includes(':') ? c.name.slice(c.name.indexOf(':') + 1) : c.name;
    let attrs = '';
    for (const [k, v] of Object.entries(c.attrs)) {
      if (k === 'xmlns' || k.startsWith('xmlns:') || k.startsWith('xml:')) continue;
      const value = c.base !== base && URL_ATTRIBUTES.has(k.toLowerCase()) ? (resolveUrl(v, c.base) ?? v) : v;
      attrs += ` ${k}="${escapeAttr(value)}"`;
    }
    out += `<${tag}${attrs}>`;
    if (VOID_ELEMENTS.has(tag.toLowerCase())) out += serializeChildren(c, base);
    else out += `${serializeChildren(c, base)}</${tag}>`;
  }
  return out;
}

/** An element holding HTML: escaped or CDATA text, or (broken feeds) literal markup. */
export function htmlOf(el: XmlElement | null | undefined): string | null {
  if (!el) return null;
  const html = hasElementChildren(el) ? serializeChildren(el) : (textOf(el) ?? '');
  return html.trim() === '' ? null : html;
}

// Text → NormalizedFeed for RSS 0.9x/2.0, RSS 1.0 (RDF), Atom 0.3/1.0 and JSON Feed 1.0/1.1.
// The rest of the code sees only parseFeed(); docs/decisions/0001-feed-parser.md says why
// the XML is read with htmlparser2's tokenizer and mapped here rather than by a feed library.
//
// Content rule: contentHtml is the full content (content:encoded, Atom content, JSON
// content_html / escaped content_text) when present, else the description / summary;
// summaryHtml is the description / summary only when it differs from contentHtml.
import { Parser } from 'htmlparser2';
import type { FeedFormat, NormalizedEntry, NormalizedFeed, ParseResult } from '../model.js';
import { parseDate } from './dates.js';
import { findFeedLinks } from './feed-links.js';

// Limits that turn hostile documents into a quick `parse` error. Real feeds nest a few
// dozen levels (xhtml content included) and carry a handful of attributes per element.
const MAX_DEPTH = 1000;
const MAX_ATTRIBUTES = 256;

// Namespace URIs, normalized by normNs() (lowercase, http, no trailing "/" or "#").
const NS = {
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
} as const;

// Feeds that use dc:creator or content:encoded without declaring the prefix are common
// (hand-written templates); read the conventional prefixes as their usual namespaces.
const CONVENTIONAL_PREFIXES: Record<string, string> = {
  dc: NS.dc,
  dcterms: NS.dcterms,
  content: NS.content,
  atom: NS.atom10,
  rdf: NS.rdf,
  itunes: NS.itunes,
};

function normNs(uri: string): string {
  return uri.trim().toLowerCase().replace(/^https:/, 'http:').replace(/[/#]+$/, '');
}

interface XmlText {
  kind: 'text';
  text: string;
}

interface XmlElement {
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

type XmlNode = XmlText | XmlElement;

class ParseFailure extends Error {
  constructor(
    readonly code: 'parse' | 'not_a_feed',
    message: string,
  ) {
    super(message);
  }
}

function fail(message: string): never {
  throw new ParseFailure('parse', `parse: ${message}`);
}

// ---------------------------------------------------------------- URLs and text

function resolveUrl(ref: string | null | undefined, base: string): string | null {
  if (ref === null || ref === undefined) return null;
  const r = ref.trim();
  if (r === '') return null;
  try {
    return new URL(r, base).href;
  } catch {
    try {
      return new URL(r).href;
    } catch {
      return null;
    }
  }
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttr(s: string): string {
  return escapeHtml(s).replace(/"/g, '&quot;');
}

function collapse(s: string | null | undefined): string | null {
  if (s === null || s === undefined) return null;
  const t = s.replace(/\s+/g, ' ').trim();
  return t === '' ? null : t;
}

const SKIP_TEXT_OF = new Set(['script', 'style', 'template']);

// Titles are often escaped HTML, but "Jo's <Linux> Notes" is text that merely looks like a
// tag: only real HTML element names are stripped, anything else stays literal.
const HTML_TAGS = new Set(
  (
    'a abbr acronym address area article aside audio b base bdi bdo big blockquote body br button canvas caption center cite code col colgroup ' +
    'data dd del details dfn dialog div dl dt em embed fieldset figcaption figure font footer form h1 h2 h3 h4 h5 h6 head header hr html i ' +
    'iframe img input ins kbd label legend li link main map mark menu meta meter nav noscript object ol optgroup option output p param ' +
    'picture pre progress q rp rt ruby s samp script section select small source span strike strong style sub summary sup svg table tbody ' +
    'td template textarea tfoot th thead time title tr track tt u ul var video wbr math'
  ).split(' '),
);
const BLOCK_TAGS = new Set('address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table td th tr ul'.split(' '));

/** Plain text of an HTML fragment: tags stripped, HTML entities decoded, whitespace collapsed. */
function htmlToPlain(html: string | null | undefined): string | null {
  if (html === null || html === undefined) return null;
  if (!/[<&]/.test(html)) return collapse(html);
  let out = '';
  let skipping = 0;
  const literal = () => html.slice(parser.startIndex, parser.endIndex + 1);
  const parser: Parser = new Parser(
    {
      onopentag(name) {
        if (!HTML_TAGS.has(name)) out += literal();
        else if (SKIP_TEXT_OF.has(name)) skipping++;
        else if (BLOCK_TAGS.has(name)) out += ' ';
      },
      onclosetag(name, isImplied) {
        if (!HTML_TAGS.has(name)) {
          if (!isImplied) out += literal();
        } else if (SKIP_TEXT_OF.has(name)) skipping = Math.max(0, skipping - 1);
        else if (BLOCK_TAGS.has(name)) out += ' ';
      },
      ontext(text) {
        if (skipping === 0) out += text;
      },
    },
    { decodeEntities: true },
  );
  parser.end(html);
  return collapse(out);
}

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

// ---------------------------------------------------------------- repairs before tokenizing

interface Repaired {
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

function repairXml(input: string): Repaired {
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

// ---------------------------------------------------------------- tree building

function buildTree(text: string, feedUrl: string): XmlElement {
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
        const ns = nsMap.get(prefix) ?? (prefix ? (CONVENTIONAL_PREFIXES[prefix.toLowerCase()] ?? '') : '');
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

// ---------------------------------------------------------------- tree helpers

function elements(el: XmlElement | null | undefined): XmlElement[] {
  return el ? el.children.filter((c): c is XmlElement => c.kind === 'element') : [];
}

function all(el: XmlElement | null | undefined, local: string, nss: readonly string[]): XmlElement[] {
  return elements(el).filter((c) => c.local === local && nss.includes(c.ns));
}

function first(el: XmlElement | null | undefined, local: string, nss: readonly string[]): XmlElement | null {
  return all(el, local, nss)[0] ?? null;
}

function hasElementChildren(el: XmlElement): boolean {
  return el.children.some((c) => c.kind === 'element');
}

/** All descendant text, decoded. */
function textOf(el: XmlElement | null | undefined): string | null {
  if (!el) return null;
  let out = '';
  for (const c of el.children) out += c.kind === 'text' ? c.text : (textOf(c) ?? '');
  return out;
}

function trimmedText(el: XmlElement | null | undefined): string | null {
  const t = textOf(el)?.trim();
  return t ? t : null;
}

const VOID_ELEMENTS = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);

/** Markup children (Atom xhtml, or HTML left unescaped in an RSS description) as an HTML string. */
function serializeChildren(el: XmlElement): string {
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
      attrs += ` ${k}="${escapeAttr(v)}"`;
    }
    out += `<${tag}${attrs}>`;
    if (VOID_ELEMENTS.has(tag.toLowerCase())) out += serializeChildren(c);
    else out += `${serializeChildren(c)}</${tag}>`;
  }
  return out;
}

/** An element holding HTML: escaped or CDATA text, or (broken feeds) literal markup. */
function htmlOf(el: XmlElement | null | undefined): string | null {
  if (!el) return null;
  const html = hasElementChildren(el) ? serializeChildren(el) : (textOf(el) ?? '');
  return html.trim() === '' ? null : html;
}

/** "jo@example.com (Jo Bloggs)" / "Jo Bloggs <jo@example.com>" → "Jo Bloggs". */
function authorName(raw: string | null | undefined): string | null {
  const t = htmlToPlain(raw);
  if (t === null) return null;
  const paren = /^\S+@\S+\s*\((.+)\)$/.exec(t);
  if (paren?.[1]) return collapse(paren[1]);
  const angle = /^"?(.+?)"?\s*<[^<>\s]+@[^<>\s]+>$/.exec(t);
  if (angle?.[1]) return collapse(angle[1]);
  return t;
}

// ---------------------------------------------------------------- shared entry assembly

interface EntryDraft {
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

function finishEntry(d: EntryDraft, index: number, feedUrl: string, warnings: string[]): NormalizedEntry {
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

// ---------------------------------------------------------------- RSS 0.9x / 2.0 / 1.0

function rdfAbout(el: XmlElement): string | null {
  for (const [k, v] of Object.entries(el.attrs)) if (k === 'about' || k.endsWith(':about')) return v.trim() || null;
  return null;
}

function rdfResource(el: XmlElement | null): string | null {
  if (!el) return null;
  for (const [k, v] of Object.entries(el.attrs)) if (k === 'resource' || k.endsWith(':resource')) return v.trim() || null;
  return null;
}

function atomAlternate(el: XmlElement | null | undefined, nss: readonly string[]): string | null {
  const links = all(el, 'link', nss).filter((l) => (l.attrs.rel ?? 'alternate').trim().toLowerCase() === 'alternate');
  const htmlish = links.find((l) => {
    const type = (l.attrs.type ?? '').trim().toLowerCase();
    return type === '' || type === 'text/html' || type === 'application/xhtml+xml';
  });
  const chosen = htmlish ?? links[0];
  return chosen ? resolveUrl(chosen.attrs.href, chosen.base) : null;
}

// ---------------------------------------------------------------- WebSub discovery (hub, self)
// The one addition for WebSub (src/websub/): a feed's rel="hub" and rel="self" links, W3C WebSub §4.

/** rel="hub" / rel="self" links of a channel or feed element, as the `websub` field (absent when none). */
function websubLinks(el: XmlElement | null, nss: readonly string[]): Pick<NormalizedFeed, 'websub'> {
  const links = all(el, 'link', nss);
  const rels = (l: XmlElement) => (l.attrs.rel ?? '').trim().toLowerCase().split(/\s+/);
  const hubs = links.filter((l) => rels(l).includes('hub')).map((l) => resolveUrl(l.attrs.href, l.base)).filter((u): u is string => u !== null);
  const selfEl = links.find((l) => rels(l).includes('self'));
  const self = selfEl ? resolveUrl(selfEl.attrs.href, selfEl.base) : null;
  return hubs.length || self ? { websub: { hubs, self } } : {};
}

/** JSON Feed 1.1 `hubs` ([{ type, url }]) and `feed_url`. */
function jsonWebsubLinks(feed: Record<string, unknown>, feedUrl: string): Pick<NormalizedFeed, 'websub'> {
  const hubs = (Array.isArray(feed.hubs) ? feed.hubs : [])
    .map((h) => resolveUrl(str(obj(h)?.url), feedUrl))
    .filter((u): u is string => u !== null);
  const self = resolveUrl(str(feed.feed_url), feedUrl);
  return hubs.length || self ? { websub: { hubs, self } } : {};
}

function parseRss(root: XmlElement, format: 'rss' | 'rdf', feedUrl: string, warnings: string[]): NormalizedFeed {
  // RSS 2.0 has no namespace; RSS 1.0 and 0.90 put their elements in one. Accept all three,
  // plus whatever default namespace the root declares (some generators invent one).
  const core = ['', NS.rss10, NS.rss090, root.ns];
  // Some RSS 0.9x generators omit the <rss> wrapper and start at <channel>.
  const channel = root.local === 'channel' ? root : first(root, 'channel', core);
  const rawItems = root === channel ? all(root, 'item', core) : [...all(channel, 'item', core), ...all(root, 'item', core)];

  const linkEl = all(channel, 'link', core).find((l) => trimmedText(l) !== null) ?? null;
  const feedLink = linkEl ? resolveUrl(trimmedText(linkEl), linkEl.base) : atomAlternate(channel, [NS.atom10]);
  const imageEl = first(channel, 'image', core) ?? first(root, 'image', core);
  const imageUrlEl = first(imageEl, 'url', core);
  const itunesImage = first(channel, 'image', [NS.itunes]);
  const image =
    resolveUrl(trimmedText(imageUrlEl), imageUrlEl?.base ?? feedUrl) ??
    resolveUrl(rdfResource(imageEl), imageEl?.base ?? feedUrl) ??
    resolveUrl(itunesImage?.attrs.href, itunesImage?.base ?? feedUrl);

  const entries = rawItems.map((item, i) => {
    const guidEl = first(item, 'guid', core);
    const guid = trimmedText(guidEl) ?? (format === 'rdf' ? rdfAbout(item) : null);
    const itemLinkEl = all(item, 'link', core).find((l) => trimmedText(l) !== null) ?? null;
    let link = itemLinkEl ? resolveUrl(trimmedText(itemLinkEl), itemLinkEl.base) : atomAlternate(item, [NS.atom10]);
    // RSS 2.0: a guid is a permalink unless isPermaLink="false"; many feeds give only that.
    if (link === null && guidEl && (guidEl.attrs.isPermaLink ?? guidEl.attrs.ispermalink ?? 'true').trim().toLowerCase() !== 'false') {
      const g = trimmedText(guidEl);
      if (g && /^https?:\/\//i.test(g)) link = resolveUrl(g, guidEl.base);
    }
    if (link === null && format === 'rdf') link = resolveUrl(rdfAbout(item), item.base);

    const contentEl = first(item, 'encoded', [NS.content]);
    const descriptionEl = first(item, 'description', core);
    const author =
      authorName(trimmedText(first(item, 'creator', [NS.dc]))) ??
      authorName(trimmedText(first(item, 'author', core))) ??
      authorName(trimmedText(first(first(item, 'author', [NS.atom10]), 'name', [NS.atom10])));
    const pubEl =
      first(item, 'pubdate', core) ??
      first(item, 'date', [NS.dc]) ??
      first(item, 'issued', [NS.dcterms]) ??
      first(item, 'created', [NS.dcterms]) ??
      first(item, 'published', [NS.atom10]);
    const updEl = first(item, 'modified', [NS.dcterms]) ?? first(item, 'updated', [NS.atom10]);
    const contentBaseEl = contentEl ?? descriptionEl ?? item;
    return finishEntry(
      {
        guid,
        link,
        title: htmlToPlain(textOf(first(item, 'title', core))),
        author,
        content: htmlOf(contentEl),
        summary: htmlOf(descriptionEl),
        published: textOf(pubEl),
        updated: textOf(updEl),
        xmlBase: contentBaseEl.explicitBase ? contentBaseEl.base : null,
      },
      i,
      feedUrl,
      warnings,
    );
  });

  return {
    format,
    title: htmlToPlain(textOf(first(channel, 'title', core))),
    link: feedLink,
    image,
    entries,
    warnings,
    ...websubLinks(channel, [NS.atom10]),
  };
}

// ---------------------------------------------------------------- Atom 1.0 / 0.3

type AtomKind = 'text' | 'html' | 'xhtml';

/** The HTML of an Atom text construct (RFC 4287 §3.1; Atom 0.3 `mode`). */
function atomHtml(el: XmlElement | null): { html: string; kind: AtomKind } | null {
  if (!el) return null;
  if (el.attrs.src !== undefined && !hasElementChildren(el) && !trimmedText(el)) return null; // out-of-line content
  const type = (el.attrs.type ?? '').trim().toLowerCase();
  const mode = (el.attrs.mode ?? '').trim().toLowerCase();
  let html: string;
  let kind: AtomKind;
  if (mode === 'base64') {
    const decoded = Buffer.from((textOf(el) ?? '').replace(/\s+/g, ''), 'base64').toString('utf8');
    kind = type.includes('html') ? 'html' : 'text';
    html = kind === 'html' ? decoded : escapeHtml(decoded);
  } else if (hasElementChildren(el)) {
    kind = 'xhtml';
    // Atom 1.0 wraps xhtml content in one <div xmlns="…xhtml"> that is not part of it.
    const kids = elements(el);
    const onlyDiv = kids.length === 1 && kids[0]?.local === 'div' && el.children.every((c) => c.kind === 'element' || c.text.trim() === '');
    html = serializeChildren(onlyDiv && kids[0] ? kids[0] : el);
  } else if (type === 'html' || type === 'text/html' || (mode === 'escaped' && type !== 'text/plain')) {
    kind = 'html';
    html = textOf(el) ?? '';
  } else if (type === 'xhtml' || type === 'application/xhtml+xml') {
    kind = 'xhtml';
    html = escapeHtml(textOf(el) ?? '');
  } else {
    kind = 'text';
    html = escapeHtml(textOf(el) ?? '');
  }
  return html.trim() === '' ? null : { html, kind };
}

function atomPlain(el: XmlElement | null): string | null {
  const h = atomHtml(el);
  if (!h) return null;
  return h.kind === 'text' ? collapse(textOf(el)) : htmlToPlain(h.html);
}

function parseAtom(root: XmlElement, format: 'atom' | 'atom03', feedUrl: string, warnings: string[]): NormalizedFeed {
  const core = [NS.atom10, NS.atom03, ''];
  const personName = (el: XmlElement | null) => collapse(textOf(first(el, 'name', core)));
  const feedAuthor = personName(first(root, 'author', core));

  const iconEl = first(root, 'icon', core) ?? first(root, 'logo', core);
  const entries = all(root, 'entry', core).map((entry, i) => {
    const link = atomAlternate(entry, core);
    const contentEl = first(entry, 'content', core);
    const summaryEl = first(entry, 'summary', core);
    // Atom 0.3 names its dates issued / created / modified.
    const pubEl = first(entry, 'published', core) ?? first(entry, 'issued', core) ?? first(entry, 'created', core);
    const updEl = first(entry, 'updated', core) ?? first(entry, 'modified', core);
    const author =
      personName(first(entry, 'author', core)) ??
      personName(first(first(entry, 'source', core), 'author', core)) ??
      // RFC 4287 §4.2.1: an entry without an author inherits the feed's.
      feedAuthor;
    const baseEl = contentEl ?? summaryEl ?? entry;
    return finishEntry(
      {
        guid: trimmedText(first(entry, 'id', core)),
        link,
        title: atomPlain(first(entry, 'title', core)),
        author,
        content: atomHtml(contentEl)?.html ?? null,
        summary: atomHtml(summaryEl)?.html ?? null,
        published: textOf(pubEl),
        updated: textOf(updEl),
        xmlBase: baseEl.explicitBase ? baseEl.base : null,
      },
      i,
      feedUrl,
      warnings,
    );
  });

  return {
    format,
    title: atomPlain(first(root, 'title', core)),
    link: atomAlternate(root, core),
    image: iconEl ? resolveUrl(trimmedText(iconEl), iconEl.base) : null,
    entries,
    warnings,
    ...websubLinks(root, core),
  };
}

// ---------------------------------------------------------------- JSON Feed 1.0 / 1.1

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

function parseJsonFeed(text: string, feedUrl: string): NormalizedFeed {
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
  const entries = items
    .map((v) => obj(v))
    .filter((v): v is Record<string, unknown> => v !== null)
    .map((item, i) => {
      const link = resolveUrl(str(item.url), feedUrl);
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
    entries,
    warnings,
    ...jsonWebsubLinks(feed, feedUrl),
  };
}

// ---------------------------------------------------------------- sniffing and the seam

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

function notAFeed(message: string): ParseResult {
  return { kind: 'error', code: 'not_a_feed', message: `parse: not a feed: ${message}`, alternates: [] };
}

/** Parse a decoded feed document. Never throws for bad input: failures are values. */
export function parseFeed(text: string, feedUrl: string): ParseResult {
  try {
    const body = text.replace(/^\uFEFF/, '');
    const trimmed = body.trimStart();
    if (trimmed === '') return notAFeed('the document is empty');
    if (trimmed.startsWith('%PDF-')) return notAFeed('this is a PDF document');
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) return { kind: 'ok', feed: parseJsonFeed(trimmed, feedUrl) };

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
      return { kind: 'ok', feed: parseAtom(root, format, feedUrl, warnings) };
    }
    format = root.local === 'rdf' ? 'rdf' : 'rss';
    return { kind: 'ok', feed: parseRss(root, format, feedUrl, warnings) };
  } catch (err) {
    if (err instanceof ParseFailure) return { kind: 'error', code: err.code, message: err.message, alternates: [] };
    // A RangeError from a pathological document must not take the fetch pass down.
    if (err instanceof RangeError) return { kind: 'error', code: 'parse', message: `parse: ${err.message}`, alternates: [] };
    throw err;
  }
}

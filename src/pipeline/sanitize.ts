// The one HTML allowlist: untrusted feed HTML becomes safe HTML once, at ingest.
// The input is re-serialized as parsed, filtered by sanitize-html, then parsed once more so every URL is resolved against the entry's base and re-checked.
import sanitizeHtml from 'sanitize-html';
import { DomUtils, ElementType, Parser, parseDocument } from 'htmlparser2';

type DomDocument = ReturnType<typeof parseDocument>;
type DomNode = DomDocument['children'][number];
/** The parts of htmlparser2's DOM nodes this module reads. */
interface DomElement {
  name: string;
  attribs: Record<string, string>;
  children: DomNode[];
}
interface DomText {
  data: string;
}

function isElement(node: DomNode): node is DomNode & DomElement {
  return node.type === ElementType.Tag || node.type === ElementType.Script || node.type === ElementType.Style;
}

function isText(node: DomNode): node is DomNode & DomText {
  return node.type === ElementType.Text;
}

/**
 * Origins whose players may be framed. The HTTP layer builds its Content-Security-Policy
 * `frame-src` from this list, so a player allowed here is never blocked there (and vice versa).
 */
export const IFRAME_ORIGINS: readonly string[] = [
  'https://www.youtube.com',
  'https://youtube.com',
  'https://www.youtube-nocookie.com',
  'https://player.vimeo.com',
];

/** Path each framed origin must serve the player from: the embed page, never the full site. */
const IFRAME_PATH_PREFIX: Readonly<Record<string, string>> = {
  'https://www.youtube.com': '/embed/',
  'https://youtube.com': '/embed/',
  'https://www.youtube-nocookie.com': '/embed/',
  'https://player.vimeo.com': '/video/',
};

/**
 * Players need scripts, and their own origin's storage (allow-same-origin is safe because only the
 * third-party origins above are ever framed, never ours). allow-presentation lets a viewer cast,
 * allow-popups (+ escape) lets "watch on …" open a normal, unsandboxed tab. No top navigation, no forms.
 */
export const IFRAME_SANDBOX =
  'allow-scripts allow-same-origin allow-presentation allow-popups allow-popups-to-escape-sandbox';

/** YouTube's player refuses to play without a referrer origin; the path of our page is not its business. */
const IFRAME_REFERRER_POLICY = 'strict-origin-when-cross-origin';

const LINK_REL = 'nofollow noopener noreferrer';

/** Harmless on any element: tooltips, and language/direction for posts in RTL scripts. */
const GLOBAL_ATTRIBUTES = ['title', 'lang', 'dir'];

/**
 * Allowed elements and their own attributes, in the order they are written out (a fixed order
 * keeps sanitizing idempotent). Attributes we set ourselves (rel, loading, sandbox …) are not listed:
 * whatever the feed put there is ignored.
 */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  // text structure
  p: [], br: [], hr: [], div: [], span: [], wbr: [],
  b: [], strong: [], i: [], em: [], u: [], s: [], mark: [], small: [], big: [],
  sub: [], sup: [], kbd: [], samp: [], var: [], code: [], pre: [],
  blockquote: ['cite'], q: ['cite'], cite: [], dfn: [], abbr: [],
  del: ['cite', 'datetime'], ins: ['cite', 'datetime'], time: ['datetime'],
  bdi: [], bdo: [], ruby: [], rt: [], rp: [],
  h3: [], h4: [], h5: [], h6: [],
  // lists and tables
  ul: [], ol: ['start', 'reversed', 'type'], li: ['value'], dl: [], dt: [], dd: [],
  table: [], caption: [], colgroup: ['span'], col: ['span'], thead: [], tbody: [], tfoot: [], tr: [],
  th: ['colspan', 'rowspan', 'scope', 'abbr'], td: ['colspan', 'rowspan'],
  // figures and media
  figure: [], figcaption: [], picture: [],
  img: ['src', 'srcset', 'sizes', 'alt', 'width', 'height'],
  source: ['src', 'srcset', 'sizes', 'media', 'type', 'width', 'height'],
  video: ['src', 'poster', 'width', 'height', 'loop', 'muted', 'playsinline', 'preload'],
  audio: ['src', 'loop', 'muted', 'preload'],
  track: ['src', 'kind', 'srclang', 'label', 'default'],
  iframe: ['src', 'width', 'height'],
  details: ['open'], summary: [],
  a: ['href', 'hreflang'],
};

/**
 * Elements renamed rather than dropped: sectioning and landmark elements would add landmarks to the
 * page's outline, but dropping them would glue paragraphs together; h1/h2 would outrank the page's
 * own headings (h1 planet, h2 day). A clamp, not a shift, so a second pass changes nothing.
 */
const RENAMED: Readonly<Record<string, string>> = {
  h1: 'h3', h2: 'h3',
  section: 'div', article: 'div', aside: 'div', header: 'div', footer: 'div', nav: 'div',
  main: 'div', center: 'div', hgroup: 'div', address: 'div',
  tt: 'code', strike: 's', font: 'span', listing: 'pre',
};

/**
 * Dropped together with everything inside: code, styles, raw-text and form elements, frames and
 * plugins, and SVG/MathML (foreign content is where mutation XSS lives; their text out of context,
 * icon titles or a formula's glyph soup, reads as noise).
 */
const DROPPED_WITH_CONTENT = [
  'script', 'style', 'noscript', 'template', 'textarea', 'title', 'xmp', 'plaintext', 'noembed',
  'noframes', 'option', 'select', 'datalist', 'button', 'object', 'embed', 'applet', 'frameset',
  'frame', 'svg', 'math', 'head', 'canvas', 'map', 'dialog', 'portal', 'param',
];

const VOID_ELEMENTS = new Set(['br', 'hr', 'wbr', 'img', 'source', 'track', 'col']);
const BOOLEAN_ATTRIBUTES = new Set([
  'reversed', 'loop', 'muted', 'playsinline', 'default', 'open', 'controls', 'allowfullscreen',
]);
/** Non-boolean attributes that mean something when empty (alt="" marks a decorative image). */
const EMPTY_ALLOWED = new Set(['alt']);

/**
 * Start tags that implicitly close the open element named in the set (the union of the tables of
 * the two htmlparser2 versions in play). Once an element between them is unwrapped, writing such a
 * pair nested would be read back differently; the inner element is unwrapped too, so a second
 * sanitizing pass reads the same tree (idempotence) and the browser no surprise structure.
 */
const HEADINGS_AND_P = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p']);
const IMPLIES_CLOSE: ReadonlyMap<string, ReadonlySet<string>> = new Map<string, ReadonlySet<string>>([
  ['tr', new Set(['tr', 'th', 'td'])],
  ['th', new Set(['th'])],
  ['td', new Set(['thead', 'th', 'td'])],
  ['a', new Set(['a'])],
  ['li', new Set(['li'])],
  ['dd', new Set(['dd', 'dt'])],
  ['dt', new Set(['dd', 'dt'])],
  ['rt', new Set(['rt', 'rp'])],
  ['rp', new Set(['rt', 'rp'])],
  ['tbody', new Set(['thead', 'tbody'])],
  ['tfoot', new Set(['thead', 'tbody'])],
  ...['h3', 'h4', 'h5', 'h6'].map((h): [string, ReadonlySet<string>] => [h, HEADINGS_AND_P]),
  ...['p', 'blockquote', 'details', 'div', 'dl', 'figcaption', 'figure', 'hr', 'ol', 'pre', 'table', 'ul'].map(
    (tag): [string, ReadonlySet<string>] => [tag, new Set(['p'])],
  ),
]);

/** Deeper markup is flattened: bounds the recursion of pass 2 on a hostile feed. */
const NESTING_LIMIT = 100;

const PASS_ONE: sanitizeHtml.IOptions = {
  allowedTags: [...Object.keys(ALLOWED), ...Object.keys(RENAMED)],
  allowedAttributes: {
    '*': GLOBAL_ATTRIBUTES,
    ...Object.fromEntries(Object.entries(ALLOWED).map(([tag, attrs]) => [tag, [...attrs]])),
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https', 'data'] },
  allowedSchemesAppliedToAttributes: ['href', 'src', 'cite', 'poster'],
  // Protocol-relative URLs are resolved against the base in pass 2 and judged like any other.
  allowProtocolRelative: true,
  // (allowedEmptyAttributes defaults to ['alt'], which is what we want; the typings lag behind.)
  disallowedTagsMode: 'discard',
  nonTextTags: DROPPED_WITH_CONTENT,
  nestingLimit: NESTING_LIMIT,
  parser: { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
};

/** Untrusted feed HTML → safe, well-formed HTML whose every URL is absolute and re-checked. */
export function sanitizeContent(html: string, baseUrl: string): string {
  const base = usableBase(baseUrl);
  const parsed = parseDocument(html, { decodeEntities: true });
  const firstPass = sanitizeHtml(reserialize(parsed.children, base), PASS_ONE);
  const doc = parseDocument(firstPass, { decodeEntities: true });
  return renderChildren(doc.children, { base, parent: null });
}

/** Elements htmlparser2 (and browsers) never give children; no end tag is written for them. */
const PARSER_VOID = new Set([
  'area', 'base', 'basefont', 'br', 'col', 'command', 'embed', 'frame', 'hr', 'img', 'input', 'isindex',
  'keygen', 'link', 'meta', 'param', 'source', 'track', 'wbr',
]);

/**
 * The parsed tree written back out, every element explicit and all text escaped. sanitize-html
 * bundles an older htmlparser2 that, unlike browsers and the current one, reads markup inside
 * noembed, noframes, plaintext and iframe; handing it this canonical form makes pass 1 see the tree
 * pass 2 and the reader's browser see, so nothing hidden from the browser resurfaces as content.
 * Attribute names that could not survive being written back are dropped here.
 */
function reserialize(nodes: readonly DomNode[], base: URL | null, depth = 0): string {
  let out = '';
  for (const node of nodes) {
    if (depth >= NESTING_LIMIT) {
      out += escapeText(flatText(node));
    } else if (isText(node)) {
      out += escapeText(node.data);
    } else if (isElement(node)) {
      // A name the tokenizer let through with quotes or brackets in it is no element we know.
      if (!/^[a-z][a-z0-9:-]*$/i.test(node.name)) {
        out += reserialize(node.children, base, depth + 1);
        continue;
      }
      out += '<' + node.name;
      for (const [attr, value] of Object.entries(node.attribs)) {
        if (!/^[^\s"'<>\/=\u0000-\u001f\u007f]+$/.test(attr)) continue;
        // sanitize-html's srcset parser logs every malformed candidate to stdout: hand it clean ones.
        const written = attr === 'srcset' ? checkSrcset(value, base) : value;
        if (written !== null) out += ` ${attr}="${escapeAttribute(written)}"`;
      }
      out += '>';
      if (!PARSER_VOID.has(node.name)) out += reserialize(node.children, base, depth + 1) + `</${node.name}>`;
    }
  }
  return out;
}

/**
 * Text of a subtree nested deeper than NESTING_LIMIT, gathered without recursion: a hostile feed
 * of 100,000 nested tags must cost a flat string, not the call stack.
 */
function flatText(root: DomNode): string {
  let text = '';
  const stack: DomNode[] = [root];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (isText(node)) text += node.data;
    else if (isElement(node) && !DROPPED_WITH_CONTENT.includes(node.name)) {
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i] as DomNode);
    }
  }
  return text;
}

interface RenderContext {
  base: URL | null;
  /** Name of the nearest allowed ancestor, for elements only meaningful inside one. */
  parent: string | null;
}

/** A base that is not http(s) could lend its scheme to a bare `#fragment`; relative URLs then go. */
function usableBase(baseUrl: string): URL | null {
  try {
    const url = new URL(baseUrl);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}

function renderChildren(nodes: readonly DomNode[], ctx: RenderContext): string {
  let out = '';
  for (const node of nodes) out += renderNode(node, ctx);
  return out;
}

function renderNode(node: DomNode, ctx: RenderContext): string {
  if (isText(node)) return escapeText(node.data);
  if (!isElement(node)) return ''; // comments, directives, CDATA
  const name = RENAMED[node.name] ?? node.name;
  const ownAttrs = ALLOWED[name];
  if (ownAttrs === undefined) {
    // Pass 1 already filtered; this is the belt to its braces.
    return DROPPED_WITH_CONTENT.includes(node.name) ? '' : renderChildren(node.children, ctx);
  }
  if (ctx.parent !== null && IMPLIES_CLOSE.get(name)?.has(ctx.parent)) {
    return renderChildren(node.children, ctx);
  }
  const attrs = new Map<string, string>();
  for (const attr of [...ownAttrs, ...GLOBAL_ATTRIBUTES]) {
    const raw = node.attribs[attr];
    if (raw === undefined) continue;
    const value = checkAttribute(name, attr, raw, ctx.base);
    if (value !== null) attrs.set(attr, value);
  }
  const inner = (): string => renderChildren(node.children, { base: ctx.base, parent: name });

  switch (name) {
    case 'a':
      if (!attrs.has('href')) return renderChildren(node.children, ctx); // a dead anchor: keep its text
      attrs.set('rel', LINK_REL);
      break;
    case 'img':
      if (!attrs.has('src') || isTrackingPixel(attrs)) return '';
      attrs.set('loading', 'lazy');
      break;
    case 'source':
      if (ctx.parent === 'picture' ? !attrs.has('srcset') : !attrs.has('src')) return '';
      if (ctx.parent !== 'picture' && ctx.parent !== 'video' && ctx.parent !== 'audio') return '';
      break;
    case 'track':
      if (!attrs.has('src') || (ctx.parent !== 'video' && ctx.parent !== 'audio')) return '';
      break;
    case 'video':
    case 'audio':
      // Without scripts and autoplay, controls are the only way to start playback.
      attrs.set('controls', '');
      break;
    case 'iframe': {
      const src = attrs.get('src');
      if (src === undefined) return '';
      attrs.set('sandbox', IFRAME_SANDBOX);
      attrs.set('loading', 'lazy');
      attrs.set('allowfullscreen', '');
      attrs.set('referrerpolicy', IFRAME_REFERRER_POLICY);
      // Children of an iframe are raw text to browsers: never content.
      return openTag(name, attrs) + '</iframe>';
    }
    case 'picture': {
      const body = inner();
      // A picture whose img was dropped shows nothing.
      return body.includes('<img') ? openTag(name, attrs) + body + '</picture>' : '';
    }
    default:
      break;
  }
  if (VOID_ELEMENTS.has(name)) return openTag(name, attrs);
  return openTag(name, attrs) + inner() + `</${name}>`;
}

function openTag(name: string, attrs: ReadonlyMap<string, string>): string {
  let out = '<' + name;
  for (const [attr, value] of attrs) {
    out += BOOLEAN_ATTRIBUTES.has(attr) ? ' ' + attr : ` ${attr}="${escapeAttribute(value)}"`;
  }
  return out + '>';
}

/** The value to write for one allowed attribute, or null to drop it. */
function checkAttribute(tag: string, attr: string, raw: string, base: URL | null): string | null {
  if (BOOLEAN_ATTRIBUTES.has(attr)) return '';
  const value = raw.trim();
  if (value === '' && !EMPTY_ALLOWED.has(attr)) return null;
  switch (attr) {
    case 'href':
      return checkUrl(value, base, tag === 'a' ? LINK_SCHEMES : WEB_SCHEMES);
    case 'src':
      if (tag === 'iframe') return checkIframeSrc(value, base);
      if (tag === 'img') return checkImageSrc(value, base);
      return checkUrl(value, base, WEB_SCHEMES);
    case 'poster':
    case 'cite':
      return checkUrl(value, base, WEB_SCHEMES);
    case 'srcset':
      return checkSrcset(value, base);
    case 'width':
    case 'height':
      return checkDimension(value);
    case 'dir':
      return /^(ltr|rtl|auto)$/i.test(value) ? value.toLowerCase() : null;
    default:
      return raw;
  }
}

const WEB_SCHEMES = new Set(['http:', 'https:']);
const LINK_SCHEMES = new Set(['http:', 'https:', 'mailto:']);
/** Raster formats only: an SVG image is a document of its own. */
const DATA_IMAGE = /^data:image\/(png|gif|jpeg|webp|avif)[;,]/i;

/**
 * Resolve against the base the way a browser would (WHATWG URL strips the tabs, newlines and
 * control characters that hide a scheme), then judge the scheme of the result. The value written
 * is the resolved one, so what was checked is exactly what the reader's browser gets.
 */
function resolveUrl(value: string, base: URL | null): URL | null {
  try {
    return base === null ? new URL(value) : new URL(value, base);
  } catch {
    return null;
  }
}

function checkUrl(value: string, base: URL | null, schemes: ReadonlySet<string>): string | null {
  const url = resolveUrl(value, base);
  return url !== null && schemes.has(url.protocol) ? url.href : null;
}

function checkImageSrc(value: string, base: URL | null): string | null {
  const url = resolveUrl(value, base);
  if (url === null) return null;
  if (WEB_SCHEMES.has(url.protocol)) return url.href;
  return url.protocol === 'data:' && DATA_IMAGE.test(url.href) ? url.href : null;
}

function checkIframeSrc(value: string, base: URL | null): string | null {
  const url = resolveUrl(value, base);
  if (url === null) return null;
  if (url.protocol === 'http:') url.protocol = 'https:'; // never mixed content
  if (url.protocol !== 'https:' || url.username !== '' || url.password !== '') return null;
  const prefix = IFRAME_PATH_PREFIX[url.origin];
  if (prefix === undefined || !url.pathname.startsWith(prefix)) return null;
  return url.pathname.length > prefix.length ? url.href : null;
}

/** srcset candidates (HTML § "parse a srcset attribute", simplified): http(s) only, bad ones dropped. */
function checkSrcset(value: string, base: URL | null): string | null {
  const kept: string[] = [];
  for (const { url, descriptor } of parseSrcset(value)) {
    if (!/^(\d+w|\d+(\.\d+)?x)?$/.test(descriptor)) continue; // a lone `h` is invalid
    let resolved = checkUrl(url, base, WEB_SCHEMES);
    if (resolved === null) continue;
    // A trailing comma would be read back as a separator.
    resolved = resolved.replace(/,+$/, (commas) => '%2C'.repeat(commas.length));
    kept.push(descriptor === '' ? resolved : `${resolved} ${descriptor}`);
  }
  return kept.length > 0 ? kept.join(', ') : null;
}

function parseSrcset(value: string): { url: string; descriptor: string }[] {
  const candidates: { url: string; descriptor: string }[] = [];
  const isSpace = (c: string | undefined): boolean => c !== undefined && /[\t\n\f\r ]/.test(c);
  let i = 0;
  while (i < value.length) {
    while (i < value.length && (isSpace(value[i]) || value[i] === ',')) i++;
    if (i >= value.length) break;
    const start = i;
    while (i < value.length && !isSpace(value[i])) i++;
    let url = value.slice(start, i);
    let descriptor = '';
    if (url.endsWith(',')) {
      url = url.replace(/,+$/, '');
    } else {
      let depth = 0;
      const descStart = i;
      while (i < value.length) {
        const c = value[i];
        if (c === '(') depth++;
        else if (c === ')') depth = Math.max(0, depth - 1);
        else if (c === ',' && depth === 0) break;
        i++;
      }
      descriptor = value.slice(descStart, i).trim().replace(/\s+/g, ' ');
    }
    candidates.push({ url, descriptor });
  }
  return candidates;
}

/** Pixel counts (a "px" suffix is tolerated and dropped) or percentages; anything else goes. */
function checkDimension(value: string): string | null {
  const match = /^(\d{1,5}(?:\.\d+)?)(px|%)?$/i.exec(value);
  if (match === null) return null;
  return match[2] === '%' ? `${match[1]}%` : (match[1] ?? null);
}

/** Width and height both at most one pixel: a read receipt, not an image. */
function isTrackingPixel(attrs: ReadonlyMap<string, string>): boolean {
  const w = attrs.get('width');
  const h = attrs.get('height');
  if (w === undefined || h === undefined || w.endsWith('%') || h.endsWith('%')) return false;
  return Number(w) <= 1 && Number(h) <= 1;
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttribute(value: string): string {
  return escapeText(value).replace(/"/g, '&quot;');
}

/** Elements whose end separates words in plain text. */
const TEXT_BREAKS = new Set([
  'p', 'div', 'br', 'hr', 'li', 'dt', 'dd', 'tr', 'td', 'th', 'caption', 'figcaption', 'blockquote',
  'pre', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'section', 'article', 'header', 'footer', 'aside',
  'nav', 'main', 'address', 'ul', 'ol', 'dl', 'table', 'figure', 'details', 'summary', 'img',
]);
const TEXT_SKIPPED = new Set([
  'script', 'style', 'noscript', 'template', 'textarea', 'select', 'svg', 'math', 'iframe',
  'object', 'head', 'title',
]);

/** Plain text for titles, author names and search snippets: tags gone, entities decoded, spaces collapsed. */
export function htmlToText(html: string): string {
  let text = '';
  let skipping = 0;
  const parser = new Parser(
    {
      onopentag(name) {
        if (TEXT_SKIPPED.has(name)) skipping++;
        else if (TEXT_BREAKS.has(name)) text += ' ';
      },
      onclosetag(name) {
        if (TEXT_SKIPPED.has(name)) skipping = Math.max(0, skipping - 1);
        else if (TEXT_BREAKS.has(name)) text += ' ';
      },
      ontext(data) {
        if (skipping === 0) text += data;
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  return text
    .replace(/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * A well-formed prefix of already sanitized HTML with at most about maxChars of text: whole
 * top-level blocks while they fit; when even the first does not, it is cut at a word and ends in "…".
 */
export function excerptHtml(html: string, maxChars: number): string {
  const doc = parseDocument(html, { decodeEntities: true });
  let out = '';
  let used = 0;
  for (const node of doc.children) {
    const length = DomUtils.textContent(node).replace(/\s+/g, ' ').trim().length;
    if (used + length <= maxChars) {
      out += serializeNode(node, { budget: Infinity, emitted: true });
      used += length;
      continue;
    }
    if (used === 0) out += serializeNode(node, { budget: maxChars, emitted: false });
    break;
  }
  return out;
}

interface Budget {
  budget: number;
  /** Some text was already written: a word too long to fit is left out rather than cut. */
  emitted: boolean;
}

/** Serializes sanitized DOM, spending `budget` characters of text; the text node that overruns it is cut. */
function serializeNode(node: DomNode, state: Budget): string {
  if (state.budget <= 0) return '';
  if (isText(node)) {
    const collapsed = node.data.replace(/\s+/g, ' ');
    if (collapsed.length <= state.budget) {
      state.budget -= collapsed.length;
      if (collapsed.trim() !== '') state.emitted = true;
      return escapeText(node.data);
    }
    const cut = collapsed.slice(0, state.budget + 1);
    const atWord = cut.lastIndexOf(' ');
    // Never end on half a word, unless that word is all there is.
    const kept = (atWord >= 0 ? cut.slice(0, atWord) : state.emitted ? '' : cut.slice(0, state.budget)).trimEnd();
    state.budget = 0;
    return escapeText(kept) + '…';
  }
  if (!isElement(node)) return '';
  let open = '<' + node.name;
  for (const [attr, value] of Object.entries(node.attribs)) {
    open += BOOLEAN_ATTRIBUTES.has(attr) ? ' ' + attr : ` ${attr}="${escapeAttribute(value)}"`;
  }
  open += '>';
  if (VOID_ELEMENTS.has(node.name)) return open;
  let inner = '';
  for (const child of node.children) inner += serializeNode(child, state);
  return open + inner + `</${node.name}>`;
}

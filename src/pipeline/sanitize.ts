// The one HTML allowlist: untrusted feed HTML becomes safe HTML once, at ingest.
// The input is parsed once and written back out by an allowlist serializer that resolves every URL against the entry's base and re-checks it.
import { Parser } from 'htmlparser2';

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
 * Start tags that implicitly close the open element named in the set (htmlparser2 12's table, with
 * the entries of the older version once used here kept: unwrapping more is harmless). Once an element
 * between them is unwrapped, writing such a pair nested would be read back differently; the inner
 * element is unwrapped too, so a second sanitizing pass reads the same tree (idempotence) and the
 * browser no surprise structure.
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

/** Deeper markup is flattened to its text: bounds the tree, and the renderer's recursion. */
const NESTING_LIMIT = 100;

/**
 * htmlparser2 keeps its open elements in an array it shifts at the front (and scans on every
 * unmatched end tag), so its cost grows with the square of the depth: 350,000 nested tags took
 * minutes. Its stack is never allowed past this depth: the parser is stopped there and the rest of
 * the input parsed by a fresh one (whose text lands, flattened, where the first one stopped).
 */
const MAX_PARSE_DEPTH = 500;

/**
 * Longest input handed to the parser, in UTF-16 code units (1 MiB of ASCII). Longer content is cut
 * there, before a `<` when one is near, and parsed like any other: the parser closes what is left
 * open, so the cut costs text, never safety.
 */
export const MAX_CONTENT_LENGTH = 1 << 20;

// Lookups by element name go through Maps: a feed may name an element `constructor` or `__proto__`.
const ALLOWED_ATTRS: ReadonlyMap<string, readonly string[]> = new Map(
  Object.entries(ALLOWED).map(([tag, attrs]) => [tag, [...attrs, ...GLOBAL_ATTRIBUTES]]),
);
const RENAMES: ReadonlyMap<string, string> = new Map(Object.entries(RENAMED));
const DROPPED: ReadonlySet<string> = new Set(DROPPED_WITH_CONTENT);

/**
 * Untrusted feed HTML → safe, well-formed HTML whose every URL is absolute and re-checked.
 * One parse (htmlparser2 12, which reads raw-text elements the way browsers do) into a tree at
 * most NESTING_LIMIT deep, then our own allowlist serializer writes only known elements and
 * attributes from it.
 */
export function sanitizeContent(html: string, baseUrl: string): string {
  const base = usableBase(baseUrl);
  return renderChildren(buildTree(capLength(html)).children, base, null);
}

/** The input cut to MAX_CONTENT_LENGTH: before the last `<` of its final KiB if any, never inside a surrogate pair. */
function capLength(html: string): string {
  if (html.length <= MAX_CONTENT_LENGTH) return html;
  let end = html.lastIndexOf('<', MAX_CONTENT_LENGTH);
  if (end < MAX_CONTENT_LENGTH - 1024) end = MAX_CONTENT_LENGTH;
  const last = html.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return html.slice(0, end);
}

/** The tree the renderer reads: elements and (entity-decoded) text; comments and directives are not kept. */
interface TreeElement {
  name: string;
  attribs: Record<string, string>;
  children: TreeNode[];
}
type TreeNode = TreeElement | string;

/**
 * Builds the tree from the parser's events. Elements opened NESTING_LIMIT deep or deeper are not
 * built: their text is appended to the deepest built element, except inside what the renderer
 * drops with its contents (and an iframe's raw text), which stays dropped.
 */
class TreeBuilder {
  readonly root: TreeElement = { name: '', attribs: {}, children: [] };
  private readonly open: TreeElement[] = [this.root];
  /** Open elements past NESTING_LIMIT, not built. */
  private hidden = 0;
  /** How many of the hidden ones are inside one whose content is dropped. */
  private skipped = 0;
  /** Depth of the current parser's own stack, and where to restart once it reaches MAX_PARSE_DEPTH. */
  private parserDepth = 0;
  private parser: Parser | null = null;
  restartAt = -1;

  parse(html: string): void {
    for (let from = 0; from < html.length; ) {
      this.parserDepth = 0;
      this.restartAt = -1;
      const parser = new Parser(this, { decodeEntities: true });
      this.parser = parser;
      parser.write(from === 0 ? html : html.slice(from));
      if (this.restartAt < 0) {
        parser.end();
        break;
      }
      from += this.restartAt;
    }
    this.parser = null;
  }

  onopentag(name: string, attribs: Record<string, string>): void {
    if (this.restartAt >= 0) return;
    if (this.parserDepth >= MAX_PARSE_DEPTH && this.parser !== null) {
      // This tag and all after it go to a fresh parser; this one is never resumed.
      this.restartAt = this.parser.startIndex;
      this.parser.pause();
      return;
    }
    this.parserDepth++;
    if (this.hidden === 0 && this.open.length <= NESTING_LIMIT) {
      const element: TreeElement = { name, attribs, children: [] };
      (this.open[this.open.length - 1] as TreeElement).children.push(element);
      this.open.push(element);
    } else {
      this.hidden++;
      if (this.skipped > 0 || DROPPED.has(name) || name === 'iframe') this.skipped++;
    }
  }

  onclosetag(): void {
    if (this.restartAt >= 0) return;
    this.parserDepth--;
    if (this.hidden > 0) {
      this.hidden--;
      if (this.skipped > 0) this.skipped--;
    } else if (this.open.length > 1) {
      this.open.pop();
    }
  }

  ontext(data: string): void {
    if (this.restartAt >= 0 || this.skipped > 0) return;
    const children = (this.open[this.open.length - 1] as TreeElement).children;
    const last = children.length - 1;
    if (last >= 0 && typeof children[last] === 'string') children[last] += data;
    else children.push(data);
  }
}

function buildTree(html: string): TreeElement {
  const builder = new TreeBuilder();
  builder.parse(html);
  return builder.root;
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

/** `parent` is the name of the nearest written ancestor, for elements only meaningful inside one. */
function renderChildren(nodes: readonly TreeNode[], base: URL | null, parent: string | null): string {
  let out = '';
  for (const node of nodes) out += typeof node === 'string' ? escapeText(node) : renderElement(node, base, parent);
  return out;
}

function renderElement(node: TreeElement, base: URL | null, parent: string | null): string {
  const name = RENAMES.get(node.name) ?? node.name;
  const attrNames = ALLOWED_ATTRS.get(name);
  if (attrNames === undefined) {
    // Unknown or disallowed: unwrapped, or dropped with its contents.
    return DROPPED.has(node.name) ? '' : renderChildren(node.children, base, parent);
  }
  if (parent !== null && IMPLIES_CLOSE.get(name)?.has(parent)) {
    return renderChildren(node.children, base, parent);
  }
  const attrs = new Map<string, string>();
  const attribs = node.attribs;
  for (const attr of attrNames) {
    const raw = attribs[attr];
    if (raw === undefined) continue;
    const value = checkAttribute(name, attr, raw, base);
    if (value !== null) attrs.set(attr, value);
  }

  switch (name) {
    case 'a':
      if (!attrs.has('href')) return renderChildren(node.children, base, parent); // a dead anchor: keep its text
      attrs.set('rel', LINK_REL);
      break;
    case 'img':
      if (!attrs.has('src') || isTrackingPixel(attrs)) return '';
      attrs.set('loading', 'lazy');
      break;
    case 'source':
      if (parent === 'picture' ? !attrs.has('srcset') : !attrs.has('src')) return '';
      if (parent !== 'picture' && parent !== 'video' && parent !== 'audio') return '';
      break;
    case 'track':
      if (!attrs.has('src') || (parent !== 'video' && parent !== 'audio')) return '';
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
      const body = renderChildren(node.children, base, name);
      // A picture whose img was dropped shows nothing.
      return body.includes('<img') ? openTag(name, attrs) + body + '</picture>' : '';
    }
    default:
      break;
  }
  if (VOID_ELEMENTS.has(name)) return openTag(name, attrs);
  return openTag(name, attrs) + renderChildren(node.children, base, name) + '</' + name + '>';
}

function openTag(name: string, attrs: ReadonlyMap<string, string>): string {
  let out = '<' + name;
  for (const [attr, value] of attrs) {
    out += BOOLEAN_ATTRIBUTES.has(attr) ? ' ' + attr : ' ' + attr + '="' + escapeAttribute(value) + '"';
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

let lastMediaBase: { text: string; url: URL | null } = { text: '', url: null };

/**
 * The URL of an attached file (an enclosure), judged as the allowlist judges a media `src`: resolved
 * against `baseUrl`, http(s) only, and for an image also a raster `data:` URL. Null when refused.
 */
export function safeMediaUrl(value: string, baseUrl: string, image: boolean): string | null {
  // An item's enclosures share one base: parse it once.
  if (baseUrl !== lastMediaBase.text) lastMediaBase = { text: baseUrl, url: usableBase(baseUrl) };
  const base = lastMediaBase.url;
  const trimmed = value.trim();
  if (trimmed === '') return null;
  return image ? checkImageSrc(trimmed, base) : checkUrl(trimmed, base, WEB_SCHEMES);
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

const TEXT_SPECIAL = /[&<>]/;
const ATTRIBUTE_SPECIAL = /[&<>"]/;

function escapeText(text: string): string {
  if (!TEXT_SPECIAL.test(text)) return text;
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttribute(value: string): string {
  if (!ATTRIBUTE_SPECIAL.test(value)) return value;
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

/**
 * Plain text of any HTML, by a full parse: tags gone, entities decoded, spaces collapsed. Stored
 * entries are sanitizeContent's output and use the cheaper sanitizedHtmlToText below, which the
 * tests hold to agree with this one on that output.
 */
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
 * Plain text of HTML that sanitizeContent wrote — what the search index stores. That output is
 * regular by construction (every `<`, `>`, `&` and `"` in text and attribute values is escaped
 * as one of four entities), so tags and entities can be taken out with two regular expressions
 * instead of a parse: a 5× saving on the 20,000 entries of a cold pass.
 */
export function sanitizedHtmlToText(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(amp|lt|gt|quot);/g, (_m, name: string) => SANITIZED_ENTITIES[name]!)
    .replace(/\s+/g, ' ')
    .trim();
}

const SANITIZED_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"' };

/**
 * The words of HTML that sanitizeContent wrote, as the search index reads them: each tag and each
 * of the four entities that output escapes becomes a space. The index's tokenizer splits words on
 * spaces and punctuation alike (`&`, `<`, `>` and `"` among them), so it finds the same words at
 * the same positions as in sanitizedHtmlToText's text, for an eighth of the time: one replace,
 * with no callback and no pass to collapse spaces (0.1 s instead of 1 s on a cold pass's 20,000
 * posts, which the pass indexes at its end, on its own).
 */
export function sanitizedHtmlToSearchText(html: string): string {
  return html.replace(/<[^>]*>|&(?:amp|lt|gt|quot);/g, ' ');
}

// Text and URL helpers shared by the format readers: resolving a link against its base,
// escaping text into HTML, collapsing whitespace, and plain text of HTML-ish titles and names.
import { Parser } from 'htmlparser2';

export function resolveUrl(ref: string | null | undefined, base: string): string | null {
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

/**
 * An entry id as feedparser reads it: resolved against the in-scope base when it is a relative
 * reference (`/2009/07/post`, or anything under a declared xml:base). An id with a scheme (`tag:`,
 * `urn:`, `http:`) is kept, and so is a bare word or number (`42`, `post-2`) with no xml:base in
 * scope: RSS guids are any string, and resolving those against the feed's own URL would change
 * their identity whenever the feed moves.
 */
export function resolveId(raw: string | null | undefined, base: string, explicitBase: boolean): string | null {
  const id = raw?.trim();
  if (!id) return null;
  if (/^[a-z][a-z0-9+.-]*:/i.test(id)) return id;
  if (!explicitBase && !/^[/.?]/.test(id) && !id.includes('/')) return id;
  const resolved = resolveUrl(id, base);
  return resolved !== null && /^https?:/i.test(resolved) ? resolved : id;
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeAttr(s: string): string {
  return escapeHtml(s).replace(/"/g, '&quot;');
}

export function collapse(s: string | null | undefined): string | null {
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
export function htmlToPlain(html: string | null | undefined): string | null {
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


/** "jo@example.com (Jo Bloggs)" / "Jo Bloggs <jo@example.com>" → "Jo Bloggs". */
export function authorName(raw: string | null | undefined): string | null {
  const t = htmlToPlain(raw);
  if (t === null) return null;
  const paren = /^\S+@\S+\s*\((.+)\)$/.exec(t);
  if (paren?.[1]) return collapse(paren[1]);
  const angle = /^"?(.+?)"?\s*<[^<>\s]+@[^<>\s]+>$/.exec(t);
  if (angle?.[1]) return collapse(angle[1]);
  return t;
}

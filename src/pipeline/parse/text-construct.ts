// Atom text constructs (RFC 4287 §3.1, Atom 0.3's `mode`) as HTML: what `type` and `mode` say, and
// what the markup really is when they are wrong ("naked" tags inside a text element are read as
// markup, as feedparser reads them). Also used for Atom elements inside RSS items.
import { collapse, escapeHtml, htmlToPlain } from './text.js';
import { elements, hasElementChildren, serializeChildren, textOf, trimmedText, type XmlElement } from './xml-tree.js';

export type TextKind = 'text' | 'html' | 'xhtml';

export interface TextConstruct {
  html: string;
  kind: TextKind;
}

/** What a `type` attribute names: Atom's three words, or a MIME type (Atom 0.3 and real feeds). */
function kindOfType(type: string): TextKind | 'xml' | 'binary' {
  switch (type) {
    case 'text':
    case 'plain':
    case 'text/plain':
      return 'text';
    case 'html':
    case 'text/html':
      return 'html';
    case 'xhtml':
    case 'application/xhtml+xml':
      return 'xhtml';
    default:
      if (type.startsWith('text/')) return 'text';
      if (type.endsWith('+xml') || type.endsWith('/xml')) return 'xml';
      // image/png and the like: base64 data (RFC 4287 §4.1.3.3), nothing a page can show as text.
      return 'binary';
  }
}

/**
 * The HTML of a text construct, or null when it is empty, out of line (`src`) or binary.
 * `defaultType` is the format's: `text` for Atom 1.0, `text/plain` for Atom 0.3.
 */
export function textConstruct(el: XmlElement | null | undefined, defaultType = 'text'): TextConstruct | null {
  if (!el) return null;
  if (el.attrs.src !== undefined && !hasElementChildren(el) && !trimmedText(el)) return null; // out-of-line content
  const type = (el.attrs.type ?? defaultType).trim().toLowerCase() || defaultType;
  const mode = (el.attrs.mode ?? '').trim().toLowerCase();
  const declared = kindOfType(type);
  let html: string;
  let kind: TextKind;
  if (mode === 'base64' || (declared === 'binary' && mode !== 'escaped' && !hasElementChildren(el))) {
    if (declared === 'binary') return null;
    const decoded = Buffer.from((textOf(el) ?? '').replace(/\s+/g, ''), 'base64').toString('utf8');
    kind = declared === 'text' ? 'text' : 'html';
    html = kind === 'html' ? decoded : escapeHtml(decoded);
  } else if (hasElementChildren(el)) {
    // Markup as elements: xhtml as declared, or "naked" tags in a text or html construct, which
    // feedparser (and every reader) shows as the markup the author meant.
    kind = 'xhtml';
    const kids = elements(el);
    // Atom 1.0 wraps xhtml content in one <div xmlns="…xhtml"> that is not part of it (§3.1.1.3);
    // TypePad wraps its escaped-html summaries the same way.
    const onlyDiv = kids.length === 1 && kids[0]?.local === 'div' && el.children.every((c) => c.kind === 'element' || c.text.trim() === '');
    html = serializeChildren(onlyDiv && kids[0] ? kids[0] : el, el.base);
  } else if (declared === 'html' || (mode === 'escaped' && declared !== 'text')) {
    kind = 'html';
    html = textOf(el) ?? '';
  } else {
    // text, and xhtml / xml holding nothing but characters: text either way.
    kind = 'text';
    html = escapeHtml(textOf(el) ?? '');
  }
  return html.trim() === '' ? null : { html, kind };
}

/** A text construct as plain text (titles, names). */
export function textConstructPlain(el: XmlElement | null | undefined, defaultType = 'text'): string | null {
  const t = textConstruct(el, defaultType);
  if (!t) return null;
  return t.kind === 'text' && !(el && (el.attrs.mode ?? '').trim().toLowerCase() === 'base64') ? collapse(textOf(el)) : htmlToPlain(t.html);
}

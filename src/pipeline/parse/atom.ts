// Atom 1.0 / 0.3 → NormalizedFeed, from the XML tree; atomAlternate also serves RSS feeds
// that carry atom:link.
import type { NormalizedFeed } from '../../model.js';
import { finishEntry, xmlLang } from './entry.js';
import { collapse, escapeHtml, htmlToPlain, resolveUrl } from './text.js';
import { websubLinks } from './websub-links.js';
import { NS, all, elements, first, hasElementChildren, serializeChildren, textOf, trimmedText, type XmlElement } from './xml-tree.js';

export function atomAlternate(el: XmlElement | null | undefined, nss: readonly string[]): string | null {
  const links = all(el, 'link', nss).filter((l) => (l.attrs.rel ?? 'alternate').trim().toLowerCase() === 'alternate');
  const htmlish = links.find((l) => {
    const type = (l.attrs.type ?? '').trim().toLowerCase();
    return type === '' || type === 'text/html' || type === 'application/xhtml+xml';
  });
  const chosen = htmlish ?? links[0];
  return chosen ? resolveUrl(chosen.attrs.href, chosen.base) : null;
}

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

export function parseAtom(root: XmlElement, format: 'atom' | 'atom03', feedUrl: string, warnings: string[]): NormalizedFeed {
  const core = [NS.atom10, NS.atom03, ''];
  const personName = (el: XmlElement | null) => collapse(textOf(first(el, 'name', core)));
  const feedAuthor = personName(first(root, 'author', core));

  const iconEl = first(root, 'icon', core) ?? first(root, 'logo', core);
  const language = xmlLang(root);
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
        // RFC 4287 §4.2.2; Atom 0.3 feeds carried dc:subject instead.
        categories: [
          ...all(entry, 'category', core).map((c) => ({ term: c.attrs.term, scheme: c.attrs.scheme, label: c.attrs.label })),
          ...all(entry, 'subject', [NS.dc]).map((c) => ({ term: textOf(c) })),
        ],
        // The content's own xml:lang is the most precise; else the entry's, inherited from the feed.
        language: xmlLang(contentEl ?? summaryEl ?? entry),
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
    language,
    entries,
    warnings,
    ...websubLinks(root, core),
  };
}

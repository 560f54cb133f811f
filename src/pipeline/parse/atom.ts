// Atom 1.0 / 0.3 → NormalizedFeed, from the XML tree, under any prefix; atomAlternate,
// atomEnclosures and atomPersonName also serve RSS feeds that carry Atom elements.
import type { NormalizedFeed } from '../../model.js';
import { chooseContent, finishEntry, readDate, xmlLang, type EnclosureDraft } from './entry.js';
import { mediaEnclosures } from './media.js';
import { authorName, collapse, htmlToPlain, resolveId, resolveUrl } from './text.js';
import { textConstruct, textConstructPlain } from './text-construct.js';
import { websubLinks } from './websub-links.js';
import { ATOM_CORE_NAMESPACES, NS, all, allOfFirst, explicitBaseOf, first, firstWithText, htmlOf, last, serializeChildren, textOf, trimmedText, type XmlElement } from './xml-tree.js';

const rel = (l: XmlElement) => (l.attrs.rel ?? 'alternate').trim().toLowerCase();

export function atomAlternate(el: XmlElement | null | undefined, nss: readonly string[]): string | null {
  const links = all(el, 'link', nss).filter((l) => rel(l) === 'alternate' && (l.attrs.href ?? '').trim() !== '');
  const htmlish = links.find((l) => {
    const type = (l.attrs.type ?? '').trim().toLowerCase();
    return type === '' || type === 'text/html' || type === 'application/xhtml+xml';
  });
  const chosen = htmlish ?? links[0];
  return chosen ? resolveUrl(chosen.attrs.href, chosen.base) : null;
}

/** link rel="enclosure" (RFC 4287 §4.2.7.2): href, type, length, title. */
export function atomEnclosures(el: XmlElement, nss: readonly string[]): EnclosureDraft[] {
  return all(el, 'link', nss)
    .filter((l) => rel(l) === 'enclosure')
    .map((l) => ({ url: l.attrs.href, base: l.base, type: l.attrs.type, length: l.attrs.length, title: l.attrs.title }));
}

/** An Atom person's name, else its e-mail address (what feedparser shows then). */
export function atomPersonName(person: XmlElement | null, nss: readonly string[]): string | null {
  if (!person) return null;
  return collapse(textOf(first(person, 'name', nss))) ?? authorName(trimmedText(first(person, 'email', nss)));
}

export function parseAtom(root: XmlElement, format: 'atom' | 'atom03', feedUrl: string, warnings: string[]): NormalizedFeed {
  const core = ATOM_CORE_NAMESPACES;
  // Atom 0.3's text constructs default to text/plain; 1.0 says "text". Same meaning.
  const defaultType = format === 'atom03' ? 'text/plain' : 'text';
  const plain = (el: XmlElement | null) => textConstructPlain(el, defaultType);
  const html = (el: XmlElement | null) => textConstruct(el, defaultType)?.html ?? null;
  const feedAuthor = atomPersonName(first(root, 'author', core), core);

  let title = plain(firstWithText(root, 'title', core));
  if (title === null) {
    title = htmlToPlain(textOf(firstWithText(root, 'title', [NS.dc])));
    if (title !== null) warnings.push('parse: title from dc:title');
  }
  const iconEl = first(root, 'icon', core) ?? first(root, 'logo', core);
  const language = xmlLang(root);
  const feedDate = (els: XmlElement[]) => readDate(els.map((e) => textOf(e)), (shown) => warnings.push(`parse: the feed has an invalid date "${shown}"`));
  const updatedEls = allOfFirst(root, [['updated', core], ['modified', core], ['date', [NS.dc]]]);

  const entries = all(root, 'entry', core).map((entry, i) => {
    const fallbacks: string[] = [];
    const link = atomAlternate(entry, core);
    // A repeated id: the last one, as feedparser reads it; relative ones resolved as it does.
    const idEl = last(entry, 'id', core);
    const guid = idEl ? resolveId(trimmedText(idEl), idEl.base, idEl.explicitBase) : null;

    let entryTitle = plain(firstWithText(entry, 'title', core));
    if (entryTitle === null) {
      entryTitle = htmlToPlain(textOf(firstWithText(entry, 'title', [NS.dc])));
      if (entryTitle !== null) fallbacks.push('title from dc:title');
    }

    let author = atomPersonName(first(entry, 'author', core), core);
    if (author === null) {
      const dcCreator = authorName(trimmedText(first(entry, 'creator', [NS.dc])));
      if (dcCreator !== null) {
        author = dcCreator;
        fallbacks.push('author from dc:creator');
      }
    }
    // RFC 4287 §4.2.1: an entry without an author has its source's, else the feed's.
    author ??= atomPersonName(first(first(entry, 'source', core), 'author', core), core) ?? feedAuthor;

    const el = (local: string, nss: readonly string[]) => last(entry, local, nss);
    const base = (e: XmlElement | null) => (e ? explicitBaseOf(e) : null);
    // Several <content> elements, or Atom 0.3's multipart/alternative holding them: each is a candidate.
    // Of alternatives, one in markup is what a page shows: those go first.
    const typeOf = (c: XmlElement) => (c.attrs.type ?? '').trim().toLowerCase();
    const contents = all(entry, 'content', core)
      .flatMap((c) => (typeOf(c) === 'multipart/alternative' ? all(c, 'content', core) : [c]))
      .map((c) => ({ c, markup: /html|xml/.test(typeOf(c)) }))
      .sort((a, b) => Number(b.markup) - Number(a.markup))
      .map(({ c }) => c);
    const summaryEl = el('summary', core);
    const encoded = el('encoded', [NS.content]);
    const body = el('body', [NS.xhtml]);
    const dcDescription = el('description', [NS.dc]);
    const itunesSummary = el('summary', [NS.itunes]);
    const chosen = chooseContent([
      ...contents.map((c) => ({ source: 'content', html: html(c), base: base(c), content: true })),
      { source: 'summary', html: html(summaryEl), base: base(summaryEl), summary: true },
      { source: 'content:encoded', html: htmlOf(encoded), base: base(encoded) },
      { source: 'xhtml:body', html: body ? serializeChildren(body) || null : null, base: base(body) },
      { source: 'dc:description', html: htmlOf(dcDescription), base: base(dcDescription) },
      { source: 'itunes:summary', html: htmlOf(itunesSummary), base: base(itunesSummary) },
    ]);
    fallbacks.push(...chosen.fallbacks);

    // Atom 0.3 names its dates issued / created / modified.
    const published = allOfFirst(entry, [['published', core], ['issued', core], ['created', core], ['issued', [NS.dcterms]]]);
    const updated = allOfFirst(entry, [['updated', core], ['modified', core], ['date', [NS.dc]]]);

    return finishEntry(
      {
        guid,
        link,
        title: entryTitle,
        author,
        content: chosen.content,
        summary: chosen.summary,
        published: published.map((e) => textOf(e)),
        updated: updated.map((e) => textOf(e)),
        xmlBase: chosen.content !== null ? chosen.contentBase : explicitBaseOf(entry),
        summaryBase: chosen.summaryBase,
        enclosures: [...atomEnclosures(entry, core), ...mediaEnclosures(entry)],
        fallbacks,
        // RFC 4287 §4.2.2; Atom 0.3 feeds carried dc:subject instead.
        categories: [
          ...all(entry, 'category', core).map((c) => ({ term: c.attrs.term, scheme: c.attrs.scheme, label: c.attrs.label })),
          ...all(entry, 'subject', [NS.dc]).map((c) => ({ term: textOf(c) })),
        ],
        // The content's own xml:lang is the most precise; else the entry's, inherited from the feed.
        language: xmlLang(contents[0] ?? summaryEl ?? entry),
      },
      i,
      feedUrl,
      warnings,
    );
  });

  return {
    format,
    title,
    link: atomAlternate(root, core),
    image: iconEl ? resolveUrl(trimmedText(iconEl), iconEl.base) : null,
    language,
    published: null,
    updated: feedDate(updatedEls),
    entries,
    warnings,
    ...websubLinks(root, core),
  };
}

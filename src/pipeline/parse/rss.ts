// RSS 0.9x / 2.0 and RSS 1.0 (RDF) → NormalizedFeed, from the XML tree, with the extensions feeds
// carry (Dublin Core, content, Atom, iTunes, xhtml, Media RSS) as fallbacks where the core is silent.
import type { NormalizedFeed } from '../../model.js';
import { atomAlternate, atomEnclosures, atomPersonName } from './atom.js';
import { chooseContent, finishEntry, languageTag, readDate, xmlLang, type EnclosureDraft } from './entry.js';
import { mediaEnclosures } from './media.js';
import { authorName, htmlToPlain, resolveId, resolveUrl } from './text.js';
import { textConstruct, textConstructPlain } from './text-construct.js';
import { websubLinks } from './websub-links.js';
import { NS, RSS_CORE_NAMESPACES, all, allOfFirst, explicitBaseOf, first, firstWithText, htmlOf, last, serializeChildren, textOf, trimmedText, type XmlElement } from './xml-tree.js';

const ATOM = [NS.atom10];

function rdfAbout(el: XmlElement): string | null {
  for (const [k, v] of Object.entries(el.attrs)) if (k === 'about' || k.endsWith(':about')) return v.trim() || null;
  return null;
}

function rdfResource(el: XmlElement | null): string | null {
  if (!el) return null;
  for (const [k, v] of Object.entries(el.attrs)) if (k === 'resource' || k.endsWith(':resource')) return v.trim() || null;
  return null;
}

/** Every text of a repeated element, in document order. */
const texts = (els: XmlElement[]) => els.map((e) => textOf(e));

export function parseRss(root: XmlElement, format: 'rss' | 'rdf', feedUrl: string, warnings: string[]): NormalizedFeed {
  // RSS 2.0 has no namespace; RSS 1.0 and 0.90 put their elements in one, and some generators
  // another (userland, harvard). Accept those, plus whatever default namespace the root declares.
  const core = [...RSS_CORE_NAMESPACES, root.ns];
  // Some RSS 0.9x generators omit the <rss> wrapper and start at <channel>.
  const channel = root.local === 'channel' ? root : first(root, 'channel', core);
  const rawItems = root === channel ? all(root, 'item', core) : [...all(channel, 'item', core), ...all(root, 'item', core)];

  let title = htmlToPlain(textOf(firstWithText(channel, 'title', core)));
  if (title === null) {
    title = htmlToPlain(textOf(firstWithText(channel, 'title', [NS.dc])));
    if (title !== null) warnings.push('parse: title from dc:title');
    else {
      title = textConstructPlain(firstWithText(channel, 'title', ATOM));
      if (title !== null) warnings.push('parse: title from atom:title');
    }
  }

  const linkEl = all(channel, 'link', core).find((l) => trimmedText(l) !== null) ?? null;
  const feedLink = linkEl ? resolveUrl(trimmedText(linkEl), linkEl.base) : atomAlternate(channel, ATOM);
  const imageEl = first(channel, 'image', core) ?? first(root, 'image', core);
  const imageUrlEl = first(imageEl, 'url', core);
  const itunesImage = first(channel, 'image', [NS.itunes]);
  const atomIcon = first(channel, 'logo', ATOM) ?? first(channel, 'icon', ATOM);
  const image =
    resolveUrl(trimmedText(imageUrlEl), imageUrlEl?.base ?? feedUrl) ??
    resolveUrl(rdfResource(imageEl), imageEl?.base ?? feedUrl) ??
    resolveUrl(itunesImage?.attrs.href ?? itunesImage?.attrs.url, itunesImage?.base ?? feedUrl) ??
    resolveUrl(trimmedText(atomIcon), atomIcon?.base ?? feedUrl);

  const feedDate = (els: XmlElement[]) => readDate(texts(els), (shown) => warnings.push(`parse: the feed has an invalid date "${shown}"`));
  const published = feedDate(all(channel, 'pubdate', core));
  const updated = feedDate(allOfFirst(channel, [['lastbuilddate', core], ['date', [NS.dc]], ['modified', [NS.dcterms]], ['updated', ATOM]]));

  const language = languageTag(trimmedText(first(channel, 'language', core))) ?? languageTag(trimmedText(first(channel, 'language', [NS.dc]))) ?? xmlLang(channel);
  const entries = rawItems.map((item, i) => {
    const fallbacks: string[] = [];
    // A repeated guid: the last one, as feedparser reads it.
    const guidEl = last(item, 'guid', core);
    const permalink = guidEl !== null && (guidEl.attrs.isPermaLink ?? guidEl.attrs.ispermalink ?? 'true').trim().toLowerCase() !== 'false';
    // feedparser resolves a relative guid unless isPermaLink="false" says it is no URL.
    const guidText = trimmedText(guidEl);
    const about = format === 'rdf' ? rdfAbout(item) : null;
    const guid = guidEl && guidText
      ? permalink ? resolveId(guidText, guidEl.base, guidEl.explicitBase) : guidText
      : about !== null ? resolveId(about, item.base, item.explicitBase) : null;
    const itemLinkEl = all(item, 'link', core).find((l) => trimmedText(l) !== null) ?? null;
    let link = itemLinkEl ? resolveUrl(trimmedText(itemLinkEl), itemLinkEl.base) : atomAlternate(item, ATOM);
    // RSS 2.0: a guid is a permalink unless isPermaLink="false"; many feeds give only that.
    if (link === null && permalink && guid && /^https?:\/\//i.test(guid)) link = guid;
    if (link === null && about !== null) link = resolveUrl(about, item.base);

    let title = htmlToPlain(textOf(firstWithText(item, 'title', core)));
    if (title === null) {
      title = htmlToPlain(textOf(firstWithText(item, 'title', [NS.dc])));
      if (title !== null) fallbacks.push('title from dc:title');
      else {
        title = textConstructPlain(firstWithText(item, 'title', ATOM));
        if (title !== null) fallbacks.push('title from atom:title');
      }
    }

    // <author> is an e-mail address in RSS 2.0 ("jo@example.com (Jo)"); the extensions carry names.
    const rssAuthor = authorName(trimmedText(first(item, 'author', core)));
    const namedAuthors: [string, () => string | null][] = [
      ['dc:creator', () => authorName(trimmedText(first(item, 'creator', [NS.dc])))],
      ['dc:author', () => authorName(trimmedText(first(item, 'author', [NS.dc])))],
      ['itunes:author', () => authorName(trimmedText(first(item, 'author', [NS.itunes])))],
      ['atom:author', () => atomPersonName(first(item, 'author', ATOM), ATOM)],
    ];
    let author = rssAuthor !== null && !/^\S+@\S+$/.test(rssAuthor) ? rssAuthor : null;
    for (const [source, read] of author === null ? namedAuthors : []) {
      author = read();
      if (author !== null) {
        fallbacks.push(`author from ${source}`);
        break;
      }
    }
    author ??= rssAuthor; // a bare address is better than nothing

    const el = (local: string, ns: readonly string[]) => last(item, local, ns);
    const candidate = (source: string, e: XmlElement | null, html: string | null, role: { content?: boolean; summary?: boolean } = {}) => ({
      source,
      html,
      base: e ? explicitBaseOf(e) : null,
      ...role,
    });
    const encoded = el('encoded', [NS.content]);
    const description = el('description', core);
    const atomContent = el('content', ATOM);
    const atomSummary = el('summary', ATOM);
    const body = el('body', [NS.xhtml]);
    const fullitem = el('fullitem', core);
    const dcDescription = el('description', [NS.dc]);
    const itunesSummary = el('summary', [NS.itunes]);
    const chosen = chooseContent([
      candidate('content:encoded', encoded, htmlOf(encoded), { content: true }),
      candidate('description', description, htmlOf(description), { summary: true }),
      candidate('atom:content', atomContent, textConstruct(atomContent)?.html ?? null),
      candidate('atom:summary', atomSummary, textConstruct(atomSummary)?.html ?? null),
      candidate('xhtml:body', body, body ? serializeChildren(body) || null : null),
      candidate('fullitem', fullitem, htmlOf(fullitem)),
      candidate('dc:description', dcDescription, htmlOf(dcDescription)),
      candidate('itunes:summary', itunesSummary, htmlOf(itunesSummary)),
    ]);
    fallbacks.push(...chosen.fallbacks);

    const published = allOfFirst(item, [['pubdate', core], ['date', [NS.dc]], ['issued', [NS.dcterms]], ['created', [NS.dcterms]], ['published', ATOM]]);
    const updated = allOfFirst(item, [['modified', [NS.dcterms]], ['updated', ATOM]]);

    const enclosures: EnclosureDraft[] = all(item, 'enclosure', core).map((e) => ({
      url: e.attrs.url ?? rdfResource(e),
      base: e.base,
      type: e.attrs.type,
      length: e.attrs.length,
    }));
    enclosures.push(...atomEnclosures(item, ATOM), ...mediaEnclosures(item));

    const itemBase = explicitBaseOf(item);
    return finishEntry(
      {
        guid,
        link,
        title,
        author,
        content: chosen.content,
        summary: chosen.summary,
        published: texts(published),
        updated: texts(updated),
        xmlBase: chosen.content !== null ? chosen.contentBase : itemBase,
        summaryBase: chosen.summaryBase,
        enclosures,
        fallbacks,
        // RSS 2.0 category (its domain names the taxonomy); RSS 1.0 feeds use dc:subject.
        categories: [
          ...all(item, 'category', core).map((c) => ({ term: textOf(c), scheme: c.attrs.domain })),
          ...all(item, 'subject', [NS.dc]).map((c) => ({ term: textOf(c) })),
        ],
        language: xmlLang(encoded ?? item) ?? languageTag(trimmedText(first(item, 'language', [NS.dc]))) ?? language,
      },
      i,
      feedUrl,
      warnings,
    );
  });

  return {
    format,
    title,
    link: feedLink,
    image,
    language,
    published,
    updated,
    entries,
    warnings,
    ...websubLinks(channel, ATOM),
  };
}

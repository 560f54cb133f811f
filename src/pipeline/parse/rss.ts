// RSS 0.9x / 2.0 and RSS 1.0 (RDF) → NormalizedFeed, from the XML tree.
import type { NormalizedFeed } from '../../model.js';
import { atomAlternate } from './atom.js';
import { finishEntry, languageTag, xmlLang } from './entry.js';
import { authorName, htmlToPlain, resolveUrl } from './text.js';
import { websubLinks } from './websub-links.js';
import { NS, all, first, htmlOf, textOf, trimmedText, type XmlElement } from './xml-tree.js';

function rdfAbout(el: XmlElement): string | null {
  for (const [k, v] of Object.entries(el.attrs)) if (k === 'about' || k.endsWith(':about')) return v.trim() || null;
  return null;
}

function rdfResource(el: XmlElement | null): string | null {
  if (!el) return null;
  for (const [k, v] of Object.entries(el.attrs)) if (k === 'resource' || k.endsWith(':resource')) return v.trim() || null;
  return null;
}

export function parseRss(root: XmlElement, format: 'rss' | 'rdf', feedUrl: string, warnings: string[]): NormalizedFeed {
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

  const language = languageTag(trimmedText(first(channel, 'language', core))) ?? languageTag(trimmedText(first(channel, 'language', [NS.dc]))) ?? xmlLang(channel);
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
        // RSS 2.0 category (its domain names the taxonomy); RSS 1.0 feeds use dc:subject.
        categories: [
          ...all(item, 'category', core).map((c) => ({ term: textOf(c), scheme: c.attrs.domain })),
          ...all(item, 'subject', [NS.dc]).map((c) => ({ term: textOf(c) })),
        ],
        language: xmlLang(contentEl ?? item) ?? languageTag(trimmedText(first(item, 'language', [NS.dc]))) ?? language,
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
    language,
    entries,
    warnings,
    ...websubLinks(channel, [NS.atom10]),
  };
}

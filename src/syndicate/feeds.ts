// Pure: the planet's merged feeds. Entries (already sanitized) → Atom 1.0, RSS 2.0, JSON Feed 1.1
// strings, written with the `feed` package and completed where it falls short (atom:source,
// dc:creator, JSON Feed 1.1 fields; it also rejects ids that are not URLs — see ids.ts).
import { randomUUID } from 'node:crypto';
import { Feed as FeedWriter, type Item } from 'feed';
import { feedDisplayName, feedHomeLink, type Category, type Enclosure, type Entry, type Feed } from '../model.js';
import { itemId } from './ids.js';

export interface ChannelInfo {
  title: string;
  description: string;
  /** Absolute URL of the HTML page this feed mirrors. */
  homeUrl: string;
  /** Absolute URLs of this feed in each format. */
  atomUrl: string;
  rssUrl: string;
  jsonUrl: string;
  language: string;
  /** Used as the feed's updated time when there are no entries (keeps the output a function of the data). */
  updated: Date;
  owner?: { name: string; email: string };
  /** A WebSub hub (websub.hub): advertised as rel="hub" (JSON Feed `hubs`) next to rel="self". */
  hub?: string;
}

export interface SyndicationItem {
  entry: Entry;
  /** The blog the entry came from. */
  feed: Feed;
}

const GENERATOR = 'Planetarium';

/** Characters XML 1.0 forbids; a hostile feed's control bytes must not make our feed unreadable. */
const INVALID_XML_CHARS = /[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

function xmlText(s: string): string {
  return s.replace(INVALID_XML_CHARS, '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

function clean(s: string | null | undefined): string | undefined {
  return s == null ? undefined : s.replace(INVALID_XML_CHARS, '');
}

/** Plain text → HTML text; quotes left alone so ordinary titles stay readable in plain-text readers. */
function escapeHtml(s: string): string {
  return s.replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function absoluteOr(...candidates: (string | null | undefined)[]): string {
  for (const c of candidates) {
    if (!c) continue;
    try {
      return new URL(c).toString();
    } catch {
      // relative or garbage: try the next one
    }
  }
  throw new Error('syndicate: no absolute link for an item');
}

function updatedOf(items: SyndicationItem[], channel: ChannelInfo): Date {
  let max = 0;
  for (const { entry } of items) max = Math.max(max, entry.updatedAt ?? entry.sortAt, entry.sortAt);
  return max ? new Date(max) : channel.updated;
}

function writer(channel: ChannelInfo, items: SyndicationItem[], feedUrl: string): FeedWriter {
  const owner = channel.owner?.name ? { name: channel.owner.name, email: channel.owner.email || undefined } : undefined;
  return new FeedWriter({
    id: channel.homeUrl,
    title: clean(channel.title)!,
    description: clean(channel.description),
    link: channel.homeUrl,
    feed: feedUrl,
    feedLinks: { atom: channel.atomUrl, rss: channel.rssUrl, json: channel.jsonUrl },
    language: channel.language,
    updated: updatedOf(items, channel),
    generator: GENERATOR,
    author: owner,
    hub: channel.hub,
  });
}

/** RSS 2.0 and JSON Feed require a type (and RSS a length) for each enclosure: the neutral values when the feed gave none. */
const UNKNOWN_TYPE = 'application/octet-stream';

/** Atom's link rel="enclosure" (RFC 4287 §4.2.7.2), one per attached file. */
function atomEnclosureLinks(enclosures: readonly Enclosure[]): string {
  return enclosures
    .map((e) => {
      const attrs = [`rel="enclosure"`, `href="${xmlText(e.url)}"`];
      if (e.type) attrs.push(`type="${xmlText(e.type)}"`);
      if (e.length !== null) attrs.push(`length="${e.length}"`);
      if (e.title) attrs.push(`title="${xmlText(e.title)}"`);
      return `\n        <link ${attrs.join(' ')}/>`;
    })
    .join('');
}

/** What every format shares about one item. */
function itemBase(item: SyndicationItem, planetHome: string) {
  const { entry, feed } = item;
  const blog = feedDisplayName(feed);
  return {
    id: itemId(entry),
    title: clean(entry.title) ?? '',
    link: absoluteOr(entry.link, feedHomeLink(feed), planetHome),
    author: clean(entry.author) || blog,
    blog: clean(blog)!,
    blogHome: absoluteOr(feedHomeLink(feed), feed.url, planetHome),
    blogFeed: feed.url,
    content: clean(entry.contentHtml),
    summary: clean(entry.summaryHtml),
    published: new Date(entry.sortAt),
    updated: new Date(Math.max(entry.updatedAt ?? entry.sortAt, entry.sortAt)),
    categories: entry.categories.flatMap((c): Category[] => {
      const term = clean(c.term);
      return term ? [{ term, scheme: clean(c.scheme) ?? null, label: clean(c.label) ?? null }] : [];
    }),
    language: entry.language,
    enclosures: entry.enclosures,
  };
}

/** Atom categories (RFC 4287 §4.2.2): term, and scheme and label when the post gave them. */
function atomCategories(categories: Category[]): string {
  return categories
    .map((c) => `\n        <category term="${xmlText(c.term)}"${c.scheme ? ` scheme="${xmlText(c.scheme)}"` : ''}${c.label ? ` label="${xmlText(c.label)}"` : ''}/>`)
    .join('');
}

/**
 * Atom 1.0 (RFC 4287). Each entry keeps its original id and carries an atom:source naming its blog
 * (§4.2.11), as Planet feeds always have. The writer has no atom:source and insists on URL ids, so
 * each entry goes in with a placeholder id that is then replaced by the real id plus the source.
 */
export function renderAtom(channel: ChannelInfo, items: SyndicationItem[]): string {
  const w = writer(channel, items, channel.atomUrl);
  const tails: string[] = [];
  const langs: (string | null)[] = [];
  // The placeholder carries a fresh nonce: a post's content cannot contain it, so only our own
  // placeholders are replaced (the output does not depend on it).
  const nonce = randomUUID();
  items.forEach((item, i) => {
    const b = itemBase(item, channel.homeUrl);
    langs.push(b.language);
    w.addItem({
      id: `urn:x-planetarium-item:${nonce}:${i}`,
      // type="html": a plain-text title must be escaped once so "AT&amp;T" does not read as "AT&T".
      title: escapeHtml(b.title),
      link: b.link,
      date: b.updated,
      published: b.published,
      content: b.content,
      description: b.content === undefined ? b.summary : b.summary !== b.content ? b.summary : undefined,
      author: [{ name: b.author, link: b.blogHome }],
    });
    tails.push(
      `<id>${xmlText(b.id)}</id>${atomCategories(b.categories)}${atomEnclosureLinks(b.enclosures)}\n        <source>\n            <id>${xmlText(b.blogFeed)}</id>\n            <title>${xmlText(b.blog)}</title>\n` +
        `            <link rel="alternate" href="${xmlText(b.blogHome)}"/>\n            <link rel="self" href="${xmlText(b.blogFeed)}"/>\n        </source>`,
    );
  });
  // The writer opens each entry with its title (CDATA of escaped text, so no "]]>" inside), then the id.
  const entry = new RegExp(`<entry>(\\s*<title type="html"><!\\[CDATA\\[[^]*?\\]\\]></title>\\s*)<id>urn:x-planetarium-item:${nonce}:(\\d+)</id>`, 'g');
  return w.atom1().replace(entry, (_m, title: string, i: string) => {
    const lang = langs[Number(i)];
    return `<entry${lang ? ` xml:lang="${xmlText(lang)}"` : ''}>${title}${tails[Number(i)]!}`;
  });
}

/** The writer escapes quotes in attributes but not '&' or '<': those are escaped here. */
const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** RSS 2.0 with dc:creator (an RSS <author> must be an e-mail address) and <source> for the blog. */
export function renderRss(channel: ChannelInfo, items: SyndicationItem[]): string {
  const w = writer(channel, items, channel.rssUrl);
  for (const item of items) {
    const b = itemBase(item, channel.homeUrl);
    const rssItem: Item = {
      // RSS titles are read as HTML by most readers (and our parser): escape the plain text once.
      title: escapeHtml(b.title),
      guid: b.id,
      link: b.link,
      date: b.published,
      description: b.summary ?? b.content,
      content: b.summary !== undefined && b.content !== undefined && b.summary !== b.content ? b.content : undefined,
      // The writer escapes quotes in attributes but not '&' or '<' (as for <source url> below).
      category: b.categories.map((c) => ({ name: c.term, ...(c.scheme ? { domain: c.scheme.replace(/&/g, '&amp;').replace(/</g, '&lt;') } : {}) })),
      extensions: [
        { name: 'dc:creator', objects: { _text: b.author } },
        // RSS 2.0 has no per-item language; Dublin Core's is what readers understand.
        ...(b.language ? [{ name: 'dc:language', objects: { _text: b.language } }] : []),
        // The writer escapes quotes in attributes but not '&' or '<': do those here.
        { name: 'source', objects: { _attributes: { url: attr(b.blogFeed) }, _text: b.blog } },
        // RSS 2.0 says one <enclosure> per item, but readers take several (a podcast's audio and video).
        // The writer keys extensions by name: one extension whose objects are a list writes them all.
        ...(b.enclosures.length
          ? [{ name: 'enclosure', objects: b.enclosures.map((e) => ({ _attributes: { url: attr(e.url), length: String(e.length ?? 0), type: attr(e.type ?? UNKNOWN_TYPE) } })) as unknown as Record<string, unknown> }]
          : []),
      ],
    };
    w.addItem(rssItem);
  }
  let xml = w.rss2();
  // The writer declares the dc namespace only when some item has content:encoded.
  if (!xml.includes('xmlns:dc=')) xml = xml.replace('<rss version="2.0"', '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"');
  return xml;
}

/** JSON Feed 1.1: the writer emits version 1 with a singular `author`; 1.1 wants `authors` and `language`. */
export function renderJsonFeed(channel: ChannelInfo, items: SyndicationItem[]): string {
  const w = writer(channel, items, channel.jsonUrl);
  const sources: { title: string; home_page_url: string; feed_url: string }[] = [];
  const extra: { tags?: string[]; language?: string }[] = [];
  const attachments: Record<string, unknown>[][] = [];
  for (const item of items) {
    const b = itemBase(item, channel.homeUrl);
    extra.push({ ...(b.categories.length ? { tags: [...new Set(b.categories.map((c) => c.term))] } : {}), ...(b.language ? { language: b.language } : {}) });
    w.addItem({
      id: b.id,
      title: b.title,
      link: b.link,
      date: b.updated,
      published: b.published,
      content: b.content ?? b.summary ?? '',
      description: b.content !== undefined && b.summary !== undefined && b.summary !== b.content ? b.summary : undefined,
      author: [{ name: b.author, link: b.blogHome }],
    });
    sources.push({ title: b.blog, home_page_url: b.blogHome, feed_url: b.blogFeed });
    attachments.push(
      b.enclosures.map((e) => ({
        url: e.url,
        mime_type: e.type ?? UNKNOWN_TYPE,
        ...(e.title ? { title: e.title } : {}),
        ...(e.length !== null ? { size_in_bytes: e.length } : {}),
      })),
    );
  }
  const doc = JSON.parse(w.json1()) as Record<string, unknown> & { items: Record<string, unknown>[]; author?: unknown };
  const out: Record<string, unknown> = {
    version: 'https://jsonfeed.org/version/1.1',
    title: doc.title,
    home_page_url: doc.home_page_url,
    feed_url: channel.jsonUrl,
    description: doc.description,
    language: channel.language,
  };
  // JSON Feed 1.1 `hubs`: the WebSub hub subscribers of feed_url can use.
  if (channel.hub) out.hubs = [{ type: 'WebSub', url: channel.hub }];
  if (doc.author) out.authors = [doc.author];
  out.items = doc.items.map((it, i) => {
    const { author, ...rest } = it;
    // `_source` is a JSON Feed extension (custom keys start with "_"): the blog the post came from.
    const files = attachments[i]!;
    return { ...rest, ...extra[i], authors: author ? [author] : undefined, ...(files.length ? { attachments: files } : {}), _source: sources[i] };
  });
  return `${JSON.stringify(out, null, 2)}\n`;
}

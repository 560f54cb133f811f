// Pure: the subscription list as OPML 2.0 (what readers import, and what `opml import` reads back).
import { feedDisplayName, feedHomeLink, type Feed } from '../model.js';

export interface OpmlInfo {
  title: string;
  /** Absolute URL of this document. */
  url: string;
  owner?: { name: string; email: string };
  /** dateModified: the last change of the subscription data (keeps the output a function of the data). */
  modified: Date;
}

function attr(s: string): string {
  return s
    .replace(/[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/[&<>"\n\r\t]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\n': '&#10;', '\r': '&#13;', '\t': '&#9;' })[c]!);
}

/** The planet's own settings, as the admin pages and API pass them (structural: no config import). */
export interface PlanetLike {
  planet: { name: string; link: string; owner?: { name: string; email: string } };
}

/** Info for a planet's subscription list; dateModified is the newest change among the feeds. */
export function opmlInfoOf(config: PlanetLike, feeds: Feed[]): OpmlInfo {
  const modified = feeds.reduce((t, f) => Math.max(t, f.createdAt, f.lastSuccessAt ?? 0), 0);
  return { title: `${config.planet.name} subscriptions`, url: new URL('opml.xml', config.planet.link).href, owner: config.planet.owner, modified: new Date(modified) };
}

export function renderOpml(infoOrConfig: OpmlInfo | PlanetLike, feeds: Feed[]): string {
  const info = 'planet' in infoOrConfig ? opmlInfoOf(infoOrConfig, feeds) : infoOrConfig;
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<opml version="2.0">',
    '  <head>',
    `    <title>${attr(info.title)}</title>`,
    `    <dateModified>${info.modified.toUTCString()}</dateModified>`,
  ];
  if (info.owner?.name) lines.push(`    <ownerName>${attr(info.owner.name)}</ownerName>`);
  if (info.owner?.email) lines.push(`    <ownerEmail>${attr(info.owner.email)}</ownerEmail>`);
  lines.push(`    <docs>http://opml.org/spec2.opml</docs>`, '  </head>', '  <body>');
  for (const feed of feeds) {
    const name = feedDisplayName(feed);
    const parts = [`type="rss"`, `text="${attr(name)}"`, `title="${attr(name)}"`, `xmlUrl="${attr(feed.url)}"`, `htmlUrl="${attr(feedHomeLink(feed))}"`];
    if (feed.tags.length) parts.push(`category="${attr(feed.tags.join(','))}"`);
    lines.push(`    <outline ${parts.join(' ')}/>`);
  }
  lines.push('  </body>', '</opml>', '');
  return lines.join('\n');
}

// WebSub discovery in the document (W3C WebSub §4): a feed's rel="hub" and rel="self" links, read
// into NormalizedFeed.websub for src/websub/ (the Link header half is pipeline/hub-links.ts).
import type { NormalizedFeed } from '../../model.js';
import { resolveUrl } from './text.js';
import { all, type XmlElement } from './xml-tree.js';

/** rel="hub" / rel="self" links of a channel or feed element, as the `websub` field (absent when none). */
export function websubLinks(el: XmlElement | null, nss: readonly string[]): Pick<NormalizedFeed, 'websub'> {
  const links = all(el, 'link', nss);
  const rels = (l: XmlElement) => (l.attrs.rel ?? '').trim().toLowerCase().split(/\s+/);
  const hubs = links.filter((l) => rels(l).includes('hub')).map((l) => resolveUrl(l.attrs.href, l.base)).filter((u): u is string => u !== null);
  const selfEl = links.find((l) => rels(l).includes('self'));
  const self = selfEl ? resolveUrl(selfEl.attrs.href, selfEl.base) : null;
  return hubs.length || self ? { websub: { hubs, self } } : {};
}

/** JSON Feed 1.1 `hubs` ([{ type, url }]) and `feed_url`. */
export function jsonWebsubLinks(feed: Record<string, unknown>, feedUrl: string): Pick<NormalizedFeed, 'websub'> {
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  const hubs = (Array.isArray(feed.hubs) ? feed.hubs : [])
    .map((h) => resolveUrl(text(h && typeof h === 'object' ? (h as Record<string, unknown>).url : null), feedUrl))
    .filter((u): u is string => u !== null);
  const self = resolveUrl(text(feed.feed_url), feedUrl);
  return hubs.length || self ? { websub: { hubs, self } } : {};
}

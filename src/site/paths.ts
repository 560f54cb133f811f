// The reader site's address space: which document a site path names ("/", "/page/2",
// "/tag/t/atom.xml" …), and every path `planet build` writes. Pure: no database, no rendering.
import { TAG_PATTERN } from '../model.js';
import type { Scope } from '../db/timeline.js';
import { relativeHref } from '../render/links.js';

const TAG = TAG_PATTERN;
export const FEED_FILES: Record<string, { file: 'atom.xml' | 'rss.xml' | 'feed.json'; type: string }> = {
  'atom.xml': { file: 'atom.xml', type: 'application/atom+xml; charset=utf-8' },
  'rss.xml': { file: 'rss.xml', type: 'application/rss+xml; charset=utf-8' },
  'feed.json': { file: 'feed.json', type: 'application/feed+json; charset=utf-8' },
};

export type MergedScope = { kind: 'all' } | { kind: 'tag'; tag: string };

/** What a site path names. */
export type Route =
  | { kind: 'page'; scope: Scope; page: number }
  | { kind: 'feed'; scope: MergedScope; file: keyof typeof FEED_FILES }
  | { kind: 'opml' }
  | { kind: 'robots' }
  | { kind: 'asset'; name: string }
  | { kind: 'redirect'; to: string };

/** Which document a site path names, or undefined (a 404). */
export function parseSitePath(p: string): Route | undefined {
  let m: RegExpExecArray | null;
  if (p === '/') return { kind: 'page', scope: { kind: 'all' }, page: 1 };
  if ((m = /^\/page\/(\d{1,6})$/.exec(p))) return pageRoute({ kind: 'all' }, Number(m[1]), p);
  if ((m = /^\/feed\/(\d{1,9})$/.exec(p))) return { kind: 'page', scope: { kind: 'feed', feedId: Number(m[1]) }, page: 1 };
  if ((m = /^\/feed\/(\d{1,9})\/page\/(\d{1,6})$/.exec(p))) return pageRoute({ kind: 'feed', feedId: Number(m[1]) }, Number(m[2]), p);
  if ((m = new RegExp(`^/tag/(${TAG})$`).exec(p))) return { kind: 'page', scope: { kind: 'tag', tag: m[1]! }, page: 1 };
  if ((m = new RegExp(`^/tag/(${TAG})/page/(\\d{1,6})$`).exec(p))) return pageRoute({ kind: 'tag', tag: m[1]! }, Number(m[2]), p);
  if ((m = /^\/(atom\.xml|rss\.xml|feed\.json)$/.exec(p))) return { kind: 'feed', scope: { kind: 'all' }, file: m[1]! };
  if ((m = new RegExp(`^/tag/(${TAG})/(atom\\.xml|rss\\.xml|feed\\.json)$`).exec(p))) return { kind: 'feed', scope: { kind: 'tag', tag: m[1]! }, file: m[2]! };
  if (p === '/opml.xml') return { kind: 'opml' };
  // What crawlers and browsers ask for at the root, whatever the page links.
  if (p === '/robots.txt') return { kind: 'robots' };
  if (p === '/favicon.ico') return { kind: 'asset', name: 'favicon.ico' };
  if ((m = /^\/assets\/([a-z0-9-]+\.(?:css|svg|js|ico))$/.exec(p))) return { kind: 'asset', name: m[1]! };
  // "/page/2/" → "/page/2": one spelling per page, so relative links resolve the same everywhere.
  if (p.length > 1 && p.endsWith('/') && parseSitePath(p.slice(0, -1))) return { kind: 'redirect', to: relativeHref(p, p.slice(0, -1)) };
  return undefined;
}

function pageRoute(scope: Scope, page: number, p: string): Route | undefined {
  if (page < 1) return undefined;
  // Page 1 has one address: "/page/1" → "/", "/tag/t/page/1" → "/tag/t".
  if (page === 1) return { kind: 'redirect', to: relativeHref(p, p.replace(/\/page\/1$/, '') || '/') };
  return { kind: 'page', scope, page };
}

/** What the site holds, as far as its paths go. */
export interface SiteListing {
  /** How many pages a scope's timeline has (at least 1). */
  pages(scope: Scope): number;
  tags: string[];
  feedIds: number[];
  /** File names in assets/. */
  assets: string[];
}

/** Every site path `planet build` writes (besides search.html and 404.html), in the order it writes them. */
export function sitePaths(site: SiteListing): string[] {
  const out: string[] = [];
  const addPages = (scope: Scope, base: string) => {
    out.push(base);
    const pages = site.pages(scope);
    for (let n = 2; n <= pages; n++) out.push(`${base === '/' ? '' : base}/page/${n}`);
  };
  addPages({ kind: 'all' }, '/');
  for (const file of Object.keys(FEED_FILES)) out.push(`/${file}`);
  out.push('/opml.xml', '/robots.txt', '/favicon.ico');
  for (const tag of site.tags) {
    addPages({ kind: 'tag', tag }, `/tag/${tag}`);
    for (const file of Object.keys(FEED_FILES)) out.push(`/tag/${tag}/${file}`);
  }
  for (const feedId of site.feedIds) addPages({ kind: 'feed', feedId }, `/feed/${feedId}`);
  for (const name of site.assets) if (parseSitePath(`/assets/${name}`)) out.push(`/assets/${name}`);
  return out;
}

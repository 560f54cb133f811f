// Feed discovery: a blog's home page (what admins usually paste) → its feed URL.
// First the page's <link rel="alternate"> feeds, then the paths blog engines commonly use.
import type { FetchOptions } from '../model.js';
import { decodeBody } from '../pipeline/decode.js';
import { fetchFeed } from '../pipeline/fetch.js';
import { parseFeed } from '../pipeline/parse/index.js';

export type DiscoveryResult =
  | { kind: 'ok'; feedUrl: string; title: string | null; candidates: string[] }
  | { kind: 'error'; message: string };

/** Where WordPress, Ghost, Hugo, Jekyll, Blogger, Medium-style and hand-made blogs put feeds. */
const COMMON_PATHS = ['feed', 'feed/', 'rss', 'rss.xml', 'atom.xml', 'feed.xml', 'index.xml', 'feed.json', 'feeds/posts/default', 'blog/feed', 'index.rss'];

type Probe = { kind: 'feed'; url: string; title: string | null } | { kind: 'html'; url: string; alternates: string[] } | { kind: 'error'; message: string };

async function probe(url: string, options: FetchOptions): Promise<Probe> {
  const result = await fetchFeed(url, { etag: null, lastModified: null }, options);
  if (result.kind === 'error') return { kind: 'error', message: result.message };
  if (result.kind === 'not_modified') return { kind: 'error', message: 'discovery: unexpected 304' };
  const decoded = decodeBody(result.body, result.contentType);
  if (decoded.kind === 'error') return { kind: 'error', message: decoded.message };
  const parsed = parseFeed(decoded.text, result.finalUrl);
  if (parsed.kind === 'ok') return { kind: 'feed', url: result.finalUrl, title: parsed.feed.title };
  if (parsed.code === 'not_a_feed' && /<html|<!doctype html/i.test(decoded.text.slice(0, 4096))) {
    return { kind: 'html', url: result.finalUrl, alternates: parsed.alternates };
  }
  return { kind: 'error', message: parsed.message };
}

/** Bounds on one discovery beyond each fetch's own (a visitor's suggestion gets tight ones). */
export interface DiscoveryLimits {
  /** Fetches at most, the page itself included. */
  maxProbes?: number;
  /** Milliseconds for the whole discovery: no new fetch starts after that. */
  deadlineMs?: number;
}

export async function discoverFeeds(url: string, options: FetchOptions, limits: DiscoveryLimits = {}): Promise<DiscoveryResult> {
  const started = performance.now();
  let probes = 0;
  const stopReason = (): string | null => {
    if (limits.maxProbes !== undefined && probes >= limits.maxProbes) return `discovery: no feed found in the ${probes} addresses tried (at most ${limits.maxProbes}); give the feed's own URL`;
    if (limits.deadlineMs !== undefined && performance.now() - started >= limits.deadlineMs) return `discovery: no feed found within ${Math.round(limits.deadlineMs / 1000)} seconds; give the feed's own URL`;
    return null;
  };
  const bounded = async (candidate: string): Promise<Probe> => {
    const stop = stopReason();
    if (stop) return { kind: 'error', message: stop };
    probes++;
    return probe(candidate, options);
  };
  const first = await bounded(url);
  if (first.kind === 'feed') return { kind: 'ok', feedUrl: first.url, title: first.title, candidates: [first.url] };
  if (first.kind === 'error') return { kind: 'error', message: first.message };

  for (const candidate of first.alternates) {
    const p = await bounded(candidate);
    if (p.kind === 'feed') return { kind: 'ok', feedUrl: p.url, title: p.title, candidates: first.alternates };
    const stop = stopReason();
    if (stop) return { kind: 'error', message: stop };
  }
  const tried: string[] = [];
  const page = new URL(first.url);
  const bases = new Set([new URL('./', page).href, `${page.origin}/`]);
  for (const base of bases) {
    for (const path of COMMON_PATHS) {
      const candidate = new URL(path, base).href;
      if (tried.includes(candidate) || first.alternates.includes(candidate)) continue;
      tried.push(candidate);
      const p = await bounded(candidate);
      if (p.kind === 'feed') return { kind: 'ok', feedUrl: p.url, title: p.title, candidates: [p.url] };
      const stop = stopReason();
      if (stop) return { kind: 'error', message: stop };
    }
  }
  const advertised = first.alternates.length ? `it advertises ${first.alternates.join(', ')} but none of them is a readable feed` : 'it advertises no feed';
  return { kind: 'error', message: `discovery: ${first.url} is an HTML page; ${advertised}, and none of the usual feed paths answered with a feed` };
}

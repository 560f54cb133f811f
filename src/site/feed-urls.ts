// The public URLs of the planet's merged feeds, under planet.link: what the feeds call themselves
// (rel="self"), and so the topics the WebSub publisher pings its hub about (src/websub/publisher.ts).
import { scopeFeedPath } from '../render/pages.js';

export const FEED_FILE_NAMES = ['atom.xml', 'rss.xml', 'feed.json'] as const;
export type FeedFileName = (typeof FEED_FILE_NAMES)[number];
export type FeedScope = { kind: 'all' } | { kind: 'tag'; tag: string };

/** planet.link with one trailing slash, so site paths resolve below it. */
export function planetBase(planetLink: string): string {
  return planetLink.endsWith('/') ? planetLink : `${planetLink}/`;
}

/** Absolute URL of a site path ("/tag/t" → "https://planet.example/tag/t"). */
export function siteUrl(planetLink: string, sitePath: string): string {
  return new URL(sitePath.replace(/^\//, ''), planetBase(planetLink)).toString();
}

/** Absolute URL of a scope's merged feed in one format. */
export function feedUrl(planetLink: string, scope: FeedScope, file: FeedFileName): string {
  return siteUrl(planetLink, scopeFeedPath(scope, file));
}

/** Every format's URL of the merged feed and of each tag's feed: the topics of a publish ping. */
export function feedTopics(planetLink: string, tags: Iterable<string>): string[] {
  const scopes: FeedScope[] = [{ kind: 'all' }, ...[...new Set(tags)].sort().map((tag) => ({ kind: 'tag' as const, tag }))];
  return scopes.flatMap((scope) => FEED_FILE_NAMES.map((file) => feedUrl(planetLink, scope, file)));
}

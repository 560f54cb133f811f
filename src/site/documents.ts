// Renders each kind of reader document for one content version: planet, tag and blog pages, merged
// feeds, OPML, assets, redirects and the 404 page. Shared by the server and `planet build`, so both
// deliver the same bytes. See docs/decisions/0003-reader-side.md.
import type { Config } from '../config.js';
import { getFeed } from '../db/feeds.js';
import type { Db } from '../db/open.js';
import { countTimeline, feedsById, listTimeline, tagExists, type FeedSummary, type Scope } from '../db/timeline.js';
import type { Entry, Feed } from '../model.js';
import {
  AGO_PLACEHOLDER,
  renderNotFoundPage,
  renderSidebar,
  renderTimelinePage,
  scopePath,
  type PageScope,
  type SiteInfo,
} from '../render/pages.js';
import type { Templates } from '../render/templates.js';
import { renderAtom, renderJsonFeed, renderRss, type ChannelInfo } from '../syndicate/feeds.js';
import { feedUrl, siteUrl } from './feed-urls.js';
import { renderOpml } from '../syndicate/opml.js';
import type { Assets } from './assets.js';
import { ASSET_CACHE, HTML, PAGE_CACHE, makeDoc, type Doc } from './doc.js';
import { FEED_FILES, type MergedScope, type Route } from './paths.js';
import type { Snapshot } from './snapshot.js';

/** What rendering needs besides the snapshot: fixed for the life of a site. */
export interface SiteContext {
  db: Db;
  config: Config;
  templates: Templates;
  site: SiteInfo;
  assets: Assets;
  now: () => number;
}

const scopeKey = (scope: Scope) => (scope.kind === 'all' ? 'all' : scope.kind === 'tag' ? `tag:${scope.tag}` : `feed:${scope.feedId}`);

/** Entries in a scope, counted once per snapshot. */
function count(ctx: SiteContext, snap: Snapshot, scope: Scope): number {
  const key = scopeKey(scope);
  let n = snap.counts.get(key);
  if (n === undefined) snap.counts.set(key, (n = countTimeline(ctx.db, scope)));
  return n;
}

/** How many pages a scope's timeline has (at least one). */
export function pageCount(ctx: SiteContext, snap: Snapshot, scope: Scope): number {
  return Math.max(1, Math.ceil(count(ctx, snap, scope) / ctx.config.page.items_per_page));
}

export function notFoundDoc(ctx: SiteContext, snap: Snapshot, sitePath: string): Doc {
  return makeDoc(404, HTML, renderNotFoundPage(ctx.templates, ctx.site, sitePath), snap.lastModified);
}

/** The document a parsed site path names (its 404 page when the blog, tag or page does not exist). */
export function renderDocument(ctx: SiteContext, snap: Snapshot, sitePath: string, route: Route): Doc {
  switch (route.kind) {
    case 'redirect':
      return { ...makeDoc(301, 'text/plain; charset=utf-8', `Moved to ${route.to}\n`, snap.lastModified), location: route.to };
    case 'asset':
      return assetDoc(ctx, snap, sitePath, route.name);
    case 'opml':
      return opmlDoc(ctx, snap);
    case 'robots':
      return robotsDoc(ctx);
    case 'feed':
      return mergedFeedDoc(ctx, snap, sitePath, route.scope, route.file);
    case 'page':
      return pageDoc(ctx, snap, sitePath, route.scope, route.page);
  }
}

const ASSET_TYPES: Readonly<Record<string, string>> = {
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  svg: 'image/svg+xml',
  ico: 'image/x-icon',
};

function assetDoc(ctx: SiteContext, snap: Snapshot, sitePath: string, name: string): Doc {
  const body = ctx.assets.files.get(name);
  if (!body) return notFoundDoc(ctx, snap, sitePath);
  return makeDoc(200, ASSET_TYPES[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream', body, 0, ASSET_CACHE);
}

/** Every reader page may be indexed; the admin UI and the API (below planet.link's path) are not for crawlers. */
function robotsDoc(ctx: SiteContext): Doc {
  const base = new URL(ctx.site.link).pathname;
  return makeDoc(200, 'text/plain; charset=utf-8', `# ${ctx.site.name}, served by Planetarium\nUser-agent: *\nDisallow: ${base}admin/\nDisallow: ${base}api/\n`, 0, PAGE_CACHE);
}

function opmlDoc(ctx: SiteContext, snap: Snapshot): Doc {
  const { config, site } = ctx;
  const head = { title: config.planet.name, url: new URL('opml.xml', site.link).toString(), owner: config.planet.owner, modified: new Date(snap.lastModified) };
  return makeDoc(200, 'text/x-opml; charset=utf-8', renderOpml(head, snap.feeds.map((f) => f.feed)), snap.lastModified);
}

function channel(ctx: SiteContext, scope: MergedScope, snap: Snapshot): ChannelInfo {
  const { config, site } = ctx;
  return {
    title: scope.kind === 'tag' ? `${config.planet.name} #${scope.tag}` : config.planet.name,
    description: config.planet.description,
    homeUrl: siteUrl(site.link, scopePath(scope)),
    atomUrl: feedUrl(site.link, scope, 'atom.xml'),
    rssUrl: feedUrl(site.link, scope, 'rss.xml'),
    jsonUrl: feedUrl(site.link, scope, 'feed.json'),
    language: config.planet.language,
    updated: new Date(snap.lastModified),
    owner: config.planet.owner,
    hub: config.websub.hub,
  };
}

/** /atom.xml, /tag/T/rss.xml …: the newest entries of the planet or a sub-planet. */
function mergedFeedDoc(ctx: SiteContext, snap: Snapshot, sitePath: string, scope: MergedScope, format: keyof typeof FEED_FILES): Doc {
  const { db } = ctx;
  if (scope.kind === 'tag' && !tagExists(db, scope.tag)) return notFoundDoc(ctx, snap, sitePath);
  const entries = listTimeline(db, scope, ctx.config.page.items_per_page);
  const feeds = feedsById(db, entries, snap.feeds.map((f) => f.feed));
  const items = entries.flatMap((entry) => {
    const feed = feeds.get(entry.feedId);
    return feed ? [{ entry, feed }] : [];
  });
  const info = channel(ctx, scope, snap);
  const { file, type } = FEED_FILES[format]!;
  const body = file === 'atom.xml' ? renderAtom(info, items) : file === 'rss.xml' ? renderRss(info, items) : renderJsonFeed(info, items);
  const doc = makeDoc(200, type, body, snap.lastModified);
  // WebSub §4: a publisher's responses name its hub and the topic in Link headers too.
  if (info.hub) doc.links = `<${info.hub}>; rel="hub", <${file === 'atom.xml' ? info.atomUrl : file === 'rss.xml' ? info.rssUrl : info.jsonUrl}>; rel="self"`;
  return doc;
}

/**
 * The subscriptions a page's sidebar lists: all of them on the planet's pages (as the product asks),
 * the tag's on a sub-planet's, and on a blog's page only that blog (with a link to the whole list):
 * 1,000 rows repeated on 1,000 blog pages were most of `planet build`'s output.
 */
function sidebarFeeds(snap: Snapshot, scope: PageScope, entries: Entry[]): FeedSummary[] {
  if (scope.kind === 'all') return snap.feeds;
  if (scope.kind === 'tag') return snap.feeds.filter((f) => f.feed.tags.includes(scope.tag));
  const own = snap.feeds.find((f) => f.feed.id === scope.feed.id);
  return [own ?? { feed: scope.feed, entries: entries.length, latest: entries[0]?.sortAt ?? null }];
}

/** Page N of the planet, a sub-planet or one blog. */
function pageDoc(ctx: SiteContext, snap: Snapshot, sitePath: string, routeScope: Scope, page: number): Doc {
  const { db, config, templates, site } = ctx;
  const perPage = config.page.items_per_page;
  let scope: PageScope;
  if (routeScope.kind === 'feed') {
    const feed = getFeed(db, routeScope.feedId);
    if (!feed || feed.status === 'removed') return notFoundDoc(ctx, snap, sitePath);
    scope = { kind: 'feed', feed };
  } else if (routeScope.kind === 'tag') {
    if (!tagExists(db, routeScope.tag)) return notFoundDoc(ctx, snap, sitePath);
    scope = routeScope;
  } else {
    scope = routeScope;
  }
  const total = count(ctx, snap, routeScope);
  const pages = Math.max(1, Math.ceil(total / perPage));
  if (page > pages) return notFoundDoc(ctx, snap, sitePath);
  const key = scopeKey(routeScope);
  const entries = listTimeline(db, routeScope, perPage, (page - 1) * perPage, snap.pageEnds.get(`${key}|${page - 1}`));
  const last = entries.at(-1);
  if (last) snap.pageEnds.set(`${key}|${page}`, { sortAt: last.sortAt, id: last.id });
  const known: Feed[] = snap.feeds.map((f) => f.feed);
  const at = ctx.now();
  const sidebar = {
    feeds: sidebarFeeds(snap, scope, entries),
    subscriptions: snap.feeds.length,
    tags: snap.tags,
    updatedAt: snap.updatedAt,
    attempted: snap.attempted,
    activityThresholdDays: config.page.activity_threshold_days,
  };
  const from = scopePath(scope, page);
  let sidebarHtml: string | undefined;
  if (scope.kind === 'feed') {
    sidebarHtml = renderSidebar(templates, site, sidebar, scope, from, at, AGO_PLACEHOLDER);
  } else {
    // One sidebar per sub-planet and link depth; "inactive" is judged once an hour.
    const sidebarKey = `${scope.kind === 'tag' ? scope.tag : ''}|${from.split('/').length}|${Math.floor(at / 3_600_000)}`;
    sidebarHtml = snap.sidebars.get(sidebarKey);
    if (sidebarHtml === undefined) snap.sidebars.set(sidebarKey, (sidebarHtml = renderSidebar(templates, site, sidebar, scope, from, at, AGO_PLACEHOLDER)));
  }
  const html = renderTimelinePage(templates, site, { scope, page, pages, total, entries, feeds: feedsById(db, entries, known), sidebar, now: at, sidebarHtml, memo: snap.entries });
  return makeDoc(200, HTML, html, snap.lastModified);
}

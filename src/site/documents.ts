// The reader site as documents: site path → rendered bytes with validators, cached against the
// database's content_version. The routes serve these documents; `planet build` writes them to files,
// so both deliver the same bytes. See docs/decisions/0003-reader-side.md.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import type { Config } from '../config.js';
import type { Db } from '../db/open.js';
import { contentVersion } from '../db/entries.js';
import { getFeed } from '../db/feeds.js';
import { isPassRunning } from '../db/locks.js';
import {
  countTimeline,
  feedsById,
  lastModifiedAt,
  lastUpdatedAt,
  listFeedSummaries,
  listTags,
  listTimeline,
  searchEntries,
  syncSearchIndex,
  tagExists,
  type Scope,
} from '../db/timeline.js';
import { TAG_PATTERN, type Feed } from '../model.js';
import { agoPhrase } from '../render/dates.js';
import {
  AGO_PLACEHOLDER,
  type EntryMemo,
  renderNotFoundPage,
  renderSearchPage,
  renderSidebar,
  renderTimelinePage,
  scopeFeedPath,
  scopePath,
  type PageScope,
  type SiteInfo,
} from '../render/pages.js';
import { relativeHref } from '../render/links.js';
import { sanitizedHtmlToText } from '../pipeline/sanitize.js';
import { queryWords } from '../render/text.js';
import { renderAtom, renderJsonFeed, renderRss, type ChannelInfo } from '../syndicate/feeds.js';
import { renderOpml } from '../syndicate/opml.js';
import { createTemplates, type Templates } from '../render/templates.js';
import { renderWhyPage } from '../render/why.js';
import { answerWhy, whyUrlProblem, type WhyAnswer } from './why.js';

/** Stylesheet, icon: assets/ at the project root (src/http and dist/http are two levels below). */
export const ASSETS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../assets');

export interface Doc {
  status: number;
  type: string;
  body: Buffer;
  /** Strong validator of the identity body, quoted. */
  etag: string;
  /** Unix ms; sent as Last-Modified (seconds). */
  lastModified: number;
  cacheControl: string;
  /** For redirects: a relative Location. */
  location?: string;
  gzip?: Buffer;
  br?: Buffer;
}

const HTML = 'text/html; charset=utf-8';
const PAGE_CACHE = 'public, max-age=60, stale-while-revalidate=600';
const ASSET_CACHE = 'public, max-age=604800';

const TAG = TAG_PATTERN;
const FEED_FILES: Record<string, { file: 'atom.xml' | 'rss.xml' | 'feed.json'; type: string }> = {
  'atom.xml': { file: 'atom.xml', type: 'application/atom+xml; charset=utf-8' },
  'rss.xml': { file: 'rss.xml', type: 'application/rss+xml; charset=utf-8' },
  'feed.json': { file: 'feed.json', type: 'application/feed+json; charset=utf-8' },
};

type Route =
  | { kind: 'page'; scope: Scope; page: number }
  | { kind: 'feed'; scope: { kind: 'all' } | { kind: 'tag'; tag: string }; file: keyof typeof FEED_FILES }
  | { kind: 'opml' }
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
  if ((m = /^\/assets\/([a-z0-9-]+\.(?:css|svg))$/.exec(p))) return { kind: 'asset', name: m[1]! };
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

export function makeDoc(status: number, type: string, body: string | Buffer, lastModified: number, cacheControl = PAGE_CACHE): Doc {
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  let etag: string | undefined;
  // Hashed when first asked: `planet build` never asks, and a page template never is sent as is.
  return {
    status,
    type,
    body: buf,
    get etag() {
      return (etag ??= `"${createHash('sha1').update(buf).digest('base64url').slice(0, 22)}"`);
    },
    lastModified,
    cacheControl,
  };
}

/** The compressed body for an encoding, made once per document. */
export function encodedBody(doc: Doc, encoding: 'br' | 'gzip'): Buffer {
  if (encoding === 'br') {
    return (doc.br ??= brotliCompressSync(doc.body, {
      params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 6, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: doc.body.length },
    }));
  }
  return (doc.gzip ??= gzipSync(doc.body, { level: 6 }));
}

export interface ReaderSiteDeps {
  db: Db;
  config: Config;
  templates?: Templates;
  now?: () => number;
  /** Most documents kept (0: none, as `planet build` renders each once); the oldest go first. */
  cacheSize?: number;
  /** Most bytes of documents kept (identity bodies; compressed ones add about a tenth). */
  cacheBytes?: number;
  /**
   * While a fetch pass is writing, content_version moves with every feed it stores; pages are
   * then rebuilt at most this often (default 2 s) instead of on every request. Outside a pass
   * (admin edits) a change shows at once.
   */
  passRefreshMs?: number;
  /** Documents for a static export (`planet build`): no links to what only the server answers (/why, /suggest). */
  staticExport?: boolean;
}

export interface ReaderSite {
  /** The document at a site path (its 404 page when there is none: status 404). */
  get(sitePath: string): Doc;
  /**
   * The cached document at a site path if it is still current (same checks as get), else undefined;
   * never renders. With `trustVersionMs`, a content_version read less than that long ago is taken as
   * still current instead of read again (the fast path: that SELECT was 11% of a cache hit's CPU).
   */
  cached(sitePath: string, trustVersionMs?: number): Doc | undefined;
  /** The next cached() reads content_version whatever its trust window: this process just wrote. */
  recheckVersion(): void;
  /** GET /search?q=&page= (never cached: every query differs). */
  search(query: string, page: number): Doc;
  /** Every site path `planet build` writes (besides search.html and 404.html). */
  paths(): string[];
  /** The 404 page as seen from `sitePath`. */
  notFound(sitePath: string): Doc;
  /**
   * GET /why?url=: the answer and its page (never cached, never fetches). No URL: the form alone;
   * a URL that cannot be asked about: status 400 and the problem in words.
   */
  why(url: string | undefined): { status: number; answer: WhyAnswer | null; problem: string | null; doc: Doc };
  /** What the reader pages are rendered with, for pages outside the cache (/suggest). */
  templates: Templates;
  info: SiteInfo;
}

interface Snapshot {
  version: number;
  updatedAt: number | null;
  lastModified: number;
  feeds: ReturnType<typeof listFeedSummaries>;
  tags: ReturnType<typeof listTags>;
  /** Folded content and date strings per entry, shared by the pages that show it. */
  entries: EntryMemo;
  /** Last entry of each page rendered ("scope|page"): the next page seeks from it (listTimeline). */
  pageEnds: Map<string, { sortAt: number; id: number }>;
  /** Entry counts per scope and rendered sidebars, filled as pages ask for them. */
  counts: Map<string, number>;
  sidebars: Map<string, string>;
}

export function createReaderSite(deps: ReaderSiteDeps): ReaderSite {
  const { db, config } = deps;
  const templates = deps.templates ?? createTemplates(config.views);
  const now = deps.now ?? Date.now;
  const maxDocs = deps.cacheSize ?? 2000;
  const maxBytes = deps.cacheBytes ?? 256 * 1024 * 1024;
  const perPage = config.page.items_per_page;
  const planetLink = config.planet.link.endsWith('/') ? config.planet.link : `${config.planet.link}/`;

  const assets = new Map<string, Buffer>();
  for (const name of readdirSync(ASSETS_DIR)) assets.set(name, readFileSync(path.join(ASSETS_DIR, name)));
  const assetStamp = createHash('sha1')
    .update(assets.get('planet.css') ?? '')
    .digest('hex')
    .slice(0, 10);

  const site: SiteInfo = {
    name: config.planet.name,
    description: config.planet.description,
    link: planetLink,
    language: config.planet.language,
    timeZone: config.planet.timezone,
    assetStamp,
    live: deps.staticExport ? null : { suggest: config.suggestions.enabled },
  };

  const passRefreshMs = deps.passRefreshMs ?? 2000;
  let snapshot: Snapshot | undefined;
  let snapshotAt = 0;
  /** When content_version was last read (monotonic ms; -Infinity: read it next time). */
  let versionReadAt = -Infinity;
  /** Data every page shares, read once per content version (during a pass, at most every passRefreshMs). */
  function current(): Snapshot {
    const version = contentVersion(db);
    versionReadAt = performance.now();
    if (snapshot?.version !== version) {
      const at = now();
      // Measured: re-rendering on every request while a 10,000-entry pass ran put p99 of / at 0.7 s.
      if (snapshot && at - snapshotAt < passRefreshMs && isPassRunning(db, at)) return snapshot;
      snapshotAt = at;
      snapshot = { version, updatedAt: lastUpdatedAt(db), lastModified: lastModifiedAt(db), feeds: listFeedSummaries(db), tags: listTags(db), entries: new Map(), pageEnds: new Map(), counts: new Map(), sidebars: new Map() };
    }
    return snapshot;
  }

  const scopeKey = (scope: Scope) => (scope.kind === 'all' ? 'all' : scope.kind === 'tag' ? `tag:${scope.tag}` : `feed:${scope.feedId}`);
  function count(snap: Snapshot, scope: Scope): number {
    const key = scopeKey(scope);
    let n = snap.counts.get(key);
    if (n === undefined) snap.counts.set(key, (n = countTimeline(db, scope)));
    return n;
  }

  /**
   * A cached document. A page saying "updated N minutes ago" is kept as the bytes before and after
   * AGO_PLACEHOLDER: when only the phrase changes (once a minute), the three are joined into a new
   * document instead of querying and rendering again; its compressed forms are made when first asked.
   */
  interface Cached {
    version: number;
    /** Hour of rendering: "inactive" marks are judged against the clock, so pages expire hourly. */
    hour: number;
    template: { head: Buffer; tail: Buffer } | null;
    phrase: string;
    doc: Doc;
    bytes: number;
  }
  const cache = new Map<string, Cached>();
  let cachedBytes = 0;
  function forget(key: string): void {
    const old = cache.get(key);
    if (!old) return;
    cachedBytes -= old.bytes;
    cache.delete(key);
  }
  function remember(key: string, entry: Cached): Doc {
    forget(key);
    if (maxDocs <= 0) return entry.doc;
    while (cache.size && (cache.size >= maxDocs || cachedBytes + entry.bytes > maxBytes)) forget(cache.keys().next().value!);
    cache.set(key, entry);
    cachedBytes += entry.bytes;
    return entry.doc;
  }
  function withPhrase(template: { head: Buffer; tail: Buffer }, phrase: string, lastModified: number): Doc {
    return makeDoc(200, HTML, Buffer.concat([template.head, Buffer.from(phrase, 'utf8'), template.tail]), lastModified);
  }

  function notFound(sitePath: string): Doc {
    const snap = current();
    return makeDoc(404, HTML, renderNotFoundPage(templates, site, sitePath), snap.lastModified);
  }

  function channel(scope: { kind: 'all' } | { kind: 'tag'; tag: string }, snap: Snapshot): ChannelInfo {
    const abs = (p: string) => new URL(p.replace(/^\//, ''), planetLink).toString();
    return {
      title: scope.kind === 'tag' ? `${config.planet.name} #${scope.tag}` : config.planet.name,
      description: config.planet.description,
      homeUrl: abs(scopePath(scope)),
      atomUrl: abs(scopeFeedPath(scope, 'atom.xml')),
      rssUrl: abs(scopeFeedPath(scope, 'rss.xml')),
      jsonUrl: abs(scopeFeedPath(scope, 'feed.json')),
      language: config.planet.language,
      updated: new Date(snap.lastModified),
      owner: config.planet.owner,
    };
  }

  function render(sitePath: string, route: Route, snap: Snapshot): Doc {
    switch (route.kind) {
      case 'redirect':
        return { ...makeDoc(301, 'text/plain; charset=utf-8', `Moved to ${route.to}\n`, snap.lastModified), location: route.to };
      case 'asset': {
        const body = assets.get(route.name);
        if (!body) return notFound(sitePath);
        const type = route.name.endsWith('.css') ? 'text/css; charset=utf-8' : 'image/svg+xml';
        return makeDoc(200, type, body, 0, ASSET_CACHE);
      }
      case 'opml':
        return makeDoc(200, 'text/x-opml; charset=utf-8', renderOpml({ title: config.planet.name, url: new URL('opml.xml', planetLink).toString(), owner: config.planet.owner, modified: new Date(snap.lastModified) }, snap.feeds.map((f) => f.feed)), snap.lastModified);
      case 'feed': {
        if (route.scope.kind === 'tag' && !tagExists(db, route.scope.tag)) return notFound(sitePath);
        const entries = listTimeline(db, route.scope, perPage);
        const feeds = feedsById(db, entries, snap.feeds.map((f) => f.feed));
        const items = entries.flatMap((entry) => {
          const feed = feeds.get(entry.feedId);
          return feed ? [{ entry, feed }] : [];
        });
        const info = channel(route.scope, snap);
        const { file, type } = FEED_FILES[route.file]!;
        const body = file === 'atom.xml' ? renderAtom(info, items) : file === 'rss.xml' ? renderRss(info, items) : renderJsonFeed(info, items);
        return makeDoc(200, type, body, snap.lastModified);
      }
      case 'page': {
        let scope: PageScope;
        if (route.scope.kind === 'feed') {
          const feed = getFeed(db, route.scope.feedId);
          if (!feed || feed.status === 'removed') return notFound(sitePath);
          scope = { kind: 'feed', feed };
        } else if (route.scope.kind === 'tag') {
          if (!tagExists(db, route.scope.tag)) return notFound(sitePath);
          scope = route.scope;
        } else {
          scope = route.scope;
        }
        const total = count(snap, route.scope);
        const pages = Math.max(1, Math.ceil(total / perPage));
        if (route.page > pages) return notFound(sitePath);
        const key = scopeKey(route.scope);
        const entries = listTimeline(db, route.scope, perPage, (route.page - 1) * perPage, snap.pageEnds.get(`${key}|${route.page - 1}`));
        const last = entries.at(-1);
        if (last) snap.pageEnds.set(`${key}|${route.page}`, { sortAt: last.sortAt, id: last.id });
        const known: Feed[] = snap.feeds.map((f) => f.feed);
        const at = now();
        const tag = scope.kind === 'tag' ? scope.tag : null;
        const sidebar = {
          feeds: tag === null ? snap.feeds : snap.feeds.filter((f) => f.feed.tags.includes(tag)),
          tags: snap.tags,
          updatedAt: snap.updatedAt,
          activityThresholdDays: config.page.activity_threshold_days,
        };
        // One sidebar per sub-planet and link depth; "inactive" is judged once an hour.
        const from = scopePath(scope, route.page);
        const sidebarKey = `${tag ?? ''}|${from.split('/').length}|${Math.floor(at / 3_600_000)}`;
        let sidebarHtml = snap.sidebars.get(sidebarKey);
        if (sidebarHtml === undefined) snap.sidebars.set(sidebarKey, (sidebarHtml = renderSidebar(templates, site, sidebar, scope, from, at, AGO_PLACEHOLDER)));
        const html = renderTimelinePage(templates, site, { scope, page: route.page, pages, total, entries, feeds: feedsById(db, entries, known), sidebar, now: at, sidebarHtml, memo: snap.entries });
        return makeDoc(200, HTML, html, snap.lastModified);
      }
    }
  }

  /** The cached document if it still holds: same content version, same hour, the phrase swapped in. */
  function cachedDoc(sitePath: string, snap: Snapshot, at: number): Doc | undefined {
    const hit = cache.get(sitePath);
    if (!hit || hit.version !== snap.version) return undefined;
    if (hit.template === null) return hit.doc;
    if (hit.hour !== Math.floor(at / 3_600_000)) return undefined;
    const phrase = snap.updatedAt !== null ? agoPhrase(snap.updatedAt, at) : '';
    if (hit.phrase === phrase) return hit.doc;
    hit.phrase = phrase;
    cachedBytes -= hit.doc.body.length;
    hit.doc = withPhrase(hit.template, phrase, hit.doc.lastModified);
    cachedBytes += hit.doc.body.length;
    return hit.doc;
  }

  return {
    get(sitePath) {
      const snap = current();
      const at = now();
      const hit = cachedDoc(sitePath, snap, at);
      if (hit) return hit;
      const hour = Math.floor(at / 3_600_000);
      const phrase = snap.updatedAt !== null ? agoPhrase(snap.updatedAt, at) : '';
      const route = parseSitePath(sitePath);
      if (!route) return notFound(sitePath);
      const doc = render(sitePath, route, snap);
      const cut = doc.status === 200 && doc.type === HTML ? doc.body.indexOf(AGO_PLACEHOLDER) : -1;
      const template = cut < 0 ? null : { head: doc.body.subarray(0, cut), tail: doc.body.subarray(cut + AGO_PLACEHOLDER.length) };
      const sent = template === null ? doc : withPhrase(template, phrase, doc.lastModified);
      return remember(sitePath, { version: snap.version, hour, template, phrase, doc: sent, bytes: sent.body.length + (template ? doc.body.length : 0) });
    },

    cached(sitePath, trustVersionMs = 0) {
      const trusted = snapshot !== undefined && performance.now() - versionReadAt < trustVersionMs;
      return cachedDoc(sitePath, trusted ? snapshot! : current(), now());
    },

    recheckVersion() {
      versionReadAt = -Infinity;
    },

    search(query, page) {
      const snap = current();
      const q = query.trim().slice(0, 200);
      if (q) {
        try {
          syncSearchIndex(db, sanitizedHtmlToText);
        } catch {
          // The fetcher holds the write lock: search what is indexed, catch up next time.
        }
      }
      let result = { entries: [] as ReturnType<typeof searchEntries>['entries'], total: 0 };
      let relaxed = false;
      const words = queryWords(q);
      const offset = (Math.max(1, page) - 1) * perPage;
      if (q) {
        try {
          result = searchEntries(db, q, perPage, offset);
        } catch {
          // FTS5 rejected the syntax (a stray quote, "AND" alone, an unknown column…): plain words then.
          relaxed = true;
          if (words.length) result = searchEntries(db, words.map((w) => `"${w}"`).join(' '), perPage, offset);
        }
      }
      const html = renderSearchPage(templates, site, {
        query: q,
        page: Math.max(1, page),
        pages: Math.max(1, Math.ceil(result.total / perPage)),
        total: result.total,
        entries: result.entries,
        feeds: feedsById(db, result.entries, snap.feeds.map((f) => f.feed)),
        words,
        relaxed,
      });
      return makeDoc(200, HTML, html, snap.lastModified);
    },

    paths() {
      const snap = current();
      const out: string[] = [];
      const addPages = (scope: Scope, base: string) => {
        out.push(base);
        const pages = Math.max(1, Math.ceil(count(snap, scope) / perPage));
        for (let n = 2; n <= pages; n++) out.push(`${base === '/' ? '' : base}/page/${n}`);
      };
      addPages({ kind: 'all' }, '/');
      for (const file of Object.keys(FEED_FILES)) out.push(`/${file}`);
      out.push('/opml.xml');
      for (const { tag } of snap.tags) {
        addPages({ kind: 'tag', tag }, `/tag/${tag}`);
        for (const file of Object.keys(FEED_FILES)) out.push(`/tag/${tag}/${file}`);
      }
      for (const { feed } of snap.feeds) addPages({ kind: 'feed', feedId: feed.id }, `/feed/${feed.id}`);
      for (const name of assets.keys()) if (parseSitePath(`/assets/${name}`)) out.push(`/assets/${name}`);
      return out;
    },

    notFound,

    why(url) {
      const snap = current();
      const asked = (url ?? '').trim().slice(0, 2048);
      const problem = asked ? whyUrlProblem(asked) : null;
      const answer = asked && !problem ? answerWhy(db, config, asked) : null;
      const html = renderWhyPage(templates, site, { url: asked, answer, problem });
      const status = problem ? 400 : 200;
      return { status, answer, problem, doc: makeDoc(status, HTML, html, snap.lastModified, 'no-store') };
    },

    templates,
    info: site,
  };
}

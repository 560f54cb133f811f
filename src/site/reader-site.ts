// The reader site as documents: site path → rendered bytes with validators, cached against the
// database's content_version. The routes serve these documents; `planet build` writes them to files,
// so both deliver the same bytes. Composes paths.ts (what a path names), snapshot.ts (what a content
// version holds), documents.ts and search.ts (rendering) and cache.ts. See docs/decisions/0003.
import type { Config } from '../config.js';
import type { Db } from '../db/open.js';
import type { SiteInfo } from '../render/pages.js';
import { createTemplates, type Templates } from '../render/templates.js';
import { createWords } from '../i18n/words.js';
import { renderWhyPage } from '../render/why.js';
import { loadAssets } from './assets.js';
import { createDocCache } from './cache.js';
import { HTML, makeDoc, type Doc } from './doc.js';
import { notFoundDoc, pageCount, renderDocument, type SiteContext } from './documents.js';
import { parseSitePath, sitePaths } from './paths.js';
import { searchDoc } from './search.js';
import { createSnapshots } from './snapshot.js';
import { answerWhy, whyUrlProblem, type WhyAnswer } from './why.js';

/**
 * The server's document cache, per process (each HTTP worker of server.workers has its own). 16 MB
 * holds "/" and the planet's first pages (about 0.5 MB each with 1,000 subscriptions, their gzip
 * 17 KB) and hundreds of blog pages; others render on demand, in tens of ms. It was 256 MB, most of
 * a server's RSS once a crawler had read every page (docs/decisions/0026-reader-footprint.md).
 */
export const DEFAULT_CACHE_BYTES = 16 * 1024 * 1024;

export interface ReaderSiteDeps {
  db: Db;
  config: Config;
  templates?: Templates;
  now?: () => number;
  /** Most documents kept (0: none, as `planet build` renders each once); the oldest go first. */
  cacheSize?: number;
  /** Most bytes of documents kept, every representation counted (default DEFAULT_CACHE_BYTES). */
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

export function createReaderSite(deps: ReaderSiteDeps): ReaderSite {
  const { db, config } = deps;
  const now = deps.now ?? Date.now;
  const assets = loadAssets();
  const site: SiteInfo = {
    name: config.planet.name,
    description: config.planet.description,
    link: config.planet.link.endsWith('/') ? config.planet.link : `${config.planet.link}/`,
    words: createWords(config.planet.language, config.planet.timezone),
    assetStamp: assets.stamp,
    live: deps.staticExport ? null : { suggest: config.suggestions.enabled },
  };
  const templates = deps.templates ?? createTemplates(config.views);
  const ctx: SiteContext = { db, config, templates, site, assets, now };
  const snapshots = createSnapshots(db, now, deps.passRefreshMs ?? 2000);
  const cache = createDocCache({ maxDocs: deps.cacheSize ?? 2000, maxBytes: deps.cacheBytes ?? DEFAULT_CACHE_BYTES }, site.words.ago);

  return {
    get(sitePath) {
      const snap = snapshots.current();
      const at = now();
      const hit = cache.lookup(sitePath, snap.version, snap.updatedAt, at);
      if (hit) return hit;
      const route = parseSitePath(sitePath);
      if (!route) return notFoundDoc(ctx, snap, sitePath);
      return cache.store(sitePath, snap.version, snap.updatedAt, at, renderDocument(ctx, snap, sitePath, route));
    },

    cached(sitePath, trustVersionMs = 0) {
      const snap = snapshots.trusted(trustVersionMs) ?? snapshots.current();
      return cache.lookup(sitePath, snap.version, snap.updatedAt, now());
    },

    recheckVersion: () => snapshots.recheck(),

    search: (query, page) => searchDoc(ctx, snapshots.current(), query, page),

    paths() {
      const snap = snapshots.current();
      return sitePaths({
        pages: (scope) => pageCount(ctx, snap, scope),
        tags: snap.tags.map((t) => t.tag),
        feedIds: snap.feeds.map((f) => f.feed.id),
        assets: [...assets.files.keys()],
      });
    },

    notFound: (sitePath) => notFoundDoc(ctx, snapshots.current(), sitePath),

    why(url) {
      const snap = snapshots.current();
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

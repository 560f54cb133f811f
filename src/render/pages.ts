// Pure: reader pages as HTML strings. Turns entries and feeds into view models (day groups, faces,
// folded long posts, relative links) and renders them with the templates in views/; the server and
// `planet build` both call these, so they produce the same bytes.
import { Parser } from 'htmlparser2';
import { categoryName, feedDisplayName, feedHealth, feedHomeLink, type Entry, type Feed } from '../model.js';
import type { Templates } from './templates.js';
import { avatarHue, initials } from './avatar.js';
import type { DateFormatter } from '../i18n/dates.js';
import type { Words } from '../i18n/words.js';
import { enclosureViews } from './enclosures.js';
import { feedHealthWords } from './feed-health.js';
import { relativeHref, safeHref } from './links.js';

export { safeHref };
import { sanitizedHtmlToText } from '../pipeline/sanitize.js';
import { escapeHtml, highlight, snippet } from './text.js';

export interface SiteInfo {
  name: string;
  description: string;
  /** Absolute public URL of the planet (config planet.link). */
  link: string;
  /** The planet's words, dates and times in planet.language and planet.timezone. */
  words: Words;
  /** Cache-busting stamp of the assets (stylesheet, script). */
  assetStamp: string;
  /** Served by `planet serve` (null in a static export, which has no /why and no /suggest). */
  live: { suggest: boolean } | null;
}

export interface FeedSummaryInput {
  feed: Feed;
  entries: number;
  latest: number | null;
}

export interface SidebarInput {
  /**
   * The subscriptions this page lists: every one on the planet's pages, the tag's on a sub-planet's,
   * the blog itself on a blog's page (the others then link to the whole list on "/").
   */
  feeds: FeedSummaryInput[];
  /** How many subscriptions the planet has. */
  subscriptions: number;
  tags: { tag: string; feeds: number }[];
  /** Newest successful fetch of any feed. */
  updatedAt: number | null;
  /** Whether any feed of the planet was tried (a pass ran), successfully or not. */
  attempted: boolean;
  activityThresholdDays: number;
}

export type PageScope = { kind: 'all' } | { kind: 'feed'; feed: Feed } | { kind: 'tag'; tag: string };

export interface TimelineInput {
  scope: PageScope;
  page: number;
  pages: number;
  total: number;
  entries: Entry[];
  feeds: Map<number, Feed>;
  sidebar: SidebarInput;
  now: number;
  /** The sidebar already rendered (renderSidebar) for this page's scope and depth; rendered here when absent. */
  sidebarHtml?: string;
  /** Per-entry work kept between renders of the same data (an entry shows on its planet, tag and blog pages). */
  memo?: EntryMemo;
}

/**
 * The costly parts of an entry's view (where a long post folds, date strings), by entry id, kept
 * between renders of the same data (an entry shows on its planet, tag and blog pages). They hold an
 * offset into the HTML, not the HTML: a memo of every entry of a big planet stays a few MB.
 */
export type EntryMemo = Map<number, MemoizedParts>;

interface MemoizedParts {
  /** What the parts were computed from (a changed entry is computed again). */
  length: number;
  sortAt: number;
  feedExcerpt: boolean;
  /** The lead is the summary (an excerpt feed's); else the HTML up to `cut` (-1: all of it). */
  summary: boolean;
  cut: number;
  iso: string;
  time: string;
  full: string;
}

interface EntryParts {
  iso: string;
  time: string;
  full: string;
  lead: string;
  more: string | null;
  excerpt: boolean;
}

/** Site path of a scope's page N ("/", "/page/2", "/tag/t", "/feed/3/page/2"). */
export function scopePath(scope: PageScope, page = 1): string {
  const base = scope.kind === 'all' ? '' : scope.kind === 'tag' ? `/tag/${scope.tag}` : `/feed/${scope.feed.id}`;
  if (page <= 1) return base || '/';
  return `${base}/page/${page}`;
}

/** Site path of a scope's merged feed in one format ("/atom.xml", "/tag/t/rss.xml"). */
export function scopeFeedPath(scope: { kind: 'all' } | { kind: 'tag'; tag: string }, file: 'atom.xml' | 'rss.xml' | 'feed.json'): string {
  return scope.kind === 'all' ? `/${file}` : `/tag/${scope.tag}/${file}`;
}

/** A post longer than this (in characters of text) is folded behind "Read more". */
const FOLD_OVER = 2400;
/** … keeping about this much text visible. */
const LEAD_TEXT = 600;

/**
 * Splits sanitized HTML after the first top-level elements holding about `leadText` characters of
 * text. Cutting only between top-level nodes keeps both halves well-formed.
 */
export function splitLead(html: string, leadText = LEAD_TEXT): { lead: string; rest: string } | null {
  let depth = 0;
  let text = 0;
  let cut = -1;
  let total = 0;
  const parser = new Parser(
    {
      onopentag: () => void depth++,
      onclosetag: () => {
        depth--;
        if (depth === 0 && cut < 0 && text >= leadText) cut = parser.endIndex + 1;
      },
      ontext: (t) => {
        const n = t.trim().length;
        total += n;
        if (cut < 0) text += n;
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  if (cut < 0 || total - text < 200) return null;
  return { lead: html.slice(0, cut), rest: html.slice(cut) };
}


interface Face {
  /** The blog's picture, if it has one (may fail to load: the initials sit underneath). */
  photo: string | null;
  initials: string;
  hue: number;
}

function faceOf(feed: Feed | undefined, name: string): Face {
  const photo = feed ? (safeHref(feed.face) ?? safeHref(feed.image)) : null;
  return { photo, initials: initials(name), hue: avatarHue(name) };
}

function entryParts(entry: Entry, feed: Feed | undefined, dates: DateFormatter, memo: EntryMemo | undefined): EntryParts {
  const html = entry.contentHtml ?? entry.summaryHtml ?? '';
  const summary = entry.summaryHtml && entry.summaryHtml !== entry.contentHtml ? entry.summaryHtml : null;
  const feedExcerpt = Boolean(feed?.excerpt);
  let known = memo?.get(entry.id);
  if (!known || known.length !== html.length || known.sortAt !== entry.sortAt || known.feedExcerpt !== feedExcerpt) {
    let cut = -1;
    let useSummary = false;
    if (feedExcerpt) {
      // The admin asked for excerpts: the summary, else the first part, and a link to the post.
      if (summary) useSummary = true;
      else cut = splitLead(html)?.lead.length ?? -1;
    } else if (sanitizedHtmlToText(html).length > FOLD_OVER) {
      cut = splitLead(html)?.lead.length ?? -1;
    }
    known = { length: html.length, sortAt: entry.sortAt, feedExcerpt, summary: useSummary, cut, iso: new Date(entry.sortAt).toISOString(), time: dates.time(entry.sortAt), full: dates.full(entry.sortAt) };
    memo?.set(entry.id, known);
  }
  const lead = known.summary && summary ? summary : known.cut < 0 ? html : html.slice(0, known.cut);
  const more = !feedExcerpt && known.cut >= 0 ? html.slice(known.cut) : null;
  return { iso: known.iso, time: known.time, full: known.full, lead: focusableScrollers(lead), more: more && focusableScrollers(more), excerpt: feedExcerpt && lead !== html };
}

/**
 * Code blocks and tables scroll sideways on a phone (planet.css): a keyboard reaches them only if
 * they take focus (WCAG 2.1.1; axe scrollable-region-focusable). The sanitizer escapes every `<`
 * of text and attribute values, so in its output `<pre` and `<table` only ever open those elements.
 */
export function focusableScrollers(html: string): string {
  return html.includes('<pre') || html.includes('<table') ? html.replace(/<(pre|table)(?=[\s>])/g, '<$1 tabindex="0"') : html;
}

function entryView(entry: Entry, feed: Feed | undefined, words: Words, from: string, showAuthor: boolean, onBlogPage: boolean, memo?: EntryMemo) {
  const pageLang = words.lang;
  const blog = feed ? feedDisplayName(feed) : words.t('entry.unknownBlog');
  const { iso, time, full, lead, more, excerpt } = entryParts(entry, feed, words.dates, memo);
  return {
    id: entry.id,
    anchor: `e${entry.id}`,
    title: entry.title?.trim() || null,
    link: safeHref(entry.link),
    author: entry.author?.trim() || null,
    blog,
    blogLink: feed ? safeHref(feedHomeLink(feed)) : null,
    // On the blog's own page, a link to that same page under every post leads nowhere.
    blogPage: feed && feed.status !== 'removed' && !onBlogPage ? relativeHref(from, `/feed/${feed.id}`) : null,
    face: faceOf(feed, blog),
    showAuthor,
    /** The post's language for `lang` (null: unknown, the page's applies); its text direction is left to `dir="auto"`. */
    lang: entry.language,
    /** The planet's own words inside the post's container (byline, "Read more") keep the page's language. */
    pageLang: entry.language && pageLang && entry.language !== pageLang ? pageLang : null,
    categories: entryCategories(entry),
    iso,
    time,
    full,
    lead,
    more,
    excerpt,
    enclosures: enclosureViews(entry.enclosures, words),
  };
}

export type EntryView = ReturnType<typeof entryView>;

/** At most this many labels per post: a post tagged with forty keywords shows the first ones. */
const MAX_LABELS = 12;

/** The post's categories as label texts, without repeats in any case. */
function entryCategories(entry: Entry): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const c of entry.categories) {
    const name = categoryName(c);
    const key = name.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(name);
    if (out.length === MAX_LABELS) break;
  }
  return out;
}

/**
 * Entries grouped under day headings; a blog's consecutive posts show its byline once per day, and a
 * blog's own page (its name and face in the page header) shows none.
 */
export function groupByDay(entries: Entry[], feeds: Map<number, Feed>, words: Words, from: string, memo?: EntryMemo, onBlogPage = false) {
  const dates = words.dates;
  const days: { key: string; heading: string; entries: EntryView[] }[] = [];
  let previousFeed: number | null = null;
  for (const entry of entries) {
    const key = dates.dayKey(entry.sortAt);
    let day = days.at(-1);
    if (!day || day.key !== key) {
      day = { key, heading: dates.dayHeading(entry.sortAt), entries: [] };
      days.push(day);
      previousFeed = null;
    }
    day.entries.push(entryView(entry, feeds.get(entry.feedId), words, from, !onBlogPage && entry.feedId !== previousFeed, onBlogPage, memo));
    previousFeed = entry.feedId;
  }
  return days;
}

/**
 * Stands for "N minutes ago" in a sidebar rendered for caching: the cache swaps in the phrase, so a
 * page is not re-rendered every minute just because the clock moved (src/site/cache.ts).
 */
export const AGO_PLACEHOLDER = '@@planet-updated-ago@@';

/** The sidebar alone; `ago` overrides the "updated N minutes ago" phrase (e.g. AGO_PLACEHOLDER). */
export function renderSidebar(templates: Templates, site: SiteInfo, sidebar: SidebarInput, scope: PageScope, from: string, now: number, ago?: string): string {
  return templates.render('_sidebar', sidebarView(site.words, sidebar, scope, from, now, ago));
}

/** Why a feed is marked broken (its row's tooltip), or null: the same judgement as the admin's list (feedHealth). */
function brokenReason(words: Words, feed: Feed, health: ReturnType<typeof feedHealth>): string | null {
  if (health === 'gone') return words.t('sidebar.goneWhy');
  // The fetcher's own words (its code and message), as the admin's list shows them.
  if (health === 'erroring') return `${feed.errorCode ?? 'error'}: ${feed.errorMessage ?? ''}`.trim();
  return null;
}

/** "Updated 5 minutes ago", or what is true when no feed was ever read: never tried, tried and failed, nothing to read. */
function updatedHtml(words: Words, sidebar: SidebarInput, now: number, ago: string | undefined): string {
  if (sidebar.updatedAt !== null) {
    const at = sidebar.updatedAt;
    const time = `<time datetime="${new Date(at).toISOString()}" title="${escapeHtml(words.dates.full(at))}">${escapeHtml(ago ?? words.ago(at, now))}</time>`;
    return words.html('sidebar.updated', { ago: words.raw(time) });
  }
  if (sidebar.subscriptions === 0) return words.html('sidebar.noBlogs');
  return words.html(sidebar.attempted ? 'sidebar.noneRead' : 'sidebar.notFetched');
}

function sidebarView(words: Words, sidebar: SidebarInput, scope: PageScope, from: string, now: number, ago: string | undefined) {
  const feedScope = scope.kind === 'tag' ? scope : ({ kind: 'all' } as const);
  return {
    t: words.t,
    feeds: sidebar.feeds.map(({ feed, latest }) => {
      const health = feedHealth(feed, latest, now, sidebar.activityThresholdDays);
      return {
        name: feedDisplayName(feed),
        home: safeHref(feedHomeLink(feed)) ?? safeHref(feed.url),
        url: safeHref(feed.url),
        page: relativeHref(from, `/feed/${feed.id}`),
        broken: brokenReason(words, feed, health),
        inactive: health === 'inactive',
      };
    }),
    // A blog's page shows that blog; the list of every subscription is on the planet's page.
    listHeading: scope.kind === 'feed' ? words.t('sidebar.thisBlog') : null,
    allSubscriptions: sidebar.feeds.length < sidebar.subscriptions ? { href: `${relativeHref(from, '/')}#subscriptions`, count: sidebar.subscriptions } : null,
    tags: sidebar.tags.map((t) => ({ ...t, href: relativeHref(from, `/tag/${t.tag}`), current: scope.kind === 'tag' && scope.tag === t.tag })),
    html: words.html,
    raw: words.raw,
    inactiveWhy: words.t('sidebar.inactiveWhy', { days: sidebar.activityThresholdDays }),
    updatedHtml: updatedHtml(words, sidebar, now, ago),
    feedLinks: {
      atom: relativeHref(from, scopeFeedPath(feedScope, 'atom.xml')),
      rss: relativeHref(from, scopeFeedPath(feedScope, 'rss.xml')),
      json: relativeHref(from, scopeFeedPath(feedScope, 'feed.json')),
      opml: relativeHref(from, '/opml.xml'),
    },
    scopeLabel: scope.kind === 'tag' ? `#${scope.tag}` : null,
  };
}

export function layoutView(site: SiteInfo, from: string, title: string, alternates: { type: string; title: string; href: string }[]) {
  const { words } = site;
  const home = relativeHref(from, '/');
  return {
    t: words.t,
    html: words.html,
    raw: words.raw,
    lang: words.lang,
    locale: words.locale,
    timeZone: words.timeZone,
    title,
    site: { name: site.name, description: site.description },
    home,
    css: `${relativeHref(from, '/assets/planet.css')}?v=${site.assetStamp}`,
    script: `${relativeHref(from, '/assets/planet.js')}?v=${site.assetStamp}`,
    icon: relativeHref(from, '/assets/favicon.svg'),
    search: relativeHref(from, '/search'),
    footerHtml: words.html('layout.footer', { planet: words.raw(`<a href="${escapeHtml(home)}">${escapeHtml(site.name)}</a>`) }),
    keysHtml: words.html('layout.keys', { j: words.raw('<kbd>j</kbd>'), k: words.raw('<kbd>k</kbd>') }),
    alternates,
    why: site.live ? relativeHref(from, '/why') : null,
    suggest: site.live?.suggest ? relativeHref(from, '/suggest') : null,
  };
}

export function mergedAlternates(site: SiteInfo, from: string, scope: { kind: 'all' } | { kind: 'tag'; tag: string }) {
  const label = scope.kind === 'tag' ? `${site.name} #${scope.tag}` : site.name;
  return [
    { type: 'application/atom+xml', title: `${label} (Atom)`, href: relativeHref(from, scopeFeedPath(scope, 'atom.xml')) },
    { type: 'application/rss+xml', title: `${label} (RSS)`, href: relativeHref(from, scopeFeedPath(scope, 'rss.xml')) },
    { type: 'application/feed+json', title: `${label} (JSON Feed)`, href: relativeHref(from, scopeFeedPath(scope, 'feed.json')) },
  ];
}

/** A planet page (whole planet, one blog, or one tag), or the first-run page when nothing is there yet. */
export function renderTimelinePage(templates: Templates, site: SiteInfo, input: TimelineInput): string {
  const { scope, page, pages } = input;
  const { words } = site;
  const from = scopePath(scope, page);
  const heading =
    scope.kind === 'all' ? null : scope.kind === 'tag' ? words.t('timeline.tagHeading', { tag: scope.tag }) : feedDisplayName(scope.feed);
  const titleBase = heading ? `${heading} — ${site.name}` : site.name;
  const title = page > 1 ? words.t('timeline.pageTitle', { title: titleBase, page, pages }) : titleBase;
  const alternates =
    scope.kind === 'feed'
      ? [{ type: 'application/atom+xml', title: words.t('timeline.originalFeed', { blog: feedDisplayName(scope.feed) }), href: scope.feed.url }, ...mergedAlternates(site, from, { kind: 'all' })]
      : mergedAlternates(site, from, scope);
  const firstRun = scope.kind === 'all' && input.total === 0;
  const data = {
    ...layoutView(site, from, title, alternates),
    heading,
    blog:
      scope.kind === 'feed'
        ? {
            home: safeHref(feedHomeLink(scope.feed)),
            url: safeHref(scope.feed.url),
            face: faceOf(scope.feed, feedDisplayName(scope.feed)),
            // Its health in plain words, and where to ask about a post that is missing.
            health: feedHealthWords(scope.feed, words),
            why: site.live ? `${relativeHref(from, '/why')}?url=${encodeURIComponent(scope.feed.url)}` : null,
          }
        : null,
    firstRun,
    // Which first-run story is true: nothing followed, not fetched yet, fetched and failed, fetched and empty.
    firstRunState: !firstRun ? null : input.sidebar.subscriptions === 0 ? 'empty' : input.sidebar.updatedAt !== null ? 'noPosts' : input.sidebar.attempted ? 'failed' : 'waiting',
    days: groupByDay(input.entries, input.feeds, words, from, input.memo, scope.kind === 'feed'),
    pager: {
      page,
      pages,
      newer: page > 1 ? relativeHref(from, scopePath(scope, page - 1)) : null,
      older: page < pages ? relativeHref(from, scopePath(scope, page + 1)) : null,
    },
    feedCount: input.sidebar.subscriptions,
    sidebarHtml: input.sidebarHtml ?? renderSidebar(templates, site, input.sidebar, scope, from, input.now),
  };
  return templates.render(firstRun ? 'first-run' : 'page', data);
}

export interface SearchInput {
  query: string;
  page: number;
  pages: number;
  total: number;
  entries: Entry[];
  feeds: Map<number, Feed>;
  /** The words the results were matched on (for highlighting). */
  words: string[];
  /** FTS5 rejected the query as syntax; it was searched as plain words. */
  relaxed: boolean;
}

export function renderSearchPage(templates: Templates, site: SiteInfo, input: SearchInput): string {
  const from = '/search';
  const { words } = site;
  const title = `${input.query ? words.t('search.title', { query: input.query }) : words.t('search.titleEmpty')} — ${site.name}`;
  const pageHref = (n: number) => `${relativeHref(from, '/search')}?q=${encodeURIComponent(input.query)}${n > 1 ? `&page=${n}` : ''}`;
  const data = {
    ...layoutView(site, from, title, mergedAlternates(site, from, { kind: 'all' })),
    query: input.query,
    total: input.total,
    relaxed: input.relaxed,
    results: input.entries.map((entry) => {
      const feed = input.feeds.get(entry.feedId);
      const blog = feed ? feedDisplayName(feed) : words.t('entry.unknownBlog');
      return {
        titleHtml: highlight(entry.title?.trim() || words.t('entry.untitled'), input.words),
        link: safeHref(entry.link),
        author: entry.author?.trim() || blog,
        blog,
        blogLink: feed ? safeHref(feedHomeLink(feed)) : null,
        face: faceOf(feed, blog),
        iso: new Date(entry.sortAt).toISOString(),
        date: words.dates.full(entry.sortAt),
        snippetHtml: snippet(sanitizedHtmlToText(entry.contentHtml ?? entry.summaryHtml ?? ''), input.words),
      };
    }),
    pager: {
      page: input.page,
      pages: input.pages,
      newer: input.page > 1 ? pageHref(input.page - 1) : null,
      older: input.page < input.pages ? pageHref(input.page + 1) : null,
    },
  };
  return templates.render('search', data);
}

/** The 404 page, with links relative to wherever the reader asked. */
export function renderNotFoundPage(templates: Templates, site: SiteInfo, path: string): string {
  return templates.render('404', { ...layoutView(site, path, `${site.words.t('notFound.title')} — ${site.name}`, mergedAlternates(site, path, { kind: 'all' })) });
}

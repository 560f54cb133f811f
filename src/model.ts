// The shapes that flow through the pipeline:
// fetch → decode → parse (NormalizedFeed) → dedupe → sanitize → store (Feed, Entry) → render / syndicate.

/** Why one fetch of one feed failed. Written on the feed row, cleared on success. */
export type FetchErrorCode =
  | 'bad_url' // not http(s), unparsable
  | 'address_refused' // resolves to a private / loopback / link-local … address
  | 'dns' // name does not resolve
  | 'network' // connection refused, reset, TLS failure
  | 'timeout' // connect or whole-response deadline passed
  | 'too_large' // body over fetch.max_bytes after decompression
  | 'empty_body'
  | 'too_many_redirects'
  | 'redirect_loop'
  | 'http_status' // any other non-2xx
  | 'gone' // 410: polling stops
  | 'rate_limited' // 429 / 503 with Retry-After
  | 'decode' // bytes could not become text
  | 'not_a_feed' // HTML page or other document where a feed was expected
  | 'parse'; // looked like a feed but could not be read (hostile or hopelessly broken)

export interface Redirect {
  status: number;
  from: string;
  to: string;
}

/** What the fetcher hands on. A per-feed failure is a value, never an exception. */
export type FetchResult =
  | {
      kind: 'not_modified';
      status: 304;
      finalUrl: string;
      /** Set when every hop to finalUrl was a permanent redirect (301 / 308): the new URL to store. */
      permanentUrl: string | null;
      redirects: Redirect[];
      etag: string | null;
      lastModified: string | null;
      /** The response's Link header(s), joined with ", " (WebSub discovery: rel="hub", rel="self"). */
      link: string | null;
    }
  | {
      kind: 'ok';
      status: number;
      finalUrl: string;
      permanentUrl: string | null;
      redirects: Redirect[];
      contentType: string | null;
      etag: string | null;
      lastModified: string | null;
      /** The response's Link header(s), joined with ", " (WebSub discovery: rel="hub", rel="self"). */
      link: string | null;
      /** Decompressed body, at most fetch.max_bytes long. */
      body: Buffer;
    }
  | {
      kind: 'error';
      code: FetchErrorCode;
      /** Human message naming its module, e.g. `fetch: response larger than 5 MiB`. */
      message: string;
      status: number | null;
      finalUrl: string | null;
      redirects: Redirect[];
      /** From a 429 / 503 Retry-After header (seconds or HTTP date), already absolute. */
      retryAfter: Date | null;
    };

export interface FetchOptions {
  timeoutMs: number;
  maxBytes: number;
  userAgent: string;
  allowPrivateAddresses: boolean;
  maxRedirects: number;
}

export interface ConditionalHeaders {
  etag: string | null;
  lastModified: string | null;
}

export type FeedFormat = 'rss' | 'rdf' | 'atom' | 'atom03' | 'json';

/** A post's own category, tag or keyword: RSS `category` (domain as scheme), Atom `category`, JSON Feed `tags`. */
export interface Category {
  /** What identifies it (RSS text, Atom term, JSON Feed tag), collapsed plain text. */
  term: string;
  /** RSS domain or Atom scheme, when given. */
  scheme: string | null;
  /** Atom's human-readable label, when given. */
  label: string | null;
}

/** What a category is called on the page and matched against by `category:` rules. */
export function categoryName(c: Category): string {
  return c.label ?? c.term;
}

/** One entry as the parser read it: links absolute, text fields plain, HTML not yet sanitized. */
export interface NormalizedEntry {
  /** RSS guid, Atom id or JSON Feed id, trimmed; null when absent or empty. */
  guid: string | null;
  /** Absolute permalink, or null. */
  link: string | null;
  /** Plain text. */
  title: string | null;
  /** Plain text. */
  author: string | null;
  /** Raw, untrusted HTML of the full content. */
  contentHtml: string | null;
  /** Raw, untrusted HTML of the summary / description. */
  summaryHtml: string | null;
  published: Date | null;
  updated: Date | null;
  /** Where relative URLs inside the content resolve: xml:base, else the entry link, else the feed URL. */
  baseUrl: string;
  /** Its own categories, in document order, without repeats. */
  categories: Category[];
  /** BCP 47 tag (canonical case): its xml:lang or JSON Feed language, else the feed's; null when unknown. */
  language: string | null;
  /** Where the summary's relative URLs resolve, when its xml:base differs from the content's. */
  summaryBaseUrl?: string;
  /** Media attached to the post (podcast episodes, videos, files); URLs absolute and of a safe scheme. */
  enclosures: Enclosure[];
}

/** One attached file: RSS enclosure, Atom link rel="enclosure", JSON Feed attachment, media:content. */
export interface Enclosure {
  /** Absolute http(s) URL (data: only for raster images, as in the sanitizer). */
  url: string;
  /** MIME type, lowercased, or null when the feed does not say. */
  type: string | null;
  /** Size in bytes, or null when unknown (feeds often write 0 for that). */
  length: number | null;
  /** Plain text, or null. */
  title: string | null;
}

export interface NormalizedFeed {
  format: FeedFormat;
  /** Plain text. */
  title: string | null;
  /** Absolute home page of the blog. */
  link: string | null;
  /** Absolute URL of the feed's image / icon, if it names one. */
  image: string | null;
  /** The feed's language (RSS language / dc:language, the root's xml:lang, JSON Feed language), canonical BCP 47. */
  language: string | null;
  /** The channel's pubDate (RSS), when given. */
  published: Date | null;
  /** When the feed says it last changed: lastBuildDate, Atom feed updated, dc:date … */
  updated: Date | null;
  entries: NormalizedEntry[];
  /** Things that were repaired or ignored while reading (stray `&`, bad dates …). */
  warnings: string[];
  /**
   * WebSub discovery in the document: rel="hub" links (Atom, RSS atom:link, JSON Feed `hubs`)
   * and the feed's rel="self", absolute. Absent when the document names neither.
   */
  websub?: { hubs: string[]; self: string | null };
}

export type ParseResult =
  | { kind: 'ok'; feed: NormalizedFeed }
  | {
      kind: 'error';
      code: 'not_a_feed' | 'parse';
      message: string;
      /** For an HTML page: the feeds it advertises with <link rel="alternate">, absolute. */
      alternates: string[];
    };

/** active: polled; gone: answered 410, polling stopped; removed: unsubscribed, entries kept. */
export type FeedStatus = 'active' | 'gone' | 'removed';

/** A subscription, as stored. Times are unix milliseconds. */
/**
 * What the fetcher keeps about something it polls (a feed, a reading list): the validators for a
 * conditional GET, the last attempt and success, the current run of errors, when it is due next.
 */
export interface FetchState {
  etag: string | null;
  lastModified: string | null;
  lastAttemptAt: number | null;
  lastSuccessAt: number | null;
  lastHttpStatus: number | null;
  errorCode: string | null;
  errorMessage: string | null;
  errorCount: number;
  nextFetchAt: number | null;
}

export interface Feed extends FetchState {
  id: number;
  url: string;
  /** Admin-given name; falls back to title, then the URL's host. */
  name: string | null;
  /** Title the feed gives itself. */
  title: string | null;
  /** Admin-given blog link; falls back to siteLink. */
  link: string | null;
  /** Home page the feed gives itself. */
  siteLink: string | null;
  /** Admin-given avatar URL. */
  face: string | null;
  /** Image / icon the feed gives itself. */
  image: string | null;
  tags: string[];
  /** Show only the first part of long posts. */
  excerpt: boolean;
  status: FeedStatus;
  createdAt: number;
  /** Entries ingested at least once (false until the first successful fetch): caps the backlog. */
  hasFetched: boolean;
  /** The feed's own language, from its last document. */
  language: string | null;
  /** Its own filter rules (null: none; the planet's rules still apply). */
  filters: FilterLists | null;
  /** First failed attempt of the current run of errors; null while healthy. */
  failingSince: number | null;
}

/** Filter rules as written (PRODUCT.md "Filters"): the config file's `filters:`, a feed's own. */
export interface FilterLists {
  include: string[];
  exclude: string[];
}

/** Where a rule that hid a post is set. */
export type FilterScope = 'planet' | 'feed';

/** A stored post. Times are unix milliseconds. */
export interface Entry {
  id: number;
  feedId: number;
  entryKey: string;
  guid: string | null;
  link: string | null;
  title: string | null;
  author: string | null;
  /** Sanitized HTML. */
  contentHtml: string | null;
  /** Sanitized HTML. */
  summaryHtml: string | null;
  publishedAt: number | null;
  updatedAt: number | null;
  /** Attached media, as the parser kept them (empty when none). */
  enclosures: Enclosure[];
  firstSeenAt: number;
  /** The ordering time: published, else updated, else first seen; never after first seen. */
  sortAt: number;
  /** Hidden by an admin. */
  hidden: boolean;
  /** Another feed's entry with the same permalink was stored first; this one is not shown. */
  duplicateOf: number | null;
  categories: Category[];
  language: string | null;
  /** The filter rule that hides it and where that rule is set; null when no rule does. */
  filter: { rule: string; scope: FilterScope } | null;
  /** A tombstone: content dropped, never shown again. */
  expired: boolean;
  /** Why it expired (null for rows expired before that was recorded: retention). */
  expiredBy: 'backlog' | 'retention' | null;
  /** The date its feed gave, when that was in the future and the post is dated as first seen. */
  futureAt: number | null;
}

/** Display name of a feed: admin name, else feed title, else URL host. */
export function feedDisplayName(feed: Pick<Feed, 'name' | 'title' | 'url'>): string {
  if (feed.name) return feed.name;
  if (feed.title) return feed.title;
  try {
    return new URL(feed.url).host;
  } catch {
    return feed.url;
  }
}

/** Blog home page of a feed: admin link, else the feed's own, else the feed URL. */
export function feedHomeLink(feed: Pick<Feed, 'link' | 'siteLink' | 'url'>): string {
  return feed.link ?? feed.siteLink ?? feed.url;
}

// A feed's health at a glance, as admins and the sidebar show it.
/** gone: 410, polling stopped; erroring: last attempt failed; new: never fetched; inactive: no post lately. */
export type FeedHealth = 'ok' | 'erroring' | 'gone' | 'inactive' | 'new';

export function feedHealth(feed: Feed, latestPostAt: number | null, now: number, activityThresholdDays: number): FeedHealth {
  if (feed.status === 'gone') return 'gone';
  if (feed.errorCount > 0) return 'erroring';
  if (!feed.hasFetched) return 'new';
  if (latestPostAt === null || now - latestPostAt > activityThresholdDays * 86_400_000) return 'inactive';
  return 'ok';
}

// A tag names a group of feeds in URLs (/tag/NAME), the config, forms and OPML categories.
/** The tag pattern unanchored, for patterns that embed it (the site's /tag/… paths). */
export const TAG_PATTERN = '[a-z0-9][a-z0-9_-]{0,39}';
/** A whole string that is a tag. */
export const TAG = new RegExp(`^${TAG_PATTERN}$`);
/** What a tag may hold, for error messages. */
export const TAG_RULE = 'lowercase letters, digits, "-" or "_", at most 40 characters';

/** A category or folder title as a tag ("Open Source" → "open-source"), or null when nothing usable is left. */
export function slugTag(s: string): string | null {
  const slug = s.toLowerCase().normalize('NFKD').replace(/[^\w\s-]/g, '').trim().replace(/[\s_]+/g, '-').slice(0, 40);
  return TAG.test(slug) ? slug : null;
}

/**
 * The identity of a feed URL: two URLs with the same key are one subscription. WHATWG URL parsing
 * lower-cases the scheme and host and drops the scheme's default port; on top of that the key
 * drops an empty query (`?`) and any fragment (never sent to the server), collapses repeated `/`
 * in the path, and treats https and http as one, because the same blog is routinely reachable,
 * and pasted, both ways (and the most common permanent redirect of all is http → https).
 * Not a URL to fetch: the subscription keeps the URL as given. docs/decisions/0024-feed-identity.md
 */
export function feedUrlKey(url: string): string {
  const trimmed = url.trim();
  let u: URL;
  try {
    u = new URL(trimmed);
  } catch {
    return trimmed;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return u.href;
  // Setting the scheme drops a port that is the new scheme's default (https://h:80/ is http://h/).
  if (u.protocol === 'https:') {
    u.protocol = 'http:';
    if (u.port === '443') u.port = '';
  }
  u.hash = '';
  if (u.search === '') u.search = ''; // "?" alone parses to an empty search but stays in href
  u.pathname = u.pathname.replace(/\/{2,}/g, '/');
  return u.href;
}

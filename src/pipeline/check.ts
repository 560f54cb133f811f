// The pipeline's view of one feed, stored nowhere: what `planet check` prints and what the admin
// preview shows. The admin's answer to "why doesn't my post show up?".
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Enclosure, FeedFormat, FetchOptions, Redirect } from '../model.js';
import { decodeBody } from './decode.js';
import { entryKey } from './dedupe.js';
import { findFeedLinks } from './feed-links.js';
import { fetchFeed } from './fetch.js';
import { parseFeed } from './parse/index.js';
import { sanitizeContent } from './sanitize.js';

export interface CheckedEntry {
  id: string;
  link: string | null;
  title: string | null;
  author: string | null;
  published: string | null;
  updated: string | null;
  content_html: string | null;
  summary_html: string | null;
  enclosures: Enclosure[];
}

export interface CheckReport {
  url: string;
  status: number | null;
  final_url: string | null;
  redirects: Redirect[];
  content_type: string | null;
  encoding: string | null;
  format: FeedFormat | null;
  title: string | null;
  link: string | null;
  /** The feed's own dates (channel pubDate; lastBuildDate, Atom updated …), ISO 8601. */
  published: string | null;
  updated: string | null;
  entries: CheckedEntry[];
  warnings: string[];
  /** Present when the feed could not be read; the same code and message refresh would record. */
  error?: { code: string; message: string; alternates?: string[] };
}

const isUrl = (s: string) => /^https?:\/\//i.test(s);

/** An href or src attribute whose value has no scheme: relative, so it needs a base URL. */
const RELATIVE_REF = /\b(?:href|src)\s*=\s*["']?(?![a-z][a-z0-9+.-]*:)[^\s"'>]/i;

export async function checkFeed(urlOrFile: string, options: FetchOptions): Promise<CheckReport> {
  const report: CheckReport = {
    url: urlOrFile, status: null, final_url: null, redirects: [], content_type: null, encoding: null,
    format: null, title: null, link: null, published: null, updated: null, entries: [], warnings: [],
  };
  let body: Buffer;
  let baseUrl: string;
  /** Set for a local file: what its relative links resolved against, there being no http(s) URL. */
  let fileUrl: string | null = null;
  if (isUrl(urlOrFile)) {
    const result = await fetchFeed(urlOrFile, { etag: null, lastModified: null }, options);
    report.status = result.status;
    report.final_url = result.finalUrl;
    report.redirects = result.redirects;
    if (result.kind !== 'ok') {
      report.error = result.kind === 'error'
        ? { code: result.code, message: result.message }
        : { code: 'not_modified', message: 'check: the server answered 304 to an unconditional request' };
      return report;
    }
    report.content_type = result.contentType;
    body = result.body;
    baseUrl = result.finalUrl;
  } else {
    try {
      // A file: URL (as this report shows local links) names the same file as its path.
      body = await readFile(/^file:/i.test(urlOrFile) ? new URL(urlOrFile) : urlOrFile);
    } catch (err) {
      report.error = { code: 'bad_url', message: `check: "${urlOrFile}" is neither an http(s) URL nor a readable file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
      return report;
    }
    // A local file's own URL is file:. Relative links resolve against it, so they stay recognisably
    // local (the sanitizer drops them from content) and a warning says so; never an invented origin.
    fileUrl = /^file:/i.test(urlOrFile) ? new URL(urlOrFile).href : pathToFileURL(path.resolve(urlOrFile)).href;
    baseUrl = fileUrl;
  }

  const decoded = decodeBody(body, report.content_type);
  if (decoded.kind === 'error') {
    report.error = { code: 'decode', message: decoded.message };
    return report;
  }
  report.encoding = decoded.encoding;
  const parsed = parseFeed(decoded.text, baseUrl);
  if (parsed.kind === 'error') {
    report.error = { code: parsed.code, message: parsed.message, alternates: parsed.alternates };
    if (fileUrl !== null && parsed.alternates.length) localPageAlternates(report, decoded.text, urlOrFile);
    return report;
  }
  const feed = parsed.feed;
  report.format = feed.format;
  report.title = feed.title;
  report.link = feed.link;
  report.published = feed.published?.toISOString() ?? null;
  report.updated = feed.updated?.toISOString() ?? null;
  report.warnings = feed.warnings;
  report.entries = feed.entries.map((e) => ({
    id: e.guid ?? entryKey(e),
    link: e.link,
    title: e.title,
    author: e.author,
    published: e.published?.toISOString() ?? null,
    updated: e.updated?.toISOString() ?? null,
    content_html: e.contentHtml ? sanitizeContent(e.contentHtml, e.baseUrl) : null,
    summary_html: e.summaryHtml ? sanitizeContent(e.summaryHtml, e.summaryBaseUrl ?? e.baseUrl) : null,
    enclosures: e.enclosures,
  }));
  if (fileUrl !== null) {
    const local = (u: string | null) => u !== null && u.startsWith('file:');
    const relativeInContent = feed.entries.some((e) => local(e.baseUrl) && RELATIVE_REF.test(`${e.contentHtml ?? ''} ${e.summaryHtml ?? ''}`));
    if (local(feed.link) || feed.entries.some((e) => local(e.link)) || relativeInContent) {
      report.warnings.push(
        `check: ${urlOrFile} is a local file, so its relative links could not be made absolute: links show as file: URLs and ` +
          'relative links in content are dropped; fetched over http(s), the feed resolves them against its own URL',
      );
    }
  }
  return report;
}

/**
 * An HTML page read from a local file: the feeds it advertises with relative hrefs are shown as
 * found (resolving them against the file would name files, not the blog's feeds), with a note.
 */
function localPageAlternates(report: CheckReport, html: string, file: string): void {
  const found = findFeedLinks(html, null);
  const relative = found.filter((href) => !/^[a-z][a-z0-9+.-]*:/i.test(href));
  report.error = { code: report.error?.code ?? 'not_a_feed', message: `parse: this is an HTML page, not a feed; it advertises: ${found.join(', ')}`, alternates: found };
  if (relative.length) {
    report.warnings.push(
      `check: ${file} is a local file, so the relative links it advertises (${relative.join(', ')}) could not be made absolute; ` +
        "they are shown as written: resolve them against the page's own address",
    );
  }
}

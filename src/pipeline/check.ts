// The pipeline's view of one feed, stored nowhere: what `planet check` prints and what the admin
// preview shows. The admin's answer to "why doesn't my post show up?".
import { readFile } from 'node:fs/promises';
import type { FeedFormat, FetchOptions, Redirect } from '../model.js';
import { decodeBody } from './decode.js';
import { entryKey } from './dedupe.js';
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
  entries: CheckedEntry[];
  warnings: string[];
  /** Present when the feed could not be read; the same code and message refresh would record. */
  error?: { code: string; message: string; alternates?: string[] };
}

const isUrl = (s: string) => /^https?:\/\//i.test(s);

export async function checkFeed(urlOrFile: string, options: FetchOptions): Promise<CheckReport> {
  const report: CheckReport = {
    url: urlOrFile, status: null, final_url: null, redirects: [], content_type: null, encoding: null,
    format: null, title: null, link: null, entries: [], warnings: [],
  };
  let body: Buffer;
  let baseUrl: string;
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
      body = await readFile(urlOrFile);
    } catch (err) {
      report.error = { code: 'bad_url', message: `check: "${urlOrFile}" is neither an http(s) URL nor a readable file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
      return report;
    }
    // A local file has no URL; relative links resolve against a placeholder origin and show as such.
    baseUrl = 'http://localhost/';
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
    return report;
  }
  const feed = parsed.feed;
  report.format = feed.format;
  report.title = feed.title;
  report.link = feed.link;
  report.warnings = feed.warnings;
  report.entries = feed.entries.map((e) => ({
    id: e.guid ?? entryKey(e),
    link: e.link,
    title: e.title,
    author: e.author,
    published: e.published?.toISOString() ?? null,
    updated: e.updated?.toISOString() ?? null,
    content_html: e.contentHtml ? sanitizeContent(e.contentHtml, e.baseUrl) : null,
    summary_html: e.summaryHtml ? sanitizeContent(e.summaryHtml, e.baseUrl) : null,
  }));
  return report;
}

// The CPU-heavy, pure steps of a refresh — bytes → NormalizedFeed, raw HTML → sanitized HTML —
// in a form that runs the same in this thread or in a worker (src/pipeline/cpu-pool.ts).
import type { NormalizedFeed } from '../model.js';
import { decodeBody } from './decode.js';
import { parseFeed } from './parse/index.js';
import { sanitizeContent } from './sanitize.js';

export type ReadResult =
  | { kind: 'ok'; encoding: string; feed: NormalizedFeed }
  | { kind: 'error'; code: 'decode' | 'not_a_feed' | 'parse'; message: string; alternates: string[] };

/** Decodes and parses one fetched document. */
export function readDocument(body: Uint8Array, contentType: string | null, url: string): ReadResult {
  const decoded = decodeBody(Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength), contentType);
  if (decoded.kind === 'error') return { kind: 'error', code: 'decode', message: decoded.message, alternates: [] };
  const parsed = parseFeed(decoded.text, url);
  if (parsed.kind === 'error') return parsed;
  return { kind: 'ok', encoding: decoded.encoding, feed: parsed.feed };
}

export interface RawHtml {
  contentHtml: string | null;
  summaryHtml: string | null;
  baseUrl: string;
  /** Where the summary resolves when not at baseUrl (its own xml:base). */
  summaryBaseUrl?: string;
}

export interface SafeHtml {
  contentHtml: string | null;
  summaryHtml: string | null;
}

export function sanitizeEntries(items: RawHtml[]): SafeHtml[] {
  return items.map((e) => ({
    contentHtml: e.contentHtml ? sanitizeContent(e.contentHtml, e.baseUrl) : null,
    summaryHtml: e.summaryHtml ? sanitizeContent(e.summaryHtml, e.summaryBaseUrl ?? e.baseUrl) : null,
  }));
}

// One HTTP GET of one feed: conditional request, bounded redirects, decompression under a byte
// cap, one deadline for the whole response and the address guard. Every failure is a FetchResult.
//
// Built on node:http / node:https rather than undici: a per-request `lookup` puts the address
// guard on every connection (redirect hops included), `agent: false` means no pooled socket
// skips that check, and we own decompression (raw deflate, streaming byte cap) either way.
import http from 'node:http';
import https from 'node:https';
import { Transform, Writable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import type { ConditionalHeaders, FetchErrorCode, FetchOptions, FetchResult, Redirect } from '../model.js';
import {
  AddressRefusedError,
  checkLiteralHost,
  classifyAddress,
  guardedLookup,
  type AddressPolicy,
  type ResolveAll,
} from './address-guard.js';

const ACCEPT =
  'application/atom+xml, application/rss+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8';
const ACCEPT_ENCODING = 'gzip, deflate, br';
/** A TCP (+ TLS) handshake that takes longer than this is not going to produce a feed. */
const CONNECT_TIMEOUT_MS = 10_000;
/** RFC 9110 §15.4: the redirect statuses that carry a Location to follow. */
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** RFC 9110 §15.4.2 / §15.4.9: only these say "use the new URL from now on". */
const PERMANENT_REDIRECTS = new Set([301, 308]);

/** Test seams; production code passes nothing. */
export interface FetchInternals {
  /** Replaces the system resolver (the guard still checks whatever it returns). */
  resolveAll?: ResolveAll;
  /** Replaces the address policy used when private addresses are not allowed. */
  addressPolicy?: AddressPolicy;
}

type Failure = { code: FetchErrorCode; message: string };

class TooLargeError extends Error {}
class ConnectTimeoutError extends Error {}

/**
 * Fetches `url` once, following redirects. Never throws for network or HTTP trouble: the
 * outcome is `ok`, `not_modified` or an `error` with a code and a `fetch: …` message.
 */
export async function fetchFeed(
  url: string,
  conditional: ConditionalHeaders,
  options: FetchOptions,
  internals: FetchInternals = {},
): Promise<FetchResult> {
  const redirects: Redirect[] = [];
  const fail = (
    failure: Failure,
    finalUrl: string | null,
    status: number | null = null,
    retryAfter: Date | null = null,
  ): FetchResult => ({ kind: 'error', ...failure, status, finalUrl, redirects, retryAfter });

  let current: URL;
  try {
    current = new URL(url);
  } catch {
    return fail({ code: 'bad_url', message: `fetch: ${JSON.stringify(url)} is not a valid URL` }, null);
  }
  if (!isHttpUrl(current)) {
    return fail({ code: 'bad_url', message: `fetch: ${current.protocol} URLs are not fetched, only http and https` }, null);
  }

  const headers: Record<string, string> = {
    'User-Agent': options.userAgent,
    Accept: ACCEPT,
    'Accept-Encoding': ACCEPT_ENCODING,
  };
  // RFC 9110 §13.1.2 / §13.1.3: validators from the last 200 make an unchanged feed cost a 304.
  if (conditional.etag) headers['If-None-Match'] = conditional.etag;
  if (conditional.lastModified) headers['If-Modified-Since'] = conditional.lastModified;

  const policy: AddressPolicy = options.allowPrivateAddresses
    ? () => null
    : (internals.addressPolicy ?? classifyAddress);
  const hopContext: HopContext = {
    headers,
    policy,
    lookup: guardedLookup(policy, internals.resolveAll),
    deadline: new Deadline(options.timeoutMs),
    connectTimeoutMs: Math.min(CONNECT_TIMEOUT_MS, options.timeoutMs),
  };
  const timedOut = (): Failure => ({
    code: 'timeout',
    message: `fetch: timed out after ${formatDuration(options.timeoutMs)}`,
  });

  try {
    const seen = new Set<string>([current.href]);
    for (;;) {
      const hop = await sendRequest(current, hopContext);
      if ('code' in hop) return fail(hopContext.deadline.fired ? timedOut() : hop, current.href);
      const res = hop;
      const status = res.statusCode ?? 0;

      if (REDIRECT_STATUSES.has(status)) {
        const location = res.headers.location;
        res.destroy();
        if (!location) {
          return fail({ code: 'http_status', message: `fetch: HTTP ${status} redirect without a Location header` }, current.href, status);
        }
        let next: URL;
        try {
          // RFC 9110 §10.2.2: Location may be relative to the URL that answered.
          next = new URL(location, current);
        } catch {
          return fail({ code: 'bad_url', message: `fetch: redirect to an invalid URL ${JSON.stringify(location)}` }, current.href, status);
        }
        redirects.push({ status, from: current.href, to: next.href });
        if (!isHttpUrl(next)) {
          return fail({ code: 'bad_url', message: `fetch: redirect to a ${next.protocol} URL refused, only http and https` }, current.href, status);
        }
        if (seen.has(next.href)) {
          return fail({ code: 'redirect_loop', message: `fetch: redirect loop back to ${next.href}` }, current.href, status);
        }
        if (redirects.length > options.maxRedirects) {
          return fail({ code: 'too_many_redirects', message: `fetch: more than ${options.maxRedirects} redirects` }, current.href, status);
        }
        seen.add(next.href);
        current = next;
        continue;
      }

      const finalUrl = current.href;
      const permanentUrl =
        redirects.length > 0 && (status === 200 || status === 304) && redirects.every((r) => PERMANENT_REDIRECTS.has(r.status))
          ? finalUrl
          : null;
      const etag = headerValue(res.headers.etag);
      const lastModified = headerValue(res.headers['last-modified']);

      if (status === 304) {
        // RFC 9110 §15.4.5: a 304 has no content; nothing to read.
        res.destroy();
        return { kind: 'not_modified', status: 304, finalUrl, permanentUrl, redirects, etag, lastModified, link: linkHeader(res.headers.link) };
      }
      if (status < 200 || status > 299) {
        res.destroy();
        const message = `fetch: HTTP ${status}${reasonPhrase(status)}`;
        if (status === 410) return fail({ code: 'gone', message }, finalUrl, status);
        if (status === 429 || status === 503) {
          // RFC 9110 §10.2.3 (Retry-After) with RFC 6585 §4 (429) and RFC 9110 §15.6.4 (503).
          const retryAfter = parseRetryAfter(headerValue(res.headers['retry-after']), new Date());
          const suffix = retryAfter ? ` (retry after ${retryAfter.toISOString()})` : '';
          return fail({ code: 'rate_limited', message: message + suffix }, finalUrl, status, retryAfter);
        }
        return fail({ code: 'http_status', message }, finalUrl, status);
      }

      const body = await readBody(res, options.maxBytes, hopContext.deadline);
      if (!Buffer.isBuffer(body)) return fail(hopContext.deadline.fired ? timedOut() : body, finalUrl, status);
      if (body.length === 0) return fail({ code: 'empty_body', message: 'fetch: empty response body' }, finalUrl, status);
      return {
        kind: 'ok',
        status,
        finalUrl,
        permanentUrl,
        redirects,
        contentType: headerValue(res.headers['content-type']),
        etag,
        lastModified,
        link: linkHeader(res.headers.link),
        body,
      };
    }
  } finally {
    hopContext.deadline.clear();
  }
}

interface HopContext {
  headers: Record<string, string>;
  policy: AddressPolicy;
  lookup: ReturnType<typeof guardedLookup>;
  deadline: Deadline;
  connectTimeoutMs: number;
}

/** One deadline for the whole fetch, redirects included: a server dripping bytes cannot reset it. */
class Deadline {
  readonly controller = new AbortController();
  fired = false;
  private readonly timer: NodeJS.Timeout;
  constructor(ms: number) {
    this.timer = setTimeout(() => {
      this.fired = true;
      this.controller.abort(new Error('fetch deadline passed'));
    }, ms);
  }
  get signal(): AbortSignal {
    return this.controller.signal;
  }
  clear(): void {
    clearTimeout(this.timer);
  }
}

/** Sends one GET and resolves with the response head, or with why there is none. */
function sendRequest(target: URL, ctx: HopContext): Promise<http.IncomingMessage | Failure> {
  return new Promise((resolve) => {
    // net.connect never calls `lookup` for an IP literal, so the guard checks those here.
    const literal = checkLiteralHost(target.hostname, ctx.policy);
    if (literal) return resolve({ code: 'address_refused', message: `fetch: ${literal.message}` });

    const secure = target.protocol === 'https:';
    const req = (secure ? https : http).request(target, {
      method: 'GET',
      headers: ctx.headers,
      // A fresh connection per request: a kept-alive socket would bypass the lookup guard.
      agent: false,
      lookup: ctx.lookup,
      signal: ctx.deadline.signal,
    });
    const connectTimer = setTimeout(() => req.destroy(new ConnectTimeoutError()), ctx.connectTimeoutMs);
    req.on('socket', (socket) => {
      if (!socket.connecting) return clearTimeout(connectTimer);
      socket.once(secure ? 'secureConnect' : 'connect', () => clearTimeout(connectTimer));
    });
    req.on('response', (res) => {
      clearTimeout(connectTimer);
      resolve(res);
    });
    req.on('error', (err) => {
      clearTimeout(connectTimer);
      if (err instanceof ConnectTimeoutError) {
        resolve({ code: 'timeout', message: `fetch: could not connect to ${target.host} within ${formatDuration(ctx.connectTimeoutMs)}` });
      } else {
        resolve(classifyConnectionError(err, target));
      }
    });
    req.end();
  });
}

/** Maps a socket-level error to dns / network / address_refused / timeout. */
function classifyConnectionError(err: Error, target: URL): Failure {
  if (err instanceof AddressRefusedError) return { code: 'address_refused', message: `fetch: ${err.message}` };
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const host = target.host;
  if (['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME'].includes(code)) {
    return { code: 'dns', message: `fetch: could not resolve ${target.hostname} (${code})` };
  }
  if (code === 'ECONNREFUSED') return { code: 'network', message: `fetch: connection refused by ${host}` };
  if (code === 'ECONNRESET') return { code: 'network', message: `fetch: connection reset by ${host}` };
  if (code === 'ETIMEDOUT') return { code: 'timeout', message: `fetch: connection to ${host} timed out` };
  if (code === 'EPROTO' || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || code.includes('CERT')) {
    return { code: 'network', message: `fetch: TLS error with ${host}: ${err.message}` };
  }
  if (code.startsWith('HPE_')) return { code: 'network', message: `fetch: malformed HTTP response from ${host}` };
  return { code: 'network', message: `fetch: ${host}: ${err.message}` };
}

/** Streams the body through its decoders, stopping as soon as the decoded size passes maxBytes. */
async function readBody(res: http.IncomingMessage, maxBytes: number, deadline: Deadline): Promise<Buffer | Failure> {
  const tooLarge: Failure = { code: 'too_large', message: `fetch: response larger than ${formatBytes(maxBytes)}` };
  const declared = Number(res.headers['content-length']);
  // Refuse up front what we would cut off anyway (the encoded size rarely exceeds the decoded one).
  if (Number.isFinite(declared) && declared > maxBytes) {
    res.destroy();
    return tooLarge;
  }

  const decoders: Transform[] = [];
  // RFC 9110 §8.4: codings are listed in the order applied, so they are undone in reverse.
  for (const coding of contentCodings(res.headers['content-encoding']).reverse()) {
    const decoder = createDecoder(coding);
    if (!decoder) {
      res.destroy();
      return { code: 'decode', message: `fetch: unsupported Content-Encoding ${JSON.stringify(coding)}` };
    }
    decoders.push(decoder);
  }

  const chunks: Buffer[] = [];
  let total = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      total += chunk.length;
      if (total > maxBytes) return callback(new TooLargeError());
      chunks.push(chunk);
      callback();
    },
  });
  try {
    const streams: Array<NodeJS.ReadableStream | NodeJS.WritableStream> = [res, ...decoders, sink];
    await pipeline(streams, { signal: deadline.signal });
  } catch (err) {
    res.destroy();
    if (err instanceof TooLargeError) return tooLarge;
    if (isDecompressionError(err)) {
      return { code: 'decode', message: `fetch: could not decompress the response (${(err as Error).message})` };
    }
    return { code: 'network', message: 'fetch: connection closed before the response was complete' };
  }
  return Buffer.concat(chunks, total);
}

function contentCodings(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
}

function createDecoder(coding: string): Transform | null {
  switch (coding) {
    case 'gzip':
    case 'x-gzip': // RFC 9110 §8.4.1.3: recipients treat x-gzip as gzip.
      return zlib.createGunzip();
    case 'deflate':
      return new DeflateDecoder();
    case 'br':
      return zlib.createBrotliDecompress();
    default:
      return null;
  }
}

/**
 * RFC 9110 §8.4.1.2 says `deflate` is zlib-wrapped (RFC 1950), but some servers send a bare
 * RFC 1951 stream. The first two bytes tell them apart: a zlib header names method 8 and
 * its 16-bit value is a multiple of 31.
 */
class DeflateDecoder extends Transform {
  private inner: zlib.Inflate | zlib.InflateRaw | null = null;
  private head = Buffer.alloc(0);

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.inner) {
      this.inner.write(chunk, () => callback());
      return;
    }
    this.head = Buffer.concat([this.head, chunk]);
    if (this.head.length < 2) return callback();
    this.start().write(this.head, () => callback());
  }

  override _flush(callback: TransformCallback): void {
    let inner = this.inner;
    if (!inner && this.head.length > 0) {
      // A body shorter than two bytes never picked a decoder; let raw inflate judge it.
      inner = this.start();
      inner.write(this.head);
    }
    if (!inner) return callback();
    inner.once('end', () => callback());
    inner.end();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.inner?.destroy();
    callback(err);
  }

  private start(): zlib.Inflate | zlib.InflateRaw {
    const b0 = this.head[0] ?? 0;
    const b1 = this.head[1] ?? 0;
    const zlibWrapped = this.head.length >= 2 && (b0 & 0x0f) === 8 && ((b0 << 8) | b1) % 31 === 0;
    const inner = zlibWrapped ? zlib.createInflate() : zlib.createInflateRaw();
    inner.on('data', (data: Buffer) => this.push(data));
    inner.on('error', (err) => this.destroy(err));
    this.inner = inner;
    return inner;
  }
}

function isDecompressionError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code ?? '';
  // zlib reports Z_DATA_ERROR / Z_BUF_ERROR …; brotli reports ERR__ERROR_FORMAT_… / ERR_BROTLI….
  return code.startsWith('Z_') || code.startsWith('ERR__') || code.startsWith('ERR_BROTLI');
}

/**
 * RFC 9110 §10.2.3: Retry-After is delay-seconds or an HTTP-date. Returns the absolute time, or
 * null when the header is absent or unreadable.
 */
export function parseRetryAfter(value: string | null, now: Date): Date | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) {
    const at = new Date(now.getTime() + Number(trimmed) * 1000);
    return Number.isNaN(at.getTime()) ? null : at;
  }
  return parseHttpDate(trimmed, now);
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const IMF_FIXDATE = /^[a-z]{3}, (\d{2}) ([a-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/i;
const RFC850_DATE = /^[a-z]{6,9}, (\d{2})-([a-z]{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/i;
const ASCTIME_DATE = /^[a-z]{3} ([a-z]{3}) ( \d|\d{2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/i;

/** RFC 9110 §5.6.7: IMF-fixdate, plus the obsolete RFC 850 and asctime forms, all in UTC. */
function parseHttpDate(value: string, now: Date): Date | null {
  let day: string, month: string, year: number, hh: string, mm: string, ss: string;
  let m: RegExpExecArray | null;
  if ((m = IMF_FIXDATE.exec(value))) {
    [, day = '', month = '', , hh = '', mm = '', ss = ''] = m;
    year = Number(m[3]);
  } else if ((m = RFC850_DATE.exec(value))) {
    [, day = '', month = '', , hh = '', mm = '', ss = ''] = m;
    // RFC 9110 §5.6.7: a two-digit year more than 50 years in the future means the past century.
    const yy = Number(m[3]);
    const thisYear = now.getUTCFullYear();
    year = 2000 + yy > thisYear + 50 ? 1900 + yy : 2000 + yy;
  } else if ((m = ASCTIME_DATE.exec(value))) {
    [, month = '', day = '', hh = '', mm = '', ss = ''] = m;
    year = Number(m[6]);
  } else {
    return null;
  }
  const monthIndex = MONTHS.indexOf(month.toLowerCase());
  const d = Number(day.trim());
  const [h, min, s] = [Number(hh), Number(mm), Number(ss)];
  if (monthIndex < 0 || h > 23 || min > 59 || s > 60) return null;
  const at = new Date(Date.UTC(year, monthIndex, d, h, min, Math.min(s, 59)));
  // Date.UTC rolls 31 Feb over into March; such a date is invalid, not "3 March".
  if (at.getUTCDate() !== d) return null;
  return at;
}

function isHttpUrl(url: URL): boolean {
  return url.protocol === 'http:' || url.protocol === 'https:';
}

function headerValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? (value[0] ?? null) : value;
}

/** Several Link headers mean one comma-separated list (RFC 8288 §3, RFC 9110 §5.3). */
function linkHeader(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}

function reasonPhrase(status: number): string {
  // The standard phrase, not the server's: a hostile reason phrase should not reach the admin page.
  const phrase = http.STATUS_CODES[status];
  return phrase ? ` ${phrase}` : '';
}

/** 5242880 → `5 MiB`, 1536 → `1.5 KiB`, 100 → `100 bytes`. */
export function formatBytes(bytes: number): string {
  const units: Array<[string, number]> = [
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ];
  for (const [unit, size] of units) {
    if (bytes >= size) return `${Number((bytes / size).toFixed(1))} ${unit}`;
  }
  return `${bytes} bytes`;
}

/** 20000 → `20 s`, 1500 → `1.5 s`, 250 → `250 ms`. */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}

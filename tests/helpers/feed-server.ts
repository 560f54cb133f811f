// The one feed server of the tests and the bench: a real node:http server on 127.0.0.1, port 0.
// Routes map a pathname to a handler, and the handler builders below misbehave the ways real
// servers do. planet-feeds.ts (N advancing feeds) and bench/feed-server.ts are routes over it.
//
//   const server = await startFeedServer({
//     '/feed.xml': serveFeed(xml, { etag: '"v1"', encoding: 'gzip' }),
//     '/old': redirectTo('/feed.xml', 301),
//   });
//   const result = await fetchFeed(server.url('/old'), noValidators, { ...options, allowPrivateAddresses: true });
//   server.requests;        // every request received: method, path, headers
//   server.requestCount;    // how many, recorded or not; server.onRequest = (n) => … sees each one
//   server.route('/x', h);  // add or replace a route after start (e.g. to redirect to server.url(…))
//   await server.close();   // in afterAll / afterEach: destroys open sockets, so stalls end too
//
// Unknown paths answer 404. Fetch through it with `allowPrivateAddresses: true` (it is loopback).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';

export type RouteHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
export type Routes = Record<string, RouteHandler>;

export interface RecordedRequest {
  method: string;
  /** Path and query, as requested. */
  path: string;
  headers: http.IncomingHttpHeaders;
}

export interface FeedServer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  port: number;
  /** Absolute URL of a path on this server. */
  url(path: string): string;
  /** Every request received (none when started with `recordRequests: false`). */
  requests: RecordedRequest[];
  /** Requests received so far, recorded or not. */
  requestCount: number;
  /** Called on every request with the count so far, before it is routed (tests time kills by it). */
  onRequest?: (count: number) => void;
  route(path: string, handler: RouteHandler): void;
  close(): Promise<void>;
}

export interface FeedServerOptions {
  /** Keep every request in `requests` (default true). A long bench run turns it off. */
  recordRequests?: boolean;
}

export async function startFeedServer(routes: Routes = {}, options: FeedServerOptions = {}): Promise<FeedServer> {
  const table = new Map(Object.entries(routes));
  const record = options.recordRequests ?? true;
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    state.requestCount++;
    if (record) state.requests.push({ method: req.method ?? 'GET', path, headers: req.headers });
    state.onRequest?.(state.requestCount);
    const handler = table.get(new URL(path, 'http://test').pathname);
    if (!handler) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    try {
      handler(req, res);
    } catch (err) {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(String(err));
    }
  });
  const state: FeedServer = {
    origin: '',
    port: 0,
    url: (path) => new URL(path, state.origin).href,
    requests: [],
    requestCount: 0,
    route: (path, handler) => void table.set(path, handler),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as AddressInfo).port;
  state.origin = `http://127.0.0.1:${state.port}`;
  return state;
}

export type BodyEncoding = 'identity' | 'gzip' | 'deflate' | 'deflate-raw' | 'br';

/** Encodes a body; `deflate-raw` is a bare RFC 1951 stream that some servers label `deflate`. */
export function encodeBody(body: string | Buffer, encoding: BodyEncoding): Buffer {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  switch (encoding) {
    case 'identity':
      return bytes;
    case 'gzip':
      return zlib.gzipSync(bytes);
    case 'deflate':
      return zlib.deflateSync(bytes);
    case 'deflate-raw':
      return zlib.deflateRawSync(bytes);
    case 'br':
      return zlib.brotliCompressSync(bytes);
  }
}

/** Content-Encoding header value for an encoding (`deflate-raw` still says `deflate`). */
function contentEncodingHeader(encoding: BodyEncoding): string | undefined {
  if (encoding === 'identity') return undefined;
  return encoding === 'deflate-raw' ? 'deflate' : encoding;
}

/** `bytes` of zeros, gzipped by streaming (about 1 KiB per MiB): a compression bomb. */
export async function gzippedZeros(bytes: number): Promise<Buffer> {
  const gzip = zlib.createGzip();
  const out: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => out.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    gzip.on('end', resolve);
    gzip.on('error', reject);
  });
  const mib = Buffer.alloc(1024 * 1024);
  for (let left = bytes; left > 0; left -= mib.length) {
    const chunk = left >= mib.length ? mib : mib.subarray(0, left);
    if (!gzip.write(chunk)) await new Promise((resolve) => gzip.once('drain', resolve));
  }
  gzip.end();
  await done;
  return Buffer.concat(out);
}

export interface ServeFeedOptions {
  contentType?: string;
  etag?: string;
  lastModified?: string;
  encoding?: BodyEncoding;
  status?: number;
  headers?: http.OutgoingHttpHeaders;
}

/**
 * Serves a feed with validators. Honours If-None-Match (weak comparison, RFC 9110 §13.1.2) and,
 * only when that header is absent, If-Modified-Since (§13.1.3) with a 304.
 */
export function serveFeed(body: string | Buffer, options: ServeFeedOptions = {}): RouteHandler {
  const encoding = options.encoding ?? 'identity';
  const encoded = encodeBody(body, encoding);
  return (req, res) => {
    const validators: http.OutgoingHttpHeaders = {};
    if (options.etag) validators.ETag = options.etag;
    if (options.lastModified) validators['Last-Modified'] = options.lastModified;

    const inm = req.headers['if-none-match'];
    const ims = req.headers['if-modified-since'];
    const weak = (tag: string) => tag.trim().replace(/^W\//, '');
    const notModified =
      inm !== undefined
        ? options.etag !== undefined && (inm.trim() === '*' || inm.split(',').some((t) => weak(t) === weak(options.etag!)))
        : ims !== undefined &&
          options.lastModified !== undefined &&
          Date.parse(options.lastModified) <= Date.parse(ims);
    if (notModified) {
      res.writeHead(304, validators).end();
      return;
    }
    const contentEncoding = contentEncodingHeader(encoding);
    res.writeHead(options.status ?? 200, {
      'Content-Type': options.contentType ?? 'application/atom+xml; charset=utf-8',
      'Content-Length': encoded.length,
      ...(contentEncoding ? { 'Content-Encoding': contentEncoding } : {}),
      ...validators,
      ...options.headers,
    });
    res.end(encoded);
  };
}

/** Answers `status` with a Location header (relative or absolute). */
export function redirectTo(location: string, status: 301 | 302 | 303 | 307 | 308 = 302): RouteHandler {
  return (_req, res) => {
    res.writeHead(status, { Location: location, 'Content-Type': 'text/plain' }).end('moved');
  };
}

/** Any status with optional headers and body (e.g. 404, 410, 429 + Retry-After, an empty 200). */
export function respondWith(
  status: number,
  options: { headers?: http.OutgoingHttpHeaders; body?: string | Buffer } = {},
): RouteHandler {
  return (_req, res) => {
    res.writeHead(status, { 'Content-Type': 'text/plain', ...options.headers });
    res.end(options.body ?? '');
  };
}

/** Sends headers at once, then the body one byte every `intervalMs` (chunked). */
export function drip(body: string, intervalMs = 1000): RouteHandler {
  return (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/rss+xml' });
    let sent = 0;
    const timer = setInterval(() => {
      if (sent >= body.length) {
        clearInterval(timer);
        res.end();
        return;
      }
      res.write(body.charAt(sent++));
    }, intervalMs);
    res.on('close', () => clearInterval(timer));
  };
}

/** Accepts the request and never answers; `close()` ends it. */
export function stallBeforeHeaders(): RouteHandler {
  return () => {};
}

/** Sends headers and `partial` (chunked), then resets the TCP connection. */
export function resetMidBody(partial: string): RouteHandler {
  return (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/rss+xml' });
    res.write(partial, () => setTimeout(() => res.socket?.resetAndDestroy(), 20));
  };
}

/** Declares `declaredLength` but sends only `body`, then closes the connection. */
export function wrongContentLength(body: string, declaredLength: number): RouteHandler {
  return (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/rss+xml', 'Content-Length': declaredLength });
    res.write(body, () => setTimeout(() => res.socket?.end(), 20));
  };
}

/** A body no decoder can read, labelled with `encoding`. */
export function corruptEncoded(encoding: string): RouteHandler {
  return (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/rss+xml', 'Content-Encoding': encoding });
    res.end(Buffer.from('this is not compressed at all'));
  };
}

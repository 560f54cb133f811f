// Reader routes: the planet pages, merged feeds, OPML, search and assets. Each answer is a cached
// document from site/ (reader-site.ts), sent with validators (304 on a match), precompressed bytes and a strict CSP;
// repeat requests for a cached document are answered ahead of Fastify (fast-path.ts).
import type { IncomingHttpHeaders } from 'node:http';
import compress from '@fastify/compress';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { logRequest } from '../../ops/logging.js';
import { createMetrics, type Metrics } from '../../ops/metrics.js';
import { IFRAME_ORIGINS } from '../../pipeline/sanitize.js';
import type { FastHandler, FastPath } from '../fast-path.js';
import type { ServerDeps } from '../deps.js';
import { encodedBody, type Doc } from '../../site/doc.js';
import { createReaderSite, type ReaderSite } from '../../site/reader-site.js';
import { suggestRoutes } from './suggest.js';

/**
 * Second line of defence behind the sanitizer: scripts only our own optional one (assets/planet.js),
 * styles only from our stylesheet, frames only from the players the sanitizer lets through, images
 * from anywhere (posts hotlink them). connect-src 'self': nothing of ours connects, but tools that
 * read the page from inside it do (Lighthouse fetches /robots.txt that way, and fails without it).
 */
export function contentSecurityPolicy(iframeOrigins: readonly string[]): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "connect-src 'self'",
    'img-src https: http: data:',
    'media-src https: http:',
    `frame-src ${iframeOrigins.length ? iframeOrigins.join(' ') : "'none'"}`,
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'self'",
  ].join('; ');
}

const CSP = contentSecurityPolicy(IFRAME_ORIGINS);

/** /why is public and costs a few queries: a client may ask this many times a minute. */
export const WHY_LIMIT_PER_MINUTE = 60;

/** Does the Accept header prefer JSON to HTML (`Accept: application/json`)? */
export function prefersJson(accept: string | undefined): boolean {
  if (!accept) return false;
  const q = (type: string) => {
    for (const part of accept.split(',')) {
      const [name, ...params] = part.trim().split(';');
      if (name?.trim().toLowerCase() !== type) continue;
      const qp = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return qp ? Number(qp.slice(2)) || 0 : 1;
    }
    return -1;
  };
  const json = q('application/json');
  return json > 0 && json >= q('text/html');
}

/**
 * Every header of a reader response besides the document's own: what @fastify/helmet sends on the
 * other routes (its defaults, its CSP off), but a referrer policy that keeps the origin for the blogs
 * we link to, and our CSP. The reader routes skip helmet's two per-request hooks and send these from
 * ready header objects; tests/http/fast-path.test.ts checks they still match what helmet sends.
 */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
  'content-security-policy': CSP,
};

/** Does an If-None-Match list name this document (any encoding of it; weak comparison, RFC 9110 §13.1.2)? */
function etagMatches(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  const bare = etag.slice(1, -1);
  return header.split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '').replace(/^"|"$/g, '').replace(/-(?:br|gz)$/, '');
    return tag === bare;
  });
}

type Coding = 'br' | 'gzip' | 'identity';

function accepts(header: string, name: string): boolean {
  return new RegExp(`(?:^|,)\\s*${name}\\s*(?:;\\s*q=(?!0(?:\\.0*)?\\s*(?:,|$))[\\d.]+)?\\s*(?:,|$)`, 'i').test(header);
}

/** Accept-Encoding values are few (one per browser family): parsed once each. */
const codingFor = new Map<string, Coding>();
function acceptedEncoding(header: string | undefined): Coding {
  if (!header) return 'identity';
  let coding = codingFor.get(header);
  if (coding === undefined) {
    coding = accepts(header, 'br') ? 'br' : accepts(header, 'gzip') ? 'gzip' : 'identity';
    if (codingFor.size >= 256) codingFor.clear();
    codingFor.set(header, coding);
  }
  return coding;
}

/** One representation of a document, ready to send: its body and every header, built once. */
interface Wire {
  etag: string;
  body: Buffer;
  headers: Record<string, string>;
  /** The headers of its 304 (RFC 9110 §15.4.5: the validators and caching headers, no body ones). */
  notModified: Record<string, string>;
}

const wires = new WeakMap<Doc, Partial<Record<Coding, Wire>>>();

function wireFor(doc: Doc, coding: Coding): Wire {
  let byCoding = wires.get(doc);
  if (!byCoding) wires.set(doc, (byCoding = {}));
  const cached = byCoding[coding];
  if (cached) return cached;
  const etag = coding === 'identity' ? doc.etag : `${doc.etag.slice(0, -1)}-${coding === 'br' ? 'br' : 'gz'}"`;
  const common: Record<string, string> = { ...SECURITY_HEADERS, 'cache-control': doc.cacheControl, vary: 'Accept-Encoding', etag };
  if (doc.lastModified > 0) common['last-modified'] = new Date(doc.lastModified).toUTCString();
  if (doc.links) common.link = doc.links;
  const body = coding === 'identity' ? doc.body : encodedBody(doc, coding);
  const headers: Record<string, string> = { ...common, 'content-type': doc.type, 'content-length': String(body.length) };
  // Precompressed once per document; @fastify/compress is off for these routes.
  if (coding !== 'identity') headers['content-encoding'] = coding;
  return (byCoding[coding] = { etag, body, headers, notModified: common });
}

/** What to send for a 200 document: the representation the request accepts, or its 304. */
interface Answer {
  status: 200 | 304;
  headers: Record<string, string>;
  body: Buffer | undefined;
}

function answerFor(doc: Doc, headers: IncomingHttpHeaders): Answer {
  const compressible = doc.body.length > 512 && !doc.type.startsWith('image/');
  const wire = wireFor(doc, compressible ? acceptedEncoding(headers['accept-encoding']) : 'identity');
  const inm = headers['if-none-match'];
  const ims = headers['if-modified-since'];
  const notModified =
    inm !== undefined
      ? inm === wire.etag || etagMatches(inm, doc.etag)
      : ims !== undefined && doc.lastModified > 0 && Math.floor(doc.lastModified / 1000) * 1000 <= Date.parse(ims);
  return notModified ? { status: 304, headers: wire.notModified, body: undefined } : { status: 200, headers: wire.headers, body: wire.body };
}

export function sendDoc(request: FastifyRequest, reply: FastifyReply, doc: Doc): FastifyReply {
  if (doc.location) return reply.code(doc.status).headers(SECURITY_HEADERS).header('cache-control', doc.cacheControl).header('location', doc.location).type(doc.type).send(doc.body);
  if (doc.status !== 200) return reply.code(doc.status).headers(SECURITY_HEADERS).header('cache-control', doc.cacheControl).type(doc.type).send(doc.body);
  const answer = answerFor(doc, request.headers);
  return reply.code(answer.status).headers(answer.headers).send(answer.body);
}

/**
 * How long the fast path trusts the content_version it last read. Writes by other processes (the
 * fetch pass, `planet feeds …`) show within this; writes through this server's own routes at once
 * (FastPath.afterWrite). Reading it on every request was 11% of a cache hit's CPU.
 */
export const TRUST_VERSION_MS = 100;

/** Site paths Fastify routed to a document route and answered 200, with the route pattern (the metrics label). */
const MAX_KNOWN_PATHS = 16_384;

/**
 * The fast path for cached documents (fast-path.ts): a GET or HEAD of a path Fastify already routed
 * here, whose document is still current, gets the same status, headers and bytes sendDoc would send;
 * logged (one `info` line) and counted like any request. Anything else returns false, for Fastify.
 */
function cachedDocHandler(site: ReaderSite, knownPaths: Map<string, string>, metrics: Metrics, log: FastifyBaseLogger): FastHandler {
  return (req, res) => {
    const method = req.method;
    if (method !== 'GET' && method !== 'HEAD') return false;
    const start = performance.now();
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const route = knownPaths.get(path);
    if (route === undefined) return false;
    const doc = site.cached(path, TRUST_VERSION_MS);
    if (doc === undefined || doc.status !== 200 || doc.location) return false;
    const answer = answerFor(doc, req.headers);
    // Fastify's HEAD route adds "content-length: 0" to a 304; rare enough to leave to it.
    if (answer.status === 304 && method === 'HEAD') return false;
    res.writeHead(answer.status, answer.headers);
    res.end(method === 'HEAD' ? undefined : answer.body);
    const ms = performance.now() - start;
    metrics.observeRequest(route, method, answer.status, ms / 1000);
    logRequest(log, method, url, answer.status, ms);
    return true;
  };
}

export async function readerRoutes(app: FastifyInstance, { deps, fastPath }: { deps: ServerDeps; fastPath?: FastPath }): Promise<void> {
  // Compresses what is not precompressed here (the JSON 404, future routes in this scope); the
  // document routes below send bytes compressed once per document and opt out.
  await app.register(compress, { global: true, threshold: 1024 });
  const site = createReaderSite({ db: deps.db, config: deps.config, now: deps.now });
  const knownPaths = new Map<string, string>();
  if (fastPath) {
    fastPath.handler = cachedDocHandler(site, knownPaths, deps.metrics ?? createMetrics(), app.log);
    fastPath.afterWrite = () => site.recheckVersion();
    app.addHook('preClose', async () => {
      fastPath.closing = true;
    });
  }

  const serve = async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0]!;
    const doc = site.get(path);
    // The fast path may answer this path from now on (with the same split of the URL as above).
    if (fastPath && doc.status === 200 && !knownPaths.has(path)) {
      if (knownPaths.size >= MAX_KNOWN_PATHS) knownPaths.clear();
      knownPaths.set(path, request.routeOptions.url!);
    }
    return sendDoc(request, reply, doc);
  };
  // helmet: false: its headers are in every header set sendDoc sends (SECURITY_HEADERS).
  for (const url of [
    '/',
    '/page/:n',
    '/feed/:id',
    '/feed/:id/page/:n',
    '/tag/:tag',
    '/tag/:tag/page/:n',
    '/tag/:tag/:file',
    '/atom.xml',
    '/rss.xml',
    '/feed.json',
    '/opml.xml',
    '/robots.txt',
    '/favicon.ico',
    '/assets/:name',
  ]) {
    app.get(url, { compress: false, helmet: false }, serve);
  }

  app.get('/search', { compress: false, helmet: false }, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const q = typeof query.q === 'string' ? query.q : '';
    const page = typeof query.page === 'string' && /^\d{1,5}$/.test(query.page) ? Number(query.page) : 1;
    return sendDoc(request, reply, site.search(q, page));
  });

  // Visitors propose blogs only where the planet asks for it; elsewhere /suggest is a 404.
  if (deps.config.suggestions.enabled) await app.register(suggestRoutes, { deps, site, headers: SECURITY_HEADERS });

  // "Why isn't my post here?": public and read-only (never fetches), rate-limited per client.
  const whyLimit = app.createRateLimit({ max: WHY_LIMIT_PER_MINUTE, timeWindow: 60_000, keyGenerator: (req: FastifyRequest) => `why-ip:${req.ip}` });
  app.get('/why', { helmet: false }, async (request, reply) => {
    const json = prefersJson(request.headers.accept);
    const limit = await whyLimit(request);
    if (!limit.isAllowed && limit.isExceeded) {
      reply.code(429).headers(SECURITY_HEADERS).header('retry-after', String(limit.ttlInSeconds)).header('cache-control', 'no-store');
      const text = `Too many questions from your address: try again in ${limit.ttlInSeconds} seconds.`;
      return json ? reply.send({ error: 'too many requests', field: null, reason: text }) : reply.type('text/plain; charset=utf-8').send(`${text}\n`);
    }
    const query = request.query as Record<string, unknown>;
    const url = typeof query.url === 'string' ? query.url : undefined;
    const result = site.why(url);
    reply.headers(SECURITY_HEADERS).header('cache-control', 'no-store').header('vary', 'Accept');
    if (json) {
      if (result.problem) return reply.code(400).send({ error: 'invalid url', field: 'url', reason: result.problem });
      if (!result.answer) return reply.code(400).send({ error: 'missing url', field: 'url', reason: 'give ?url= a post permalink or a feed URL' });
      return reply.send(result.answer);
    }
    return reply.code(result.status).type(result.doc.type).send(result.doc.body);
  });

  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0]!;
    // "/page/2/" and friends redirect; anything else is the 404 page, its links relative to where the reader is.
    const doc = request.method === 'GET' || request.method === 'HEAD' ? site.get(path) : site.notFound(path);
    if (doc.status === 404 && request.headers.accept?.includes('application/json') && !request.headers.accept.includes('text/html')) {
      return reply.code(404).send({ error: 'not found' });
    }
    return sendDoc(request, reply, doc);
  });
}

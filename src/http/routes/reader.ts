// Reader routes: the planet pages, merged feeds, OPML, search and assets. Each answer is a cached
// document from site.ts, sent with validators (304 on a match), precompressed bytes and a strict CSP.
import compress from '@fastify/compress';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { IFRAME_ORIGINS } from '../../pipeline/sanitize.js';
import type { ServerDeps } from '../server.js';
import { createReaderSite, encodedBody, type Doc } from '../site.js';

/**
 * Second line of defence behind the sanitizer: no script at all, styles only from our stylesheet,
 * frames only from the players the sanitizer lets through, images from anywhere (posts hotlink them).
 */
export function contentSecurityPolicy(iframeOrigins: readonly string[]): string {
  return [
    "default-src 'none'",
    "style-src 'self'",
    'img-src https: http: data:',
    'media-src https: http:',
    `frame-src ${iframeOrigins.length ? iframeOrigins.join(' ') : "'none'"}`,
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'self'",
  ].join('; ');
}

const CSP = contentSecurityPolicy(IFRAME_ORIGINS);

const SECURITY_HEADERS = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
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

function acceptedEncoding(header: string | undefined): 'br' | 'gzip' | null {
  if (!header) return null;
  const ok = (name: string) => new RegExp(`(?:^|,)\\s*${name}\\s*(?:;\\s*q=(?!0(?:\\.0*)?\\s*(?:,|$))[\\d.]+)?\\s*(?:,|$)`, 'i').test(header);
  if (ok('br')) return 'br';
  if (ok('gzip')) return 'gzip';
  return null;
}

export function sendDoc(request: FastifyRequest, reply: FastifyReply, doc: Doc): FastifyReply {
  reply.headers(SECURITY_HEADERS);
  reply.header('cache-control', doc.cacheControl);
  if (doc.location) return reply.code(doc.status).header('location', doc.location).type(doc.type).send(doc.body);
  if (doc.status !== 200) return reply.code(doc.status).type(doc.type).send(doc.body);

  const compressible = doc.body.length > 512 && !doc.type.startsWith('image/');
  const encoding = compressible ? acceptedEncoding(request.headers['accept-encoding']) : null;
  const etag = encoding ? `${doc.etag.slice(0, -1)}-${encoding === 'br' ? 'br' : 'gz'}"` : doc.etag;
  if (compressible) reply.header('vary', 'Accept-Encoding');
  reply.header('etag', etag);
  if (doc.lastModified > 0) reply.header('last-modified', new Date(doc.lastModified).toUTCString());

  const inm = request.headers['if-none-match'];
  const ims = request.headers['if-modified-since'];
  const notModified =
    inm !== undefined ? etagMatches(inm, doc.etag) : ims !== undefined && doc.lastModified > 0 && Math.floor(doc.lastModified / 1000) * 1000 <= Date.parse(ims);
  if (notModified) return reply.code(304).send();

  reply.code(200).type(doc.type);
  // Precompressed once per document; @fastify/compress leaves a response with Content-Encoding alone.
  if (encoding) return reply.header('content-encoding', encoding).send(encodedBody(doc, encoding));
  return reply.send(doc.body);
}

export async function readerRoutes(app: FastifyInstance, { deps }: { deps: ServerDeps }): Promise<void> {
  // Compresses what is not precompressed here (nothing today but future routes in this scope).
  await app.register(compress, { global: true, threshold: 1024 });
  const site = createReaderSite({ db: deps.db, config: deps.config, now: deps.now });

  const serve = async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0]!;
    return sendDoc(request, reply, site.get(path));
  };
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
    '/assets/:name',
  ]) {
    app.get(url, serve);
  }

  app.get('/search', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const q = typeof query.q === 'string' ? query.q : '';
    const page = typeof query.page === 'string' && /^\d{1,5}$/.test(query.page) ? Number(query.page) : 1;
    return sendDoc(request, reply, site.search(q, page));
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

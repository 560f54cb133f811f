// fetchFeed against a real loopback server: one test per behaviour, FetchResult asserted field by field.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConditionalHeaders, FetchOptions, FetchResult } from '../../src/model.js';
import { fetchFeed, formatBytes, formatDuration, parseRetryAfter } from '../../src/pipeline/fetch.js';
import {
  corruptEncoded,
  drip,
  gzippedZeros,
  redirectTo,
  resetMidBody,
  respondWith,
  serveFeed,
  stallBeforeHeaders,
  startFeedServer,
  wrongContentLength,
  type FeedServer,
} from '../helpers/feed-server.js';

const ATOM = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Example blog</title>
  <id>tag:example.org,2024:feed</id>
  <updated>2024-05-01T10:00:00Z</updated>
  <entry><id>tag:example.org,2024:1</id><title>Hello</title><updated>2024-05-01T10:00:00Z</updated></entry>
</feed>
`;
const ETAG = '"v1-abc"';
const LAST_MODIFIED = 'Wed, 01 May 2024 10:00:00 GMT';
const MIB = 1024 * 1024;

const options: FetchOptions = {
  timeoutMs: 1500,
  maxBytes: 5 * MIB,
  userAgent: 'Planetarium/0.1 (+https://planet.example.org/)',
  allowPrivateAddresses: true,
  maxRedirects: 5,
};
const none: ConditionalHeaders = { etag: null, lastModified: null };

let server: FeedServer;
let bomb: Buffer;

beforeAll(async () => {
  bomb = await gzippedZeros(100 * MIB);
  server = await startFeedServer({
    '/feed.xml': serveFeed(ATOM, { etag: ETAG, lastModified: LAST_MODIFIED }),
    '/gzip.xml': serveFeed(ATOM, { encoding: 'gzip' }),
    '/deflate.xml': serveFeed(ATOM, { encoding: 'deflate' }),
    '/deflate-raw.xml': serveFeed(ATOM, { encoding: 'deflate-raw' }),
    '/br.xml': serveFeed(ATOM, { encoding: 'br' }),
    '/bomb.xml': (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/rss+xml', 'Content-Encoding': 'gzip' });
      res.end(bomb);
    },
    '/big-declared.xml': serveFeed('x'.repeat(2048)),
    '/big-chunked.xml': (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/rss+xml' });
      for (let i = 0; i < 4; i++) res.write('x'.repeat(1024));
      res.end();
    },
    '/empty.xml': respondWith(200, { headers: { 'Content-Type': 'application/rss+xml' } }),
    '/empty-gzip.xml': serveFeed('', { encoding: 'gzip' }),
    '/drip.xml': drip(ATOM, 1000),
    '/stall.xml': stallBeforeHeaders(),
    '/301': redirectTo('/308', 301),
    '/308': redirectTo('/feed.xml', 308),
    '/301-then-302': redirectTo('/302', 301),
    '/302': redirectTo('/feed.xml', 302),
    '/307': redirectTo('/feed.xml', 307),
    '/relative/start': redirectTo('../feed.xml', 301),
    '/loop-a': redirectTo('/loop-b', 302),
    '/loop-b': redirectTo('/loop-a', 302),
    '/chain/1': redirectTo('/chain/2', 302),
    '/chain/2': redirectTo('/chain/3', 302),
    '/chain/3': redirectTo('/chain/4', 302),
    '/chain/4': redirectTo('/chain/5', 302),
    '/chain/5': redirectTo('/chain/6', 302),
    '/chain/6': redirectTo('/feed.xml', 302),
    '/to-ftp': redirectTo('ftp://files.example.org/feed.xml', 302),
    '/no-location': respondWith(302),
    '/missing': respondWith(404, { body: 'no such page' }),
    '/gone': respondWith(410),
    '/busy-seconds': respondWith(429, { headers: { 'Retry-After': '120' } }),
    '/busy-date': respondWith(429, { headers: { 'Retry-After': 'Fri, 31 Dec 2100 23:59:59 GMT' } }),
    '/unavailable': respondWith(503),
    '/teapot': respondWith(418),
    '/reset.xml': resetMidBody(ATOM.slice(0, 100)),
    '/short.xml': wrongContentLength(ATOM.slice(0, 100), ATOM.length),
    '/corrupt-gzip.xml': corruptEncoded('gzip'),
    '/compress.xml': corruptEncoded('compress'),
  });
});

afterAll(async () => {
  await server.close();
});

function expectError(result: FetchResult): Extract<FetchResult, { kind: 'error' }> {
  if (result.kind !== 'error') throw new Error(`expected an error, got ${result.kind}`);
  return result;
}

describe('fetchFeed: success', () => {
  it('returns the body, validators and content type of a 200', async () => {
    const result = await fetchFeed(server.url('/feed.xml'), none, options);
    expect(result).toEqual({
      kind: 'ok',
      status: 200,
      finalUrl: server.url('/feed.xml'),
      permanentUrl: null,
      redirects: [],
      contentType: 'application/atom+xml; charset=utf-8',
      etag: ETAG,
      lastModified: LAST_MODIFIED,
      link: null,
      body: Buffer.from(ATOM),
    });
  });

  it('passes the Link headers on, several joined into one list (WebSub discovery)', async () => {
    server.route('/linked.xml', (_req, res) => {
      res.setHeader('Content-Type', 'application/atom+xml');
      res.setHeader('Link', ['<https://hub.example/>; rel="hub"', '<https://blog.example/feed.xml>; rel="self"']);
      res.end(ATOM);
    });
    const result = await fetchFeed(server.url('/linked.xml'), none, options);
    expect(result.kind === 'ok' && result.link).toBe('<https://hub.example/>; rel="hub", <https://blog.example/feed.xml>; rel="self"');
  });

  it('sends the User-Agent, Accept, Accept-Encoding and conditional headers', async () => {
    const before = server.requests.length;
    await fetchFeed(server.url('/feed.xml?probe=headers'), { etag: '"old"', lastModified: LAST_MODIFIED }, options);
    const request = server.requests.slice(before).find((r) => r.path === '/feed.xml?probe=headers');
    expect(request?.headers).toMatchObject({
      'user-agent': options.userAgent,
      accept:
        'application/atom+xml, application/rss+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8',
      'accept-encoding': 'gzip, deflate, br',
      'if-none-match': '"old"',
      'if-modified-since': LAST_MODIFIED,
    });
  });

  it('omits conditional headers it does not have', async () => {
    const before = server.requests.length;
    await fetchFeed(server.url('/feed.xml?probe=none'), none, options);
    const request = server.requests.slice(before).find((r) => r.path === '/feed.xml?probe=none');
    expect(request?.headers['if-none-match']).toBeUndefined();
    expect(request?.headers['if-modified-since']).toBeUndefined();
  });
});

describe('fetchFeed: conditional requests', () => {
  it('returns not_modified when the ETag still matches', async () => {
    const result = await fetchFeed(server.url('/feed.xml'), { etag: ETAG, lastModified: null }, options);
    expect(result).toEqual({
      kind: 'not_modified',
      status: 304,
      finalUrl: server.url('/feed.xml'),
      permanentUrl: null,
      redirects: [],
      etag: ETAG,
      lastModified: LAST_MODIFIED,
      link: null,
    });
  });

  it('returns not_modified when only Last-Modified is known and unchanged', async () => {
    const result = await fetchFeed(server.url('/feed.xml'), { etag: null, lastModified: LAST_MODIFIED }, options);
    expect(result.kind).toBe('not_modified');
  });

  it('returns the new body when the ETag changed', async () => {
    const result = await fetchFeed(server.url('/feed.xml'), { etag: '"v0"', lastModified: null }, options);
    expect(result.kind).toBe('ok');
  });
});

describe('fetchFeed: content codings', () => {
  it.each([
    ['gzip', '/gzip.xml'],
    ['zlib-wrapped deflate', '/deflate.xml'],
    ['raw deflate labelled deflate', '/deflate-raw.xml'],
    ['brotli', '/br.xml'],
  ])('decodes %s', async (_name, path) => {
    const result = await fetchFeed(server.url(path), none, options);
    expect(result.kind === 'ok' && result.body.toString('utf8')).toBe(ATOM);
  });

  it('reports a corrupt gzip body as decode', async () => {
    const result = expectError(await fetchFeed(server.url('/corrupt-gzip.xml'), none, options));
    expect(result.code).toBe('decode');
    expect(result.status).toBe(200);
    expect(result.message).toMatch(/^fetch: could not decompress the response/);
  });

  it('reports an unknown Content-Encoding as decode', async () => {
    const result = expectError(await fetchFeed(server.url('/compress.xml'), none, options));
    expect(result).toMatchObject({ code: 'decode', message: 'fetch: unsupported Content-Encoding "compress"' });
  });
});

describe('fetchFeed: size limits', () => {
  it('cuts off a gzip bomb (100 MB of zeros) at maxBytes after decompression', async () => {
    const started = Date.now();
    const result = expectError(await fetchFeed(server.url('/bomb.xml'), none, options));
    expect(result).toEqual({
      kind: 'error',
      code: 'too_large',
      message: 'fetch: response larger than 5 MiB',
      status: 200,
      finalUrl: server.url('/bomb.xml'),
      redirects: [],
      retryAfter: null,
    });
    // Stopping early means not inflating all 100 MB (generous bound: the CPU is shared).
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('refuses a declared Content-Length over the limit before reading', async () => {
    const result = expectError(await fetchFeed(server.url('/big-declared.xml'), none, { ...options, maxBytes: 1024 }));
    expect(result).toMatchObject({ code: 'too_large', message: 'fetch: response larger than 1 KiB', status: 200 });
  });

  it('counts a chunked body without Content-Length while streaming', async () => {
    const result = expectError(await fetchFeed(server.url('/big-chunked.xml'), none, { ...options, maxBytes: 3000 }));
    expect(result).toMatchObject({ code: 'too_large', message: 'fetch: response larger than 2.9 KiB' });
  });

  it('accepts a body of exactly maxBytes', async () => {
    const result = await fetchFeed(server.url('/big-chunked.xml'), none, { ...options, maxBytes: 4096 });
    expect(result.kind === 'ok' && result.body.length).toBe(4096);
  });

  it.each([
    ['a 200 with no body', '/empty.xml'],
    ['a gzip body that decodes to nothing', '/empty-gzip.xml'],
  ])('reports %s as empty_body', async (_name, path) => {
    const result = expectError(await fetchFeed(server.url(path), none, options));
    expect(result).toMatchObject({ code: 'empty_body', message: 'fetch: empty response body', status: 200 });
  });
});

describe('fetchFeed: timeouts', () => {
  it('cuts off a server dripping one byte a second at the deadline', async () => {
    const started = Date.now();
    const result = expectError(await fetchFeed(server.url('/drip.xml'), none, options));
    const elapsed = Date.now() - started;
    expect(result).toMatchObject({ code: 'timeout', message: 'fetch: timed out after 1.5 s', status: 200 });
    expect(elapsed).toBeGreaterThanOrEqual(1400);
    expect(elapsed).toBeLessThan(2500);
  });

  it('times out a server that never sends headers', async () => {
    const result = expectError(await fetchFeed(server.url('/stall.xml'), none, { ...options, timeoutMs: 300 }));
    expect(result).toEqual({
      kind: 'error',
      code: 'timeout',
      message: 'fetch: timed out after 300 ms',
      status: null,
      finalUrl: server.url('/stall.xml'),
      redirects: [],
      retryAfter: null,
    });
  });
});

describe('fetchFeed: redirects', () => {
  it('follows 301 then 308 and reports the permanent URL', async () => {
    const result = await fetchFeed(server.url('/301'), none, options);
    expect(result).toMatchObject({
      kind: 'ok',
      finalUrl: server.url('/feed.xml'),
      permanentUrl: server.url('/feed.xml'),
      redirects: [
        { status: 301, from: server.url('/301'), to: server.url('/308') },
        { status: 308, from: server.url('/308'), to: server.url('/feed.xml') },
      ],
    });
  });

  it('keeps the old URL when any hop is temporary', async () => {
    const result = await fetchFeed(server.url('/301-then-302'), none, options);
    expect(result).toMatchObject({ kind: 'ok', finalUrl: server.url('/feed.xml'), permanentUrl: null });
    expect(result.kind === 'ok' && result.redirects.map((r) => r.status)).toEqual([301, 302]);
  });

  it('treats 307 as temporary', async () => {
    const result = await fetchFeed(server.url('/307'), none, options);
    expect(result).toMatchObject({ kind: 'ok', permanentUrl: null });
  });

  it('reports the permanent URL on a 304 after a 301', async () => {
    const result = await fetchFeed(server.url('/relative/start'), { etag: ETAG, lastModified: null }, options);
    expect(result).toMatchObject({ kind: 'not_modified', permanentUrl: server.url('/feed.xml') });
  });

  it('resolves a relative Location against the answering URL', async () => {
    const result = await fetchFeed(server.url('/relative/start'), none, options);
    expect(result).toMatchObject({
      kind: 'ok',
      redirects: [{ status: 301, from: server.url('/relative/start'), to: server.url('/feed.xml') }],
    });
  });

  it('detects a redirect loop', async () => {
    const result = expectError(await fetchFeed(server.url('/loop-a'), none, options));
    expect(result).toEqual({
      kind: 'error',
      code: 'redirect_loop',
      message: `fetch: redirect loop back to ${server.url('/loop-a')}`,
      status: 302,
      finalUrl: server.url('/loop-b'),
      redirects: [
        { status: 302, from: server.url('/loop-a'), to: server.url('/loop-b') },
        { status: 302, from: server.url('/loop-b'), to: server.url('/loop-a') },
      ],
      retryAfter: null,
    });
  });

  it('gives up after maxRedirects', async () => {
    const result = expectError(await fetchFeed(server.url('/chain/1'), none, options));
    expect(result).toMatchObject({ code: 'too_many_redirects', message: 'fetch: more than 5 redirects', status: 302 });
    expect(result.redirects).toHaveLength(6);
  });

  it('follows exactly maxRedirects', async () => {
    const result = await fetchFeed(server.url('/chain/2'), none, options);
    expect(result.kind === 'ok' && result.redirects).toHaveLength(5);
  });

  it('refuses a redirect to a non-http scheme', async () => {
    const result = expectError(await fetchFeed(server.url('/to-ftp'), none, options));
    expect(result).toMatchObject({
      code: 'bad_url',
      message: 'fetch: redirect to a ftp: URL refused, only http and https',
      redirects: [{ status: 302, from: server.url('/to-ftp'), to: 'ftp://files.example.org/feed.xml' }],
    });
  });

  it('reports a redirect without Location as http_status', async () => {
    const result = expectError(await fetchFeed(server.url('/no-location'), none, options));
    expect(result).toMatchObject({ code: 'http_status', status: 302, message: 'fetch: HTTP 302 redirect without a Location header' });
  });
});

describe('fetchFeed: HTTP errors', () => {
  it('reports 404 as http_status', async () => {
    const result = expectError(await fetchFeed(server.url('/missing'), none, options));
    expect(result).toEqual({
      kind: 'error',
      code: 'http_status',
      message: 'fetch: HTTP 404 Not Found',
      status: 404,
      finalUrl: server.url('/missing'),
      redirects: [],
      retryAfter: null,
    });
  });

  it('reports an unusual status with its standard phrase', async () => {
    const result = expectError(await fetchFeed(server.url('/teapot'), none, options));
    expect(result).toMatchObject({ code: 'http_status', status: 418, message: "fetch: HTTP 418 I'm a Teapot" });
  });

  it('reports 410 as gone', async () => {
    const result = expectError(await fetchFeed(server.url('/gone'), none, options));
    expect(result).toMatchObject({ code: 'gone', status: 410, message: 'fetch: HTTP 410 Gone', retryAfter: null });
  });

  it('reports 429 with Retry-After seconds as an absolute time', async () => {
    const before = Date.now();
    const result = expectError(await fetchFeed(server.url('/busy-seconds'), none, options));
    const after = Date.now();
    expect(result).toMatchObject({ code: 'rate_limited', status: 429 });
    const at = result.retryAfter?.getTime() ?? 0;
    expect(at).toBeGreaterThanOrEqual(before + 120_000);
    expect(at).toBeLessThanOrEqual(after + 120_000);
    expect(result.message).toMatch(/^fetch: HTTP 429 Too Many Requests \(retry after \d{4}-/);
  });

  it('reports 429 with an HTTP-date Retry-After', async () => {
    const result = expectError(await fetchFeed(server.url('/busy-date'), none, options));
    expect(result).toMatchObject({
      code: 'rate_limited',
      status: 429,
      retryAfter: new Date('2100-12-31T23:59:59Z'),
      message: 'fetch: HTTP 429 Too Many Requests (retry after 2100-12-31T23:59:59.000Z)',
    });
  });

  it('reports 503 without Retry-After as rate_limited with no time', async () => {
    const result = expectError(await fetchFeed(server.url('/unavailable'), none, options));
    expect(result).toMatchObject({ code: 'rate_limited', status: 503, retryAfter: null, message: 'fetch: HTTP 503 Service Unavailable' });
  });
});

describe('fetchFeed: bad URLs and network failures', () => {
  it.each([
    ['an unparsable URL', 'not a url', 'fetch: "not a url" is not a valid URL'],
    ['an ftp URL', 'ftp://example.org/feed.xml', 'fetch: ftp: URLs are not fetched, only http and https'],
    ['a file URL', 'file:///etc/passwd', 'fetch: file: URLs are not fetched, only http and https'],
  ])('refuses %s as bad_url', async (_name, url, message) => {
    const result = expectError(await fetchFeed(url, none, options));
    expect(result).toEqual({ kind: 'error', code: 'bad_url', message, status: null, finalUrl: null, redirects: [], retryAfter: null });
  });

  it('reports a name that does not resolve as dns', async () => {
    const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND feeds.invalid'), { code: 'ENOTFOUND' });
    const result = expectError(
      await fetchFeed('http://feeds.invalid/feed.xml', none, options, {
        resolveAll: (_host, _opts, callback) => callback(notFound, []),
      }),
    );
    expect(result).toMatchObject({ code: 'dns', message: 'fetch: could not resolve feeds.invalid (ENOTFOUND)', status: null });
  });

  it('reports a refused connection as network', async () => {
    const port = await closedPort();
    const result = expectError(await fetchFeed(`http://127.0.0.1:${port}/feed.xml`, none, options));
    expect(result).toMatchObject({ code: 'network', message: `fetch: connection refused by 127.0.0.1:${port}`, status: null });
  });

  it('reports a connection reset mid-body as network', async () => {
    const result = expectError(await fetchFeed(server.url('/reset.xml'), none, options));
    expect(result).toMatchObject({
      code: 'network',
      status: 200,
      message: 'fetch: connection closed before the response was complete',
    });
  });

  it('reports a body shorter than its Content-Length as network', async () => {
    const result = expectError(await fetchFeed(server.url('/short.xml'), none, options));
    expect(result).toMatchObject({ code: 'network', status: 200 });
  });

  it('reports a TLS failure (https to a plain-http port) as network', async () => {
    const result = expectError(await fetchFeed(`https://127.0.0.1:${server.port}/feed.xml`, none, options));
    expect(result.code).toBe('network');
    expect(result.message).toMatch(new RegExp(`^fetch: TLS error with 127\\.0\\.0\\.1:${server.port}: `));
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2024-05-01T10:00:00Z');
  it.each<[string, string | null, string | null]>([
    ['delta-seconds', '120', '2024-05-01T10:02:00.000Z'],
    ['zero seconds', '0', '2024-05-01T10:00:00.000Z'],
    ['seconds with spaces', ' 30 ', '2024-05-01T10:00:30.000Z'],
    ['IMF-fixdate', 'Wed, 01 May 2024 12:00:00 GMT', '2024-05-01T12:00:00.000Z'],
    ['obsolete RFC 850 date', 'Wednesday, 01-May-24 12:00:00 GMT', '2024-05-01T12:00:00.000Z'],
    ['RFC 850 two-digit year over 50 years ahead is last century', 'Sunday, 06-Nov-94 08:49:37 GMT', '1994-11-06T08:49:37.000Z'],
    ['obsolete asctime date (UTC, not local)', 'Wed May  1 12:00:00 2024', '2024-05-01T12:00:00.000Z'],
    ['a date in the past (kept; the scheduler decides)', 'Mon, 01 Jan 2024 00:00:00 GMT', '2024-01-01T00:00:00.000Z'],
    ['absent', null, null],
    ['empty', '', null],
    ['negative seconds', '-5', null],
    ['fractional seconds', '1.5', null],
    ['garbage', 'soon', null],
    ['an impossible date', 'Sat, 31 Feb 2024 12:00:00 GMT', null],
    ['a non-GMT zone', 'Wed, 01 May 2024 12:00:00 PST', null],
  ])('%s', (_name, value, expected) => {
    expect(parseRetryAfter(value, now)?.toISOString() ?? null).toBe(expected);
  });
});

describe('message formatting', () => {
  it.each([
    [5 * MIB, '5 MiB'],
    [1536, '1.5 KiB'],
    [1024, '1 KiB'],
    [100, '100 bytes'],
    [2 * 1024 ** 3, '2 GiB'],
  ])('formatBytes(%d) is %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it.each([
    [20_000, '20 s'],
    [1500, '1.5 s'],
    [250, '250 ms'],
  ])('formatDuration(%d) is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

/** A port nothing listens on: bind one, then release it. */
async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

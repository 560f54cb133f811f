// The fast path for cached reader documents (src/http/fast-path.ts) against Fastify's own answer.
// app.inject() bypasses the server's listener, so these tests listen on a port and speak HTTP.
import http from 'node:http';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRUST_VERSION_MS } from '../../src/http/routes/reader.js';
import { buildServer } from '../../src/http/app.js';
import { createAdmin, createToken } from '../helpers/admin.js';
import { addEntry, createTestPlanet, NOW, seedSmallPlanet, type TestPlanet } from '../helpers/reader-fixtures.js';

interface Answer {
  status: number;
  /** Header lines in the order sent, names lower-cased, without Date (it moves with the clock). */
  headers: [string, string][];
  body: Buffer;
}

function request(base: string, path: string, method = 'GET', headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${path}`, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const lines: [string, string][] = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) lines.push([res.rawHeaders[i]!.toLowerCase(), res.rawHeaders[i + 1]!]);
        resolve({ status: res.statusCode!, headers: lines.filter(([name]) => name !== 'date'), body: Buffer.concat(chunks) });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const header = (a: Answer, name: string) => a.headers.find(([n]) => n === name)?.[1];

let planet: TestPlanet;
let fast: FastifyInstance;
let slow: FastifyInstance;
let fastUrl: string;
let slowUrl: string;
let ids: ReturnType<typeof seedSmallPlanet>;
const logLines: Array<Record<string, unknown>> = [];
/** Log lines the fast path wrote: Fastify's own carry a reqId. */
const fastLines = () => logLines.filter((l) => l.msg === 'request completed' && l.reqId === undefined);

beforeAll(async () => {
  planet = createTestPlanet({ page: { items_per_page: 2 } });
  ids = seedSmallPlanet(planet.db);
  const logger = { level: 'info', stream: { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) } };
  // Same database and clock: the same documents, byte for byte. One answers cache hits ahead of Fastify.
  fast = await buildServer({ db: planet.db, config: planet.config, now: () => NOW, logger });
  slow = await buildServer({ db: planet.db, config: planet.config, now: () => NOW, fastPath: false });
  fastUrl = await fast.listen({ host: '127.0.0.1', port: 0 });
  slowUrl = await slow.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await fast?.close();
  await slow?.close();
  planet?.cleanup();
});

describe('the fast path for cached reader documents', () => {
  const paths = () => [
    '/',
    '/page/2',
    '/page/3',
    `/feed/${ids.alice}`,
    `/feed/${ids.alice}/page/2`,
    '/tag/linux',
    '/tag/linux/page/2',
    '/tag/linux/atom.xml',
    '/tag/linux/rss.xml',
    '/tag/linux/feed.json',
    '/atom.xml',
    '/rss.xml',
    '/feed.json',
    '/opml.xml',
    '/assets/planet.css',
    '/assets/favicon.svg',
    '/?utm_source=test',
  ];
  const variants: Array<[string, string, (etag: string) => Record<string, string>]> = [
    ['GET, no Accept-Encoding', 'GET', () => ({})],
    ['GET, gzip', 'GET', () => ({ 'accept-encoding': 'gzip' })],
    ['GET, br', 'GET', () => ({ 'accept-encoding': 'gzip, deflate, br' })],
    ['HEAD, gzip', 'HEAD', () => ({ 'accept-encoding': 'gzip' })],
    ['GET, If-None-Match', 'GET', (etag) => ({ 'accept-encoding': 'gzip', 'if-none-match': etag })],
    ['GET, If-None-Match of another encoding', 'GET', (etag) => ({ 'if-none-match': etag })],
    ['GET, If-Modified-Since', 'GET', () => ({ 'if-modified-since': new Date(NOW).toUTCString() })],
  ];

  it('sends what Fastify sends: status, headers in order, bytes', async () => {
    let compared = 0;
    for (const path of paths()) {
      // The first request goes through Fastify, which renders and caches the document; from then on
      // the fast server answers this path itself.
      const first = await request(fastUrl, path, 'GET', { 'accept-encoding': 'gzip' });
      expect(first.status, path).toBe(200);
      const etag = header(first, 'etag')!;
      for (const [name, method, headers] of variants) {
        const before = fastLines().length;
        const ours = await request(fastUrl, path, method, headers(etag));
        const theirs = await request(slowUrl, path, method, headers(etag));
        expect(fastLines().length, `${path}, ${name}: answered by the fast path`).toBe(before + 1);
        expect({ status: ours.status, headers: ours.headers }, `${path}, ${name}`).toEqual({ status: theirs.status, headers: theirs.headers });
        expect(ours.body.equals(theirs.body), `${path}, ${name}: body`).toBe(true);
        compared++;
      }
    }
    expect(compared).toBe(paths().length * variants.length);
  });

  it('leaves 404s, redirects, search and other methods to Fastify, with the same answers', async () => {
    for (const [path, method] of [
      ['/page/9', 'GET'],
      ['/page/1', 'GET'],
      ['/page/2/', 'GET'],
      ['/nope', 'GET'],
      ['/search?q=penguins', 'GET'],
      ['/', 'POST'],
    ] as const) {
      await request(fastUrl, path, method);
      const before = fastLines().length;
      const ours = await request(fastUrl, path, method, { 'accept-encoding': 'gzip' });
      const theirs = await request(slowUrl, path, method, { 'accept-encoding': 'gzip' });
      expect(fastLines().length, `${method} ${path}`).toBe(before);
      expect(ours.status, `${method} ${path}`).toBe(theirs.status);
      expect(ours.headers, `${method} ${path}`).toEqual(theirs.headers);
    }
  });

  it('sends the headers helmet sends on every other route (but our referrer policy and CSP)', async () => {
    const health = await request(fastUrl, '/healthz');
    const page = await request(fastUrl, '/');
    const helmetHeaders = health.headers.filter(([name]) => !['cache-control', 'content-type', 'content-length', 'connection', 'keep-alive'].includes(name));
    expect(helmetHeaders.length).toBeGreaterThan(8);
    for (const [name, value] of helmetHeaders) {
      if (name === 'referrer-policy') expect(header(page, name)).toBe('strict-origin-when-cross-origin');
      else expect(header(page, name), name).toBe(value);
    }
  });

  it('logs one info line per request and counts it in /metrics', async () => {
    const counted = async () => {
      const text = (await request(fastUrl, '/metrics')).body.toString();
      return Number(/^planet_http_requests_total\{route="\/atom\.xml",method="GET",status="200"\} (\d+)$/m.exec(text)?.[1] ?? 0);
    };
    await request(fastUrl, '/atom.xml');
    const countedBefore = await counted();
    const before = fastLines().length;
    for (let i = 0; i < 3; i++) await request(fastUrl, '/atom.xml?i=1');
    const lines = fastLines().slice(before);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ level: 30, req: { method: 'GET', url: '/atom.xml?i=1' }, res: { statusCode: 200 } });
    expect(typeof lines[0]!.responseTime).toBe('number');
    expect(await counted()).toBe(countedBefore + 3);
  });

  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('steps aside once another process changes the content: the new post shows within TRUST_VERSION_MS', async () => {
    await request(fastUrl, '/');
    const before = fastLines().length;
    expect((await request(fastUrl, '/')).body.toString()).not.toContain('Breaking news');
    expect(fastLines().length).toBe(before + 1);
    // Written on the database directly, as the fetch pass (a child process) writes.
    addEntry(planet.db, ids.bob, { guid: 'g-new', link: 'https://bob.example.net/2015/new', title: 'Breaking news', content: '<p>New.</p>', at: NOW - 60_000 });
    await pause(TRUST_VERSION_MS + 20);
    const after = await request(fastUrl, '/');
    expect(after.body.toString()).toContain('Breaking news');
    expect(fastLines().length).toBe(before + 1);
    expect((await request(fastUrl, '/')).body.toString()).toContain('Breaking news');
    expect(fastLines().length).toBe(before + 2);
  });

  it('shows a change made through this server at once (an API edit, then the page)', async () => {
    await createAdmin(planet.db, 'fastpath-admin');
    const token = createToken(planet.db, 'fastpath-admin');
    expect((await request(fastUrl, '/')).body.toString()).not.toContain('Renamed Bob');
    const patch = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${fastUrl}/api/feeds/${ids.bob}`, { method: 'PATCH', agent: false, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ name: 'Renamed Bob' }));
    });
    expect(patch).toBe(200);
    // No pause: the same process wrote, so the fast path reads content_version again.
    expect((await request(fastUrl, '/')).body.toString()).toContain('Renamed Bob');
  });

  it('leaves a database fault on a cached path to Fastify’s error handler (500), not a crash', async () => {
    const broken = createTestPlanet();
    seedSmallPlanet(broken.db);
    const app = await buildServer({ db: broken.db, config: broken.config, now: () => NOW });
    try {
      const base = await app.listen({ host: '127.0.0.1', port: 0 });
      expect((await request(base, '/')).status).toBe(200);
      broken.db.exec('DROP TABLE content_version');
      await new Promise((r) => setTimeout(r, TRUST_VERSION_MS + 20));
      const res = await request(base, '/');
      expect(res.status).toBe(500);
      expect(JSON.parse(res.body.toString())).toEqual({ error: 'internal error' });
    } finally {
      await app.close();
      broken.cleanup();
    }
  });
});

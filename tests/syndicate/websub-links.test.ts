// The publisher's advertisement (WebSub §4): with websub.hub set, every merged and tag feed names
// the hub and itself in the document and in Link headers, the fast path's answers included.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/http/app.js';
import { linkHeaderHubLinks } from '../../src/pipeline/hub-links.js';
import { parseFeed } from '../../src/pipeline/parse/index.js';
import { feedTopics } from '../../src/site/feed-urls.js';
import { createTestPlanet, NOW, seedSmallPlanet, type TestPlanet } from '../helpers/reader-fixtures.js';

const HUB = 'https://hub.example.net/';
const PLANET = 'https://planet.example.org/';

describe('with websub.hub', () => {
  let planet: TestPlanet;
  let app: FastifyInstance;
  beforeAll(async () => {
    planet = createTestPlanet({ websub: { hub: HUB } });
    seedSmallPlanet(planet.db);
    app = await buildServer({ db: planet.db, config: planet.config, now: () => NOW });
    await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app.close();
    planet.cleanup();
  });

  it.each(['/atom.xml', '/rss.xml', '/feed.json', '/tag/linux/atom.xml', '/tag/linux/rss.xml', '/tag/linux/feed.json'])(
    '%s names the hub and itself, in the document and in a Link header (also from the fast path)',
    async (p) => {
      const self = `${PLANET}${p.slice(1)}`;
      const address = app.server.address() as { port: number };
      // The first request renders through Fastify, the second is a cache hit answered ahead of it.
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`http://127.0.0.1:${address.port}${p}`);
        expect(res.status).toBe(200);
        expect(linkHeaderHubLinks(res.headers.get('link'), self)).toEqual({ hubs: [HUB], self });
        const parsed = parseFeed(await res.text(), self);
        expect(parsed.kind === 'ok' && parsed.feed.websub).toEqual({ hubs: [HUB], self });
      }
    },
  );

  it('leaves the HTML pages and OPML alone', async () => {
    for (const p of ['/', '/opml.xml', '/tag/linux']) expect((await app.inject(p)).headers.link).toBeUndefined();
  });

  it('names every topic a publish ping covers: each format of the merged feed and of the tags', () => {
    expect(feedTopics('https://planet.example.org', ['linux', 'rust', 'linux'])).toEqual([
      `${PLANET}atom.xml`, `${PLANET}rss.xml`, `${PLANET}feed.json`,
      `${PLANET}tag/linux/atom.xml`, `${PLANET}tag/linux/rss.xml`, `${PLANET}tag/linux/feed.json`,
      `${PLANET}tag/rust/atom.xml`, `${PLANET}tag/rust/rss.xml`, `${PLANET}tag/rust/feed.json`,
    ]);
  });
});

describe('without websub.hub', () => {
  let planet: TestPlanet;
  let app: FastifyInstance;
  beforeAll(async () => {
    planet = createTestPlanet();
    seedSmallPlanet(planet.db);
    app = await buildServer({ db: planet.db, config: planet.config, now: () => NOW });
  });
  afterAll(async () => {
    await app.close();
    planet.cleanup();
  });

  it.each(['/atom.xml', '/rss.xml', '/feed.json'])('%s names no hub and sends no Link header', async (p) => {
    const res = await app.inject(p);
    expect(res.headers.link).toBeUndefined();
    expect(res.body).not.toMatch(/rel="hub"|"hubs"/);
    const parsed = parseFeed(res.body, `${PLANET}${p.slice(1)}`);
    expect(parsed.kind === 'ok' && parsed.feed.websub?.hubs).toEqual([]);
  });
});

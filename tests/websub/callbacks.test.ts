// /websub/<token> through buildServer + inject: raw bodies whatever their type, 410 for what we are
// not subscribed to, 2xx for bad signatures, and no HEAD or challenge-less verification.
import { createHmac } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertFeed } from '../../src/db/feeds.js';
import { confirmSubscription, startSubscription, type HubSubscription } from '../../src/db/websub.js';
import { buildServer } from '../../src/http/app.js';
import { tempPlanet, type TempPlanet } from '../helpers/temp-planet.js';

let planet: TempPlanet;
let app: FastifyInstance;
let sub: HubSubscription;
const TOKEN = 'A'.repeat(16) + 'b_-'.repeat(5) + 'z';

beforeAll(async () => {
  planet = tempPlanet({ websub: { callback_base: 'https://planet.example' }, fetch: { max_bytes: 4096 } });
  // Nothing may store deliveries during these tests: a pass "holds" the writer lock throughout.
  planet.db.prepare("INSERT INTO locks (name, owner, acquired_at, heartbeat_at) VALUES ('fetch-pass', 'elsewhere:1', ?, ?)").run(Date.now(), Date.now() + 3_600_000);
  const feed = insertFeed(planet.db, { url: 'https://blog.example/feed.json' });
  sub = startSubscription(planet.db, { feedId: feed.id, hub: 'https://hub.example/', topic: feed.url, callback: `https://planet.example/websub/${TOKEN}`, token: TOKEN, secret: 'shh' }, Date.now());
  confirmSubscription(planet.db, sub.id, 3600, Date.now());
  app = await buildServer({ db: planet.db, config: planet.config });
});
afterAll(async () => {
  await app.close();
  planet.cleanup();
});

const sign = (body: string | Buffer) => `sha256=${createHmac('sha256', 'shh').update(body).digest('hex')}`;
const queued = () => planet.db.prepare('SELECT content_type, body FROM websub_deliveries ORDER BY id').all() as { content_type: string | null; body: Buffer }[];

describe('POST /websub/:token', () => {
  it.each([
    ['JSON (not parsed, not re-serialized)', 'application/feed+json', '{ "version": "https://jsonfeed.org/version/1.1",   "items": [] }'],
    ['plain JSON', 'application/json', '{"items":[ ]}'],
    ['a form type', 'application/x-www-form-urlencoded', 'a=1&b=2'],
    ['text', 'text/plain; charset=iso-8859-1', 'caf\u00e9'],
  ])('queues %s as the exact bytes that were signed', async (_case, type, text) => {
    const body = Buffer.from(text, type.includes('8859') ? 'latin1' : 'utf8');
    const before = queued().length;
    const res = await app.inject({ method: 'POST', url: `/websub/${TOKEN}`, headers: { 'content-type': type, 'x-hub-signature': sign(body) }, payload: body });
    expect(res.statusCode).toBe(202);
    const rows = queued();
    expect(rows).toHaveLength(before + 1);
    expect(rows.at(-1)).toEqual({ content_type: type, body });
  });

  it('acknowledges a body without Content-Type or signature and queues nothing', async () => {
    const before = queued().length;
    const res = await app.inject({ method: 'POST', url: `/websub/${TOKEN}`, payload: Buffer.from('<feed/>') });
    expect(res.statusCode).toBe(202);
    expect(queued()).toHaveLength(before);
  });

  it('refuses a body over fetch.max_bytes with 413', async () => {
    const body = Buffer.alloc(5000, 'x');
    const res = await app.inject({ method: 'POST', url: `/websub/${TOKEN}`, headers: { 'content-type': 'application/atom+xml', 'x-hub-signature': sign(body) }, payload: body });
    expect(res.statusCode).toBe(413);
  });

  it('answers 410 Gone for a callback that is not ours', async () => {
    for (const url of [`/websub/${'Z'.repeat(32)}`, '/websub/short', `/websub/${TOKEN}x`]) {
      expect((await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/atom+xml' }, payload: '<feed/>' })).statusCode).toBe(410);
    }
  });
});

describe('GET /websub/:token', () => {
  it('has no HEAD twin, and refuses a verification without a challenge', async () => {
    const q = `hub.mode=subscribe&hub.topic=${encodeURIComponent(sub.topic)}`;
    expect((await app.inject({ method: 'HEAD', url: `/websub/${TOKEN}?${q}&hub.challenge=c` })).statusCode).toBe(404);
    planet.db.prepare("UPDATE websub_subscriptions SET pending_mode = 'subscribe', requested_at = ? WHERE id = ?").run(Date.now(), sub.id);
    expect((await app.inject(`/websub/${TOKEN}?${q}`)).statusCode).toBe(404);
    const ok = await app.inject(`/websub/${TOKEN}?${q}&hub.challenge=c%20h&hub.lease_seconds=7200`);
    expect([ok.statusCode, ok.body, ok.headers['content-type']]).toEqual([200, 'c h', 'text/plain; charset=utf-8']);
    expect((await app.inject(`/websub/${TOKEN}?${q}&hub.challenge=again`)).statusCode).toBe(404); // answered once
  });

  it('counts whatever hub.mode a caller sends under a few labels only', async () => {
    for (const mode of ['x1', 'x2', 'publish', '']) {
      expect((await app.inject(`/websub/${TOKEN}?hub.mode=${mode}&hub.topic=${encodeURIComponent(sub.topic)}&hub.challenge=c`)).statusCode).toBe(404);
    }
    const metrics = (await app.inject('/metrics')).body;
    expect(metrics).toMatch(/planet_websub_verifications_total\{mode="other",outcome="refused"\} 4/);
    expect(metrics).not.toMatch(/mode="x1"/);
  });
});

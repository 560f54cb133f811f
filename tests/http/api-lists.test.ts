// /api/lists: Bearer auth, list / add (read at once) / remove, and bad input answered
// 400 `{ error, field, reason }` (409 for a duplicate, 404 for an unknown list) with nothing written.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { respondWith, serveFeed, type FeedServer } from '../helpers/feed-server.js';
import { createAdmin, createToken, snapshot, startAdminTestPlanet, type TestPlanet } from '../helpers/admin.js';
import { opmlList, serveList, startBlogsServer } from '../helpers/reading-list.js';

let server: FeedServer;
let planet: TestPlanet;
let token: string;

beforeAll(async () => {
  server = await startBlogsServer(3);
  server.route('/list.opml', serveList(opmlList(server, [[1, 'Rust'], [2, null]])));
  server.route('/missing.opml', respondWith(404));
  server.route('/broken.opml', serveFeed('<opml version="2.0"><body><outline', { contentType: 'text/x-opml' }));
  server.route('/page.html', serveFeed('<!doctype html><html><body>not a list</body></html>', { contentType: 'text/html' }));
});
afterAll(() => server.close());
beforeEach(async () => {
  planet = await startAdminTestPlanet();
  await createAdmin(planet.db);
  token = createToken(planet.db);
});
afterEach(() => planet.close());

const api = (method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown, auth = true) =>
  planet.app.inject({
    method,
    url,
    headers: { ...(auth ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
const lists = () => (planet.db.prepare('SELECT count(*) AS n FROM reading_lists').get() as { n: number }).n;

describe('/api/lists', () => {
  it('refuses every route without a valid token', async () => {
    for (const [method, url] of [['GET', '/api/lists'], ['POST', '/api/lists'], ['DELETE', '/api/lists/1'], ['DELETE', '/api/lists?url=x']] as const) {
      const res = await api(method, url, method === 'POST' ? { url: server.url('/list.opml') } : undefined, false);
      expect({ url, status: res.statusCode, field: res.json().field }).toEqual({ url, status: 401, field: 'authorization' });
    }
    expect(lists()).toBe(0);
  });

  it('adds a list, reading it at once: its feeds are subscribed with its tags and the outline\'s', async () => {
    expect((await api('GET', '/api/lists')).json()).toEqual({ lists: [] });
    const res = await api('POST', '/api/lists', { url: server.url('/list.opml'), tags: ['community'] });
    expect(res.statusCode, res.body).toBe(201);
    const list = res.json();
    expect(res.headers.location).toBe(`/api/lists/${list.id}`);
    expect(list).toMatchObject({
      url: server.url('/list.opml'),
      tags: ['community'],
      status: 'ok',
      last_error: null,
      title: 'Community blogs',
      added_by: 'api',
      feeds: [
        { url: server.url('/feed1.xml'), name: 'Blog 1', state: 'subscribed' },
        { url: server.url('/feed2.xml'), name: 'Blog 2', state: 'subscribed' },
      ],
      subscribed: [server.url('/feed1.xml'), server.url('/feed2.xml')],
    });
    expect(list.last_success).toMatch(/^\d{4}-/);
    const feeds = (await api('GET', '/api/feeds')).json().feeds as { url: string; tags: string[]; sources: string[]; link: string }[];
    expect(feeds.find((f) => f.url === server.url('/feed1.xml'))).toMatchObject({ tags: ['community', 'rust'], link: 'http://blog1.test/', sources: [`list:${server.url('/list.opml')}`] });
    expect((await api('GET', `/api/lists/${list.id}`)).json()).toMatchObject({ id: list.id, status: 'ok' });
    expect((await api('GET', '/api/lists')).json().lists).toHaveLength(1);
  });

  it('refuses the same list under another spelling as a duplicate (409)', async () => {
    const first = (await api('POST', '/api/lists', { url: server.url('/list.opml') })).json();
    const before = snapshot(planet.db);
    const res = await api('POST', '/api/lists', { url: `${server.origin.toUpperCase().replace('HTTP', 'http')}//list.opml?` });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: 'duplicate reading list', field: 'url', existing: { id: first.id } });
    expect(snapshot(planet.db)).toEqual(before);
  });

  it.each([
    ['no url', {}, 'url', /required|expected string/],
    ['an empty url', { url: '  ' }, 'url', /required/],
    ['an unknown field', { url: 'https://x.example/l.opml', bogus: 1 }, 'bogus', /unknown field/],
    ['a bad tag', { url: 'https://x.example/l.opml', tags: ['Has Space'] }, 'tags.0', /lowercase/],
    ['an ftp URL', { url: 'ftp://x.example/l.opml' }, 'url', /unsupported scheme "ftp"/],
    ['a local file', { url: '/etc/passwd' }, 'url', /an http or https URL/],
    ['a file: URL', { url: 'file:///etc/passwd' }, 'url', /an http or https URL/],
    ['a list that answers 404', { url: 'MISSING' }, 'url', /^fetch: HTTP 404 Not Found$/],
    ['a malformed list', { url: 'BROKEN' }, 'url', /^opml: not well-formed XML/],
    ['a page that is no OPML', { url: 'PAGE' }, 'url', /^opml: not an OPML document/],
  ])('400 for %s, nothing written', async (_name, body, field, reason) => {
    const url = (body as { url?: string }).url;
    const payload = url && /^[A-Z]+$/.test(url) ? { ...body, url: server.url(`/${url.toLowerCase()}.${url === 'PAGE' ? 'html' : 'opml'}`) } : body;
    const before = snapshot(planet.db);
    const res = await api('POST', '/api/lists', payload);
    expect(res.statusCode, res.body).toBe(400);
    const json = res.json();
    expect(Object.keys(json).sort()).toEqual(['error', 'field', 'reason']);
    expect(json.field).toBe(field);
    expect(json.reason).toMatch(reason);
    expect(snapshot(planet.db)).toEqual(before);
    expect(lists()).toBe(0);
  });

  it('400 for a body that is not JSON', async () => {
    const res = await planet.app.inject({ method: 'POST', url: '/api/lists', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: '{"url":' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ field: 'body', error: 'invalid JSON' });
  });

  it('removes a list by id or by URL: the feeds only it held are unsubscribed', async () => {
    const list = (await api('POST', '/api/lists', { url: server.url('/list.opml') })).json();
    // Feed 2 is also subscribed by hand: removing the list leaves it.
    planet.db.prepare("INSERT INTO feed_sources (feed_id, source, added_at) SELECT id, 'api', 0 FROM feeds WHERE url = ?").run(server.url('/feed2.xml'));
    const res = await api('DELETE', `/api/lists/${list.id}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ removed: list.id, url: server.url('/list.opml'), unsubscribed: [server.url('/feed1.xml')] });
    expect(((await api('GET', '/api/feeds')).json().feeds as { url: string; sources: string[] }[]).map((f) => [f.url, f.sources])).toEqual([[server.url('/feed2.xml'), ['api']]]);
    expect((await api('DELETE', `/api/lists/${list.id}`)).statusCode).toBe(404);

    await api('POST', '/api/lists', { url: server.url('/list.opml') });
    const byUrl = await api('DELETE', `/api/lists?url=${encodeURIComponent(server.url('/list.opml'))}`);
    expect(byUrl.statusCode, byUrl.body).toBe(200);
    expect(lists()).toBe(0);
  });

  it.each([
    ['DELETE /api/lists/abc → 400', '/api/lists/abc', 400, 'id'],
    ['DELETE /api/lists/99 → 404', '/api/lists/99', 404, 'id'],
    ['DELETE /api/lists without url → 400', '/api/lists', 400, 'url'],
    ['DELETE /api/lists?url= of no list → 404', '/api/lists?url=https%3A%2F%2Fnone.example%2Fl.opml', 404, 'url'],
  ])('%s, naming the field', async (_name, url, status, field) => {
    const res = await api('DELETE', url);
    expect(res.statusCode).toBe(status);
    expect(res.json().field).toBe(field);
  });
});

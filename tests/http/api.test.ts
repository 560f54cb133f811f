// /api/feeds…: Bearer auth, every route, and bad input answered 400/404 with nothing written.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { recordFetchFailure } from '../../src/db/feeds.js';
import type { FeedServer } from '../helpers/feed-server.js';
import { createAdmin, createToken, fixture, snapshot, startBlog, startAdminTestPlanet, type TestPlanet } from '../helpers/admin.js';

let blog: FeedServer;
let planet: TestPlanet;
let token: string;

beforeAll(async () => {
  blog = await startBlog();
});
afterAll(async () => {
  await blog.close();
});
beforeEach(async () => {
  planet = await startAdminTestPlanet();
  await createAdmin(planet.db);
  token = createToken(planet.db);
});
afterEach(async () => {
  await planet.close();
});

const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown, headers: Record<string, string> = {}) =>
  planet.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
  });

async function addBlog(extra: Record<string, unknown> = {}) {
  const res = await api('POST', '/api/feeds', { url: blog.url('/'), ...extra });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: number; url: string };
}

describe('authentication', () => {
  it.each([
    ['no header', {}],
    ['not Bearer', { authorization: `Basic ${Buffer.from('alice:x').toString('base64')}` }],
    ['empty token', { authorization: 'Bearer ' }],
    ['unknown token', { authorization: 'Bearer planet_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }],
    ['token with junk', { authorization: 'Bearer <script>' }],
  ])('%s → 401, same answer', async (_name, headers) => {
    const res = await planet.app.inject({ method: 'GET', url: '/api/feeds', headers });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(res.json()).toEqual({
      error: 'unauthorized',
      field: 'authorization',
      reason: 'a valid "Authorization: Bearer TOKEN" header is required (planet admin token USER)',
    });
  });

  it('refuses writes without a token before reading the body, and writes nothing', async () => {
    const before = snapshot(planet.db);
    for (const [method, url] of [['POST', '/api/feeds'], ['PATCH', '/api/feeds/1'], ['DELETE', '/api/feeds/1'], ['POST', '/api/feeds/1/refresh'], ['POST', '/api/opml']] as const) {
      const res = await planet.app.inject({ method, url, payload: { url: blog.url('/') } });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
    }
    expect(snapshot(planet.db)).toEqual(before);
  });

  it('records the token use and sends security headers', async () => {
    const res = await api('GET', '/api/feeds');
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(planet.db.prepare('SELECT last_used_at FROM api_tokens').get()).toMatchObject({ last_used_at: expect.any(Number) });
  });
});

describe('GET /api/feeds', () => {
  it('lists subscriptions with their health', async () => {
    expect((await api('GET', '/api/feeds')).json()).toEqual({ feeds: [] });
    const { id } = await addBlog({ name: 'Ada', tags: ['hardware'] });
    const list = (await api('GET', '/api/feeds')).json() as { feeds: Record<string, unknown>[] };
    expect(list.feeds).toHaveLength(1);
    expect(list.feeds[0]).toMatchObject({
      id,
      url: blog.url('/blog/feed.xml'),
      name: 'Ada',
      display_name: 'Ada',
      tags: ['hardware'],
      status: 'active',
      health: 'new',
      last_success_at: null,
      last_error: null,
      consecutive_errors: 0,
      entry_count: 0,
      latest_entry_at: null,
    });
    const one = await api('GET', `/api/feeds/${id}`);
    expect(one.json()).toMatchObject({ id, name: 'Ada' });
  });

  it('shows an erroring feed with its last error and HTTP status', async () => {
    const { id } = await addBlog();
    recordFetchFailure(planet.db, id, { at: Date.now(), httpStatus: 500, code: 'http_status', message: 'fetch: HTTP 500', errorCount: 3, nextFetchAt: Date.now() + 60_000, status: 'active' });
    const feed = (await api('GET', `/api/feeds/${id}`)).json();
    expect(feed).toMatchObject({ health: 'erroring', last_http_status: 500, last_error: { code: 'http_status', message: 'fetch: HTTP 500' }, consecutive_errors: 3 });
  });

  it.each(['999', 'abc', '0', '1e3', '-1'])('unknown id %s → 404', async (id) => {
    const res = await api('GET', `/api/feeds/${id}`);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: 'not found', field: 'id' });
  });
});

describe('POST /api/feeds', () => {
  it('discovers the feed from the home page and subscribes it, audited', async () => {
    const res = await api('POST', '/api/feeds', { url: blog.url('/'), name: 'Ada', face: 'https://ada.example.org/face.png', link: 'https://ada.example.org/', tags: ['hardware', 'hardware', 'linux'], excerpt: true });
    expect(res.statusCode).toBe(201);
    const feed = res.json();
    expect(res.headers.location).toBe(`/api/feeds/${feed.id}`);
    expect(feed).toMatchObject({ url: blog.url('/blog/feed.xml'), name: 'Ada', face: 'https://ada.example.org/face.png', tags: ['hardware', 'linux'], excerpt: true });
    expect(planet.db.prepare('SELECT actor, via, action, feed_id FROM audit_log').all()).toEqual([{ actor: 'alice', via: 'api', action: 'feed.add', feed_id: feed.id }]);
  });

  it('takes a feed URL as it is', async () => {
    const res = await api('POST', '/api/feeds', { url: blog.url('/blog/feed.xml') });
    expect(res.statusCode).toBe(201);
    expect(res.json().url).toBe(blog.url('/blog/feed.xml'));
  });

  it.each([
    ['the same home page', (b: FeedServer) => b.url('/')],
    ['the feed URL itself', (b: FeedServer) => b.url('/blog/feed.xml')],
    ['the feed URL with a fragment', (b: FeedServer) => `${b.url('/blog/feed.xml')}#latest`],
    ['the feed URL as https', (b: FeedServer) => b.url('/blog/feed.xml').replace('http:', 'https:')],
    ['a redirect to the feed', (b: FeedServer) => b.url('/old-feed')],
  ])('refuses a duplicate given as %s, naming the existing one', async (_name, url) => {
    const { id } = await addBlog({ name: 'Ada' });
    blog.route('/old-feed', (_req, res) => void res.writeHead(301, { location: '/blog/feed.xml' }).end());
    const before = snapshot(planet.db);
    const res = await api('POST', '/api/feeds', { url: url(blog) });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: 'duplicate subscription', field: 'url', existing: { id } });
    expect(res.json().reason).toContain(`#${id} "Ada"`);
    expect(snapshot(planet.db)).toEqual(before);
  });

  it.each([
    ['missing url', {}, 'url', /expected string|required/],
    ['empty url', { url: '' }, 'url', /required/],
    ['not a URL', { url: 'not a url' }, 'url', /absolute URL/],
    ['ftp scheme', { url: 'ftp://example.org/feed' }, 'url', /unsupported scheme "ftp"/],
    ['javascript scheme', { url: 'javascript:alert(1)' }, 'url', /unsupported scheme "javascript"/],
    ['file scheme', { url: 'file:///etc/passwd' }, 'url', /unsupported scheme "file"/],
    ['credentials in URL', { url: 'http://user:pw@example.org/feed' }, 'url', /credentials/],
    ['unknown field', { url: 'http://example.org/', colour: 'red' }, 'colour', /unknown field/],
    ['bad tag', { url: 'http://example.org/', tags: ['Not A Tag!'] }, 'tags.0', /lowercase/],
    ['tags not a list', { url: 'http://example.org/', tags: 'linux' }, 'tags', /expected array/],
    ['face not http', { url: 'http://example.org/', face: 'javascript:alert(1)' }, 'face', /http or https/],
    ['link not a URL', { url: 'http://example.org/', link: 'home' }, 'link', /http or https/],
    ['name too long', { url: 'http://example.org/', name: 'x'.repeat(201) }, 'name', /at most 200/],
    ['excerpt not boolean', { url: 'http://example.org/', excerpt: 'yes' }, 'excerpt', /expected boolean/],
  ])('%s → 400 naming the field, nothing written', async (_name, body, field, reason) => {
    const before = snapshot(planet.db);
    const res = await api('POST', '/api/feeds', body);
    expect(res.statusCode, res.body).toBe(400);
    const json = res.json();
    expect(json).toMatchObject({ error: 'invalid input', field });
    expect(json.reason).toMatch(reason);
    expect(snapshot(planet.db)).toEqual(before);
  });

  it('a URL with no feed behind it → 400 with discovery’s reason, nothing written', async () => {
    const before = snapshot(planet.db);
    const res = await api('POST', '/api/feeds', { url: blog.url('/missing') });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'no feed found', field: 'url' });
    expect(snapshot(planet.db)).toEqual(before);
  });

  it('invalid JSON → 400, nothing written', async () => {
    const before = snapshot(planet.db);
    const res = await api('POST', '/api/feeds', '{"url": ', { 'content-type': 'application/json' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ field: 'body' });
    expect(snapshot(planet.db)).toEqual(before);
  });

  describe('with private addresses refused (the default)', () => {
    let strict: TestPlanet;
    let strictToken: string;
    beforeEach(async () => {
      strict = await startAdminTestPlanet({ fetch: { allow_private_addresses: false } });
      await createAdmin(strict.db);
      strictToken = createToken(strict.db);
    });
    afterEach(async () => {
      await strict.close();
    });

    it.each([
      ['the loopback fixture server', () => blog.url('/'), /loopback/],
      ['localhost', () => 'http://localhost/feed', /loopback/],
      ['a private IPv4 address', () => 'http://10.1.2.3/feed', /private|10\./],
      ['link-local metadata address', () => 'http://169.254.169.254/latest/meta-data', /link-local/],
      ['IPv6 loopback', () => 'http://[::1]/feed', /loopback/],
    ])('%s → 400, nothing written', async (_name, url, reason) => {
      const before = snapshot(strict.db);
      const homeRequests = blog.requests.length;
      const res = await strict.app.inject({ method: 'POST', url: '/api/feeds', headers: { authorization: `Bearer ${strictToken}` }, payload: { url: url() } });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: 'invalid input', field: 'url' });
      expect(res.json().reason).toMatch(reason);
      expect(snapshot(strict.db)).toEqual(before);
      expect(blog.requests.length, 'nothing fetched').toBe(homeRequests);
    });
  });
});

describe('PATCH /api/feeds/:id', () => {
  it('edits name, face, link, tags and excerpt, and records before → after', async () => {
    const { id } = await addBlog({ name: 'Ada', tags: ['old'] });
    const res = await api('PATCH', `/api/feeds/${id}`, { name: 'Ada L.', face: 'https://ada.example.org/me.png', link: 'https://ada.example.org/blog', tags: ['hardware'], excerpt: true });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ name: 'Ada L.', face: 'https://ada.example.org/me.png', link: 'https://ada.example.org/blog', tags: ['hardware'], excerpt: true });
    const audit = planet.db.prepare("SELECT summary, detail FROM audit_log WHERE action = 'feed.edit'").get() as { summary: string; detail: string };
    expect(JSON.parse(audit.detail)).toMatchObject({ name: { from: 'Ada', to: 'Ada L.' }, tags: { from: ['old'], to: ['hardware'] } });
  });

  it('clears a field with null or an empty string', async () => {
    const { id } = await addBlog({ name: 'Ada', face: 'https://ada.example.org/me.png' });
    const res = await api('PATCH', `/api/feeds/${id}`, { name: null, face: '' });
    expect(res.json()).toMatchObject({ name: null, face: null, display_name: '127.0.0.1:' + blog.port });
  });

  it.each([
    ['empty body', {}, 'body', /nothing to change/],
    ['unknown field', { url: 'http://elsewhere.example/' }, 'url', /unknown field/],
    ['bad face', { face: 'ftp://x/y.png' }, 'face', /http or https/],
    ['bad tags', { tags: ['not a tag!'] }, 'tags.0', /lowercase/],
    ['status other than active', { status: 'gone' }, 'status', /active/],
    ['re-enable a feed that is not gone', { status: 'active' }, 'status', /only a gone feed/],
  ])('%s → 400, nothing written', async (_name, body, field, reason) => {
    const { id } = await addBlog({ name: 'Ada' });
    const before = snapshot(planet.db);
    const res = await api('PATCH', `/api/feeds/${id}`, body);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().field).toBe(field);
    expect(res.json().reason).toMatch(reason);
    expect(snapshot(planet.db)).toEqual(before);
    expect((await api('GET', `/api/feeds/${id}`)).json().name).toBe('Ada');
  });

  it('unknown id → 404, nothing written', async () => {
    const before = snapshot(planet.db);
    const res = await api('PATCH', '/api/feeds/4242', { name: 'x' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: 'not found', field: 'id' });
    expect(snapshot(planet.db)).toEqual(before);
  });

  it('re-enables a gone feed', async () => {
    const { id } = await addBlog();
    recordFetchFailure(planet.db, id, { at: Date.now(), httpStatus: 410, code: 'gone', message: 'fetch: 410 Gone', errorCount: 1, nextFetchAt: null, status: 'gone' });
    expect((await api('GET', `/api/feeds/${id}`)).json().health).toBe('gone');
    const res = await api('PATCH', `/api/feeds/${id}`, { status: 'active' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'active', consecutive_errors: 0, last_error: null });
    expect(planet.db.prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'feed.enable'").get()).toEqual({ n: 1 });
  });
});

describe('DELETE /api/feeds/:id', () => {
  async function addAndFetch() {
    const { id } = await addBlog();
    const refreshed = await api('POST', `/api/feeds/${id}/refresh`);
    expect(refreshed.json()).toMatchObject({ outcome: 'ok', entries_new: 3 });
    return id;
  }

  it('keeps the entries by default', async () => {
    const id = await addAndFetch();
    const res = await api('DELETE', `/api/feeds/${id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ removed: id, purged: false });
    expect((await api('GET', '/api/feeds')).json().feeds).toEqual([]);
    expect(snapshot(planet.db).entries).toBe(3);
    expect((await api('GET', `/api/feeds/${id}`)).statusCode).toBe(404);
  });

  it('?purge=1 deletes the entries too', async () => {
    const id = await addAndFetch();
    const res = await api('DELETE', `/api/feeds/${id}?purge=1`);
    expect(res.json()).toEqual({ removed: id, purged: true });
    expect(snapshot(planet.db)).toMatchObject({ feeds: 0, entries: 0, removed: 1 });
  });

  it.each([
    ['unknown id', '/api/feeds/77', 404],
    ['non-numeric id', '/api/feeds/abc', 404],
    ['bad purge value', '/api/feeds/1?purge=maybe', 400],
  ])('%s → %s, nothing written', async (_name, url, status) => {
    await addBlog();
    const before = snapshot(planet.db);
    const res = await api('DELETE', url);
    expect(res.statusCode).toBe(status);
    expect(res.json()).toHaveProperty('field');
    expect(snapshot(planet.db)).toEqual(before);
  });

  it('a removed feed is 404 the second time', async () => {
    const { id } = await addBlog();
    expect((await api('DELETE', `/api/feeds/${id}`)).statusCode).toBe(200);
    expect((await api('DELETE', `/api/feeds/${id}`)).statusCode).toBe(404);
  });
});

describe('POST /api/feeds/:id/refresh', () => {
  it('fetches the feed now', async () => {
    const { id } = await addBlog();
    const res = await api('POST', `/api/feeds/${id}/refresh`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ outcome: 'ok', entries_new: 3, feed: { id, health: expect.stringMatching(/ok|inactive/), entry_count: 3, last_success_at: expect.any(String) } });
  });

  it('reports a failing feed as an outcome, not an HTTP error', async () => {
    const res0 = await api('POST', '/api/feeds', { url: blog.url('/blog/feed.xml') });
    const id = res0.json().id;
    blog.route('/blog/feed.xml', (_req, res) => void res.writeHead(500).end('boom'));
    const res = await api('POST', `/api/feeds/${id}/refresh`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ outcome: 'error', feed: { health: 'erroring', last_http_status: 500, consecutive_errors: 1 } });
    blog.route('/blog/feed.xml', (await import('../helpers/feed-server.js')).serveFeed(fixture('blog-feed.xml'), { contentType: 'application/rss+xml' }));
  });

  it('→ 409 while another fetch pass holds the lock', async () => {
    const { id } = await addBlog();
    planet.db.prepare("INSERT INTO locks (name, owner, acquired_at, heartbeat_at) VALUES ('fetch-pass', 'elsewhere:1', ?, ?)").run(Date.now(), Date.now());
    const res = await api('POST', `/api/feeds/${id}/refresh`);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: 'busy' });
  });

  it('unknown id → 404', async () => {
    expect((await api('POST', '/api/feeds/5/refresh')).statusCode).toBe(404);
  });
});

describe('OPML', () => {
  it('imports per outline: added, already present (after normalization), invalid', async () => {
    const existing = await addBlog();
    const opml = fixture('subscriptions.opml').replace('FEED_URL', existing.url);
    const res = await api('POST', '/api/opml', opml, { 'content-type': 'text/xml' });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ added: 2, present: 2, invalid: 2 });
    expect(body.outlines.map((o: { url: string; result: string }) => [o.url, o.result])).toEqual([
      ['https://bob.example.net/feed.xml', 'added'],
      ['HTTPS://BOB.example.net:443/feed.xml#top', 'present'],
      ['https://carol.example.com/atom.xml', 'added'],
      ['javascript:alert(1)', 'invalid'],
      ['feed.xml', 'invalid'],
      [existing.url, 'present'],
    ]);
    const feeds = (await api('GET', '/api/feeds')).json().feeds as { url: string; tags: string[]; name: string }[];
    expect(feeds.find((f) => f.url === 'https://bob.example.net/feed.xml')).toMatchObject({ name: "Bob's blog", tags: ['linux'] });
    expect(feeds.find((f) => f.url === 'https://carol.example.com/atom.xml')).toMatchObject({ tags: ['hardware'] });
  });

  it.each([
    ['malformed XML', () => fixture('malformed.opml'), 400, /not well-formed/],
    ['not OPML', () => fixture('blog-feed.xml'), 400, /OPML/],
    ['a DTD with entities', () => '<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaa">]><opml version="2.0"><body><outline xmlUrl="https://x.example/&a;"/></body></opml>', 400, /DTD/],
    ['an oversized file', () => `<opml version="2.0"><body>${'<outline xmlUrl="https://x.example/feed"/>'.repeat(30_000)}</body></opml>`, 413, /KiB/],
  ])('%s → %s, nothing written', async (_name, body, status, reason) => {
    const before = snapshot(planet.db);
    const res = await api('POST', '/api/opml', body(), { 'content-type': 'text/xml' });
    expect(res.statusCode).toBe(status);
    expect(res.json().reason).toMatch(reason);
    expect(snapshot(planet.db)).toEqual(before);
  });

  it('a JSON body → 415', async () => {
    const res = await api('POST', '/api/opml', { opml: '<opml/>' });
    expect(res.statusCode).toBe(415);
  });

  it('exports the subscriptions', async () => {
    await addBlog({ name: 'Ada' });
    const res = await api('GET', '/api/opml');
    expect(res.headers['content-type']).toContain('text/x-opml');
    expect(res.body).toContain(`xmlUrl="${blog.url('/blog/feed.xml')}"`);
    expect(res.body).toContain('text="Ada"');
  });
});

describe('GET /api/audit', () => {
  it('lists admin changes, newest first', async () => {
    const { id } = await addBlog();
    await api('PATCH', `/api/feeds/${id}`, { name: 'Renamed' });
    const res = await api('GET', '/api/audit');
    expect(res.json().entries.map((e: { action: string; actor: string; via: string }) => [e.action, e.actor, e.via])).toEqual([
      ['feed.edit', 'alice', 'api'],
      ['feed.add', 'alice', 'api'],
    ]);
  });
});

it('an unknown API path → 404 JSON', async () => {
  const res = await api('GET', '/api/nothing-here');
  expect(res.statusCode).toBe(404);
  expect(res.json()).toMatchObject({ error: 'not found', field: 'path' });
});

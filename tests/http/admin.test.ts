// The /admin web UI through app.inject(): login, sessions, CSRF, rate limits, every page and
// form, bad input (nothing written), and the config-file vs database precedence.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/admin/passwords.js';
import { LOGIN_LIMIT_PER_ACCOUNT, LOGIN_LIMIT_PER_IP } from '../../src/http/routes/admin/login.js';
import { findFeedByUrl, recordFetchFailure } from '../../src/db/feeds.js';
import { syncConfigFeeds } from '../../src/subscriptions/config-seed.js';
import { parseConfig } from '../../src/config.js';
import { serveFeed, type FeedServer } from '../helpers/feed-server.js';
import {
  ADMIN,
  cookiesFrom,
  createAdmin,
  fixture,
  hiddenField,
  login,
  loginForm,
  loginViaForm,
  postLogin,
  snapshot,
  startBlog,
  startAdminTestPlanet,
  type Session,
  type TestPlanet,
} from '../helpers/admin.js';

let blog: FeedServer;
let planet: TestPlanet;

beforeAll(async () => {
  blog = await startBlog();
});
afterAll(async () => {
  await blog.close();
});
beforeEach(async () => {
  planet = await startAdminTestPlanet();
  await createAdmin(planet.db);
});
afterEach(async () => {
  await planet.close();
});

const feedUrl = () => blog.url('/blog/feed.xml');

/** Subscribes the fixture blog through the add form (preview → confirm); returns its id. */
async function subscribe(s: Session, fields: Record<string, string> = {}): Promise<number> {
  const preview = await s.post('/admin/feeds/preview', { url: blog.url('/') });
  expect(preview.statusCode, preview.body).toBe(200);
  const confirm = await s.post('/admin/feeds', { feed_url: hiddenField(preview.body, 'feed_url'), ...fields });
  expect(confirm.statusCode, confirm.body).toBe(303);
  return Number(/\/admin\/feeds\/(\d+)/.exec(confirm.headers.location as string)![1]);
}

function multipart(fields: Record<string, string>, file?: { name: string; content: string }) {
  const boundary = '----planet-test-boundary';
  const parts = Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  if (file) parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: text/x-opml\r\n\r\n${file.content}\r\n`);
  return { payload: `${parts.join('')}--${boundary}--\r\n`, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

describe('login and sessions', () => {
  it('sends anonymous visitors to the login form, then back', async () => {
    const res = await planet.app.inject({ method: 'GET', url: '/admin/feeds/new' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/admin/login?next=%2Fadmin%2Ffeeds%2Fnew');
    const form = await planet.app.inject({ method: 'GET', url: res.headers.location as string });
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('name="next" value="/admin/feeds/new"');
    expect(form.headers['content-security-policy']).toContain("default-src 'none'");
    expect(form.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(form.headers['x-content-type-options']).toBe('nosniff');
    expect(form.headers['cache-control']).toBe('no-store');
  });

  it('logs in with a session cookie: HttpOnly, SameSite=Lax, path /admin, stored only as a hash', async () => {
    const res = await postLogin(planet.app, ADMIN.username, ADMIN.password);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/admin');
    const cookie = (res.cookies as { name: string; value: string; httpOnly?: boolean; sameSite?: string; path?: string; secure?: boolean }[]).find((c) => c.name === 'planet_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/admin' });
    expect(cookie.secure).toBeFalsy();
    const rows = planet.db.prepare('SELECT id_hash, expires_at FROM admin_sessions').all() as { id_hash: string; expires_at: number }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id_hash).not.toBe(cookie.value);
    expect(rows[0]!.expires_at).toBeGreaterThan(Date.now());
    const home = await planet.app.inject({ method: 'GET', url: '/admin', cookies: cookiesFrom(res) });
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('alice');
  });

  it('rehashes a password stored with weaker parameters at login', async () => {
    await postLogin(planet.app, ADMIN.username, ADMIN.password);
    const { password_hash } = planet.db.prepare('SELECT password_hash FROM admins').get() as { password_hash: string };
    expect(password_hash).toMatch(/^scrypt\$65536\$8\$2\$/);
    expect((await postLogin(planet.app, ADMIN.username, ADMIN.password)).statusCode).toBe(303);
  });

  it('marks the cookie Secure behind a trusted https proxy', async () => {
    const proxied = await startAdminTestPlanet();
    try {
      proxied.config.server.trust_proxy = true;
      // trust_proxy is read when the app is built: rebuild with it set.
      const { buildServer } = await import('../../src/http/app.js');
      const app = await buildServer({ db: proxied.db, config: proxied.config });
      await createAdmin(proxied.db);
      const form = await app.inject({ method: 'GET', url: '/admin/login', headers: { 'x-forwarded-proto': 'https' } });
      const res = await app.inject({
        method: 'POST',
        url: '/admin/login',
        headers: { 'x-forwarded-proto': 'https', 'content-type': 'application/x-www-form-urlencoded' },
        cookies: cookiesFrom(form),
        payload: new URLSearchParams({ _csrf: hiddenField(form.body, '_csrf'), username: ADMIN.username, password: ADMIN.password }).toString(),
      });
      expect(res.statusCode).toBe(303);
      expect((res.cookies as { name: string; secure?: boolean }[]).find((c) => c.name === 'planet_session')?.secure).toBe(true);
      await app.close();
    } finally {
      await proxied.close();
    }
  });

  it('gives the same answer for a wrong password and an unknown user', async () => {
    const wrongPassword = await postLogin(planet.app, ADMIN.username, 'not the password at all');
    const unknownUser = await postLogin(planet.app, 'mallory', 'not the password at all');
    expect(wrongPassword.statusCode).toBe(401);
    expect(unknownUser.statusCode).toBe(401);
    const strip = (html: string) => html.replace(/value="[^"]*"/g, 'value=""');
    expect(strip(wrongPassword.body)).toBe(strip(unknownUser.body));
    expect(wrongPassword.body).toContain('Wrong user name or password.');
    expect(wrongPassword.cookies.some((c: { name: string }) => c.name === 'planet_session')).toBe(false);
  });

  it('refuses a login without the login form’s CSRF cookie and token', async () => {
    const form = await loginForm(planet.app);
    const payload = (token: string) => new URLSearchParams({ _csrf: token, username: ADMIN.username, password: ADMIN.password }).toString();
    const headers = { 'content-type': 'application/x-www-form-urlencoded' };
    const noCookie = await planet.app.inject({ method: 'POST', url: '/admin/login', headers, payload: payload(form.token) });
    const noToken = await planet.app.inject({ method: 'POST', url: '/admin/login', headers, cookies: form.cookies, payload: payload('') });
    const wrongToken = await planet.app.inject({ method: 'POST', url: '/admin/login', headers, cookies: form.cookies, payload: payload('x'.repeat(43)) });
    for (const res of [noCookie, noToken, wrongToken]) expect(res.statusCode).toBe(403);
    expect(planet.db.prepare('SELECT count(*) AS n FROM admin_sessions').get()).toEqual({ n: 0 });
  });

  it(`rate-limits one account to ${LOGIN_LIMIT_PER_ACCOUNT} attempts, whatever the address`, async () => {
    for (let i = 0; i < LOGIN_LIMIT_PER_ACCOUNT; i++) {
      const res = await postLogin(planet.app, 'alice', '', { ip: `192.0.2.${i + 1}` });
      expect(res.statusCode).toBe(400);
    }
    const blocked = await postLogin(planet.app, 'Alice', ADMIN.password, { ip: '198.51.100.7' });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers['retry-after']).toBeDefined();
    expect(blocked.body).toContain('Too many failed login attempts');
    // Another account from the same addresses is unaffected.
    await createAdmin(planet.db, 'bob', 'another long password');
    expect((await postLogin(planet.app, 'bob', 'another long password', { ip: '198.51.100.7' })).statusCode).toBe(303);
  });

  it(`rate-limits one address to ${LOGIN_LIMIT_PER_IP} attempts across accounts`, async () => {
    for (let i = 0; i < LOGIN_LIMIT_PER_IP; i++) {
      expect((await postLogin(planet.app, `user${i}`, '', { ip: '203.0.113.9' })).statusCode).toBe(400);
    }
    expect((await postLogin(planet.app, ADMIN.username, ADMIN.password, { ip: '203.0.113.9' })).statusCode).toBe(429);
    expect((await postLogin(planet.app, ADMIN.username, ADMIN.password, { ip: '203.0.113.10' })).statusCode).toBe(303);
  });

  it('ends the session at logout (which needs the CSRF token)', async () => {
    const s = await loginViaForm(planet.app);
    expect((await s.post('/admin/logout', {}, { csrf: false })).statusCode).toBe(403);
    const out = await s.post('/admin/logout');
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/admin/login?notice=logged-out');
    expect(planet.db.prepare('SELECT count(*) AS n FROM admin_sessions').get()).toEqual({ n: 0 });
    expect((await s.get('/admin')).statusCode).toBe(303);
  });

  it('an expired session is no session', async () => {
    const s = await login(planet.app, planet.db);
    planet.db.prepare('UPDATE admin_sessions SET expires_at = ?').run(Date.now() - 1);
    expect((await s.get('/admin')).headers.location).toMatch(/^\/admin\/login/);
    expect((await s.post('/admin/feeds/preview', { url: blog.url('/') })).statusCode).toBe(403);
  });

  it('a new password ends existing sessions', async () => {
    const s = await login(planet.app, planet.db);
    const { setAdminPassword } = await import('../../src/db/admins.js');
    setAdminPassword(planet.db, 1, await hashPassword('a brand new password', { N: 1024, r: 8, p: 1 }), { endSessions: true });
    expect((await s.get('/admin')).statusCode).toBe(303);
  });
});

describe('CSRF on state-changing forms', () => {
  it.each([
    ['no token', {}],
    ['a wrong token', { _csrf: 'A'.repeat(43) }],
  ])('refuses every POST with %s, writing nothing', async (_name, extra) => {
    const s = await login(planet.app, planet.db);
    const id = await subscribe(s);
    await s.post(`/admin/feeds/${id}/refresh`);
    const entry = (planet.db.prepare('SELECT id FROM entries LIMIT 1').get() as { id: number }).id;
    const before = snapshot(planet.db);
    const posts: [string, Record<string, string>][] = [
      ['/admin/feeds/preview', { url: blog.url('/') }],
      ['/admin/feeds', { feed_url: 'https://new.example.org/feed' }],
      [`/admin/feeds/${id}`, { name: 'Hijacked' }],
      [`/admin/feeds/${id}/remove`, { entries: 'purge' }],
      [`/admin/feeds/${id}/refresh`, {}],
      [`/admin/feeds/${id}/enable`, {}],
      [`/admin/entries/${entry}/hide`, {}],
      ['/admin/logout', {}],
    ];
    for (const [url, form] of posts) {
      const res = await s.post(url, { ...form, ...extra }, { csrf: false });
      expect(res.statusCode, url).toBe(403);
      expect(res.body).toContain('Request refused');
    }
    const opml = multipart({ ...extra }, { name: 'x.opml', content: fixture('subscriptions.opml') });
    expect((await planet.app.inject({ method: 'POST', url: '/admin/opml', cookies: s.cookies, ...opml })).statusCode).toBe(403);
    expect(snapshot(planet.db)).toEqual(before);
  });

  it('refuses another session’s token', async () => {
    const a = await login(planet.app, planet.db);
    const b = await login(planet.app, planet.db);
    expect(a.csrf).not.toBe(b.csrf);
    const res = await a.post('/admin/feeds/preview', { _csrf: b.csrf, url: blog.url('/') }, { csrf: false });
    expect(res.statusCode).toBe(403);
  });

  it('refuses POSTs without a session', async () => {
    const before = snapshot(planet.db);
    const res = await planet.app.inject({ method: 'POST', url: '/admin/feeds', payload: { feed_url: feedUrl() } });
    expect(res.statusCode).toBe(403);
    expect(snapshot(planet.db)).toEqual(before);
  });
});

describe('the feed list', () => {
  it('shows health at a glance, broken feeds first, filterable and sortable', async () => {
    const s = await login(planet.app, planet.db);
    const ok = await subscribe(s, { name: 'Zed OK' });
    await s.post(`/admin/feeds/${ok}/refresh`);
    const { insertFeed } = await import('../../src/db/feeds.js');
    const broken = insertFeed(planet.db, { url: 'https://broken.example.org/feed', name: 'Broken blog' });
    recordFetchFailure(planet.db, broken.id, { at: Date.now(), httpStatus: 503, code: 'http_status', message: 'fetch: HTTP 503 Service Unavailable', errorCount: 4, nextFetchAt: Date.now() + 3_600_000, status: 'active' });
    const gone = insertFeed(planet.db, { url: 'https://gone.example.org/feed', name: 'Gone blog' });
    recordFetchFailure(planet.db, gone.id, { at: Date.now(), httpStatus: 410, code: 'gone', message: 'fetch: 410 Gone', errorCount: 1, nextFetchAt: null, status: 'gone' });

    const page = (await s.get('/admin')).body;
    const order = [...page.matchAll(/data-feed-id="(\d+)"/g)].map((m) => Number(m[1]));
    expect(order).toEqual([gone.id, broken.id, ok]);
    expect(page).toContain('HTTP 503: fetch: HTTP 503 Service Unavailable');
    expect(page).toMatch(/health-erroring">erroring/);
    expect(page).toMatch(/health-gone">gone/);
    expect(page).toContain('Broken (2)');

    const brokenOnly = (await s.get('/admin?show=broken')).body;
    expect([...brokenOnly.matchAll(/data-feed-id="(\d+)"/g)]).toHaveLength(2);
    const byName = (await s.get('/admin?sort=name&dir=desc')).body;
    expect([...byName.matchAll(/data-feed-id="(\d+)"/g)].map((m) => Number(m[1]))).toEqual([ok, gone.id, broken.id]);
    // Unknown sort or filter values fall back to the defaults instead of failing.
    expect((await s.get('/admin?sort=evil&show=%3Cscript%3E')).statusCode).toBe(200);
  });
});

describe('adding a feed', () => {
  it('discovers the feed from a home page, previews it sanitized, and subscribes on confirm', async () => {
    const s = await login(planet.app, planet.db);
    const preview = await s.post('/admin/feeds/preview', { url: blog.url('/') });
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain(`name="feed_url" value="${feedUrl()}"`);
    expect(preview.body).toContain('Ada&#39;s Workshop');
    expect(preview.body).toContain('Third post: a new bench supply');
    expect(preview.body).toContain('<b>three</b>');
    expect(preview.body).not.toContain('<script>alert');
    expect(snapshot(planet.db).feeds).toBe(0); // a preview writes nothing

    const confirm = await s.post('/admin/feeds', { feed_url: feedUrl(), name: 'Ada', tags: 'hardware, linux', face: '', excerpt: 'on' });
    expect(confirm.statusCode).toBe(303);
    const feed = findFeedByUrl(planet.db, feedUrl())!;
    expect(feed).toMatchObject({ name: 'Ada', tags: ['hardware', 'linux'], excerpt: true, face: null });
    expect(confirm.headers.location).toBe(`/admin/feeds/${feed.id}?notice=added`);
    const detail = await s.get(confirm.headers.location as string);
    expect(detail.body).toContain('Subscribed.');
  });

  it('refuses a duplicate at preview and at confirm, naming the existing subscription', async () => {
    const s = await login(planet.app, planet.db);
    const id = await subscribe(s, { name: 'Ada' });
    const before = snapshot(planet.db);
    const again = await s.post('/admin/feeds/preview', { url: blog.url('/') });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain(`already subscribed as #${id} &quot;Ada&quot;`);
    expect(again.body).toContain(`href="/admin/feeds/${id}"`);
    const confirm = await s.post('/admin/feeds', { feed_url: `${feedUrl()}#x` });
    expect(confirm.statusCode).toBe(409);
    expect(snapshot(planet.db)).toEqual(before);
  });

  it.each([
    ['an empty URL', { url: '' }, /required/],
    ['not a URL', { url: 'blog dot example' }, /not an absolute URL/],
    ['an unsupported scheme', { url: 'gopher://example.org/' }, /unsupported scheme/],
    ['a page without a feed', { url: 'MISSING' }, /discovery|fetch|404/],
  ])('refuses %s at preview, writing nothing', async (_name, form, reason) => {
    const s = await login(planet.app, planet.db);
    const before = snapshot(planet.db);
    const res = await s.post('/admin/feeds/preview', form.url === 'MISSING' ? { url: blog.url('/missing') } : form);
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(reason);
    expect(snapshot(planet.db)).toEqual(before);
  });

  it.each([
    ['a bad face URL', { face: 'javascript:alert(1)' }, 'face'],
    ['a bad link', { link: 'not a link' }, 'link'],
    ['a bad tag', { tags: 'ok, Not OK!' }, 'tags'],
    ['a long name', { name: 'n'.repeat(300) }, 'name'],
    ['a bad feed URL', { feed_url: 'ftp://example.org/feed' }, 'feed_url'],
  ])('refuses %s at confirm, writing nothing', async (_name, fields, field) => {
    const s = await login(planet.app, planet.db);
    const before = snapshot(planet.db);
    const res = await s.post('/admin/feeds', { feed_url: feedUrl(), ...fields });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain(`data-field="${field}"`);
    expect(snapshot(planet.db)).toEqual(before);
  });

  it('refuses private addresses unless fetch.allow_private_addresses', async () => {
    const strict = await startAdminTestPlanet({ fetch: { allow_private_addresses: false } });
    try {
      await createAdmin(strict.db);
      const s = await login(strict.app, strict.db);
      for (const url of [blog.url('/'), 'http://localhost:8080/', 'http://192.168.1.1/feed']) {
        const res = await s.post('/admin/feeds/preview', { url });
        expect(res.statusCode, url).toBe(400);
        expect(res.body).toMatch(/allow_private_addresses/);
      }
      const confirm = await s.post('/admin/feeds', { feed_url: feedUrl() });
      expect(confirm.statusCode).toBe(400);
      expect(snapshot(strict.db).feeds).toBe(0);
    } finally {
      await strict.close();
    }
  });
});

describe('managing one feed', () => {
  it('edits name, face, link, tags and excerpt, audited; bad input writes nothing', async () => {
    const s = await login(planet.app, planet.db);
    const id = await subscribe(s, { name: 'Ada' });
    const saved = await s.post(`/admin/feeds/${id}`, { name: 'Ada Lovelace', face: 'https://ada.example.org/face.png', link: 'https://ada.example.org/', tags: 'math', excerpt: 'on' });
    expect(saved.statusCode).toBe(303);
    expect(findFeedByUrl(planet.db, feedUrl())).toMatchObject({ name: 'Ada Lovelace', face: 'https://ada.example.org/face.png', tags: ['math'], excerpt: true });
    const before = snapshot(planet.db);
    const bad = await s.post(`/admin/feeds/${id}`, { name: 'Still Ada', face: 'data:image/png;base64,AAAA' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('data-field="face"');
    expect(bad.body).toContain('value="Still Ada"'); // the form keeps what was typed
    expect(snapshot(planet.db)).toEqual(before);
    expect(findFeedByUrl(planet.db, feedUrl())!.name).toBe('Ada Lovelace');
    const audit = (await s.get('/admin/audit')).body;
    expect(audit).toContain('name &quot;Ada&quot; → &quot;Ada Lovelace&quot;');
    // Clearing the name falls back to the feed's own title.
    await s.post(`/admin/feeds/${id}`, { name: '', face: '', link: '', tags: '' });
    expect(findFeedByUrl(planet.db, feedUrl())).toMatchObject({ name: null, face: null, link: null, tags: [], excerpt: false });
  });

  it('refreshes now, hides an entry that stays hidden after a refetch, and unhides it', async () => {
    const s = await login(planet.app, planet.db);
    const id = await subscribe(s);
    const refreshed = await s.post(`/admin/feeds/${id}/refresh`);
    expect(refreshed.statusCode).toBe(303);
    expect(refreshed.headers.location).toBe(`/admin/feeds/${id}?refreshed=ok&new=3&updated=0`);
    expect((await s.get(refreshed.headers.location as string)).body).toContain('Refreshed: 3 new, 0 updated entries.');
    const spam = planet.db.prepare("SELECT id FROM entries WHERE title LIKE 'Second post%'").get() as { id: number };
    const hide = await s.post(`/admin/entries/${spam.id}/hide`);
    expect(hide.statusCode).toBe(303);
    expect(hide.headers.location).toBe(`/admin/feeds/${id}?notice=hidden#entry-${spam.id}`);
    // The blog edits the hidden post: the refetch updates it in place and it stays hidden.
    blog.route('/blog/feed.xml', serveFeed(fixture('blog-feed.xml').replace('Buy cheap watches.', 'Buy cheaper watches now.'), { contentType: 'application/rss+xml' }));
    try {
      expect((await s.post(`/admin/feeds/${id}/refresh`)).headers.location).toBe(`/admin/feeds/${id}?refreshed=ok&new=0&updated=1`);
    } finally {
      blog.route('/blog/feed.xml', serveFeed(fixture('blog-feed.xml'), { contentType: 'application/rss+xml' }));
    }
    expect(planet.db.prepare('SELECT hidden, coalesce(content_html, summary_html) AS html FROM entries WHERE id = ?').get(spam.id)).toEqual({ hidden: 1, html: expect.stringContaining('cheaper') });
    expect((await s.get(`/admin/feeds/${id}`)).body).toMatch(new RegExp(`id="entry-${spam.id}"[^>]*>[\\s\\S]*?\\(hidden\\)`));
    expect((await s.post(`/admin/entries/${spam.id}/unhide`)).statusCode).toBe(303);
    expect(planet.db.prepare('SELECT hidden FROM entries WHERE id = ?').get(spam.id)).toEqual({ hidden: 0 });
    expect((await s.post('/admin/entries/99999/hide')).statusCode).toBe(404);
  });

  it('says so when a fetch pass is already running', async () => {
    const s = await login(planet.app, planet.db);
    const id = await subscribe(s);
    planet.db.prepare("INSERT INTO locks (name, owner, acquired_at, heartbeat_at) VALUES ('fetch-pass', 'other:9', ?, ?)").run(Date.now(), Date.now());
    const res = await s.post(`/admin/feeds/${id}/refresh`);
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('A fetch pass is running');
  });

  it('re-enables a gone feed', async () => {
    const s = await login(planet.app, planet.db);
    const id = await subscribe(s);
    expect((await s.post(`/admin/feeds/${id}/enable`)).statusCode).toBe(400); // not gone
    recordFetchFailure(planet.db, id, { at: Date.now(), httpStatus: 410, code: 'gone', message: 'fetch: 410 Gone', errorCount: 1, nextFetchAt: null, status: 'gone' });
    expect((await s.get(`/admin/feeds/${id}`)).body).toContain('Re-enable');
    expect((await s.post(`/admin/feeds/${id}/enable`)).headers.location).toBe(`/admin/feeds/${id}?notice=enabled`);
    expect(findFeedByUrl(planet.db, feedUrl())).toMatchObject({ status: 'active', errorCount: 0 });
  });

  it.each([
    ['keep', 'removed', 3],
    ['purge', 'purged', 0],
  ])('removes a feed and %ss its entries', async (mode, notice, entries) => {
    const s = await login(planet.app, planet.db);
    const id = await subscribe(s);
    await s.post(`/admin/feeds/${id}/refresh`);
    const res = await s.post(`/admin/feeds/${id}/remove`, { entries: mode });
    expect(res.headers.location).toBe(`/admin?notice=${notice}`);
    expect(snapshot(planet.db).entries).toBe(entries);
    expect((await s.get(`/admin/feeds/${id}`)).statusCode).toBe(404);
    expect((await s.get('/admin')).body).not.toContain(`data-feed-id="${id}"`);
  });

  it('removal needs an explicit keep-or-purge choice; unknown ids are 404', async () => {
    const s = await login(planet.app, planet.db);
    const id = await subscribe(s);
    const before = snapshot(planet.db);
    expect((await s.post(`/admin/feeds/${id}/remove`, {})).statusCode).toBe(400);
    expect((await s.post(`/admin/feeds/${id}/remove`, { entries: 'all' })).statusCode).toBe(400);
    for (const url of ['/admin/feeds/999', '/admin/feeds/abc/remove', '/admin/feeds/999/refresh', '/admin/feeds/999/enable']) {
      expect((await s.post(url, { entries: 'keep', name: 'x' })).statusCode, url).toBe(404);
    }
    expect((await s.get('/admin/feeds/999')).statusCode).toBe(404);
    expect((await s.get('/admin/no-such-page')).statusCode).toBe(404);
    expect(snapshot(planet.db)).toEqual(before);
  });
});

describe('OPML', () => {
  const upload = (s: Session, content: string, extra: Record<string, string> = {}) =>
    planet.app.inject({ method: 'POST', url: '/admin/opml', cookies: s.cookies, ...multipart({ _csrf: s.csrf, ...extra }, { name: 'subs.opml', content }) });

  it('imports a file, reporting each outline', async () => {
    const s = await login(planet.app, planet.db);
    await subscribe(s);
    const res = await upload(s, fixture('subscriptions.opml').replace('FEED_URL', feedUrl()));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).toContain('2 added, 2 already present, 2 invalid.');
    expect(res.body).toContain('unsupported scheme &quot;javascript&quot;');
    expect(snapshot(planet.db).feeds).toBe(3);
    expect((await s.get('/admin/audit')).body).toContain('OPML import: 2 added, 2 already present, 2 invalid');
  });

  it.each([
    ['a malformed file', () => fixture('malformed.opml'), 400, 'not well-formed XML'],
    ['a feed instead of OPML', () => fixture('blog-feed.xml'), 400, 'OPML'],
    ['an oversized file', () => `<opml version="2.0"><body>${'<outline xmlUrl="https://x.example/feed"/>'.repeat(30_000)}</body></opml>`, 413, 'limited to 1024 KiB'],
  ])('refuses %s whole, writing nothing', async (_name, content, status, text) => {
    const s = await login(planet.app, planet.db);
    const before = snapshot(planet.db);
    const res = await upload(s, content());
    expect(res.statusCode).toBe(status);
    expect(res.body).toContain(text);
    expect(snapshot(planet.db)).toEqual(before);
  });

  it('asks for a file when none is sent', async () => {
    const s = await login(planet.app, planet.db);
    const res = await planet.app.inject({ method: 'POST', url: '/admin/opml', cookies: s.cookies, ...multipart({ _csrf: s.csrf }) });
    expect(res.statusCode).toBe(400);
  });

  it('exports the subscriptions', async () => {
    const s = await login(planet.app, planet.db);
    await subscribe(s, { name: 'Ada' });
    const res = await s.get('/admin/opml.xml');
    expect(res.headers['content-type']).toContain('text/x-opml');
    expect(res.headers['content-disposition']).toContain('attachment');
    expect(res.body).toContain(`xmlUrl="${feedUrl()}"`);
    expect((await s.get('/admin/opml')).body).toContain('enctype="multipart/form-data"');
  });
});

describe('the audit log', () => {
  it('records who did what, when, through which door', async () => {
    const s = await loginViaForm(planet.app);
    const id = await subscribe(s, { name: 'Ada' });
    await s.post(`/admin/feeds/${id}`, { name: 'Ada 2' });
    await s.post(`/admin/feeds/${id}/remove`, { entries: 'keep' });
    const rows = planet.db.prepare('SELECT actor, via, action, feed_id FROM audit_log ORDER BY id').all();
    expect(rows).toEqual([
      { actor: 'alice', via: 'web', action: 'session.login', feed_id: null },
      { actor: 'alice', via: 'web', action: 'feed.add', feed_id: id },
      { actor: 'alice', via: 'web', action: 'feed.edit', feed_id: id },
      { actor: 'alice', via: 'web', action: 'feed.remove', feed_id: id },
    ]);
    const page = (await s.get('/admin/audit')).body;
    expect(page).toContain('subscribed to');
    expect(page).toContain('entries kept');
    expect(page).toMatch(/<td data-label="Who">alice<\/td><td data-label="Via">web<\/td>/);
  });
});

describe('config file vs database precedence', () => {
  const fileFeeds = () => parseConfig({ feeds: [{ url: feedUrl(), name: 'Name from the file', tags: ['file'] }] }).feeds;

  it('the file adds a missing feed once; admin edits are never overwritten by it', async () => {
    expect(syncConfigFeeds(planet.db, fileFeeds()).added).toEqual([feedUrl()]);
    const s = await login(planet.app, planet.db);
    const id = findFeedByUrl(planet.db, feedUrl())!.id;
    await s.post(`/admin/feeds/${id}`, { name: 'Name from the admin', tags: 'admin' });
    expect(syncConfigFeeds(planet.db, fileFeeds())).toEqual({ added: [], skippedRemoved: [] });
    expect(findFeedByUrl(planet.db, feedUrl())).toMatchObject({ name: 'Name from the admin', tags: ['admin'] });
  });

  it.each(['keep', 'purge'])('a feed the admin removed (%s) is not silently re-added by the file', async (mode) => {
    syncConfigFeeds(planet.db, fileFeeds());
    const s = await login(planet.app, planet.db);
    const id = findFeedByUrl(planet.db, feedUrl())!.id;
    await s.post(`/admin/feeds/${id}/remove`, { entries: mode });
    // Either way the start-up log says so: the removal is remembered, not only the purge.
    expect(syncConfigFeeds(planet.db, fileFeeds())).toEqual({ added: [], skippedRemoved: [feedUrl()] });
    expect((await s.get('/admin')).body).not.toContain(feedUrl());
    // …but an admin can subscribe it again on purpose.
    expect(await subscribe(s)).toBeGreaterThan(0);
    expect(findFeedByUrl(planet.db, feedUrl())!.status).toBe('active');
  });
});

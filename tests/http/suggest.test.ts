// GET/POST /suggest and the admin queue, through buildServer and inject: off unless enabled, a CSRF
// token on the form, a preview before anything is queued, a per-client rate limit, approval and
// rejection from /admin/suggestions.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SUGGEST_LIMIT_PER_HOUR } from '../../src/http/routes/suggest.js';
import type { FeedServer } from '../helpers/feed-server.js';
import { cookiesFrom, createAdmin, hiddenField, login, startAdminTestPlanet, startBlog, type TestPlanet } from '../helpers/admin.js';

let blog: FeedServer;
let planet: TestPlanet;

beforeAll(async () => {
  blog = await startBlog();
});
afterAll(async () => {
  await blog.close();
});
afterEach(async () => {
  await planet.close();
});

/** A visitor's browser: the form's cookie and token, kept between requests. */
async function visitor(ip = '198.51.100.1') {
  const jar: Record<string, string> = {};
  let token = '';
  const keep = (res: LightMyRequestResponse) => {
    cookiesFrom(res, jar);
    if (res.body.includes('name="_csrf"')) token = hiddenField(res.body, '_csrf');
    return res;
  };
  keep(await planet.app.inject({ method: 'GET', url: '/suggest', remoteAddress: ip }));
  return {
    post: async (form: Record<string, string>, options: { csrf?: boolean } = {}) =>
      keep(
        await planet.app.inject({
          method: 'POST',
          url: '/suggest',
          remoteAddress: ip,
          cookies: jar,
          payload: new URLSearchParams(options.csrf === false ? form : { _csrf: token, ...form }).toString(),
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        }),
      ),
  };
}

const pending = () => planet.db.prepare("SELECT id, name, feed_url FROM suggestions WHERE status = 'pending'").all() as { id: number; name: string; feed_url: string }[];

describe('with suggestions off (the default)', () => {
  beforeEach(async () => {
    planet = await startAdminTestPlanet();
  });

  it('/suggest is not there, and no page links to it', async () => {
    expect((await planet.app.inject({ method: 'GET', url: '/suggest' })).statusCode).toBe(404);
    expect((await planet.app.inject({ method: 'POST', url: '/suggest', payload: 'url=x' })).statusCode).toBe(404);
    expect((await planet.app.inject({ method: 'GET', url: '/' })).body).not.toContain('Suggest a blog');
  });
});

describe('with suggestions.enabled', () => {
  beforeEach(async () => {
    planet = await startAdminTestPlanet({ suggestions: { enabled: true } });
  });

  it('the form carries a CSRF token and its cookie; the planet links to it', async () => {
    const res = await planet.app.inject({ method: 'GET', url: '/suggest' });
    expect(res.statusCode).toBe(200);
    const cookie = (res.cookies as { name: string; value: string; httpOnly?: boolean; sameSite?: string }[]).find((c) => c.name === 'planet_suggest')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(hiddenField(res.body, '_csrf')).toBe(cookie.value);
    expect(res.headers['content-security-policy']).toContain("form-action 'self'");
    expect((await planet.app.inject({ method: 'GET', url: '/' })).body).toContain('<a href="suggest">Suggest a blog</a>');
  });

  it('check shows a preview and queues nothing; send queues it; the admin approves it', async () => {
    const v = await visitor();
    const preview = await v.post({ url: blog.url('/'), name: 'Ada Lovelace', note: 'Soldering!', step: 'check' });
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain('<h2>What the planet would bring in</h2>');
    expect(preview.body).toContain(`${blog.url('/blog/feed.xml')}</span> — “Ada&#39;s Workshop” (rss, 3 posts now)`);
    expect(preview.body).toContain('<li>Third post: a new bench supply</li>');
    expect(pending()).toEqual([]);

    const sent = await v.post({ url: blog.url('/'), name: 'Ada Lovelace', note: 'Soldering!', step: 'send' });
    expect(sent.statusCode).toBe(200);
    expect(sent.body).toContain('Your suggestion is waiting for an admin');
    expect(pending()).toEqual([{ id: 1, name: 'Ada Lovelace', feed_url: blog.url('/blog/feed.xml') }]);

    await createAdmin(planet.db);
    const admin = await login(planet.app, planet.db);
    const queue = await admin.get('/admin/suggestions');
    expect(queue.body).toContain('<a href="/admin/suggestions" aria-current="page">Suggestions (1)</a>');
    expect(queue.body).toContain('Approve: subscribe as “Ada Lovelace”');
    expect(queue.body).toContain('<blockquote>Soldering!</blockquote>');
    const approved = await admin.post('/admin/suggestions/1/approve');
    expect(approved.statusCode).toBe(303);
    expect(approved.headers.location).toBe('/admin/suggestions?notice=approved');
    expect(planet.db.prepare('SELECT name, url FROM feeds').all()).toEqual([{ name: 'Ada Lovelace', url: blog.url('/blog/feed.xml') }]);
    const after = await admin.get('/admin/suggestions?notice=approved');
    expect(after.body).toContain('Approved: the blog is subscribed');
    expect(after.body).toMatch(/approved by alice .* · <a href="\/admin\/feeds\/1">the feed<\/a>/);
  });

  it('an admin rejects with a reason; without the CSRF token nothing is decided', async () => {
    const v = await visitor();
    await v.post({ url: blog.url('/'), name: 'Ada', note: '', step: 'send' });
    await createAdmin(planet.db);
    const admin = await login(planet.app, planet.db);
    expect((await admin.post('/admin/suggestions/1/reject', { reason: 'x' }, { csrf: false })).statusCode).toBe(403);
    expect(pending()).toHaveLength(1);
    expect((await admin.post('/admin/suggestions/1/reject', { reason: 'Not a member.' })).statusCode).toBe(303);
    expect(planet.db.prepare('SELECT status, reason, decided_by FROM suggestions').get()).toEqual({ status: 'rejected', reason: 'Not a member.', decided_by: 'alice' });
    const again = await admin.post('/admin/suggestions/1/approve');
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('suggestion #1 was already rejected');
  });

  it('refuses a POST without the token, or with another visitor\'s', async () => {
    const v = await visitor();
    const res = await v.post({ url: blog.url('/'), name: 'Ada', note: '', step: 'send' }, { csrf: false });
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('the form expired or was not sent from this site');
    const forged = await planet.app.inject({ method: 'POST', url: '/suggest', payload: `_csrf=abc&url=${encodeURIComponent(blog.url('/'))}&name=x&step=send`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, cookies: { planet_suggest: 'def' } });
    expect(forged.statusCode).toBe(403);
    expect(pending()).toEqual([]);
  });

  it('shows the reason, with the field, for what cannot be suggested', async () => {
    const v = await visitor();
    const res = await v.post({ url: blog.url('/nothing-here'), name: 'Ada', note: '', step: 'check' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/<p class="problem" role="alert" data-field="url"><strong>Address:<\/strong> fetch: HTTP 404/);
    // What was typed stays in the form.
    expect(res.body).toContain(`value="${blog.url('/nothing-here')}"`);
  });

  it(`is rate-limited per client: ${SUGGEST_LIMIT_PER_HOUR} checks an hour, then 429`, async () => {
    const v = await visitor('198.51.100.9');
    for (let i = 0; i < SUGGEST_LIMIT_PER_HOUR; i++) expect((await v.post({ url: 'http://x.invalid/', name: '', note: '', step: 'check' })).statusCode).toBe(400);
    const over = await v.post({ url: blog.url('/'), name: 'Ada', note: '', step: 'check' });
    expect(over.statusCode).toBe(429);
    expect(over.body).toMatch(/too many suggestions from your address; try again in \d+ minutes/);
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    const other = await visitor('198.51.100.10');
    expect((await other.post({ url: blog.url('/'), name: 'Ada', note: '', step: 'check' })).statusCode).toBe(200);
  });
});

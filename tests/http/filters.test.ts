// A feed's filter rules through the JSON API (PATCH /api/feeds/ID with `filters`) and the admin UI
// (edit with a Preview that re-renders, then Save): applied to what is stored at once, bad rules
// answered 400 with the field and the rule, nothing written.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FeedServer } from '../helpers/feed-server.js';
import { createAdmin, createToken, login, snapshot, startAdminTestPlanet, startBlog, type Session, type TestPlanet } from '../helpers/admin.js';

let blog: FeedServer;
let planet: TestPlanet;
let token: string;
let feedId: number;

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
  const added = await api('POST', '/api/feeds', { url: blog.url('/') });
  feedId = (added.json() as { id: number }).id;
  const refreshed = await api('POST', `/api/feeds/${feedId}/refresh`);
  expect(refreshed.json()).toMatchObject({ outcome: 'ok', entries_new: 3 });
});
afterEach(async () => {
  await planet.close();
});

function api(method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown) {
  return planet.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
}

const hiddenTitles = () =>
  (planet.db.prepare('SELECT title, filter_rule FROM entries WHERE filter_rule IS NOT NULL ORDER BY id').all() as { title: string; filter_rule: string }[]).map((r) => [r.title, r.filter_rule]);

describe('PATCH /api/feeds/ID with filters', () => {
  it('sets the rules, re-applies them at once, and lists them with the feed', async () => {
    const requests = blog.requestCount;
    const res = await api('PATCH', `/api/feeds/${feedId}`, { filters: { exclude: ['text:cheap watches'] } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ filters: { include: [], exclude: ['text:cheap watches'] }, filters_reapplied: 're-applied to 3 stored posts: 1 hidden by a rule, 1 changed' });
    expect(hiddenTitles()).toEqual([['Second post: spam that slipped in', 'text:cheap watches']]);
    expect(blog.requestCount).toBe(requests);
    expect((await api('GET', `/api/feeds/${feedId}`)).json()).toMatchObject({ filters: { include: [], exclude: ['text:cheap watches'] } });

    const cleared = await api('PATCH', `/api/feeds/${feedId}`, { filters: null });
    expect(cleared.json()).toMatchObject({ filters: { include: [], exclude: [] } });
    expect(hiddenTitles()).toEqual([]);
  });

  it.each([
    ['an unknown kind', { exclude: ['tags:x'] }, 'filters.exclude.0', /^rule "tags:x": unknown rule kind "tags:"/],
    ['an empty value', { include: ['category:'] }, 'filters.include.0', /"category:" has no value/],
    ['a control character', { exclude: ['ok', 'bad\u0001'] }, 'filters.exclude.1', /control character \(U\+0001\)/],
    ['a regex bomb', { exclude: ['title:/(a+)+$/'] }, 'filters.exclude.0', /nested repetition/],
    ['a 10,000-rule list', { exclude: Array.from({ length: 10_000 }, (_, i) => `w${i}`) }, 'filters.exclude', /^10000 rules; at most 500 in one list/],
  ])('400 for %s, with the field and the rule; nothing saved, not even the other fields', async (_name, filters, field, reason) => {
    const before = snapshot(planet.db);
    const res = await api('PATCH', `/api/feeds/${feedId}`, { name: 'Renamed', filters });
    expect(res.statusCode).toBe(400);
    const body = res.json() as { error: string; field: string; reason: string };
    expect(body.error).toBe('invalid filter rule');
    expect(body.field).toBe(field);
    expect(body.reason).toMatch(reason);
    expect(snapshot(planet.db)).toEqual(before);
    expect(hiddenTitles()).toEqual([]);
    expect((await api('GET', `/api/feeds/${feedId}`)).json()).toMatchObject({ name: null, filters: { include: [], exclude: [] } });
  });

  it('400 for rules that are not strings', async () => {
    const res = await api('PATCH', `/api/feeds/${feedId}`, { filters: { include: [42] } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ field: 'filters.include.0' });
  });
});

describe('the admin feed page: rules with a preview', () => {
  let session: Session;
  beforeEach(async () => {
    session = await login(planet.app, planet.db);
  });

  it('Preview shows which stored posts would show and hide, and why, and saves nothing', async () => {
    const res = await session.post(`/admin/feeds/${feedId}/filters`, { include: '', exclude: 'text:cheap watches\n\n  title:first post  ', action: 'preview' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Preview: 1 shown, 2 hidden (not saved)');
    const rows = [...res.body.matchAll(/<tr class="preview-(shown|hidden)"[^>]*>\s*<td><strong>(\w+)<\/strong>.*?<\/td>\s*<td>([^<]*)/gs)].map((m) => [m[2], m[3]!.trim()]);
    expect(rows).toEqual([
      ['shown', 'Third post: a new bench supply'],
      ['hidden', 'Second post: spam that slipped in'],
      ['hidden', 'First post'],
    ]);
    expect(res.body).toContain('<code>text:cheap watches</code> <span class="muted">(this feed&#39;s rule)</span>');
    // What was typed stays in the form.
    expect(res.body).toMatch(/<textarea id="exclude"[^>]*>text:cheap watches\n\n  title:first post  <\/textarea>/);
    expect(hiddenTitles()).toEqual([]);
  });

  it('Save stores the rules and re-applies them; the page says how many posts it hid', async () => {
    const res = await session.post(`/admin/feeds/${feedId}/filters`, { include: '', exclude: 'text:cheap watches', action: 'save' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Filter rules saved; re-applied to 3 stored posts: 1 hidden by a rule, 1 changed.');
    expect(res.body).toContain('(hidden by the feed&#39;s rule <code>text:cheap watches</code>)');
    expect(hiddenTitles()).toEqual([['Second post: spam that slipped in', 'text:cheap watches']]);
    const audit = await session.get(`/admin/feeds/${feedId}`);
    expect(audit.body).toContain('set the filter rules of #');
  });

  it.each(['preview', 'save'])('%s refuses a bad rule with its line, keeps the text, saves nothing', async (action) => {
    const before = snapshot(planet.db);
    const res = await session.post(`/admin/feeds/${feedId}/filters`, { include: 'lang:en\ntext:/(x+x+)+y/', exclude: '', action });
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/<p class="problem" role="alert" data-field="filters.include.1"><strong>filters.include.1:<\/strong> rule &quot;text:\/\(x\+x\+\)\+y\/&quot;: nested repetition/);
    expect(res.body).toContain('>lang:en\ntext:/(x+x+)+y/</textarea>');
    expect(snapshot(planet.db)).toEqual(before);
  });

  it('refuses without the CSRF token', async () => {
    const res = await session.post(`/admin/feeds/${feedId}/filters`, { exclude: 'x', action: 'save' }, { csrf: false });
    expect(res.statusCode).toBe(403);
    expect(hiddenTitles()).toEqual([]);
  });
});

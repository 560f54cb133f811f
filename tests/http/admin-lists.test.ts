// /admin/lists through app.inject(): the page, adding a list (read at once), removing it, the CSRF
// check and the session, bad input re-shown with the field at fault and nothing written; and a
// feed's page naming its sources and old URLs.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findFeedByUrl, moveFeedUrl } from '../../src/db/feeds.js';
import { respondWith, type FeedServer } from '../helpers/feed-server.js';
import { createAdmin, login, snapshot, startAdminTestPlanet, type Session, type TestPlanet } from '../helpers/admin.js';
import { opmlList, serveList, startBlogsServer } from '../helpers/reading-list.js';

let server: FeedServer;
let planet: TestPlanet;
let s: Session;

beforeAll(async () => {
  server = await startBlogsServer(3);
  server.route('/list.opml', serveList(opmlList(server, [[1, 'Kernel'], [2, null]], 'Our wiki list')));
  server.route('/down.opml', respondWith(503, { headers: { 'retry-after': '120' } }));
});
afterAll(() => server.close());
beforeEach(async () => {
  planet = await startAdminTestPlanet();
  await createAdmin(planet.db);
  s = await login(planet.app, planet.db);
});
afterEach(() => planet.close());

const lists = () => (planet.db.prepare('SELECT count(*) AS n FROM reading_lists').get() as { n: number }).n;

describe('the reading lists page', () => {
  it('is linked from every admin page and needs a session', async () => {
    expect((await s.get('/admin')).body).toContain('href="/admin/lists"');
    const anonymous = await planet.app.inject({ method: 'GET', url: '/admin/lists' });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe('/admin/login?next=%2Fadmin%2Flists');
    const page = await s.get('/admin/lists');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.body).toContain('No reading lists yet.');
  });

  it('adds a list and reads it at once, then shows it with its feeds; removing it unsubscribes them', async () => {
    const added = await s.post('/admin/lists', { url: server.url('/list.opml'), tags: 'community, linux' });
    expect(added.statusCode, added.body).toBe(200);
    expect(added.body).toContain('Reading list added: 2 feeds, 2 of them subscribed now');
    expect(added.body).toContain('Our wiki list');
    expect(added.body).toMatch(/<tr data-state="subscribed"><td><a href="\/admin\/feeds\/\d+">Blog 1<\/a>/);
    expect(findFeedByUrl(planet.db, server.url('/feed1.xml'))).toMatchObject({ tags: ['community', 'kernel', 'linux'], status: 'active' });
    expect(planet.db.prepare("SELECT via, action FROM audit_log WHERE action LIKE 'list.%'").all()).toEqual([{ via: 'web', action: 'list.add' }]);

    const id = (planet.db.prepare('SELECT id FROM reading_lists').get() as { id: number }).id;
    const removed = await s.post(`/admin/lists/${id}/remove`);
    expect(removed.statusCode).toBe(303);
    expect(removed.headers.location).toBe('/admin/lists?notice=list-removed');
    expect((await s.get(removed.headers.location as string)).body).toContain('Reading list removed.');
    expect(findFeedByUrl(planet.db, server.url('/feed1.xml'))?.status).toBe('removed');
    expect(lists()).toBe(0);
  });

  it.each([
    ['no URL', { url: '' }, 'url', 'required'],
    ['a bad tag', { url: 'https://x.example/l.opml', tags: 'ok ünïcode!' }, 'tags', 'tag 2: tags are lowercase'],
    ['a local path', { url: '/etc/passwd' }, 'url', 'an http or https URL'],
    ['a list that cannot be fetched', { url: 'DOWN' }, 'url', 'fetch: HTTP 503 Service Unavailable'],
  ])('re-shows the form for %s (400), naming the field, nothing written', async (_name, form, field, reason) => {
    const url = form.url === 'DOWN' ? server.url('/down.opml') : form.url;
    const before = snapshot(planet.db);
    const res = await s.post('/admin/lists', { ...form, url });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain(`data-field="${field}"`);
    expect(res.body).toContain(reason);
    expect(res.body).toContain(`value="${url}"`);
    expect(snapshot(planet.db)).toEqual(before);
    expect(lists()).toBe(0);
  });

  it('refuses a list already there (409), linking nothing twice', async () => {
    await s.post('/admin/lists', { url: server.url('/list.opml') });
    const again = await s.post('/admin/lists', { url: server.url('/list.opml#') });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('already a reading list');
    expect(lists()).toBe(1);
  });

  it('refuses a form without the CSRF token (403), and an unknown list (404)', async () => {
    const forged = await s.post('/admin/lists', { url: server.url('/list.opml') }, { csrf: false });
    expect(forged.statusCode).toBe(403);
    expect(lists()).toBe(0);
    expect((await s.post('/admin/lists/99/remove')).statusCode).toBe(404);
  });
});

describe('a feed\'s page', () => {
  it('says where its subscription comes from and which old URLs still find it', async () => {
    await s.post('/admin/lists', { url: server.url('/list.opml') });
    const feed = findFeedByUrl(planet.db, server.url('/feed2.xml'))!;
    moveFeedUrl(planet.db, feed.id, server.url('/feed3-moved.xml'));
    const page = await s.get(`/admin/feeds/${feed.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`<td id="sources">reading list ${server.url('/list.opml')}</td>`);
    expect(page.body).toContain(`<td id="aliases"><span class="url">${server.url('/feed2.xml')}`);
  });
});

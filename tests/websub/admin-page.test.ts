// The admin feed page shows the feed's WebSub push state: none, pending, active (hub, lease), denied (why).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { insertFeed } from '../../src/db/feeds.js';
import { confirmSubscription, denySubscription, startSubscription } from '../../src/db/websub.js';
import { createAdmin, login, startAdminTestPlanet, type Session, type TestPlanet } from '../helpers/admin.js';

let planet: TestPlanet;
let s: Session;
beforeEach(async () => {
  planet = await startAdminTestPlanet();
  await createAdmin(planet.db);
  s = await login(planet.app, planet.db);
});
afterEach(async () => {
  await planet.close();
});

const pushCell = (html: string) => /<td id="push">([\s\S]*?)<\/td>/.exec(html)?.[1] ?? '';

function subscription(feedId: number) {
  return startSubscription(planet.db, { feedId, hub: 'https://hub.example/', topic: 'https://blog.example/feed.xml', callback: 'http://planet.test/websub/t', token: 't'.repeat(32), secret: 's' }, Date.now());
}

describe('admin feed page: push (WebSub)', () => {
  it('says a feed without a hub is polled on the schedule', async () => {
    const feed = insertFeed(planet.db, { url: 'https://blog.example/feed.xml' });
    expect(pushCell((await s.get(`/admin/feeds/${feed.id}`)).body)).toBe('none — polled on the schedule');
  });

  it('shows a pending, then active subscription with its hub and lease', async () => {
    const feed = insertFeed(planet.db, { url: 'https://blog.example/feed.xml' });
    const sub = subscription(feed.id);
    expect(pushCell((await s.get(`/admin/feeds/${feed.id}`)).body)).toMatch(/^<span class="push push-pending">pending<\/span> via <a class="url" href="https:\/\/hub.example\/">/);
    confirmSubscription(planet.db, sub.id, 864_000, Date.UTC(2030, 0, 1));
    const cell = pushCell((await s.get(`/admin/feeds/${feed.id}`)).body);
    expect(cell).toContain('<span class="push push-active">active</span>');
    // In words, the exact time (the planet's zone: UTC here) on hover.
    expect(cell).toMatch(/lease until <time datetime="2030-01-11T00:00:00.000Z" title="Friday, 11 January 2030 at 00:00 UTC">in \d+ years?<\/time>/);
  });

  it('shows a denial and the hub\'s reason, escaped', async () => {
    const feed = insertFeed(planet.db, { url: 'https://blog.example/feed.xml' });
    denySubscription(planet.db, subscription(feed.id).id, 'the hub denied the subscription: <script>alert(1)</script>', Date.now() + 1000);
    const cell = pushCell((await s.get(`/admin/feeds/${feed.id}`)).body);
    expect(cell).toContain('<span class="push push-denied">denied</span>');
    expect(cell).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(cell).not.toContain('<script>');
  });
});

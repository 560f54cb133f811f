// While a fetch pass writes, pages are rebuilt at most every passRefreshMs; outside a pass a
// change shows on the next request.
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock, LOCK_STALE_MS, PASS_LOCK, releaseLock } from '../../src/db/locks.js';
import { createReaderSite } from '../../src/site/reader-site.js';
import { addEntry, addFeed, createTestPlanet, NOW, type TestPlanet } from '../helpers/reader-fixtures.js';

let planet: TestPlanet;
let clock: number;
beforeEach(() => {
  planet = createTestPlanet();
  clock = NOW;
});
afterEach(() => planet.cleanup());

const body = (site: ReturnType<typeof createReaderSite>) => site.get('/').body.toString('utf8');

describe('page refresh during a fetch pass', () => {
  it('shows a change at once when no pass is running', () => {
    const feed = addFeed(planet.db, { url: 'https://a.example/feed', title: 'A' });
    addEntry(planet.db, feed, { guid: 'one', title: 'First post', at: NOW - 60_000 });
    const site = createReaderSite({ db: planet.db, config: planet.config, now: () => clock });
    expect(body(site)).toContain('First post');
    addEntry(planet.db, feed, { guid: 'two', title: 'Second post', at: NOW - 30_000 });
    clock += 10;
    expect(body(site)).toContain('Second post');
  });

  it('keeps the page for passRefreshMs while a pass holds the lock, then shows the change', () => {
    const feed = addFeed(planet.db, { url: 'https://a.example/feed', title: 'A' });
    addEntry(planet.db, feed, { guid: 'one', title: 'First post', at: NOW - 60_000 });
    const site = createReaderSite({ db: planet.db, config: planet.config, now: () => clock, passRefreshMs: 2000 });
    expect(body(site)).toContain('First post');
    acquireLock(planet.db, PASS_LOCK, 'other-host:1', clock);
    addEntry(planet.db, feed, { guid: 'two', title: 'Second post', at: NOW - 30_000 });
    clock += 500;
    expect(body(site)).not.toContain('Second post');
    clock += 2000;
    expect(body(site)).toContain('Second post');
    releaseLock(planet.db, PASS_LOCK, 'other-host:1');
  });

  it('shows a change at once when the lock was left by a pass that died (kill -9)', async () => {
    const feed = addFeed(planet.db, { url: 'https://a.example/feed', title: 'A' });
    addEntry(planet.db, feed, { guid: 'one', title: 'First post', at: NOW - 60_000 });
    const site = createReaderSite({ db: planet.db, config: planet.config, now: () => clock, passRefreshMs: 2000 });
    expect(body(site)).toContain('First post');
    const dead = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await new Promise((resolve) => dead.once('exit', resolve));
    acquireLock(planet.db, PASS_LOCK, `${hostname()}:${dead.pid}`, clock);
    addEntry(planet.db, feed, { guid: 'two', title: 'Second post', at: NOW - 30_000 });
    clock += 500;
    expect(body(site)).toContain('Second post');
  });

  it('holds the page back for a pass whose heartbeat is fresh, not for one gone stale', () => {
    const feed = addFeed(planet.db, { url: 'https://a.example/feed', title: 'A' });
    addEntry(planet.db, feed, { guid: 'one', title: 'First post', at: NOW - 60_000 });
    const site = createReaderSite({ db: planet.db, config: planet.config, now: () => clock, passRefreshMs: 2000 });
    expect(body(site)).toContain('First post');
    acquireLock(planet.db, PASS_LOCK, 'other-host:1', clock - LOCK_STALE_MS);
    addEntry(planet.db, feed, { guid: 'two', title: 'Second post', at: NOW - 30_000 });
    clock += 500;
    expect(body(site)).toContain('Second post');
  });
});

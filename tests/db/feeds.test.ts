// db/feeds.ts: finding a feed by any spelling of its URL and by the old URLs it moved from, moving
// it (its old URL kept as an alias), and removing it (every URL it had remembered).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addFeedSource, listFeedSources } from '../../src/db/feed-sources.js';
import { findFeed, findFeedByUrl, getFeed, insertFeed, listFeedAliases, moveFeedUrl, removeFeed, wasRemoved } from '../../src/db/feeds.js';
import { syncConfigFeeds } from '../../src/subscriptions/config-seed.js';
import { parseConfig } from '../../src/config.js';
import { tempPlanet, type TempPlanet } from '../helpers/temp-planet.js';

let planet: TempPlanet;
beforeEach(() => {
  planet = tempPlanet();
});
afterEach(() => planet.cleanup());

const A = 'https://a.example/feed.xml';
const B = 'https://b.example/atom';
const C = 'https://c.example/index.xml';

describe('a feed that moves', () => {
  it('keeps each old URL as an alias, and every one of them finds it', () => {
    const { db } = planet;
    const feed = insertFeed(db, { url: A });
    moveFeedUrl(db, feed.id, B, 1);
    moveFeedUrl(db, feed.id, C, 2);
    expect(getFeed(db, feed.id)?.url).toBe(C);
    expect(listFeedAliases(db).get(feed.id)).toEqual([A, B]);
    for (const url of [A, B, C, 'HTTP://A.EXAMPLE//feed.xml?', 'http://b.example/atom#']) expect(findFeedByUrl(db, url)?.id).toBe(feed.id);
    expect(findFeed(db, 'http://c.example/index.xml')?.id).toBe(feed.id);
  });

  it('moving back to an old URL makes it the feed\'s URL again, not an alias of itself', () => {
    const { db } = planet;
    const feed = insertFeed(db, { url: A });
    moveFeedUrl(db, feed.id, B, 1);
    moveFeedUrl(db, feed.id, A, 2);
    expect(getFeed(db, feed.id)?.url).toBe(A);
    expect(listFeedAliases(db).get(feed.id)).toEqual([B]);
  });

  it('a new spelling of the same URL (http → https) changes the URL and leaves no alias', () => {
    const { db } = planet;
    const feed = insertFeed(db, { url: 'http://a.example/feed.xml' });
    moveFeedUrl(db, feed.id, A);
    expect(getFeed(db, feed.id)?.url).toBe(A);
    expect(listFeedAliases(db).size).toBe(0);
  });

  it('the database refuses an alias that is another subscription\'s URL, and a subscription at an alias', () => {
    const { db } = planet;
    const one = insertFeed(db, { url: A });
    insertFeed(db, { url: C });
    moveFeedUrl(db, one.id, B);
    expect(() => db.prepare("INSERT INTO feed_aliases (url_key, url, feed_id, reason, created_at) VALUES ('http://c.example/index.xml', ?, ?, 'moved', 0)").run(C, one.id)).toThrow(/subscription's own/);
    expect(() => db.prepare("INSERT INTO feeds (url, url_key, created_at) VALUES (?, 'http://a.example/feed.xml', 0)").run(A)).toThrow(/alias of another subscription/);
    expect(() => insertFeed(db, { url: A })).toThrow(/already subscribed as #1/);
  });
});

describe('removing a moved feed', () => {
  it.each([['keep', false], ['purge', true]] as const)('remembers every URL it had, so the config file re-adds none of them (%s)', (_mode, purge) => {
    const { db } = planet;
    const feed = insertFeed(db, { url: A });
    addFeedSource(db, feed.id, 'config');
    moveFeedUrl(db, feed.id, B);
    removeFeed(db, feed.id, { purge });
    expect(wasRemoved(db, 'http://A.example/feed.xml')).toBe(true);
    expect(wasRemoved(db, B)).toBe(true);
    const config = parseConfig({ feeds: [{ url: A }, { url: B }] });
    expect(syncConfigFeeds(db, config.feeds)).toEqual({ added: [], skippedRemoved: [A, B] });
    expect(listFeedSources(db).size).toBe(0);
  });

  it('subscribing its old URL again revives it where it lives now, entries and all', () => {
    const { db } = planet;
    const feed = insertFeed(db, { url: A, name: 'Old name' });
    moveFeedUrl(db, feed.id, B);
    removeFeed(db, feed.id, { purge: false });
    const again = insertFeed(db, { url: A, name: 'New name' });
    expect(again).toMatchObject({ id: feed.id, url: B, name: 'New name', status: 'active' });
    expect(wasRemoved(db, A)).toBe(false);
    expect(wasRemoved(db, B)).toBe(false);
  });
});

// The reading-list rules one at a time, in process on a real SQLite file: lists are local files or
// served by a real HTTP server, read by refreshReadingLists (the pass's first step).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listFeedSources } from '../../src/db/feed-sources.js';
import { findFeedByUrl, insertFeed, listFeeds, moveFeedUrl } from '../../src/db/feeds.js';
import { insertReadingList, listReadingLists } from '../../src/db/reading-lists.js';
import { feedUrlKey } from '../../src/model.js';
import { fetchOptionsFromConfig } from '../../src/config.js';
import { refreshReadingLists } from '../../src/subscriptions/reading-lists.js';
import { subscribeFeed, unsubscribeFeed } from '../../src/subscriptions/service.js';
import { redirectTo, type FeedServer } from '../helpers/feed-server.js';
import { opmlList, serveList, startBlogsServer } from '../helpers/reading-list.js';
import { tempPlanet, type TempPlanet } from '../helpers/temp-planet.js';

let server: FeedServer;
let planet: TempPlanet;
const admin = { username: 'alice', via: 'cli' as const };
const feed = (n: number) => server.url(`/feed${n}.xml`);

beforeAll(async () => {
  server = await startBlogsServer(4);
});
afterAll(() => server.close());
beforeEach(() => {
  planet = tempPlanet({ fetch: { allow_private_addresses: true, timeout_seconds: 5 } });
});
afterEach(() => planet.cleanup());

/** A local-file list holding blogs `ns`, stored as a reading list. */
function fileList(name: string, ns: number[], tags: string[] = []) {
  const file = path.join(planet.dir, `${name}.opml`);
  writeFileSync(file, opmlList(server, ns.map((n) => [n, null])));
  insertReadingList(planet.db, { url: file, urlKey: file, tags, addedBy: 'cli' });
  return { file, set: (next: number[]) => writeFileSync(file, opmlList(server, next.map((n) => [n, null]), `v${Math.random()}`)) };
}
async function read() {
  // Every list due again, as in the next pass.
  planet.db.prepare('UPDATE reading_lists SET next_fetch_at = NULL').run();
  return refreshReadingLists(planet.db, { fetch: fetchOptionsFromConfig(planet.config), concurrency: 4 });
}
const subscribed = () => listFeeds(planet.db).map((f) => Number(/feed(\d)/.exec(f.url)![1])).sort();

describe('reading-list rules', () => {
  it('a feed moving from one list to another in one pass is never dropped', async () => {
    const a = fileList('a', [1, 2]);
    const b = fileList('b', [3]);
    await read();
    expect(subscribed()).toEqual([1, 2, 3]);
    a.set([1]);
    b.set([2, 3]);
    const outcomes = await read();
    expect(outcomes.flatMap((o) => o.unsubscribed)).toEqual([]);
    expect(subscribed()).toEqual([1, 2, 3]);
    expect(listFeedSources(planet.db).get(findFeedByUrl(planet.db, feed(2))!.id)).toEqual([`list:${b.file}`]);
  });

  it('a feed an admin subscribed first stays when the list drops it; its sources say so', async () => {
    const mine = subscribeFeed(planet.db, planet.config, admin, feed(1), { name: 'Named by the admin' });
    if ('kind' in mine) throw new Error(mine.reason);
    const a = fileList('a', [1, 2]);
    const [first] = await read();
    expect(first!.subscribed).toEqual([feed(2)]);
    expect(listFeedSources(planet.db).get(mine.id)).toEqual(['cli', `list:${a.file}`]);
    a.set([]);
    const [second] = await read();
    expect(second!.unsubscribed).toEqual([feed(2)]);
    expect(subscribed()).toEqual([1]);
    expect(findFeedByUrl(planet.db, feed(1))).toMatchObject({ name: 'Named by the admin', status: 'active' });
    expect(listFeedSources(planet.db).get(mine.id)).toEqual(['cli']);
  });

  it('an admin subscribing again a feed they removed while a list named it: the list holds it again', async () => {
    fileList('a', [1]);
    await read();
    const id = findFeedByUrl(planet.db, feed(1))!.id;
    unsubscribeFeed(planet.db, admin, id, false);
    await read();
    expect(subscribed()).toEqual([]);
    const again = subscribeFeed(planet.db, planet.config, admin, feed(1), {});
    expect(again).toMatchObject({ id, status: 'active' });
    await read();
    expect(listFeedSources(planet.db).get(id)).toEqual(['cli', `list:${listReadingLists(planet.db)[0]!.url}`]);
    expect(planet.db.prepare('SELECT declined FROM reading_list_feeds').all()).toEqual([{ declined: 0 }]);
  });

  it('a list naming an old URL of a moved feed holds the moved feed, subscribing nothing new', async () => {
    const moved = insertFeed(planet.db, { url: feed(1) });
    moveFeedUrl(planet.db, moved.id, server.url('/feed1-new.xml'));
    fileList('a', [1]);
    const [outcome] = await read();
    expect(outcome).toMatchObject({ subscribed: [], feeds: 1 });
    expect(listFeeds(planet.db).map((f) => f.id)).toEqual([moved.id]);
    expect(listFeedSources(planet.db).get(moved.id)).toEqual([`list:${listReadingLists(planet.db)[0]!.url}`]);
  });

  it('a list that moved by permanent redirect is read at its new URL from then on', async () => {
    server.route('/new-list.opml', serveList(opmlList(server, [[4, null]])));
    server.route('/old-list.opml', redirectTo('/new-list.opml', 301));
    insertReadingList(planet.db, { url: server.url('/old-list.opml'), urlKey: feedUrlKey(server.url('/old-list.opml')), tags: [], addedBy: 'api' });
    await read();
    expect(listReadingLists(planet.db)[0]).toMatchObject({ url: server.url('/new-list.opml') });
    expect(listFeedSources(planet.db).get(findFeedByUrl(planet.db, feed(4))!.id)).toEqual([`list:${server.url('/new-list.opml')}`]);
  });

  it('outlines that cannot be subscribed are left out with a warning, the others subscribed', async () => {
    const file = path.join(planet.dir, 'mixed.opml');
    writeFileSync(
      file,
      `<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body>
        <outline text="Good" type="rss" xmlUrl="${feed(1)}"/>
        <outline text="Relative" type="rss" xmlUrl="feed.xml"/>
        <outline text="Script" type="rss" xmlUrl="javascript:alert(1)"/>
        <outline text="Again" type="rss" xmlUrl="${feed(1).replace('http://', 'HTTP://').replace('/feed1', '//feed1')}?"/>
      </body></opml>`,
    );
    insertReadingList(planet.db, { url: file, urlKey: file, tags: [], addedBy: 'cli' });
    await read();
    expect(subscribed()).toEqual([1]);
    expect(listReadingLists(planet.db)[0]!.warnings).toEqual([
      '"Relative" <feed.xml>: not an absolute URL',
      '"Script" <javascript:alert(1)>: unsupported scheme "javascript" (only http and https)',
      expect.stringMatching(/^"Again" <.*>: listed twice \(first as <.*feed1\.xml>\)$/),
    ]);
  });
});

// Reading lists end to end: a list served by a real HTTP server on 127.0.0.1 and edited between
// passes of the real `planet fetch` process on one SQLite file, plus a local-file list. After each
// pass, the subscriptions are what the contract says: additions, removals, a 500, a malformed
// file, a feed also in the config file, a feed held by a second list, a feed an admin removed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { respondWith, serveFeed, type FeedServer } from '../helpers/feed-server.js';
import { opmlList, serveList, startBlogsServer } from '../helpers/reading-list.js';
import { runPlanet } from '../helpers/processes.js';

interface ListedFeed {
  id: number;
  url: string;
  name: string;
  tags: string[];
  sources: string[];
  entries: number;
}
interface ListJson {
  url: string;
  tags: string[];
  status: string;
  last_success: string | null;
  last_error: string | null;
  feeds: { url: string; state: string; feed_id: number | null }[];
}

let server: FeedServer;
let dir: string;
let configPath: string;
let dbPath: string;
const feed = (n: number) => server.url(`/feed${n}.xml`);
const opml = (items: [number, string | null][]) => opmlList(server, items);

beforeAll(async () => {
  server = await startBlogsServer();
  dir = mkdtempSync(path.join(tmpdir(), 'planet-lists-'));
  configPath = path.join(dir, 'planet.yaml');
  dbPath = path.join(dir, 'planet.db');
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function planet(...args: string[]) {
  const r = await runPlanet([...args, '--config', configPath]);
  return r;
}
async function pass() {
  const r = await planet('fetch');
  expect(r.code, r.stderr).toBe(0);
  return r;
}
async function feedsByNumber(): Promise<Map<number, ListedFeed>> {
  const r = await planet('feeds', 'list', '--json');
  expect(r.code, r.stderr).toBe(0);
  const out = new Map<number, ListedFeed>();
  for (const f of JSON.parse(r.stdout) as ListedFeed[]) out.set(Number(/feed(\d+)\.xml/.exec(f.url)![1]), f);
  return out;
}
const subscribed = async () => [...(await feedsByNumber()).keys()].sort();
async function lists(): Promise<ListJson[]> {
  const r = await planet('lists', 'list', '--json');
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as ListJson[];
}
/** As if the list's backoff after an error had run out. */
function backoffPassed(): void {
  const db = new Database(dbPath);
  db.prepare('UPDATE reading_lists SET next_fetch_at = NULL').run();
  db.close();
}
function entriesOfFeed(n: number): number {
  const db = new Database(dbPath, { readonly: true });
  const row = db.prepare('SELECT count(*) AS n FROM entries e JOIN feeds f ON f.id = e.feed_id WHERE f.url = ? AND e.expired = 0').get(feed(n)) as { n: number };
  db.close();
  return row.n;
}

describe('a reading list served and edited between passes', () => {
  it('keeps the subscriptions in sync with the list, and never touches what others hold', async () => {
    const listUrl = server.url('/list.opml');
    const localList = path.join(dir, 'local.opml');
    writeFileSync(
      configPath,
      [
        `database: ${dbPath}`,
        'fetch:\n  allow_private_addresses: true\n  timeout_seconds: 5',
        `feeds:\n  - url: ${feed(3)}\n  - url: ${feed(6)}`,
        `reading_lists:\n  - url: ${listUrl}\n    tags: [community]`,
      ].join('\n'),
    );

    // Pass 1: the list names 1 and 2 in a folder, and 3 (which the config file names too).
    server.route('/list.opml', serveList(opml([[1, 'Linux Users'], [2, 'Linux Users'], [3, null]])));
    await pass();
    let feeds = await feedsByNumber();
    expect([...feeds.keys()].sort()).toEqual([1, 2, 3, 6]);
    expect(feeds.get(1)).toMatchObject({ name: 'Blog 1', tags: ['community', 'linux-users'], sources: [`list:${listUrl}`], entries: 1 });
    expect(feeds.get(3)).toMatchObject({ sources: ['config', `list:${listUrl}`] });
    expect(feeds.get(6)).toMatchObject({ sources: ['config'] });
    expect(await lists()).toMatchObject([{ url: listUrl, tags: ['community'], status: 'ok', last_error: null, feeds: [{ state: 'subscribed' }, { state: 'subscribed' }, { state: 'subscribed' }] }]);

    // A second list, a local file, holds feed 4 and feed 2.
    writeFileSync(localList, opml([[4, null], [2, null]]));
    const added = await planet('lists', 'add', localList, '--tag', 'local');
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain('2 feeds, 1 subscribed now');
    expect((await feedsByNumber()).get(4)).toMatchObject({ tags: ['local'], sources: [`list:${localList}`] });

    // Pass 2: the list drops 1 and 2, adds 5. 1 goes (its posts stay); 2 stays (the file list holds it).
    server.route('/list.opml', serveList(opml([[3, null], [5, null]])));
    await pass();
    feeds = await feedsByNumber();
    expect([...feeds.keys()].sort()).toEqual([2, 3, 4, 5, 6]);
    expect(feeds.get(2)).toMatchObject({ sources: [`list:${localList}`] });
    expect(feeds.get(5)).toMatchObject({ tags: ['community'], entries: 1 });
    expect(entriesOfFeed(1)).toBe(1);

    // Pass 3: the list drops 3, which the config file still holds.
    server.route('/list.opml', serveList(opml([[5, null]])));
    await pass();
    feeds = await feedsByNumber();
    expect([...feeds.keys()].sort()).toEqual([2, 3, 4, 5, 6]);
    expect(feeds.get(3)).toMatchObject({ sources: ['config'] });

    // Pass 4: the list answers 500: it keeps its last good state and says why.
    server.route('/list.opml', respondWith(500, { body: 'oops' }));
    await pass();
    expect(await subscribed()).toEqual([2, 3, 4, 5, 6]);
    let state = (await lists())[0]!;
    expect(state).toMatchObject({ status: 'erroring', last_error: 'fetch: HTTP 500 Internal Server Error', feeds: [{ url: feed(5), state: 'subscribed' }] });
    expect(state.last_success).not.toBeNull();

    // Pass 5: backing off, the list is not asked again; then, due, it serves a malformed file.
    const asked = server.requests.filter((r) => r.path === '/list.opml').length;
    await pass();
    expect(server.requests.filter((r) => r.path === '/list.opml').length).toBe(asked);
    backoffPassed();
    server.route('/list.opml', serveFeed('<opml version="2.0"><body><outline xmlUrl="http://x.test/feed"', { contentType: 'text/x-opml' }));
    await pass();
    expect(await subscribed()).toEqual([2, 3, 4, 5, 6]);
    state = (await lists())[0]!;
    expect(state.status).toBe('erroring');
    expect(state.last_error).toMatch(/^opml: not well-formed XML/);

    // Pass 6: readable again, with 1 back and 5 kept: 1 is subscribed again, its old posts with it.
    backoffPassed();
    server.route('/list.opml', serveList(opml([[1, null], [5, null]])));
    await pass();
    expect(await subscribed()).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await lists())[0]).toMatchObject({ status: 'ok', last_error: null });

    // An admin removes 1, which the list still holds: the next passes (a 304, then a changed list
    // that still names it) do not add it back, and the list shows why.
    const removed = await planet('feeds', 'remove', feed(1));
    expect(removed.code, removed.stderr).toBe(0);
    const served = serveList(opml([[1, null], [5, null]]));
    server.route('/list.opml', served);
    await pass();
    await pass();
    const conditional = server.requests.filter((r) => r.path === '/list.opml').at(-1)!;
    expect(conditional.headers['if-none-match']).toBe(served.etag);
    server.route('/list.opml', serveList(opml([[1, null], [5, null], [6, null]])));
    await pass();
    expect(await subscribed()).toEqual([2, 3, 4, 5, 6]);
    expect((await lists())[0]!.feeds.find((f) => f.url === feed(1))).toMatchObject({ state: 'removed_by_admin' });

    // The list drops 1 (the removal is forgotten with it), later lists it anew: subscribed again.
    server.route('/list.opml', serveList(opml([[5, null], [6, null]])));
    await pass();
    expect(await subscribed()).toEqual([2, 3, 4, 5, 6]);
    server.route('/list.opml', serveList(opml([[1, null], [5, null], [6, null]])));
    await pass();
    expect(await subscribed()).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await feedsByNumber()).get(6)).toMatchObject({ sources: ['config', `list:${listUrl}`] });

    // Removing the file list unsubscribes what only it held (4), not what another source holds.
    writeFileSync(localList, opml([[4, null], [2, null], [5, null]]));
    await pass();
    const gone = await planet('lists', 'remove', localList);
    expect(gone.code, gone.stderr).toBe(0);
    expect(gone.stdout).toContain('2 feeds only it held unsubscribed');
    expect(await subscribed()).toEqual([1, 3, 5, 6]);
    expect((await lists()).map((l) => l.url)).toEqual([listUrl]);
  }, 180_000);
});

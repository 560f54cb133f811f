// `planet lists add|list|remove` and the config file's `reading_lists:`, through runCli on a real
// SQLite file, with lists served by a real HTTP server or kept in local files.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import type { CliIo } from '../../src/commands/common.js';
import { respondWith, type FeedServer } from '../helpers/feed-server.js';
import { opmlList, serveList, startBlogsServer } from '../helpers/reading-list.js';

let server: FeedServer;
let dir: string;
let configPath: string;

beforeAll(async () => {
  server = await startBlogsServer(3);
  server.route('/list.opml', serveList(opmlList(server, [[1, null], [2, null]])));
  server.route('/missing.opml', respondWith(404));
});
afterAll(() => server.close());
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'planet-lists-cli-'));
  configPath = path.join(dir, 'planet.yaml');
  writeConfig();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function writeConfig(extra = ''): void {
  writeFileSync(configPath, `database: ${path.join(dir, 'planet.db')}\nfetch:\n  allow_private_addresses: true\n  timeout_seconds: 5\n  max_bytes: 4096\n${extra}`);
}

async function planet(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => void (out += `${t}\n`), err: (t) => void (err += `${t}\n`), readStdin: async () => '', env: {} };
  const code = await runCli([...argv, '--config', configPath], io);
  return { code, out, err };
}
const listsJson = async () => JSON.parse((await planet('lists', 'list', '--json')).out) as { id: number; url: string; tags: string[]; status: string; feeds: unknown[] }[];

describe('planet lists', () => {
  it('adds a served list and a local file, lists them, removes them', async () => {
    const added = await planet('lists', 'add', server.url('/list.opml'), '--tag', 'community');
    expect(added.code, added.err).toBe(0);
    expect(added.out).toContain(`added reading list #1 ${server.url('/list.opml')}: 2 feeds, 2 subscribed now`);
    const file = path.join(dir, 'mine.opml');
    writeFileSync(file, opmlList(server, [[2, null], [3, 'Friends']]));
    const local = await planet('lists', 'add', 'mine.opml'.replace('mine', path.relative(process.cwd(), path.join(dir, 'mine'))));
    expect(local.code, local.err).toBe(0);
    expect(local.out).toContain(`added reading list #2 ${file}: 2 feeds, 1 subscribed now`);

    expect(await listsJson()).toMatchObject([
      { id: 1, url: server.url('/list.opml'), tags: ['community'], status: 'ok', feeds: [{}, {}] },
      { id: 2, url: file, tags: [], status: 'ok', feeds: [{ state: 'subscribed' }, { state: 'subscribed' }] },
    ]);
    const text = await planet('lists', 'list');
    expect(text.out).toMatch(new RegExp(`#1 ok +${server.url('/list.opml').replace(/[.?]/g, '\\$&')} \\[community\\]  2 feeds \\(2 subscribed\\)`));

    const feeds = JSON.parse((await planet('feeds', 'list', '--json')).out) as { url: string; sources: string[]; tags: string[] }[];
    expect(feeds.find((f) => f.url === server.url('/feed2.xml'))?.sources).toEqual([`list:${server.url('/list.opml')}`, `list:${file}`]);
    expect(feeds.find((f) => f.url === server.url('/feed3.xml'))?.tags).toEqual(['friends']);

    const removed = await planet('lists', 'remove', '1');
    expect(removed.code, removed.err).toBe(0);
    expect(removed.out).toContain('1 feeds only it held unsubscribed');
    expect((await planet('lists', 'remove', file)).code).toBe(0);
    expect(await listsJson()).toEqual([]);
    expect(JSON.parse((await planet('feeds', 'list', '--json')).out)).toEqual([]);
  });

  it.each([
    ['no argument', [], /expected one URL or file/],
    ['an ftp URL', ['ftp://example.org/list.opml'], /unsupported scheme "ftp"/],
    ['a bad tag', ['https://example.org/list.opml', '--tag', 'Bad Tag'], /--tag "Bad Tag": tags are lowercase/],
    ['an unknown option', ['https://example.org/list.opml', '--bogus'], /Unknown option '--bogus'/],
  ])('refuses %s as bad usage (exit 2), storing nothing', async (_name, args, message) => {
    const r = await planet('lists', 'add', ...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(await listsJson()).toEqual([]);
  });

  it.each([
    ['a list that answers 404', () => server.url('/missing.opml'), /fetch: HTTP 404 Not Found; nothing added/],
    ['a missing file', () => path.join(dir, 'nope.opml'), /reading list: cannot read .*nope\.opml \(ENOENT\); nothing added/],
    ['a file larger than fetch.max_bytes', () => bigFile(), /larger than 4 KiB; nothing added/],
    ['a file that is not OPML', () => plainFile(), /opml: not an OPML document/],
    ['a list on a private address when they are refused', () => 'PRIVATE', /loopback/],
  ])('refuses %s (exit 1), storing nothing', async (_name, location, message) => {
    let target = location();
    if (target === 'PRIVATE') {
      writeFileSync(configPath, `database: ${path.join(dir, 'planet.db')}\n`);
      target = server.url('/list.opml');
    }
    const r = await planet('lists', 'add', target);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
    expect(await listsJson()).toEqual([]);
    expect(JSON.parse((await planet('feeds', 'list', '--json')).out)).toEqual([]);
  });

  it('refuses a list already there under another spelling, and removing one that is not (exit 1)', async () => {
    await planet('lists', 'add', server.url('/list.opml'));
    const again = await planet('lists', 'add', server.url('/list.opml').replace('/list', '//list'));
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/already a reading list/);
    const unknown = await planet('lists', 'remove', 'https://none.example/list.opml');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/no reading list/);
    expect(await listsJson()).toHaveLength(1);
  });
});

describe('reading_lists in the config file', () => {
  it('adds each at the next start, read in the next pass; its tags follow the file; a removed one stays removed', async () => {
    writeConfig(`reading_lists:\n  - url: ${server.url('/list.opml')}\n    tags: [community]\n`);
    expect(await listsJson()).toMatchObject([{ url: server.url('/list.opml'), tags: ['community'], status: 'new', feeds: [] }]);
    expect((await planet('fetch')).code).toBe(0);
    expect(await listsJson()).toMatchObject([{ status: 'ok', feeds: [{}, {}] }]);
    writeConfig(`reading_lists:\n  - url: ${server.url('/list.opml')}\n    tags: [community, wiki]\n`);
    expect((await listsJson())[0]!.tags).toEqual(['community', 'wiki']);
    expect((await planet('lists', 'remove', server.url('/list.opml'))).code).toBe(0);
    expect(await listsJson()).toEqual([]);
    // Added again by hand, it is back.
    expect((await planet('lists', 'add', server.url('/list.opml'))).code).toBe(0);
    expect(await listsJson()).toHaveLength(1);
  });
});

function bigFile(): string {
  const file = path.join(dir, 'big.opml');
  writeFileSync(file, opmlList(server, Array.from({ length: 60 }, (_, i) => [1 + (i % 3), `folder ${i}`] as [number, string])));
  return file;
}

function plainFile(): string {
  const file = path.join(dir, 'notes.txt');
  writeFileSync(file, 'just some notes, no outline here');
  return file;
}

// Issue 10's duplicate subscriptions: a feed that moved by permanent redirect, named again by
// its old URL (the config file at the next start, OPML import, `feeds add`), and spellings of one
// URL given to `feeds add`. Every case runs the `planet` command on one real SQLite file against
// a real HTTP server on 127.0.0.1.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import type { CliIo } from '../../src/commands/common.js';
import { redirectTo, serveFeed, startFeedServer, type FeedServer } from '../helpers/feed-server.js';
import { runPlanet, serveAddress, startPlanetProcess } from '../helpers/processes.js';

const rss = (title: string, items: string[]) =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>${title}</title><link>http://blog.test/</link><description>d</description>` +
  items.map((i) => `<item><guid>${i}</guid><link>http://blog.test/${i}</link><title>${i}</title></item>`).join('') +
  '</channel></rss>';

let server: FeedServer;
let dir: string;
let configPath: string;

beforeAll(async () => {
  server = await startFeedServer();
});
afterAll(() => server.close());
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'planet-moved-'));
  configPath = path.join(dir, 'planet.yaml');
  server.route('/new.xml', serveFeed(rss('Moved blog', ['p1', 'p2']), { contentType: 'application/rss+xml', etag: '"v1"' }));
  server.route('/old.xml', redirectTo('/new.xml', 301));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function writeConfig(feeds: string[] = []): void {
  const list = feeds.length ? `feeds:\n${feeds.map((u) => `  - url: ${u}\n`).join('')}` : '';
  writeFileSync(configPath, `database: ${path.join(dir, 'planet.db')}\nfetch:\n  allow_private_addresses: true\n  timeout_seconds: 5\n${list}`);
}

async function planet(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => void (out += `${t}\n`), err: (t) => void (err += `${t}\n`), readStdin: async () => '', env: {} };
  const code = await runCli([...argv, '--config', configPath], io);
  return { code, out, err };
}

const feedsList = async () => JSON.parse((await planet('feeds', 'list', '--json')).out) as { id: number; url: string; aliases?: string[] }[];

describe('a feed that moved by permanent redirect stays one subscription', () => {
  it('listed in the config file: the next start finds it under its new URL', async () => {
    writeConfig([server.url('/old.xml')]);
    expect((await planet('fetch')).code).toBe(0);
    expect(await feedsList()).toMatchObject([{ url: server.url('/new.xml') }]);
    // The next start (every command seeds the config file's feeds) and the next pass.
    expect((await planet('fetch')).code).toBe(0);
    const feeds = await feedsList();
    expect(feeds).toHaveLength(1);
    expect(feeds[0]).toMatchObject({ url: server.url('/new.xml'), aliases: [server.url('/old.xml')] });
  });

  it('imported again from OPML by its old URL: reported as present', async () => {
    writeConfig();
    expect((await planet('feeds', 'add', server.url('/old.xml'), '--no-discover')).code).toBe(0);
    await planet('fetch');
    const opml = path.join(dir, 'again.opml');
    writeFileSync(opml, `<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body><outline text="Old" type="rss" xmlUrl="${server.url('/old.xml')}"/></body></opml>`);
    const imported = await planet('opml', 'import', opml);
    expect(imported.code).toBe(0);
    expect(imported.out).toContain('0 added, 1 already present');
    expect(await feedsList()).toHaveLength(1);
  });

  it.each([['with discovery', []], ['without discovery', ['--no-discover']]])('added again by its old URL (%s): refused as a duplicate', async (_name, flags) => {
    writeConfig();
    expect((await planet('feeds', 'add', server.url('/old.xml'), '--no-discover')).code).toBe(0);
    await planet('fetch');
    const again = await planet('feeds', 'add', server.url('/old.xml'), ...flags);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/already subscribed as #1/);
    expect(await feedsList()).toHaveLength(1);
  });
});

describe('spellings of a subscribed URL are one subscription', () => {
  const spellings = (origin: string) => {
    const host = origin.replace('http://', '');
    return [
      ['scheme and host in capitals', `HTTP://${host.toUpperCase()}/new.xml`],
      ['a doubled slash', `${origin}//new.xml`],
      ['an empty query', `${origin}/new.xml?`],
      ['an empty fragment', `${origin}/new.xml#`],
      ['all of them', `HTTP://${host.toUpperCase()}//new.xml?`],
      ['https for http', `${origin.replace('http:', 'https:')}/new.xml`],
    ] as const;
  };

  it('feeds add refuses each spelling, with or without discovery', async () => {
    writeConfig();
    expect((await planet('feeds', 'add', server.url('/new.xml'))).code).toBe(0);
    for (const [name, url] of spellings(server.origin)) {
      for (const flags of [[], ['--no-discover']]) {
        const r = await planet('feeds', 'add', url, ...flags);
        expect({ name, flags, code: r.code, err: r.err }).toMatchObject({ code: 1, err: expect.stringMatching(/already subscribed as #1/) });
      }
    }
    expect(await feedsList()).toHaveLength(1);
  });

  it('the config file and OPML import name it by any spelling without adding it twice', async () => {
    writeConfig(spellings(server.origin).map(([, url]) => url));
    expect(await feedsList()).toHaveLength(1);
    const opml = path.join(dir, 'spellings.opml');
    writeFileSync(opml, `<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body>${spellings(server.origin).map(([name, url]) => `<outline text="${name}" type="rss" xmlUrl="${url.replaceAll('&', '&amp;')}"/>`).join('')}</body></opml>`);
    const imported = await planet('opml', 'import', opml);
    expect(imported.out).toContain(`0 added, ${spellings(server.origin).length} already present`);
    expect(await feedsList()).toHaveLength(1);
  });
});

describe('a config feed that moves twice, across starts of the real `planet` processes', () => {
  const processFeedsList = async () => {
    const r = await runPlanet(['feeds', 'list', '--json', '--config', configPath]);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as { id: number; url: string; aliases: string[]; sources: string[]; entries: number }[];
  };
  const fetchPass = async () => {
    const r = await runPlanet(['fetch', '--config', configPath]);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout;
  };

  it('A → B, later B → C: one subscription, two aliases, no duplicate', async () => {
    server.route('/a.xml', redirectTo('/b.xml', 301));
    server.route('/b.xml', serveFeed(rss('Travelling blog', ['t1', 't2']), { contentType: 'application/rss+xml', etag: '"b"' }));
    writeConfig([server.url('/a.xml')]);

    // Start 1: subscribed from the file, fetched through the 301, moved to B.
    expect(await fetchPass()).toContain(`[moved to ${server.url('/b.xml')}]`);
    expect(await processFeedsList()).toMatchObject([{ id: 1, url: server.url('/b.xml'), aliases: [server.url('/a.xml')], sources: ['config'], entries: 2 }]);

    // Start 2: the server (it seeds the file's feeds too), stopped again.
    const serve = startPlanetProcess(['serve', '--no-fetch', '--config', configPath], { PORT: '0' });
    await serveAddress(serve);
    serve.child.kill('SIGTERM');
    expect((await serve.done).code).toBe(0);
    expect(await processFeedsList()).toHaveLength(1);

    // The blog moves again, by 308 this time, with a new post: start 3 follows it to C.
    server.route('/c.xml', serveFeed(rss('Travelling blog', ['t1', 't2', 't3']), { contentType: 'application/rss+xml', etag: '"c"' }));
    server.route('/b.xml', redirectTo('/c.xml', 308));
    expect(await fetchPass()).toContain(`[moved to ${server.url('/c.xml')}]`);

    // Start 4, and the file still names A: one subscription, at C, known by both old URLs, each post once.
    await fetchPass();
    const feeds = await processFeedsList();
    expect(feeds).toHaveLength(1);
    expect(feeds[0]).toMatchObject({ id: 1, url: server.url('/c.xml'), aliases: [server.url('/a.xml'), server.url('/b.xml')], sources: ['config'], entries: 3 });
    // Every old URL names the one feed.
    for (const old of ['/a.xml', '/b.xml']) {
      const again = await runPlanet(['feeds', 'add', server.url(old), '--no-discover', '--config', configPath]);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/already subscribed as #1/);
    }
  }, 120_000);
});

// The `planet` command line: exit statuses, messages, and what each command does to a real
// database, with feeds served by a local node:http server.
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir, hostname } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import type { CliIo } from '../../src/commands/common.js';
import { openDb } from '../../src/db/open.js';
import { acquireLock, PASS_LOCK } from '../../src/db/locks.js';

const run = promisify(execFile);
let server: Server;
let base: string;

const RSS = `<?xml version="1.0"?><rss version="2.0"><channel><title>Ada's blog</title><link>BASE/</link><description>d</description>
<item><guid>a1</guid><link>BASE/a1</link><title>Engines</title><pubDate>Mon, 01 Jun 2026 08:00:00 GMT</pubDate><description>&lt;p&gt;On &lt;a href="/notes"&gt;engines&lt;/a&gt;&lt;script&gt;x()&lt;/script&gt;&lt;/p&gt;</description></item>
</channel></rss>`;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/feed.xml') {
      res.setHeader('content-type', 'application/rss+xml');
      res.end(RSS.replaceAll('BASE', base));
    } else if (req.url === '/') {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end('<!doctype html><html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head><body>Ada</body></html>');
    } else if (req.url === '/nofeed') {
      res.setHeader('content-type', 'text/html');
      res.end('<!doctype html><html><head><title>x</title></head><body>no feed here</body></html>');
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

let dir: string;
let configPath: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'planet-cli-'));
  configPath = path.join(dir, 'planet.yaml');
  writeFileSync(configPath, `database: ${path.join(dir, 'planet.db')}\nfetch:\n  allow_private_addresses: true\n  timeout_seconds: 3\n`);
});

async function planet(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = {
    out: (t) => void (out += `${t}\n`),
    err: (t) => void (err += `${t}\n`),
    readStdin: async () => '',
    env: {},
  };
  const code = await runCli([...argv, '--config', configPath], io);
  return { code, out, err };
}

describe('planet (the binary)', () => {
  it('exits 2 on an invalid config, naming each bad key', async () => {
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'server:\n  port: "x"\nfetch:\n  bogus: 1\n');
    const result = await run(process.execPath, ['bin/planet.js', 'feeds', 'list', '--config', bad]).catch((e: { code: number; stderr: string }) => e);
    expect(result).toMatchObject({ code: 2 });
    expect((result as { stderr: string }).stderr).toMatch(/server\.port/);
    expect((result as { stderr: string }).stderr).toMatch(/"bogus"/);
  });

  it('exits 2 on an unknown command and on an unknown option', async () => {
    const a = await run(process.execPath, ['bin/planet.js', 'frobnicate']).catch((e: { code: number; stderr: string }) => e);
    expect(a).toMatchObject({ code: 2 });
    expect((a as { stderr: string }).stderr).toMatch(/unknown command "frobnicate"/);
    expect((await planet('fetch', '--bogus')).code).toBe(2);
  });
});

describe('planet feeds', () => {
  it('adds a blog by its home page (discovery), lists, edits and removes it', async () => {
    const added = await planet('feeds', 'add', `${base}/`, '--name', 'Ada', '--tag', 'maths');
    expect(added.code).toBe(0);
    expect(added.out).toContain(`discovered ${base}/feed.xml`);

    const again = await planet('feeds', 'add', `${base}/feed.xml`);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/already subscribed as #1 "Ada"/);

    const list = JSON.parse((await planet('feeds', 'list', '--json')).out) as Record<string, unknown>[];
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: 1, url: `${base}/feed.xml`, name: 'Ada', tags: ['maths'], status: 'new', entries: 0 });

    expect((await planet('feeds', 'edit', '1', '--name', 'Ada Lovelace')).code).toBe(0);
    expect((await planet('feeds', 'edit', '1', '--tag', 'Not A Tag')).code).toBe(2);
    expect((await planet('feeds', 'edit', '99', '--name', 'x')).code).toBe(1);
    expect(JSON.parse((await planet('feeds', 'list', '--json')).out)[0].name).toBe('Ada Lovelace');

    const removed = await planet('feeds', 'remove', `${base}/feed.xml`);
    expect(removed.code).toBe(0);
    expect(JSON.parse((await planet('feeds', 'list', '--json')).out)).toEqual([]);
  });

  it('finds a feed at a common path when the page advertises none', async () => {
    const r = await planet('feeds', 'add', `${base}/nofeed`);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`discovered ${base}/feed.xml`);
  });

  it('refuses a site without any feed, saying what it found', async () => {
    const bare = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end('<!doctype html><html><head><title>x</title></head><body>no feed here</body></html>');
    });
    await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
    const a = bare.address();
    try {
      const r = await planet('feeds', 'add', `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/`);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/advertises no feed/);
    } finally {
      await new Promise<void>((r) => bare.close(() => r()));
    }
  });

  it('refuses a non-http URL as bad usage', async () => {
    const r = await planet('feeds', 'add', 'ftp://example.org/feed');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unsupported scheme "ftp"/);
  });

  it('refuses feeds on private addresses unless the config allows them', async () => {
    writeFileSync(configPath, `database: ${path.join(dir, 'planet.db')}\n`);
    const r = await planet('feeds', 'add', `${base}/feed.xml`);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/loopback|private/);
  });
});

describe('planet fetch', () => {
  it('runs one pass and prints a per-feed summary; entries are stored sanitized', async () => {
    await planet('feeds', 'add', `${base}/feed.xml`, '--no-discover');
    await planet('feeds', 'add', `${base}/missing.xml`, '--no-discover');
    const r = await planet('fetch');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ok\s+#1 .*1 new/m);
    expect(r.out).toMatch(/^error\s+#2 .*http_status/m);
    expect(r.out).toMatch(/2 feeds — 1 ok, 0 not modified, 1 errors/);
    const db = openDb(path.join(dir, 'planet.db'));
    const row = db.prepare('SELECT content_html FROM entries').get() as { content_html: string };
    db.close();
    expect(row.content_html).toContain(`href="${base}/notes"`);
    expect(row.content_html).not.toContain('script');
  });

  it('fetches just the named feed with --feed, and rejects an unknown one', async () => {
    await planet('feeds', 'add', `${base}/feed.xml`, '--no-discover');
    await planet('feeds', 'add', `${base}/missing.xml`, '--no-discover');
    const r = await planet('fetch', '--feed', '1');
    expect(r.out).toMatch(/1 feeds — 1 ok/);
    expect((await planet('fetch', '--feed', '42')).code).toBe(1);
  });

  it('does not start a second pass while another process holds the lock, and says why', async () => {
    await planet('feeds', 'add', `${base}/feed.xml`, '--no-discover');
    const db = openDb(path.join(dir, 'planet.db'));
    acquireLock(db, PASS_LOCK, `${hostname()}:${process.ppid}`, Date.now());
    db.close();
    const r = await planet('fetch');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/another fetch pass is running/);
  });
});

describe('planet check', () => {
  it('prints the pipeline view as JSON without storing anything', async () => {
    const r = await planet('check', `${base}/feed.xml`, '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report).toMatchObject({ url: `${base}/feed.xml`, status: 200, final_url: `${base}/feed.xml`, content_type: 'application/rss+xml', format: 'rss', title: "Ada's blog", link: `${base}/`, warnings: [] });
    expect(report.encoding).toMatch(/utf-8/);
    expect(report.entries).toEqual([
      expect.objectContaining({ id: 'a1', link: `${base}/a1`, title: 'Engines', published: '2026-06-01T08:00:00.000Z' }),
    ]);
    expect(report.entries[0].content_html).not.toContain('script');
    const db = openDb(path.join(dir, 'planet.db'));
    expect(db.prepare('SELECT count(*) AS n FROM entries').get()).toEqual({ n: 0 });
    db.close();
  });

  it('reads a local file', async () => {
    const file = path.join(dir, 'feed.xml');
    writeFileSync(file, RSS.replaceAll('BASE', 'http://ada.example'));
    const report = JSON.parse((await planet('check', file, '--json')).out);
    expect(report.entries[0].link).toBe('http://ada.example/a1');
  });

  it('explains an HTML page, naming the feeds it advertises, with exit 1', async () => {
    const r = await planet('check', `${base}/`, '--json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out);
    expect(report.error).toMatchObject({ code: 'not_a_feed', alternates: [`${base}/feed.xml`] });
  });
});

describe('planet opml', () => {
  it('imports an OPML file reporting added, present and invalid outlines, and exports OPML 2.0', async () => {
    await planet('feeds', 'add', `${base}/feed.xml`, '--no-discover');
    const file = path.join(dir, 'subs.opml');
    writeFileSync(
      file,
      `<?xml version="1.0"?><opml version="2.0"><head><title>s</title></head><body>
        <outline text="Kernel"><outline text="Linus" xmlUrl="https://linus.example/feed" htmlUrl="https://linus.example/"/></outline>
        <outline text="Ada" xmlUrl="${base}/feed.xml"/>
        <outline text="Bad" xmlUrl="gopher://old.example/"/>
      </body></opml>`,
    );
    const r = await planet('opml', 'import', file);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/1 added, 1 already present, 1 invalid/);
    const list = JSON.parse((await planet('feeds', 'list', '--json')).out) as { url: string; tags: string[]; name: string }[];
    expect(list.find((f) => f.url === 'https://linus.example/feed')).toMatchObject({ name: 'Linus', tags: ['kernel'] });

    const exported = await planet('opml', 'export');
    expect(exported.out).toContain('<opml version="2.0">');
    expect(exported.out).toContain('xmlUrl="https://linus.example/feed"');
  });

  it('imports nothing from a malformed file', async () => {
    const file = path.join(dir, 'broken.opml');
    writeFileSync(file, '<opml version="2.0"><body><outline text="A" xmlUrl="https://a.example/feed"');
    const r = await planet('opml', 'import', file);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/nothing imported/);
    expect(JSON.parse((await planet('feeds', 'list', '--json')).out)).toEqual([]);
  });
});

describe('config file feeds', () => {
  it('subscribes listed feeds once, keeps admin edits and does not re-add a removed feed', async () => {
    writeFileSync(configPath, `database: ${path.join(dir, 'planet.db')}\nfeeds:\n  - url: https://one.example/feed\n    name: One\n`);
    expect(JSON.parse((await planet('feeds', 'list', '--json')).out)).toHaveLength(1);
    await planet('feeds', 'edit', '1', '--name', 'Renamed by admin');
    expect(JSON.parse((await planet('feeds', 'list', '--json')).out)[0].name).toBe('Renamed by admin');
    await planet('feeds', 'remove', '1');
    expect(JSON.parse((await planet('feeds', 'list', '--json')).out)).toEqual([]);
    expect(readFileSync(configPath, 'utf8')).toContain('one.example');
  });
});

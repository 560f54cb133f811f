// `planet feeds edit --include/--exclude/--clear-filters` and `planet filters test`: against a real
// database and a feed served on 127.0.0.1; bad rules exit 2 naming the rule, nothing saved.
import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import type { CliIo } from '../../src/commands/common.js';
import { openDb } from '../../src/db/open.js';

let server: Server;
let base: string;
const RSS = () => `<?xml version="1.0"?><rss version="2.0"><channel><title>Ada</title><link>${base}/</link><language>en</language>
<item><guid>${base}/a</guid><link>${base}/a</link><title>Soldering irons</title><category>hardware</category><description>Hot.</description></item>
<item><guid>${base}/b</guid><link>${base}/b</link><title>Sponsored: watches</title><description>Buy.</description></item>
<item xml:lang="de"><guid>${base}/c</guid><link>${base}/c</link><title>Lötkolben</title><category>hardware</category><description>Heiß.</description></item>
</channel></rss>`;

beforeAll(async () => {
  server = createServer((_req, res) => void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(RSS()));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

let dir: string;
let configPath: string;
beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'planet-filters-cli-'));
  configPath = path.join(dir, 'planet.yaml');
  writeFileSync(configPath, `database: ${path.join(dir, 'planet.db')}\nfetch:\n  allow_private_addresses: true\n  timeout_seconds: 3\nfilters:\n  exclude: [ "title:sponsored" ]\n`);
  expect((await planet('feeds', 'add', `${base}/feed.xml`, '--no-discover')).code).toBe(0);
  expect((await planet('fetch')).code).toBe(0);
});

async function planet(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => void (out += `${t}\n`), err: (t) => void (err += `${t}\n`), readStdin: async () => '', env: {} };
  const code = await runCli([...argv, '--config', configPath], io);
  return { code, out, err };
}

function stored(): Record<string, string | null> {
  const db = openDb(path.join(dir, 'planet.db'));
  try {
    const rows = db.prepare('SELECT link, filter_rule, filter_scope FROM entries ORDER BY id').all() as { link: string; filter_rule: string | null; filter_scope: string | null }[];
    return Object.fromEntries(rows.map((r) => [r.link.slice(base.length), r.filter_rule && `${r.filter_rule} (${r.filter_scope})`]));
  } finally {
    db.close();
  }
}

describe('planet feeds edit: a feed\'s own rules', () => {
  it('--exclude and --include set the rules and re-apply them at once; --clear-filters removes them', async () => {
    expect(stored()).toEqual({ '/a': null, '/b': 'title:sponsored (planet)', '/c': null });
    const set = await planet('feeds', 'edit', '1', '--exclude', 'lang:de');
    expect(set).toMatchObject({ code: 0, out: 'updated #1 Ada: filter rules exclude ["lang:de"]; re-applied to 3 stored posts: 2 hidden by a rule, 1 changed\n' });
    expect(stored()).toEqual({ '/a': null, '/b': 'title:sponsored (planet)', '/c': 'lang:de (feed)' });
    // --include replaces the include list and keeps the exclude list.
    expect((await planet('feeds', 'edit', '1', '--include', 'category:hardware', '--include', 'author:ada')).code).toBe(0);
    expect(stored()).toEqual({ '/a': null, '/b': 'title:sponsored (planet)', '/c': 'lang:de (feed)' });
    const list = JSON.parse((await planet('feeds', 'list', '--json')).out) as { filters: unknown }[];
    expect(list[0]!.filters).toEqual({ include: ['category:hardware', 'author:ada'], exclude: ['lang:de'] });
    const cleared = await planet('feeds', 'edit', '1', '--clear-filters');
    expect(cleared.out).toBe('updated #1 Ada: filter rules none; re-applied to 3 stored posts: 1 hidden by a rule, 1 changed\n');
    expect(stored()).toEqual({ '/a': null, '/b': 'title:sponsored (planet)', '/c': null });
  });

  it.each([
    ['a regex bomb', ['--exclude', 'text:/(a+)+$/'], /^planet feeds edit: --exclude rule "text:\/\(a\+\)\+\$\/": nested repetition/],
    ['an unknown kind', ['--include', 'tag:x'], /^planet feeds edit: --include rule "tag:x": unknown rule kind "tag:"/],
    ['a control character', ['--exclude', 'a\u001bb'], /rule "a\\u001bb": contains a control character \(U\+001B\) at character 2/],
    ['--clear-filters with rules', ['--clear-filters', '--exclude', 'x'], /--clear-filters cannot be combined with --include or --exclude/],
  ])('exits 2 on %s, naming it; nothing saved', async (_name, args, message) => {
    const before = stored();
    const result = await planet('feeds', 'edit', '1', '--name', 'Renamed', ...args);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
    expect(stored()).toEqual(before);
    expect((JSON.parse((await planet('feeds', 'list', '--json')).out) as { name: string; filters: unknown }[])[0]).toMatchObject({ name: 'Ada', filters: { include: [], exclude: [] } });
  });
});

describe('planet filters test', () => {
  it('previews a feed with rules given, saving nothing (--json shape of the contract)', async () => {
    const result = await planet('filters', 'test', '1', '--include', 'category:hardware', '--exclude', 'lang:de', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toEqual({
      feed: { id: 1, url: `${base}/feed.xml` },
      // Newest first; undated posts are dated as first seen, the last in the document first.
      entries: [
        { link: `${base}/c`, title: 'Lötkolben', shown: false, rule: 'lang:de', scope: 'feed', hidden_by_admin: false },
        { link: `${base}/b`, title: 'Sponsored: watches', shown: false, rule: 'title:sponsored', scope: 'planet', hidden_by_admin: false },
        { link: `${base}/a`, title: 'Soldering irons', shown: true, rule: null, scope: null, hidden_by_admin: false },
      ],
    });
    expect(stored()).toEqual({ '/a': null, '/b': 'title:sponsored (planet)', '/c': null });
  });

  it('without a feed: the whole planet, with planet-wide rules given in place of the config file\'s', async () => {
    const result = await planet('filters', 'test', '--exclude', 'category:hardware', '--json');
    const body = JSON.parse(result.out) as { feed: null; entries: { link: string; shown: boolean; rule: string | null; scope: string | null }[] };
    expect(body.feed).toBeNull();
    expect(body.entries.map((e) => [e.link.slice(base.length), e.rule, e.scope])).toEqual([
      ['/c', 'category:hardware', 'planet'],
      ['/b', null, null],
      ['/a', 'category:hardware', 'planet'],
    ]);
  });

  it('prints a table, and the counts on stderr', async () => {
    const result = await planet('filters', 'test', '1');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^SHOWN\s+RULE\s+TITLE\s+LINK$/m);
    expect(result.out).toMatch(/^hidden\s+title:sponsored \(planet\)\s+Sponsored: watches\s+/m);
    expect(result.err).toBe('planet filters test: 2 shown, 1 hidden; nothing was saved\n');
  });

  it('exits 2 on a bad rule and 1 on an unknown feed', async () => {
    const bad = await planet('filters', 'test', '1', '--exclude', 'title:/foo(?=bar)/');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^planet filters test: --exclude rule "title:\/foo\(\?=bar\)\/": not a regular expression the planet can run: .*lookahead/);
    const unknown = await planet('filters', 'test', '99');
    expect(unknown).toMatchObject({ code: 1, err: 'planet filters test: no subscription "99" (see planet feeds list)\n' });
  });

  it('a config file with a bad rule stops with exit 2, naming the key', async () => {
    writeFileSync(configPath, `database: ${path.join(dir, 'planet.db')}\nfilters:\n  include: [ "lang:en", "colour:red" ]\n`);
    const result = await planet('filters', 'test');
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/^  - filters\.include\.1: must be a filter rule \(unknown rule kind "colour:"/m);
  });
});

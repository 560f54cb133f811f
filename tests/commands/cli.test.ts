// The `planet` command line: exit statuses, messages, and what each command does to a real
// database, with feeds served by a local node:http server.
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir, hostname } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify, stripVTControlCharacters } from 'node:util';
import stringWidth from 'string-width';
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
    expect((result as { stderr: string }).stderr).toMatch(/^  - server\.port: must be a number, got "x"$/m);
    expect((result as { stderr: string }).stderr).toMatch(/^  - fetch\.bogus: unknown key; the keys here are schedule, /m);
  });

  it('exits 2 on an unknown command and on an unknown option', async () => {
    const a = await run(process.execPath, ['bin/planet.js', 'frobnicate']).catch((e: { code: number; stderr: string }) => e);
    expect(a).toMatchObject({ code: 2 });
    expect((a as { stderr: string }).stderr).toMatch(/unknown command "frobnicate"/);
    expect((await planet('fetch', '--bogus')).code).toBe(2);
  });

  it('runs as a command through its first line: node takes the flags given there (decision 0028)', async () => {
    // A flag node does not know would stop it before the CLI ran ("bad option", exit 9).
    const r = await run('bin/planet.js', ['frobnicate']).catch((e: { code: number; stderr: string }) => e);
    expect(r).toMatchObject({ code: 2 });
    expect((r as { stderr: string }).stderr).toMatch(/unknown command "frobnicate"/);
    expect(readFileSync('bin/planet.js', 'utf8').split('\n', 1)[0]).toBe('#!/usr/bin/env -S node --max-semi-space-size=1 --v8-pool-size=1');
  });
});

/** runCli with exactly these arguments (no --config added), standard output and error apart. */
async function planetRaw(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => void (out += `${t}\n`), err: (t) => void (err += `${t}\n`), readStdin: async () => '', env: {} };
  const code = await runCli(argv, io);
  return { code, out, err };
}

describe('planet arguments: --config and --help anywhere', () => {
  beforeEach(() => {
    writeFileSync(configPath, `database: ${path.join(dir, 'planet.db')}\nfeeds:\n  - url: https://one.example/feed\n    name: One\n`);
  });

  it.each([
    ['before the command', () => ['--config', configPath, 'feeds', 'list', '--json']],
    ['before the command, with =', () => [`--config=${configPath}`, 'feeds', 'list', '--json']],
    ['between the command words', () => ['feeds', '--config', configPath, 'list', '--json']],
    ['after the command', () => ['feeds', 'list', '--json', '--config', configPath]],
    ['after the command, with =', () => ['feeds', 'list', `--config=${configPath}`, '--json']],
  ])('takes --config %s', async (_where, argv) => {
    const r = await planetRaw(...argv());
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject([{ url: 'https://one.example/feed', name: 'One' }]);
  });

  it('runs the built binary with --config before the command', async () => {
    const r = await run(process.execPath, ['bin/planet.js', '--config', configPath, 'feeds', 'list', '--json']);
    expect(JSON.parse(r.stdout)).toHaveLength(1);
    expect(r.stderr).toBe('');
  });

  it.each([
    ['--config given twice', () => ['--config', configPath, 'feeds', 'list', '--config', configPath], /--config given twice/],
    ['--config without a path', () => ['feeds', 'list', '--config'], /--config/],
    ['--config with an empty path', () => ['--config=', 'feeds', 'list'], /--config= needs a PATH/],
    ['--config followed by an option', () => ['--config', '--json', 'feeds', 'list'], /--config needs a PATH/],
    ["a command's option before the command", () => ['--json', 'feeds', 'list'], /unknown option "--json" before the command/],
    ['a mistyped command', () => ['fech'], /unknown command "fech" — did you mean "fetch"\?/],
    ['a mistyped subcommand', () => ['feeds', 'lst'], /unknown command "feeds lst" — did you mean "feeds list"\?/],
    ['a group without its subcommand', () => ['feeds', '--config', configPath], /planet feeds: name one of list, add, remove, edit\n/],
  ])('refuses %s as bad usage, on stderr', async (_name, argv, message) => {
    const r = await planetRaw(...argv());
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(message);
  });

  it('prints the usage on stderr with exit 2 when no command is given, on stdout with exit 0 when asked', async () => {
    const bare = await planetRaw();
    expect(bare).toMatchObject({ code: 2, out: '' });
    expect(bare.err).toMatch(/^usage: planet <command>/);
    for (const argv of [['--help'], ['-h'], ['help']]) {
      const asked = await planetRaw(...argv);
      expect(asked).toMatchObject({ code: 0, err: '' });
      expect(asked.out).toMatch(/^usage: planet <command>/);
      expect(asked.out).toMatch(/--config PATH/);
    }
  });

  it.each([
    'fetch --help',
    'fetch --bogus -h',
    'serve -h',
    '--help feeds list',
    'help check',
    'feeds add --help',
    'admin create --help',
    'backup --help',
    'build -h',
    'opml export --help',
  ])('`planet %s` prints the usage on stdout and does nothing else', async (line) => {
    const argv = line.split(' ');
    const r = await planetRaw(...argv, '--config', configPath);
    expect(r).toMatchObject({ code: 0, err: '' });
    const words = argv.filter((a) => !a.startsWith('-') && a !== 'help');
    expect(r.out).toMatch(new RegExp(`^usage: planet ${words.join(' ')}`));
    expect(r.out).toContain('--config PATH');
    // Nothing ran: the database named in the config was never created.
    expect(existsSync(path.join(dir, 'planet.db'))).toBe(false);
  });

  it('refuses an unknown LOG_FORMAT before serving anything', async () => {
    let err = '';
    const io: CliIo = { out: () => {}, err: (t) => void (err += t), readStdin: async () => '', env: { LOG_FORMAT: 'xml' } };
    expect(await runCli(['serve', '--config', configPath], io)).toBe(2);
    expect(err).toMatch(/LOG_FORMAT must be json or pretty .*got "xml"/);
    expect(existsSync(path.join(dir, 'planet.db'))).toBe(false);
  });

  it('prints the subcommands of a group on --help', async () => {
    const r = await planetRaw('feeds', '--help');
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toMatch(/planet feeds list/);
    expect(r.out).toMatch(/planet feeds remove/);
  });
});

describe('planet feeds list: the table', () => {
  beforeEach(() => {
    writeFileSync(
      configPath,
      [
        `database: ${path.join(dir, 'planet.db')}`,
        'fetch: { allow_private_addresses: true, timeout_seconds: 3 }',
        'feeds:',
        '  - { url: "https://ada.example.org/feed.xml", name: "Ada" }',
        '  - { url: "https://jp.example.org/feed", name: "日本語のブログ — 技術メモ" }',
        '  - { url: "https://long.example.org/a/very/long/path/feed.xml", name: "A very long blog name that goes on and on about many things" }',
        '  - { url: "https://emoji.example.org/feed", name: "Café 🚀 notes" }',
        '  - { url: "https://evil.example.org/feed", name: "Evil\\e[2J\\e]0;pwned\\anews" }',
        '',
      ].join('\n'),
    );
  });

  async function list(tty?: { columns: number }) {
    let out = '';
    const io: CliIo = { out: (t) => void (out += `${t}\n`), err: () => {}, readStdin: async () => '', env: {}, isTTY: tty !== undefined, columns: tty?.columns };
    expect(await runCli(['feeds', 'list', '--config', configPath], io)).toBe(0);
    return out.trimEnd().split('\n');
  }

  /** The terminal column where `needle` starts on `line`. */
  const columnOf = (line: string, needle: string) => stringWidth(line.slice(0, line.indexOf(needle)));

  it('aligns every column by display width (wide characters count two) and cuts long names', async () => {
    const lines = await list();
    expect(lines[0]).toMatch(/^ID {2}STATUS {2}ENTRIES {2}LAST SUCCESS {2}NAME +URL$/);
    expect(lines).toHaveLength(6);
    const urlColumn = columnOf(lines[0]!, 'URL');
    for (const line of lines.slice(1)) expect(columnOf(line, 'https://')).toBe(urlColumn);
    const nameColumn = columnOf(lines[0]!, 'NAME');
    for (const name of ['Ada', '日本語のブログ', 'Café 🚀 notes', 'A very long']) {
      expect(columnOf(lines.find((l) => l.includes(name))!, name)).toBe(nameColumn);
    }
    // At most 40 columns for a name, cut with an ellipsis; the URL is never cut.
    expect(lines.join('\n')).toMatch(/ A very long blog name that goes on and… +https:\/\/long\.example\.org\/a\/very\/long\/path\/feed\.xml$/m);
    expect(urlColumn - nameColumn).toBe(42);
  });

  it('writes no escape sequences when not on a terminal, and neutralises those in feed names', async () => {
    const lines = await list();
    expect(lines.join('\n')).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(lines.find((l) => l.includes('Evil'))).toContain('Evil\ufffd[2J\ufffd]0;pwned\ufffdnews');
  });

  it('on a terminal, colours the header and fits its width by narrowing the names', async () => {
    const lines = await list({ columns: 100 });
    expect(lines[0]).toContain('\x1b[1mID\x1b[22m');
    const plain = lines.map((l) => stripVTControlCharacters(l));
    for (const line of plain) expect(stringWidth(line)).toBeLessThanOrEqual(100);
    // 100 columns leave the names 13: cut with an ellipsis, wide characters whole.
    expect(plain.join('\n')).toMatch(/ A very long… +https:\/\/long\.example\.org\/a\/very\/long\/path\/feed\.xml$/m);
    expect(plain.join('\n')).toContain('日本語のブロ…  https://jp.example.org/feed');
    const urlColumn = columnOf(plain[0]!, 'URL');
    for (const line of plain.slice(1)) expect(columnOf(line, 'https://')).toBe(urlColumn);
  });

  it('shows the last error as a last column when a feed has one', async () => {
    await planet('feeds', 'add', `${base}/missing.xml`, '--no-discover', '--name', 'Gone');
    await planet('fetch', '--feed', `${base}/missing.xml`);
    const lines = await list();
    expect(lines[0]).toMatch(/ {2}URL +LAST ERROR$/);
    const row = lines.find((l) => l.includes('Gone'))!;
    expect(row).toMatch(/^ 6 {2}erroring {2}/);
    expect(columnOf(row, 'fetch: ')).toBe(columnOf(lines[0]!, 'LAST ERROR'));
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
    expect(r.out).toMatch(/^pass \d+: 2 feeds — 1 ok, 0 not modified, 1 error; 1 new entry; 0 entries expired; \d+ ms$/m);
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
    expect(r.out).toMatch(/^pass \d+: 1 feed — 1 ok, 0 not modified, 0 errors; 1 new entry; 0 entries expired; \d+ ms$/m);
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
    const r = await planet('check', file, '--json');
    const report = JSON.parse(r.out);
    expect(report.entries[0].link).toBe('http://ada.example/a1');
    // Every link was absolute: nothing to warn about.
    expect(report.warnings).toEqual([]);
    expect(r.err).toBe('');
    // The same file named by its file: URL.
    const byUrl = JSON.parse((await planet('check', pathToFileURL(file).href, '--json')).out);
    expect(byUrl.entries).toEqual(report.entries);
  });

  it('sends the report of a feed that cannot be read to stderr, with exit 1', async () => {
    const r = await planet('check', path.join(dir, 'missing.xml'));
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^url\s+.*missing\.xml$/m);
    expect(r.err).toMatch(/^error\s+bad_url: check: ".*missing\.xml" is neither an http\(s\) URL nor a readable file \(ENOENT\)$/m);
  });

  it('`planet check missing.xml >/dev/null` still says what is wrong (the built binary)', async () => {
    const r = await run(process.execPath, ['bin/planet.js', 'check', path.join(dir, 'missing.xml'), '--config', configPath]).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toMatch(/bad_url/);
  });

  it('reports an HTML page on stderr, naming what it advertises; with --json the JSON stays on stdout', async () => {
    const plain = await planet('check', `${base}/`);
    expect(plain).toMatchObject({ code: 1, out: '' });
    expect(plain.err).toMatch(new RegExp(`^advertises\\s+${base}/feed\\.xml$`, 'm'));
    const json = await planet('check', `${base}/`, '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out).error).toMatchObject({ code: 'not_a_feed' });
    expect(json.err).toMatch(/^planet check: not_a_feed: parse: this is an HTML page, not a feed; it advertises: /m);
  });

  it('prints the report of a readable feed on stdout and its warnings on stderr', async () => {
    const file = path.join(dir, 'bad-date.xml');
    writeFileSync(file, RSS.replaceAll('BASE', 'http://ada.example').replace('Mon, 01 Jun 2026 08:00:00 GMT', 'the day before yesterday'));
    const r = await planet('check', file);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^entries\s+1$/m);
    expect(r.out).not.toMatch(/warning/);
    expect(r.err).toMatch(/^warning\s+parse: entry 1 has an invalid date "the day before yesterday"$/m);
    const json = await planet('check', file, '--json');
    expect(JSON.parse(json.out).warnings).toEqual(['parse: entry 1 has an invalid date "the day before yesterday"']);
    expect(json.err).toMatch(/^planet check: warning: parse: entry 1 has an invalid date/m);
  });

  it("shows a local HTML page's relative feed links as found, never against an invented origin", async () => {
    const page = path.join(dir, 'page.html');
    writeFileSync(
      page,
      '<!doctype html><html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml">' +
        '<link rel="alternate" type="application/atom+xml" href="atom.xml">' +
        '<link rel="alternate" type="application/rss+xml" href="https://ada.example/rss"></head><body>Ada</body></html>',
    );
    const json = await planet('check', page, '--json');
    expect(json.code).toBe(1);
    const report = JSON.parse(json.out);
    expect(report.error).toMatchObject({ code: 'not_a_feed', alternates: ['/feed.xml', 'atom.xml', 'https://ada.example/rss'] });
    expect(report.error.message).toBe('parse: this is an HTML page, not a feed; it advertises: /feed.xml, atom.xml, https://ada.example/rss');
    expect(report.warnings).toEqual([expect.stringMatching(/is a local file, so the relative links it advertises \(\/feed\.xml, atom\.xml\) could not be made absolute/)]);
    const plain = await planet('check', page);
    expect(plain.err).toMatch(/^advertises\s+\/feed\.xml$/m);
    expect(plain.err).toMatch(/^advertises\s+atom\.xml$/m);
    expect(`${json.out}${json.err}${plain.out}${plain.err}`).not.toMatch(/localhost/);
  });

  it("resolves a local feed's relative links against its file: URL and warns that they could not be made absolute", async () => {
    const file = path.join(dir, 'relative.xml');
    writeFileSync(
      file,
      '<?xml version="1.0"?><rss version="2.0"><channel><title>Local</title><description>d</description>' +
        '<item><guid>r1</guid><link>/posts/r1</link><title>R</title><description>&lt;a href="notes.html"&gt;notes&lt;/a&gt;</description></item></channel></rss>',
    );
    const r = await planet('check', file, '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.entries[0].link).toBe('file:///posts/r1');
    expect(report.warnings).toEqual([expect.stringMatching(/relative\.xml is a local file, so its relative links could not be made absolute/)]);
    expect(r.out).not.toMatch(/localhost/);
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

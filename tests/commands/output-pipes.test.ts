// `planet … | head`: the built command writing into a pipe whose reader goes away early ends
// quietly (exit 0, nothing on stderr) instead of crashing on EPIPE, for every command that prints.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/open.js';
import { startFeedServer, serveFeed, type FeedServer } from '../helpers/feed-server.js';
import { ROOT } from '../helpers/processes.js';

const BIN = path.join(ROOT, 'bin/planet.js');
let dir: string;
/** 800 subscriptions: `feeds list` and `opml export` print far more than a pipe holds (64 KiB). */
let bigConfig: string;
/** A feed file with 600 entries: `check` prints about 100 KiB. */
let bigFeed: string;
let fetchConfig: string;
let server: FeedServer;

const rss = (n: number, base: string) =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>Many</title><link>${base}/</link><description>d</description>${Array.from(
    { length: n },
    (_, i) => `<item><guid>e${i}</guid><link>${base}/e${i}</link><title>Entry ${i}</title><description>Text of entry ${i}</description></item>`,
  ).join('')}</channel></rss>`;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'planet-pipes-'));
  bigConfig = path.join(dir, 'big.yaml');
  writeFileSync(
    bigConfig,
    `database: ${path.join(dir, 'big.db')}\nfeeds:\n${Array.from({ length: 800 }, (_, i) => `  - { url: "https://blog-${i}.example.org/feed.xml", name: "Blog number ${i}" }\n`).join('')}`,
  );
  bigFeed = path.join(dir, 'many.xml');
  writeFileSync(bigFeed, rss(600, 'https://many.example.org'));
  server = await startFeedServer({ '/a.xml': serveFeed(rss(3, 'https://a.example.org')), '/b.xml': serveFeed(rss(2, 'https://b.example.org')) });
  fetchConfig = path.join(dir, 'fetch.yaml');
  writeFileSync(
    fetchConfig,
    `database: ${path.join(dir, 'fetch.db')}\nfetch: { allow_private_addresses: true, timeout_seconds: 5 }\nfeeds:\n  - url: ${server.url('/a.xml')}\n  - url: ${server.url('/b.xml')}\n`,
  );
});
afterAll(() => server.close());

interface Piped {
  code: number;
  stderr: string;
  /** What the reader got before it went away. */
  read: string;
}

/** `planet ARGS 2>stderr | head -n 1`, through a real shell pipe; planet's own exit status. */
function pipeIntoHead(args: string[]): Promise<Piped> {
  const script = `"$@" 2>"${dir}/stderr" | head -n 1; echo "planet exited $\{PIPESTATUS[0]}" >&2; cat "${dir}/stderr" >&2`;
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', script, 'bash', process.execPath, BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let read = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (read += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', () => {
      const m = /^planet exited (\d+)\n/.exec(stderr);
      resolve({ code: m ? Number(m[1]) : -1, stderr: m ? stderr.slice(m[0].length) : stderr, read });
    });
  });
}

/** The reader closes its end before the command has written anything at all. */
function pipeClosedAtOnce(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'warn' } });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('output piped into a reader that stops early', () => {
  it.each([
    ['feeds list', () => ['feeds', 'list', '--config', bigConfig], /^ *ID {2}STATUS/],
    ['feeds list --json', () => ['feeds', 'list', '--json', '--config', bigConfig], /^\[/],
    ['opml export', () => ['opml', 'export', '--config', bigConfig], /^<\?xml/],
    ['check FILE', () => ['check', bigFeed, '--config', bigConfig], /^url\s/],
    ['check FILE --json', () => ['check', bigFeed, '--json', '--config', bigConfig], /^\{/],
  ])('`planet %s | head -n 1` ends quietly with exit 0', async (_name, args, firstLine) => {
    const r = await pipeIntoHead(args());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.read).toMatch(firstLine);
    expect(r.read.split('\n').filter(Boolean)).toHaveLength(1);
  });

  const storedEntries = () => {
    const db = openDb(path.join(dir, 'fetch.db'));
    try {
      return (db.prepare('SELECT count(*) AS n FROM entries').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };

  it.each([
    ['fetch', () => ['fetch', '--config', fetchConfig]],
    ['fetch --json', () => ['fetch', '--json', '--config', fetchConfig]],
    ['feeds list', () => ['feeds', 'list', '--config', fetchConfig]],
    ['opml export', () => ['opml', 'export', '--config', fetchConfig]],
    ['check URL', () => ['check', server.url('/a.xml'), '--config', fetchConfig]],
  ])('`planet %s` into a pipe already closed ends quietly with exit 0, its work done', async (name, args) => {
    const r = await pipeClosedAtOnce(args());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // A pass whose summary nobody reads still stores what it fetched: both feeds, once.
    if (name.startsWith('fetch')) expect(storedEntries()).toBe(5);
  });
});

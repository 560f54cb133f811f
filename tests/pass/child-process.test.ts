// The pass that `planet serve` schedules runs in a child `planet fetch` started with the node flags
// chosen for a pass (PASS_NODE_FLAGS), whatever flags the server was started with.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASS_NODE_FLAGS } from '../../src/pass/child-process.js';
import { serveFeed, startFeedServer, type FeedServer } from '../helpers/feed-server.js';
import { ROOT, serveAddress, startPlanetProcess, waitFor, writePlanetConfig, type Running } from '../helpers/processes.js';

const BIN = path.join(ROOT, 'bin/planet.js');

const RSS = `<?xml version="1.0"?><rss version="2.0"><channel><title>Flags</title><link>http://example.org/</link>
<item><title>One post</title><link>http://example.org/1</link><guid>http://example.org/1</guid><pubDate>Tue, 01 Dec 2026 10:00:00 GMT</pubDate><description>Body</description></item>
</channel></rss>`;

/** The command lines (argv) of this machine's processes whose arguments include `needle`. */
function commandLinesWith(needle: string): string[][] {
  const found: string[][] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
      if (argv.includes(needle)) found.push(argv);
    } catch {
      // the process has exited since readdir
    }
  }
  return found;
}

let dir: string;
let server: FeedServer;
let seen: string[][] = [];
let configPath: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'planet-child-'));
  configPath = path.join(dir, 'planet.yaml');
  const feed = serveFeed(RSS, { contentType: 'application/rss+xml' });
  // The pass's child is running while it fetches: look it up by its config path then.
  server = await startFeedServer({
    '/feed.xml': (req, res) => {
      seen = commandLinesWith(configPath).filter((argv) => argv.includes('fetch'));
      feed(req, res);
    },
  });
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the pass planet serve schedules", () => {
  it('runs in a child started with the flags chosen for a pass, though the server has none', async () => {
    const flags = PASS_NODE_FLAGS;
    expect(flags).toEqual(['--v8-pool-size=1']);
    const dbPath = path.join(dir, 'planet.db');
    writePlanetConfig(configPath, { dbPath, feedUrls: [server.url('/feed.xml')] });
    let serve: Running | undefined;
    try {
      serve = startPlanetProcess(['serve', '--config', configPath]); // node bin/planet.js serve: no flags
      await serveAddress(serve);
      const [serverArgv] = commandLinesWith(configPath).filter((argv) => argv.includes('serve'));
      expect(serverArgv!.slice(1, 2)).toEqual([BIN]);
      // serve starts its first pass at once; the post is stored when it is over.
      await waitFor('the scheduled pass to store the post', () => {
        const db = new Database(dbPath, { readonly: true });
        try {
          return (db.prepare("SELECT title FROM entries").get() as { title: string } | undefined)?.title;
        } finally {
          db.close();
        }
      }, { output: () => serve!.stderr() });
      expect(seen).toHaveLength(1);
      const [child] = seen;
      expect(child![0]).toBe(process.execPath);
      expect(child!.slice(1, 1 + flags.length + 2)).toEqual([...flags, BIN, 'fetch']);
      serve.child.kill('SIGTERM');
      expect((await serve.done).code).toBe(0);
    } finally {
      if (serve && serve.child.exitCode === null) serve.child.kill('SIGKILL');
    }
  }, 60_000);
});

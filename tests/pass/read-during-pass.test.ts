// Readers keep getting 200s while a fetch pass writes thousands of entries: WAL lets them read
// the last committed state, and busy_timeout keeps SQLITE_BUSY from ever reaching a response.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlanetFeeds, type PlanetFeeds } from '../helpers/planet-feeds.js';
import { runPlanet, serveAddress, startPlanetProcess, writePlanetConfig, type Running } from '../helpers/processes.js';

const FEEDS = 60;
const ITEMS = 50; // 3,000 entries a pass

let feeds: PlanetFeeds;
let dir: string;
beforeAll(async () => {
  feeds = await startPlanetFeeds({ feeds: FEEDS, itemsPerFeed: ITEMS, bodyBytes: 1500 });
  dir = mkdtempSync(path.join(tmpdir(), 'planet-read-'));
});
afterAll(async () => {
  await feeds?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Two readers request / and /healthz back to back until `done` resolves; returns every status. */
async function readWhile(base: string, done: Promise<unknown>): Promise<number[]> {
  let finished = false;
  void done.finally(() => (finished = true));
  const statuses: number[] = [];
  await Promise.all(
    ['/', '/healthz'].map(async (p) => {
      while (!finished) statuses.push((await fetch(`${base}${p}`)).status);
    }),
  );
  return statuses;
}

function entryCount(dbPath: string): number {
  const db = new Database(dbPath, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM entries').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('reading during a big fetch pass', () => {
  it.each([
    ['planet fetch in its own process', false],
    ["planet serve's own scheduler", true],
  ] as const)('every request is answered 200 while %s writes 3,000 entries', async (_name, inProcess) => {
    const dbPath = path.join(dir, `${inProcess ? 'in' : 'out'}.db`);
    const config = writePlanetConfig(path.join(dir, `${inProcess ? 'in' : 'out'}.yaml`), { dbPath, feedUrls: feeds.feedUrls, concurrency: 8 });
    let serve: Running | undefined;
    try {
      serve = startPlanetProcess(['serve', ...(inProcess ? [] : ['--no-fetch']), '--config', config]);
      const base = await serveAddress(serve);
      let pass: Promise<unknown>;
      if (inProcess) {
        // serve starts its pass at once; it is over when /healthz reports a finished pass.
        pass = (async () => {
          for (;;) {
            const h = (await (await fetch(`${base}/healthz`)).json()) as { last_pass: unknown };
            if (h.last_pass) return;
            await new Promise((r) => setTimeout(r, 100));
          }
        })();
      } else {
        pass = runPlanet(['fetch', '--config', config]).then((r) => expect(r.code, r.stderr).toBe(0));
      }
      const statuses = await readWhile(base, pass);
      await pass;
      expect(statuses.length).toBeGreaterThan(4);
      expect(statuses.filter((s) => s !== 200)).toEqual([]);
      expect(entryCount(dbPath)).toBe(FEEDS * ITEMS);
      expect(serve.stdout() + serve.stderr()).not.toMatch(/SQLITE_BUSY|database is locked/);
      serve.child.kill('SIGTERM');
      expect((await serve.done).code).toBe(0);
    } finally {
      if (serve && serve.child.exitCode === null) serve.child.kill('SIGKILL');
    }
  }, 90_000);
});

// A full disk and a read-only database file: the fetcher fails with a clear error naming the
// cause, nothing is half-written, and `planet serve` keeps serving what it has.
// Both need root (tmpfs mount, switching to an unprivileged user); elsewhere they are skipped.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlanetFeeds, type PlanetFeeds } from '../helpers/planet-feeds.js';
import { runPlanet, serveAddress, startPlanetProcess, writePlanetConfig, type Running } from '../helpers/processes.js';

const isRoot = process.getuid?.() === 0;
const NOBODY = { uid: 65534, gid: 65534 };

let feeds: PlanetFeeds;
let dir: string;
beforeAll(async () => {
  feeds = await startPlanetFeeds({ feeds: 20, itemsPerFeed: 40, bodyBytes: 2000 });
  dir = mkdtempSync(path.join(tmpdir(), 'planet-storage-'));
  chmodSync(dir, 0o755); // the unprivileged user must reach its files
});
afterAll(async () => {
  await feeds?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Requests the pages a reader and a monitor would, and returns their statuses. */
async function statuses(base: string): Promise<number[]> {
  return Promise.all(['/', '/healthz', '/metrics'].map(async (p) => (await fetch(`${base}${p}`)).status));
}

function tryMount(target: string, sizeBytes: number): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', target], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!isRoot)('full disk', () => {
  let mnt: string;
  let mounted = false;
  beforeAll(() => {
    mnt = path.join(dir, 'small-disk');
    mkdirSync(mnt);
    // 1 MiB holds the empty schema and a few feeds, not the 1.6 MB the fixture's 800 entries need.
    mounted = tryMount(mnt, 1024 * 1024);
  });
  afterAll(() => {
    if (mounted) execFileSync('umount', [mnt]);
  });

  it('fetch stops at "database or disk is full" with exit 1, stores only whole feeds, and the server keeps serving', async (ctx) => {
    if (!mounted) ctx.skip();
    const dbPath = path.join(mnt, 'planet.db');
    const config = writePlanetConfig(path.join(dir, 'full.yaml'), { dbPath, feedUrls: feeds.feedUrls });
    let serve: Running | undefined;
    try {
      serve = startPlanetProcess(['serve', '--no-fetch', '--config', config]);
      const base = await serveAddress(serve);
      const pass = runPlanet(['fetch', '--config', config]);
      const during: number[] = [];
      let finished = false;
      void pass.then(() => (finished = true));
      while (!finished) during.push(...(await statuses(base)));
      const r = await pass;
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/planet fetch: database or disk is full/);
      expect(new Set(during)).toEqual(new Set([200]));
      expect(await statuses(base)).toEqual([200, 200, 200]);

      const db = new Database(dbPath, { readonly: true });
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        const perFeed = db.prepare('SELECT count(e.id) AS n FROM feeds f LEFT JOIN entries e ON e.feed_id = f.id GROUP BY f.id').all() as { n: number }[];
        // Some feeds fitted, the rest did not; none was stored in part (one transaction per feed).
        expect(perFeed.some((f) => f.n === 40)).toBe(true);
        expect(perFeed.some((f) => f.n === 0)).toBe(true);
        for (const f of perFeed) expect([0, 40]).toContain(f.n);
      } finally {
        db.close();
      }
      serve.child.kill('SIGTERM');
      expect((await serve.done).code).toBe(0);
    } finally {
      if (serve && serve.child.exitCode === null) serve.child.kill('SIGKILL');
    }
  }, 60_000);
});

describe.skipIf(!isRoot)('read-only database file', () => {
  it('fetch exits 1 naming the cause; serve (scheduler on) keeps serving and logs the failed pass', async () => {
    const data = path.join(dir, 'ro');
    mkdirSync(data);
    const dbPath = path.join(data, 'planet.db');
    const config = writePlanetConfig(path.join(dir, 'ro.yaml'), { dbPath, feedUrls: feeds.feedUrls.slice(0, 3) });
    expect((await runPlanet(['fetch', '--config', config])).code).toBe(0);
    // Root ignores file modes, so the planet runs as an unprivileged user from here on.
    chownSync(data, NOBODY.uid, NOBODY.gid);
    chownSync(dbPath, NOBODY.uid, NOBODY.gid);
    chmodSync(dbPath, 0o444);
    const countBefore = entryCount(dbPath);
    feeds.advance();

    const r = await runPlanet(['fetch', '--config', config], {}, NOBODY);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/planet fetch: attempt to write a readonly database/);

    const serve = startPlanetProcess(['serve', '--config', config], { LOG_LEVEL: 'error' }, NOBODY);
    try {
      const base = await serveAddress(serve);
      expect(await statuses(base)).toEqual([200, 200, 200]);
      const deadline = Date.now() + 10_000;
      while (!/readonly/.test(serve.stdout()) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
      expect(serve.stdout()).toMatch(/"msg":"fetch pass failed"/);
      expect(serve.stdout()).toMatch(/attempt to write a readonly database/);
      expect(await statuses(base)).toEqual([200, 200, 200]);
      serve.child.kill('SIGTERM');
      expect((await serve.done).code).toBe(0);
    } finally {
      if (serve.child.exitCode === null) serve.child.kill('SIGKILL');
    }
    expect(entryCount(dbPath)).toBe(countBefore);
  }, 60_000);
});

function entryCount(dbPath: string): number {
  const db = new Database(dbPath, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM entries').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

// Graceful shutdown of `planet serve` on SIGTERM and SIGINT, mid-pass: it stops accepting,
// stops the pass between feeds (no half-written feed), releases the pass lock, closes the
// database and exits 0.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlanetFeeds, type PlanetFeeds } from '../helpers/planet-feeds.js';
import { serveAddress, startPlanetProcess, writePlanetConfig } from '../helpers/processes.js';

const FEEDS = 30;
const ITEMS = 8;
let feeds: PlanetFeeds;
let dir: string;

beforeAll(async () => {
  // 30 feeds, 2 at a time, 200 ms each: a pass of about 3 s to interrupt.
  feeds = await startPlanetFeeds({ feeds: FEEDS, itemsPerFeed: ITEMS, delayMs: 200 });
  dir = mkdtempSync(path.join(tmpdir(), 'planet-shutdown-'));
});
afterAll(async () => {
  await feeds?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('planet serve shutdown', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('on %s mid-pass: stops between feeds, releases the lock, exits 0', async (signal) => {
    const dbPath = path.join(dir, `${signal}.db`);
    const config = writePlanetConfig(path.join(dir, `${signal}.yaml`), { dbPath, feedUrls: feeds.feedUrls, concurrency: 2 });
    const serve = startPlanetProcess(['serve', '--config', config]);
    try {
      const base = await serveAddress(serve);
      // Let a few feeds through, then signal while others are in flight.
      const before = feeds.server.requestCount;
      await new Promise<void>((resolve) => {
        feeds.server.onRequest = (n) => {
          if (n - before >= 6) {
            feeds.server.onRequest = undefined;
            resolve();
          }
        };
      });
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const signalledAt = Date.now();
      serve.child.kill(signal);
      const r = await serve.done;
      const took = Date.now() - signalledAt;
      expect(r.code, r.stderr).toBe(0);
      expect(r.signal).toBeNull();
      // Feeds in flight finish (≈ one 200 ms response); nothing waits for the rest of the pass.
      expect(took).toBeLessThan(5000);
      // No longer accepting connections.
      await expect(fetch(`${base}/healthz`)).rejects.toThrow();

      // The database was closed: its last connection checkpointed the WAL and removed it.
      expect(existsSync(`${dbPath}-wal`)).toBe(false);
      const db = new Database(dbPath, { readonly: true });
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(db.prepare('SELECT count(*) AS n FROM locks').get()).toEqual({ n: 0 });
        const perFeed = db.prepare('SELECT f.has_fetched AS fetched, count(e.id) AS n FROM feeds f LEFT JOIN entries e ON e.feed_id = f.id GROUP BY f.id').all() as { fetched: number; n: number }[];
        const fetched = perFeed.filter((f) => f.fetched === 1);
        // Stopped part-way, and every feed is either complete or untouched: never half-written.
        expect(fetched.length).toBeGreaterThan(0);
        expect(fetched.length).toBeLessThan(FEEDS);
        for (const f of perFeed) expect(f.n).toBe(f.fetched ? ITEMS : 0);
        const pass = db.prepare('SELECT finished_at, feeds_total FROM fetch_passes').get() as { finished_at: number | null; feeds_total: number };
        expect(pass.finished_at).not.toBeNull();
        expect(pass.feeds_total).toBe(fetched.length);
      } finally {
        db.close();
      }
      expect(r.stderr).not.toMatch(/shutdown failed/);
    } finally {
      feeds.server.onRequest = undefined;
      if (serve.child.exitCode === null) serve.child.kill('SIGKILL');
    }
  }, 60_000);

  it('on SIGTERM while feeds hang: the fetch timeout bounds the wait, then it exits 0', async () => {
    const stalled = await startPlanetFeeds({ feeds: 4, itemsPerFeed: 2, delayMs: 120_000 });
    const dbPath = path.join(dir, 'stalled.db');
    const config = writePlanetConfig(path.join(dir, 'stalled.yaml'), { dbPath, feedUrls: stalled.feedUrls, concurrency: 2, timeoutSeconds: 2 });
    // Hooked before the server starts: its first pass begins before it prints its address.
    const inFlight = new Promise<void>((resolve) => (stalled.server.onRequest = (n) => n >= 2 && resolve()));
    const serve = startPlanetProcess(['serve', '--config', config]);
    try {
      await serveAddress(serve);
      await inFlight;
      const signalledAt = Date.now();
      serve.child.kill('SIGTERM');
      const r = await serve.done;
      expect(r.code, r.stderr).toBe(0);
      expect(Date.now() - signalledAt).toBeLessThan(2000 + 3000);
      const db = new Database(dbPath, { readonly: true });
      try {
        expect(db.prepare('SELECT count(*) AS n FROM locks').get()).toEqual({ n: 0 });
        // The two feeds in flight timed out and say so; the two never started are untouched.
        const codes = (db.prepare('SELECT error_code FROM feeds ORDER BY id').all() as { error_code: string | null }[]).map((f) => f.error_code);
        expect(codes.filter((c) => c === 'timeout')).toHaveLength(2);
        expect(codes.filter((c) => c === null)).toHaveLength(2);
      } finally {
        db.close();
      }
    } finally {
      if (serve.child.exitCode === null) serve.child.kill('SIGKILL');
      // close() waits for open sockets; the stalled responses are abandoned by now.
      await Promise.race([stalled.close(), new Promise((r) => setTimeout(r, 1000))]);
    }
  }, 60_000);
});

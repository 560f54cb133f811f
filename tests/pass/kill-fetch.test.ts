// kill -9 of `planet fetch` at random points of a pass, over and over, on a real database file:
// the database stays intact, no entry is duplicated or lost, and the next pass always runs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlanetFeeds, type PlanetFeeds } from '../helpers/planet-feeds.js';
import { startPlanetProcess, writePlanetConfig } from '../helpers/processes.js';

const ROUNDS = Number(process.env.OPS_KILL_ROUNDS ?? 30);
const FEEDS = 16;

let feeds: PlanetFeeds;
let dir: string;

beforeAll(async () => {
  feeds = await startPlanetFeeds({ feeds: FEEDS, itemsPerFeed: 15, delayMs: 5, bodyBytes: 800 });
  dir = mkdtempSync(path.join(tmpdir(), 'planet-kill-'));
});
afterAll(async () => {
  await feeds?.close();
  rmSync(dir, { recursive: true, force: true });
});

function inspect(dbPath: string) {
  const db = new Database(dbPath);
  try {
    return {
      integrity: db.pragma('integrity_check', { simple: true }),
      entries: (db.prepare('SELECT count(*) AS n FROM entries').get() as { n: number }).n,
      duplicated: (db.prepare('SELECT count(*) AS n FROM (SELECT guid FROM entries GROUP BY feed_id, guid HAVING count(*) > 1)').get() as { n: number }).n,
      titles: new Map((db.prepare('SELECT guid, title FROM entries').all() as { guid: string; title: string }[]).map((r) => [r.guid, r.title])),
      /** Make every feed due again, as if the schedule had come round. */
      makeDue: () => db.prepare('UPDATE feeds SET next_fetch_at = NULL').run(),
      close: () => db.close(),
    };
  } catch (err) {
    db.close();
    throw err;
  }
}

describe('kill -9 during planet fetch', () => {
  it(`leaves a consistent database after ${ROUNDS} kills at random points, and the next pass completes`, async () => {
    const dbPath = path.join(dir, 'planet.db');
    const config = writePlanetConfig(path.join(dir, 'planet.yaml'), { dbPath, feedUrls: feeds.feedUrls, concurrency: 4 });
    let killed = 0;
    let completed = 0;
    for (let round = 0; round < ROUNDS; round++) {
      feeds.advance(); // new items and an edited one in every feed: each pass has writes to interrupt
      const p = startPlanetProcess(['fetch', '--config', config]);
      // Kill after a random number of feed requests plus a random few milliseconds, so kills land
      // while fetching, parsing, and inside or between the per-feed store transactions.
      const killAt = 1 + Math.floor(Math.random() * FEEDS);
      const before = feeds.server.requestCount;
      feeds.server.onRequest = (n) => {
        if (n - before >= killAt) {
          feeds.server.onRequest = undefined;
          setTimeout(() => p.child.kill('SIGKILL'), Math.random() * 40);
        }
      };
      const r = await p.done;
      feeds.server.onRequest = undefined;
      if (r.signal === 'SIGKILL') killed++;
      else {
        // The pass may finish before the kill lands; then it must have succeeded, never "busy".
        expect(r.code, r.stderr).toBe(0);
        completed++;
      }
      const state = inspect(dbPath);
      try {
        expect(state.integrity).toBe('ok');
        expect(state.duplicated).toBe(0);
        state.makeDue();
      } finally {
        state.close();
      }
    }
    // One more pass, never killed: it must run (the dead process's lock is not honoured) and complete.
    const final = await startPlanetProcess(['fetch', '--config', config]).done;
    expect(final.code, final.stderr).toBe(0);
    expect(final.stdout).toMatch(new RegExp(`pass \\d+: ${FEEDS} feeds — .* 0 errors`));

    const state = inspect(dbPath);
    try {
      expect(state.integrity).toBe('ok');
      expect(state.duplicated).toBe(0);
      expect(state.entries).toBe(feeds.totalItems());
      // Edited items were updated in place, never half-written: every title is the current one.
      expect(state.titles).toEqual(feeds.titles());
    } finally {
      state.close();
    }
    expect(killed).toBeGreaterThan(ROUNDS / 2);
    console.log(`kill -9: ${killed} killed mid-pass, ${completed} finished first, ${feeds.totalItems()} entries`);
  }, 180_000);
});

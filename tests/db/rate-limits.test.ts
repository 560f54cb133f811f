// The rate_limits counters on a fresh database with the real migrations: windows, pruning, and
// several processes counting on one key at once without losing a hit.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/db/open.js';
import { countRateLimitHit, deleteExpiredRateLimits } from '../../src/db/rate-limits.js';

const WINDOW = 60_000;
const T0 = 1_700_000_000_000;

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'planet-rate-limits-'));
  db = openDb(path.join(dir, 'planet.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('countRateLimitHit', () => {
  it.each([
    { scenario: 'a first hit opens a window', hits: [T0], expected: { current: 1, ttl: WINDOW } },
    { scenario: 'hits within the window add up', hits: [T0, T0 + 10_000, T0 + 20_000], expected: { current: 3, ttl: WINDOW - 20_000 } },
    { scenario: 'the last millisecond is still in the window', hits: [T0, T0 + WINDOW - 1], expected: { current: 2, ttl: 1 } },
    { scenario: 'a hit at the reset time opens a new window', hits: [T0, T0 + 1, T0 + WINDOW], expected: { current: 1, ttl: WINDOW } },
    { scenario: 'a hit long after opens a new window', hits: [T0, T0 + 10 * WINDOW + 5], expected: { current: 1, ttl: WINDOW } },
  ])('$scenario', ({ hits, expected }) => {
    let last;
    for (const at of hits) last = countRateLimitHit(db, 'k', WINDOW, at);
    expect(last).toEqual(expected);
  });

  it('keeps keys apart', () => {
    countRateLimitHit(db, 'a', WINDOW, T0);
    countRateLimitHit(db, 'a', WINDOW, T0);
    expect(countRateLimitHit(db, 'b', WINDOW, T0)).toEqual({ current: 1, ttl: WINDOW });
  });

  it('deletes the rows of windows that are over at each hit', () => {
    countRateLimitHit(db, 'old', WINDOW, T0);
    countRateLimitHit(db, 'recent', WINDOW, T0 + WINDOW / 2);
    countRateLimitHit(db, 'new', WINDOW, T0 + WINDOW);
    expect(db.prepare('SELECT key FROM rate_limits ORDER BY key').pluck().all()).toEqual(['new', 'recent']);
  });

  it('loses no hit when several processes count on one key at once', async () => {
    const processes = 4;
    const perProcess = 300;
    const startAt = Date.now() + 1500;
    const run = promisify(execFile);
    const outputs = await Promise.all(
      Array.from({ length: processes }, () =>
        run(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'count-hits-process.ts'), path.join(dir, 'planet.db'), 'shared', String(perProcess), String(startAt)]),
      ),
    );
    const counts = outputs.flatMap((o) => JSON.parse(o.stdout) as number[]).sort((x, y) => x - y);
    // Every hit got its own count: none read a stale row, none was lost.
    expect(counts).toEqual(Array.from({ length: processes * perProcess }, (_, i) => i + 1));
  }, 30_000);
});

describe('deleteExpiredRateLimits', () => {
  it('deletes the rows whose window ended at or before now, and says how many', () => {
    countRateLimitHit(db, 'ended', WINDOW, T0 - WINDOW);
    countRateLimitHit(db, 'ends-now', WINDOW, T0 - WINDOW + 0);
    countRateLimitHit(db, 'running', WINDOW, T0 - WINDOW + 1);
    expect(deleteExpiredRateLimits(db, T0)).toBe(2);
    expect(db.prepare('SELECT key FROM rate_limits').pluck().all()).toEqual(['running']);
  });
});

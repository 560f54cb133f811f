// Exactly one fetch pass at a time across processes: two `planet fetch`, and `planet fetch`
// beside `planet serve`. The loser says who holds the pass and exits 1, or waits with --wait.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startPlanetFeeds, type PlanetFeeds } from '../helpers/planet-feeds.js';
import { runPlanet, serveAddress, startPlanetProcess, writePlanetConfig, type Running } from '../helpers/processes.js';

let feeds: PlanetFeeds;
let dir: string;
let n = 0;
const serves: Running[] = [];

beforeAll(async () => {
  // Slow feeds (concurrency 2 × 250 ms × 12 feeds ≈ 1.5 s a pass) so the passes surely overlap.
  feeds = await startPlanetFeeds({ feeds: 12, itemsPerFeed: 5, delayMs: 250 });
  dir = mkdtempSync(path.join(tmpdir(), 'planet-one-pass-'));
});
afterEach(async () => {
  for (const s of serves.splice(0)) if (s.child.exitCode === null) s.child.kill('SIGKILL');
});
afterAll(async () => {
  await feeds?.close();
  rmSync(dir, { recursive: true, force: true });
});

function freshConfig(schedule?: string) {
  const dbPath = path.join(dir, `planet-${++n}.db`);
  return { dbPath, config: writePlanetConfig(path.join(dir, `planet-${n}.yaml`), { dbPath, feedUrls: feeds.feedUrls, concurrency: 2, schedule }) };
}

function passes(dbPath: string) {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare('SELECT id, started_at, finished_at, feeds_total FROM fetch_passes ORDER BY started_at').all() as {
      id: number; started_at: number; finished_at: number | null; feeds_total: number;
    }[];
  } finally {
    db.close();
  }
}

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('one fetch pass at a time', () => {
  it('two planet fetch at once: one runs the pass, the other exits 1 naming the holder', async () => {
    const { dbPath, config } = freshConfig();
    // Prepare the database first, so both processes start from a migrated file at the same moment.
    expect((await runPlanet(['feeds', 'list', '--config', config])).code).toBe(0);
    const [a, b] = await Promise.all([runPlanet(['fetch', '--config', config]), runPlanet(['fetch', '--config', config])]);
    const results = [a, b].sort((x, y) => (x.code ?? 9) - (y.code ?? 9));
    expect(results.map((r) => r.code)).toEqual([0, 1]);
    expect(results[0]!.stdout).toMatch(/pass \d+: 12 feeds — 12 ok/);
    expect(results[1]!.stderr).toMatch(/another fetch pass is running \([^)]+:\d+, since .*\); not starting a second one/);
    expect(passes(dbPath)).toHaveLength(1);
  }, 60_000);

  it('with --wait, the second waits for the first and then runs; the passes never overlap', async () => {
    const { dbPath, config } = freshConfig();
    expect((await runPlanet(['feeds', 'list', '--config', config])).code).toBe(0);
    const [a, b] = await Promise.all([
      runPlanet(['fetch', '--wait', '30', '--config', config]),
      runPlanet(['fetch', '--wait', '30', '--config', config]),
    ]);
    expect([a.code, b.code], a.stderr + b.stderr).toEqual([0, 0]);
    const rows = passes(dbPath);
    expect(rows).toHaveLength(2);
    expect(rows[1]!.started_at).toBeGreaterThanOrEqual(rows[0]!.finished_at!);
    // Both passes covered every feed; the second, right after the first, got 304s throughout.
    expect(rows.map((r) => r.feeds_total)).toEqual([12, 12]);
    expect([a.stdout, b.stdout].filter((out) => /12 feeds — 0 ok, 12 not modified/.test(out))).toHaveLength(1);
  }, 60_000);

  it('planet fetch beside planet serve: refused while the server’s pass runs', async () => {
    const { dbPath, config } = freshConfig();
    const serve = startPlanetProcess(['serve', '--config', config]);
    serves.push(serve);
    const base = await serveAddress(serve);
    // serve starts a pass at once; wait until /healthz shows it holding the lock.
    await until(async () => ((await (await fetch(`${base}/healthz`)).json()) as { pass_running: unknown }).pass_running ?? undefined);
    const second = await runPlanet(['fetch', '--config', config]);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/another fetch pass is running/);
    // The server's pass completes undisturbed.
    await until(async () => ((await (await fetch(`${base}/healthz`)).json()) as { last_pass: unknown }).last_pass ?? undefined);
    serve.child.kill('SIGTERM');
    expect((await serve.done).code).toBe(0);
    const rows = passes(dbPath);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.feeds_total).toBe(12);
  }, 60_000);
});

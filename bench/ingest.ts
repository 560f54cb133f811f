// Ingest benchmark: 1,000 feeds × 20 entries served locally; a cold pass, a warm pass (all 304),
// peak RSS and the stage breakdown. Baseline in the same run: the same 1,000 fetches with no
// processing at all (bytes read and dropped), at the same concurrency.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { stringify } from 'yaml';
import { parseConfig, type Config } from '../src/config.js';
import { insertFeed } from '../src/db/feeds.js';
import { openDb, type Db } from '../src/db/open.js';
import type { FetchJson } from '../src/pass/child-process.js';

export interface FeedHost {
  url(i: number): string;
  setGeneration(g: number): Promise<void>;
  stop(): void;
}

export async function startFeedHost(feeds: number, entries = 20): Promise<FeedHost> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'feed-server.ts')], {
    env: { ...process.env, FEEDS: String(feeds), ENTRIES: String(entries) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once('exit', (code) => reject(new Error(`feed server exited ${code}`)));
  });
  const base = `http://127.0.0.1:${port}`;
  return {
    url: (i) => `${base}/feed/${i}`,
    setGeneration: async (g) => void (await request(`${base}/generation?to=${g}`, { method: 'POST' })).body.dump(),
    stop: () => void child.kill('SIGTERM'),
  };
}

export function benchConfig(dbPath: string, overrides: { fetch?: Partial<Config['fetch']>; retention?: Partial<Config['retention']> } = {}): Config {
  return parseConfig({
    database: dbPath,
    // All bench feeds live on one local host, so the per-host limit is raised to the overall one.
    fetch: { allow_private_addresses: true, concurrency: 16, per_host: 16, new_feed_items: 20, timeout_seconds: 30, ...overrides.fetch },
    retention: { keep_days: 3650, keep_per_feed: 100, ...overrides.retention },
  });
}

export function subscribe(db: Db, host: FeedHost, feeds: number): number[] {
  return db.transaction(() => Array.from({ length: feeds }, (_, i) => insertFeed(db, { url: host.url(i) }).id))();
}

async function rawFetchAll(urls: string[], concurrency: number): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < urls.length) {
        const { body } = await request(urls[next++]!);
        for await (const _chunk of body) { /* read and drop */ }
      }
    }),
  );
  return performance.now() - started;
}


/** With `keepDatabase`, the filled database is left for the serving bench; the caller removes `dir`. */
type PassJson = Required<Pick<FetchJson, 'started_at' | 'finished_at'>> & { feeds: NonNullable<FetchJson['feeds']>; peak_rss_bytes: number; stages_ms: Record<'fetch' | 'parse' | 'sanitize' | 'store', number> };

/** One pass of the compiled `planet fetch --json` (npm run bench builds first). */
async function planetFetch(configPath: string): Promise<PassJson> {
  const bin = path.join(import.meta.dirname, '..', 'bin', 'planet.js');
  const child = spawn(process.execPath, [bin, 'fetch', '--json', '--config', configPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('close', r));
  if (code !== 0) throw new Error(`planet fetch exited ${code}`);
  return JSON.parse(out) as PassJson;
}

export async function benchIngest(opts: { feeds: number; log: (s: string) => void; keepDatabase?: boolean }) {
  const dir = mkdtempSync(path.join(tmpdir(), 'planet-bench-'));
  const host = await startFeedHost(opts.feeds);
  try {
    const dbPath = path.join(dir, 'planet.db');
    const config = benchConfig(dbPath);
    const db = openDb(dbPath);
    const ids = subscribe(db, host, opts.feeds);

    const baselineMs = await rawFetchAll(ids.map((_, i) => host.url(i)), config.fetch.concurrency);
    opts.log(`baseline: raw fetch of ${opts.feeds} feeds, no processing: ${(baselineMs / 1000).toFixed(2)} s`);

    // The passes run as the real `planet fetch` (compiled, as users run it), so its peak RSS is
    // the fetcher's own and not this script's.
    const configPath = path.join(dir, 'planet.yaml');
    writeFileSync(configPath, stringify(config));
    db.close();
    const cold = await planetFetch(configPath);
    const coldMs = Date.parse(cold.finished_at) - Date.parse(cold.started_at);
    const errors = cold.feeds.filter((o) => o.outcome === 'error');
    if (errors.length) throw new Error(`cold pass: ${errors.length} errors, first: ${errors[0]!.error_message}`);
    const check = openDb(dbPath);
    const stored = (check.prepare('SELECT count(*) AS n FROM entries WHERE expired = 0').get() as { n: number }).n;
    check.close();
    const warm = await planetFetch(configPath);
    const warmMs = Date.parse(warm.finished_at) - Date.parse(warm.started_at);
    const notModified = warm.feeds.filter((o) => o.outcome === 'not_modified').length;
    const peakRssMb = Math.max(cold.peak_rss_bytes, warm.peak_rss_bytes) / 1048576;
    const stages = cold.stages_ms;

    const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    opts.log(`cold pass: ${fmt(coldMs)} (${(coldMs / baselineMs).toFixed(2)}× baseline), ${stored} entries stored`);
    opts.log(`warm pass: ${fmt(warmMs)} (${(warmMs / baselineMs).toFixed(2)}× baseline), ${notModified}/${opts.feeds} answered 304`);
    opts.log(`peak RSS of planet fetch: ${peakRssMb.toFixed(0)} MB (cold ${(cold.peak_rss_bytes / 1048576).toFixed(0)} MB, warm ${(warm.peak_rss_bytes / 1048576).toFixed(0)} MB)`);
    // Parsing and sanitizing run on worker threads and overlap across feeds, as fetches do: their
    // sums are time feeds spent waiting for them, not CPU. Storing is the main thread's own work.
    opts.log(
      `cold stages, summed over ${config.fetch.concurrency} concurrent feeds: fetch ${fmt(stages.fetch)}, parse ${fmt(stages.parse)}, ` +
        `sanitize ${fmt(stages.sanitize)}; store (main thread) ${fmt(stages.store)} = ${((100 * stages.store) / coldMs).toFixed(0)}% of the pass`,
    );
    return { feeds: opts.feeds, baselineMs, coldMs, warmMs, stored, notModified, peakRssMb, stages, dir, dbPath };
  } finally {
    host.stop();
    if (!opts.keepDatabase) rmSync(dir, { recursive: true, force: true });
  }
}

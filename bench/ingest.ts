// Ingest benchmark: 1,000 feeds × 20 entries served locally; a cold pass, a warm pass (all 304),
// peak RSS and the stage breakdown. Baseline in the same run: the same 1,000 fetches with no
// processing at all (bytes read and dropped), at the same concurrency.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { parseConfig, type Config } from '../src/config.js';
import { insertFeed } from '../src/db/feeds.js';
import { openDb, type Db } from '../src/db/open.js';
import { runFetchPass } from '../src/fetch-pass.js';
import type { RefreshOutcome } from '../src/pipeline/refresh.js';

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
    setGeneration: async (g) => void (await request(`${base}/generation/${g}`, { method: 'POST' })).body.dump(),
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

const sumStages = (outcomes: RefreshOutcome[]) =>
  outcomes.reduce(
    (s, o) => ({ fetch: s.fetch + o.stages.fetch, parse: s.parse + o.stages.parse, sanitize: s.sanitize + o.stages.sanitize, store: s.store + o.stages.store }),
    { fetch: 0, parse: 0, sanitize: 0, store: 0 },
  );

/** With `keepDatabase`, the filled database is left for the serving bench; the caller removes `dir`. */
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

    const rssBefore = process.memoryUsage().rss;
    const cold = await runFetchPass(db, config, { feedIds: ids });
    if (cold.kind !== 'ran') throw new Error('cold pass did not run');
    const coldMs = cold.finishedAt - cold.startedAt;
    const errors = cold.feeds.filter((o) => o.outcome === 'error');
    if (errors.length) throw new Error(`cold pass: ${errors.length} errors, first: ${errors[0]!.error_message}`);
    const stored = (db.prepare('SELECT count(*) AS n FROM entries WHERE expired = 0').get() as { n: number }).n;
    const stages = sumStages(cold.feeds);

    const warm = await runFetchPass(db, config, { feedIds: ids });
    if (warm.kind !== 'ran') throw new Error('warm pass did not run');
    const warmMs = warm.finishedAt - warm.startedAt;
    const notModified = warm.feeds.filter((o) => o.outcome === 'not_modified').length;
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    db.close();

    const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    opts.log(`cold pass: ${fmt(coldMs)} (${(coldMs / baselineMs).toFixed(2)}× baseline), ${stored} entries stored`);
    opts.log(`warm pass: ${fmt(warmMs)} (${(warmMs / baselineMs).toFixed(2)}× baseline), ${notModified}/${opts.feeds} answered 304`);
    opts.log(`peak RSS: ${peakRssMb.toFixed(0)} MB (RSS before passes ${(rssBefore / 1048576).toFixed(0)} MB)`);
    // parse (decode + parse), sanitize and store are synchronous, so their sums are CPU time on the
    // one event loop; fetch overlaps across `concurrency` feeds, so its sum is waiting, not work.
    const cpu = stages.parse + stages.sanitize + stages.store;
    opts.log(
      `cold stages: parse ${fmt(stages.parse)}, sanitize ${fmt(stages.sanitize)}, store ${fmt(stages.store)} ` +
        `(= ${((100 * cpu) / coldMs).toFixed(0)}% of the pass's wall time); fetch waits ${fmt(stages.fetch)} summed over ${config.fetch.concurrency} concurrent fetches`,
    );
    return { feeds: opts.feeds, baselineMs, coldMs, warmMs, stored, notModified, peakRssMb, stages, dir, dbPath };
  } finally {
    host.stop();
    if (!opts.keepDatabase) rmSync(dir, { recursive: true, force: true });
  }
}

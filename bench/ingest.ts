// Ingest benchmark: 1,000 feeds × 20 entries served locally; a cold pass, a warm pass (all 304),
// peak RSS and the stage breakdown. Baseline in the same run: the same 1,000 fetches with no
// processing at all (bytes read and dropped), at the same concurrency. Several rounds give
// medians; other built checkouts (a before/after) run in the same rounds, in alternating order.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { request } from 'undici';
import { stringify } from 'yaml';
import { nodeFlagsOf } from './node-flags.js';
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

/** Concurrent fetches, as in the default configuration. */
const CONCURRENCY = 16;

type Overrides = { fetch?: Partial<Config['fetch']>; retention?: Partial<Config['retention']> };

/** The bench's configuration file: only the keys it sets, so older builds (BENCH_AGAINST) read it too. */
function benchConfigFile(dbPath: string, overrides: Overrides = {}) {
  return {
    database: dbPath,
    // All bench feeds live on one local host, so the per-host limit is raised to the overall one.
    fetch: { allow_private_addresses: true, concurrency: CONCURRENCY, per_host: CONCURRENCY, new_feed_items: 20, timeout_seconds: 30, ...overrides.fetch },
    retention: { keep_days: 3650, keep_per_feed: 100, ...overrides.retention },
  };
}

export function benchConfig(dbPath: string, overrides: Overrides = {}): Config {
  return parseConfig(benchConfigFile(dbPath, overrides));
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


/** One pass of a compiled `planet fetch --json` (npm run bench builds this checkout first). */
type PassJson = Required<Pick<FetchJson, 'started_at' | 'finished_at'>> & {
  feeds: NonNullable<FetchJson['feeds']>;
  peak_rss_bytes: number;
  /** Absent from builds before it was added. */
  cpu_ms?: { user: number; system: number };
  stages_ms: Record<'fetch' | 'parse' | 'sanitize' | 'store', number>;
};

/**
 * How the passes start: `serve`, as `planet serve` runs its scheduled passes (`node <its
 * PASS_NODE_FLAGS> bin/planet.js fetch`, pass/child-process.ts; no flags in builds before it);
 * `command`, with the node flags that build's `planet` starts with, as a cron job's `planet fetch`.
 */
export type PassStart = 'command' | 'serve';

/** The node flags a build's `planet serve` starts its passes with. */
async function passNodeFlagsOf(bin: string): Promise<readonly string[]> {
  const module = path.join(path.dirname(bin), '..', 'dist', 'pass', 'child-process.js');
  if (!existsSync(module)) return [];
  const { PASS_NODE_FLAGS } = (await import(pathToFileURL(module).href)) as { PASS_NODE_FLAGS?: readonly string[] };
  return PASS_NODE_FLAGS ?? [];
}

async function planetFetch(bin: string, configPath: string, start: PassStart): Promise<PassJson> {
  const flags = start === 'command' ? nodeFlagsOf(bin) : await passNodeFlagsOf(bin);
  const child = spawn(process.execPath, [...flags, bin, 'fetch', '--json', '--config', configPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('close', r));
  if (code !== 0) throw new Error(`${bin} fetch exited ${code}`);
  return JSON.parse(out) as PassJson;
}

const passMs = (p: PassJson) => Date.parse(p.finished_at) - Date.parse(p.started_at);

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** A compiled checkout whose `bin/planet.js` runs the passes: this one, or another for a before/after. */
interface Build {
  name: string;
  bin: string;
}

interface Round {
  coldMs: number;
  /** CPU time of the cold pass, all threads: steadier than wall time on a shared machine. */
  coldCpuMs: number | null;
  warmMs: number;
  coldRssMb: number;
  warmRssMb: number;
  stages: PassJson['stages_ms'];
}

export interface IngestOptions {
  feeds: number;
  log: (s: string) => void;
  /** Rounds of (raw fetch, then a cold and a warm pass per build); medians are reported. */
  rounds?: number;
  /** Other built checkouts to run in the same rounds, in alternating order (BENCH_AGAINST). */
  against?: string[];
  /** With `keepDatabase`, this checkout's last database is left for the serving bench; the caller removes `dir`. */
  keepDatabase?: boolean;
  /** How the passes start (default `serve`). */
  start?: PassStart;
}

export async function benchIngest(opts: IngestOptions) {
  const rounds = opts.rounds ?? 1;
  const start = opts.start ?? 'serve';
  const builds: Build[] = [
    { name: 'this checkout', bin: path.join(import.meta.dirname, '..', 'bin', 'planet.js') },
    ...(opts.against ?? []).map((dir) => ({ name: dir, bin: path.join(path.resolve(dir), 'bin', 'planet.js') })),
  ];
  const host = await startFeedHost(opts.feeds);
  const results = new Map<Build, Round[]>(builds.map((b) => [b, []]));
  const baselines: number[] = [];
  let kept: { dir: string; dbPath: string } | undefined;
  const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  try {
    for (let round = 1; round <= rounds; round++) {
      // Alternating order, so neither build always runs first on a warming (or cooling) machine.
      const order = round % 2 ? builds : [...builds].reverse();
      if (round === 1) await rawFetchAll(Array.from({ length: opts.feeds }, (_, i) => host.url(i)), CONCURRENCY); // the host renders each feed on first request
      baselines.push(await rawFetchAll(Array.from({ length: opts.feeds }, (_, i) => host.url(i)), CONCURRENCY));
      for (const build of order) {
        const dir = mkdtempSync(path.join(tmpdir(), 'planet-bench-'));
        const dbPath = path.join(dir, 'planet.db');
        const db = openDb(dbPath);
        subscribe(db, host, opts.feeds);
        db.close();
        // The passes run as the real `planet fetch` (compiled, as users run it), so its peak RSS is
        // the fetcher's own and not this script's.
        const configPath = path.join(dir, 'planet.yaml');
        writeFileSync(configPath, stringify(benchConfigFile(dbPath)));
        const cold = await planetFetch(build.bin, configPath, start);
        const errors = cold.feeds.filter((o) => o.outcome === 'error');
        if (errors.length) throw new Error(`${build.name}: cold pass: ${errors.length} errors, first: ${errors[0]!.error_message}`);
        const check = openDb(dbPath);
        const stored = (check.prepare('SELECT count(*) AS n FROM entries WHERE expired = 0').get() as { n: number }).n;
        check.close();
        if (stored !== opts.feeds * 20) throw new Error(`${build.name}: cold pass stored ${stored} entries, expected ${opts.feeds * 20}`);
        const warm = await planetFetch(build.bin, configPath, start);
        const notModified = warm.feeds.filter((o) => o.outcome === 'not_modified').length;
        if (notModified !== opts.feeds) throw new Error(`${build.name}: warm pass: ${notModified}/${opts.feeds} answered 304`);
        const coldCpuMs = cold.cpu_ms ? cold.cpu_ms.user + cold.cpu_ms.system : null;
        const r: Round = { coldMs: passMs(cold), coldCpuMs, warmMs: passMs(warm), coldRssMb: cold.peak_rss_bytes / 1048576, warmRssMb: warm.peak_rss_bytes / 1048576, stages: cold.stages_ms };
        results.get(build)!.push(r);
        if (rounds > 1 || builds.length > 1) {
          const cpu = coldCpuMs === null ? '' : ` (CPU ${fmt(coldCpuMs)})`;
          opts.log(`round ${round}, ${build.name}: cold ${fmt(r.coldMs)}${cpu}, warm ${fmt(r.warmMs)}, peak RSS ${r.coldRssMb.toFixed(0)} MB (warm ${r.warmRssMb.toFixed(0)} MB); raw fetch ${fmt(baselines.at(-1)!)}`);
        }
        if (build === builds[0] && opts.keepDatabase && round === rounds) kept = { dir, dbPath };
        else rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    host.stop();
  }

  const baselineMs = median(baselines);
  const of = (rs: Round[], k: 'coldMs' | 'warmMs' | 'coldRssMb' | 'warmRssMb') => median(rs.map((r) => r[k]));
  const medians = rounds > 1 ? ` (medians of ${rounds} rounds)` : '';
  opts.log(`baseline: raw fetch of ${opts.feeds} feeds, no processing: ${fmt(baselineMs)}${medians}`);
  const mine = results.get(builds[0]!)!;
  for (const build of builds) {
    const rs = results.get(build)!;
    const [cold, warm, coldRss, warmRss] = [of(rs, 'coldMs'), of(rs, 'warmMs'), of(rs, 'coldRssMb'), of(rs, 'warmRssMb')];
    const prefix = builds.length > 1 ? `${build.name}: ` : '';
    opts.log(`${prefix}cold pass: ${fmt(cold)} (${(cold / baselineMs).toFixed(2)}× baseline), ${opts.feeds * 20} entries stored`);
    opts.log(`${prefix}warm pass: ${fmt(warm)} (${(warm / baselineMs).toFixed(2)}× baseline), ${opts.feeds}/${opts.feeds} answered 304`);
    opts.log(`${prefix}peak RSS of planet fetch: ${Math.max(coldRss, warmRss).toFixed(0)} MB (cold ${coldRss.toFixed(0)} MB, warm ${warmRss.toFixed(0)} MB)`);
    const cpus = rs.map((r) => r.coldCpuMs).filter((c): c is number => c !== null);
    if (cpus.length) opts.log(`${prefix}cold pass CPU time (all threads): ${fmt(median(cpus))}`);
    if (build !== builds[0]) {
      // Ratios within each round, then their median: rounds run minutes apart on a machine
      // whose load drifts, the builds of one round seconds apart.
      const paired = (k: 'coldMs' | 'warmMs' | 'coldRssMb' | 'coldCpuMs') => {
        const ratios = rs.flatMap((r, i) => (r[k] !== null && mine[i]![k] !== null ? [r[k]! / mine[i]![k]!] : []));
        return ratios.length ? `${median(ratios).toFixed(2)}× (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})` : 'n/a';
      };
      opts.log(
        `${prefix}vs this checkout, median of per-round ratios: cold ${paired('coldMs')}, cold CPU ${paired('coldCpuMs')}, ` +
          `warm ${paired('warmMs')}, peak RSS ${paired('coldRssMb')}`,
      );
    }
  }
  // Parsing and sanitizing run on worker threads and overlap across feeds, as fetches do: their
  // sums are time feeds spent waiting for them, not CPU. Storing is the main thread's own work.
  const stage = (k: keyof Round['stages']) => median(mine.map((r) => r.stages[k]));
  const coldMs = of(mine, 'coldMs');
  opts.log(
    `cold stages, summed over ${CONCURRENCY} concurrent feeds: fetch ${fmt(stage('fetch'))}, parse ${fmt(stage('parse'))}, ` +
      `sanitize ${fmt(stage('sanitize'))}; store (main thread) ${fmt(stage('store'))} = ${((100 * stage('store')) / coldMs).toFixed(0)}% of the pass`,
  );
  return { feeds: opts.feeds, baselineMs, coldMs, peakRssMb: of(mine, 'coldRssMb'), dir: kept?.dir, dbPath: kept?.dbPath };
}

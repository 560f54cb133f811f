// Operations benchmarks, called from bench/run.ts: a soak of many fetch passes with changing
// content (memory and database size over time), and the p99 of GET / while a pass writes.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDb, type Db } from '../src/db/open.js';
import { runFetchPass } from '../src/pass/run-pass.js';
import { buildServer } from '../src/http/app.js';
import { benchConfig, startFeedHost, subscribe } from './ingest.js';

type Log = (s: string) => void;
const MB = 1024 * 1024;
const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;

function dbBytes(dbPath: string): number {
  const size = (f: string) => {
    try {
      return statSync(f).size;
    } catch {
      return 0;
    }
  };
  return size(dbPath) + size(`${dbPath}-wal`);
}

function entryCounts(db: Db): { live: number; expired: number } {
  const r = db.prepare('SELECT sum(expired = 0) AS live, sum(expired = 1) AS expired FROM entries').get() as { live: number | null; expired: number | null };
  return { live: r.live ?? 0, expired: r.expired ?? 0 };
}

export interface SoakOptions {
  passes?: number;
  feeds?: number;
  entriesPerFeed?: number;
  /** Retention under test: each feed keeps this many entries with content. */
  keepPerFeed?: number;
  log: Log;
}

export interface SoakResult {
  passes: number;
  feeds: number;
  rssStartMb: number;
  rssEndMb: number;
  heapStartMb: number;
  heapEndMb: number;
  dbStartMb: number;
  dbEndMb: number;
  liveEntries: number;
  tombstones: number;
  seconds: number;
  /** RSS, heap and database size after pass 1, every quarter of the run and the last pass: flat after warm-up is the point. */
  checkpoints: Array<{ pass: number; rssMb: number; heapMb: number; dbMb: number }>;
}

/**
 * `passes` fetch passes over `feeds` feeds; before each pass every feed publishes a new post and
 * edits some old ones (the feed host's generation). Memory is read after the first pass (warm)
 * and after the last; the database size with it. Retention keeps `keepPerFeed` entries per feed
 * with content; older ones become small tombstones, so the file grows by a few bytes per post only.
 */
export async function benchSoak(opts: SoakOptions): Promise<SoakResult> {
  const passes = opts.passes ?? 200;
  const feeds = opts.feeds ?? 500;
  const keepPerFeed = opts.keepPerFeed ?? 20;
  const dir = mkdtempSync(path.join(tmpdir(), 'planet-soak-'));
  const host = await startFeedHost(feeds, opts.entriesPerFeed ?? 20);
  const started = performance.now();
  try {
    const dbPath = path.join(dir, 'planet.db');
    // keep_days 1: the fixture's posts are all older than a day, so keep_per_feed is what bounds the store.
    const config = benchConfig(dbPath, { retention: { keep_days: 1, keep_per_feed: keepPerFeed } });
    const db = openDb(dbPath);
    const ids = subscribe(db, host, feeds);
    const gc = (globalThis as { gc?: () => void }).gc;
    let rssStart = 0;
    let heapStart = 0;
    let dbStart = 0;
    const checkpoints: SoakResult['checkpoints'] = [];
    for (let p = 1; p <= passes; p++) {
      await host.setGeneration(p);
      const report = await runFetchPass(db, config, { feedIds: ids });
      if (report.kind !== 'ran') throw new Error('soak: pass did not run');
      const errors = report.feeds.filter((o) => o.outcome === 'error');
      if (errors.length) throw new Error(`soak: pass ${p}: ${errors.length} errors, first: ${errors[0]!.error_message}`);
      if (p === 1 || p === passes || p % Math.max(1, Math.round(passes / 4)) === 0) {
        gc?.();
        const rss = process.memoryUsage().rss;
        const heap = process.memoryUsage().heapUsed;
        const size = dbBytes(dbPath);
        if (p === 1) [rssStart, heapStart, dbStart] = [rss, heap, size];
        checkpoints.push({ pass: p, rssMb: rss / MB, heapMb: heap / MB, dbMb: size / MB });
        const counts = entryCounts(db);
        opts.log(
          `soak pass ${p}/${passes}: RSS ${mb(rss)}, heap ${mb(heap)}, database ${mb(size)}, ` +
            `${counts.live} entries with content, ${counts.expired} tombstones, pass ${report.finishedAt - report.startedAt} ms`,
        );
      }
    }
    const counts = entryCounts(db);
    const result: SoakResult = {
      passes,
      feeds,
      rssStartMb: rssStart / MB,
      rssEndMb: process.memoryUsage().rss / MB,
      heapStartMb: heapStart / MB,
      heapEndMb: process.memoryUsage().heapUsed / MB,
      dbStartMb: dbStart / MB,
      dbEndMb: dbBytes(dbPath) / MB,
      liveEntries: counts.live,
      tombstones: counts.expired,
      seconds: (performance.now() - started) / 1000,
      checkpoints,
    };
    db.close();
    opts.log(
      `soak: ${passes} passes × ${feeds} feeds in ${result.seconds.toFixed(0)} s; RSS ${result.rssStartMb.toFixed(0)} → ${result.rssEndMb.toFixed(0)} MB; ` +
        `database ${result.dbStartMb.toFixed(1)} → ${result.dbEndMb.toFixed(1)} MB (${result.liveEntries} entries with content, ${result.tombstones} tombstones)`,
    );
    return result;
  } finally {
    host.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface ReadDuringPassOptions {
  feeds?: number;
  entriesPerFeed?: number;
  /** Parallel readers hitting GET / back to back. */
  readers?: number;
  log: Log;
}

export interface LatencySummary {
  requests: number;
  non200: number;
  p50: number;
  p99: number;
  max: number;
}

export interface ReadDuringPassResult {
  entriesWritten: number;
  passMs: number;
  idle: LatencySummary;
  inProcess: LatencySummary;
  separateProcess: LatencySummary;
}

/**
 * Readers hammer GET / from a child process (so their own timing is not disturbed) while a cold
 * pass writes `feeds × entriesPerFeed` entries: first with the pass inside the server's process,
 * as `planet serve`'s scheduler runs it, then from a separate process, as `planet fetch` from
 * cron does. The idle p99 over the same database is the baseline.
 */
export async function benchReadDuringPass(opts: ReadDuringPassOptions): Promise<ReadDuringPassResult> {
  const feeds = opts.feeds ?? 500;
  const readers = opts.readers ?? 4;
  const dir = mkdtempSync(path.join(tmpdir(), 'planet-read-'));
  const host = await startFeedHost(feeds, opts.entriesPerFeed ?? 20);
  try {
    const dbPath = path.join(dir, 'planet.db');
    const config = benchConfig(dbPath);
    const db = openDb(dbPath);
    const ids = subscribe(db, host, feeds);
    const app = await buildServer({ db, config });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });

    // Fill the page once so the idle baseline renders real entries.
    const first = await runFetchPass(db, config, { feedIds: ids.slice(0, 20) });
    if (first.kind !== 'ran') throw new Error('read bench: warm-up pass did not run');
    const idle = await measureReads(`${base}/`, readers, () => new Promise((r) => setTimeout(r, 3000)));

    // 1. The pass in the server's own process (planet serve with its scheduler).
    await host.setGeneration(1);
    let passMs = 0;
    let entriesWritten = 0;
    const inProcess = await measureReads(`${base}/`, readers, async () => {
      const report = await runFetchPass(db, config, { feedIds: ids });
      if (report.kind !== 'ran') throw new Error('read bench: pass did not run');
      passMs = report.finishedAt - report.startedAt;
      entriesWritten = report.feeds.reduce((n, o) => n + o.entries_new + o.entries_updated, 0);
    });

    // 2. The pass in another process against the same file (planet fetch from cron / a timer).
    await host.setGeneration(2);
    const separateProcess = await measureReads(`${base}/`, readers, () => passInChild(dbPath, ids));

    await app.close();
    db.close();
    const fmt = (s: LatencySummary) => `p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, max ${s.max.toFixed(0)} ms over ${s.requests} requests, ${s.non200} not 200`;
    opts.log(`GET / idle: ${fmt(idle)}`);
    opts.log(`GET / during a pass on the server's own event loop (not how planet serve runs it; for comparison) (${entriesWritten} entries written in ${(passMs / 1000).toFixed(1)} s): ${fmt(inProcess)}`);
    opts.log(`GET / during a pass in a separate process (how planet serve and planet fetch run it): ${fmt(separateProcess)}`);
    return { entriesWritten, passMs, idle, inProcess, separateProcess };
  } finally {
    host.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `during` while a child process requests `url` with `concurrency` loops; returns latencies. */
async function measureReads(url: string, concurrency: number, during: () => Promise<void>): Promise<LatencySummary> {
  const script = `
    const url = process.argv[1], n = Number(process.argv[2]);
    const times = []; let non200 = 0, stop = false;
    process.stdin.on('data', () => { stop = true; });
    process.stdout.write('ready\\n');
    await Promise.all(Array.from({ length: n }, async () => {
      while (!stop) {
        const t = performance.now();
        const res = await fetch(url).catch(() => null);
        if (res) await res.arrayBuffer();
        times.push(performance.now() - t);
        if (!res || res.status !== 200) non200++;
      }
    }));
    process.stdout.write(JSON.stringify({ times, non200 }) + '\\n');`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, url, String(concurrency)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  try {
    await during();
  } finally {
    child.stdin.end('stop\n');
  }
  await new Promise((r) => child.once('close', r));
  const { times, non200 } = JSON.parse(out.split('\n').filter(Boolean).at(-1)!) as { times: number[]; non200: number };
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? 0;
  return { requests: times.length, non200, p50: q(0.5), p99: q(0.99), max: times.at(-1) ?? 0 };
}

/** One fetch pass over `ids` in a separate Node process (through tsx, like the bench itself). */
async function passInChild(dbPath: string, ids: number[]): Promise<void> {
  const src = (f: string) => JSON.stringify(new URL(`../src/${f}`, import.meta.url).href);
  const script = `
    const { openDb } = await import(${src('db/open.ts')});
    const { runFetchPass } = await import(${src('pass/run-pass.ts')});
    const { benchConfig } = await import(${JSON.stringify(new URL('./ingest.ts', import.meta.url).href)});
    const db = openDb(${JSON.stringify(dbPath)});
    const report = await runFetchPass(db, benchConfig(${JSON.stringify(dbPath)}), { feedIds: ${JSON.stringify(ids)} });
    db.close();
    if (report.kind !== 'ran') { console.error('pass did not run'); process.exit(1); }`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'inherit', 'inherit'] });
  const code = await new Promise<number | null>((r) => child.once('close', r));
  if (code !== 0) throw new Error(`read bench: the fetch process exited ${code}`);
}

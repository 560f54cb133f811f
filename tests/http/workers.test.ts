// `planet serve` with `server.workers: 2` as real processes: one primary (feed sync, scheduler) and
// two HTTP workers on one port. Both serve, /metrics adds up every process, a dead worker is
// replaced, SIGTERM stops them all, a lost primary takes its workers down, a port in use fails fast.
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlanetFeeds, type PlanetFeeds } from '../helpers/planet-feeds.js';
import { serveAddress, startPlanetProcess, writePlanetConfig, type Running } from '../helpers/processes.js';

const FEEDS = 3;
const ITEMS = 4;
const STARTUP_MS = 40_000;

let feeds: PlanetFeeds;
let dir: string;

beforeAll(async () => {
  feeds = await startPlanetFeeds({ feeds: FEEDS, itemsPerFeed: ITEMS });
  dir = mkdtempSync(path.join(tmpdir(), 'planet-workers-'));
});
afterAll(async () => {
  await feeds?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A GET on a connection of its own, so that the primary hands each to the next worker. */
function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false, timeout: 5000 }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      })
      .on('timeout', function (this: http.ClientRequest) {
        this.destroy(new Error(`GET ${url}: no answer in 5 s`));
      })
      .on('error', reject);
  });
}

/** The `planet serve` HTTP workers of a primary: its children running `serve` (not `fetch`). */
function workerPids(primary: number): number[] {
  let out = '';
  try {
    out = execFileSync('ps', ['--ppid', String(primary), '-o', 'pid=,args='], { encoding: 'utf8' });
  } catch {
    return []; // ps exits 1 when there are none
  }
  return out
    .split('\n')
    .filter((l) => / serve\b/.test(l))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every stdout line is one whole JSON log line: the workers share stdout and never splice lines. */
function logLines(serve: Running): Array<Record<string, unknown>> {
  return serve
    .stdout()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The primary exits 0, and it saw each worker exit 0 by itself, not killed by a signal. */
async function expectCleanStop(serve: Running, workers: number[]) {
  const r = await serve.done;
  expect(r.code, r.stderr).toBe(0);
  for (const pid of workers) expect(alive(pid)).toBe(false);
  const lines = logLines(serve);
  for (const pid of workers) expect(lines.find((l) => l.msg === 'HTTP worker stopped' && l.worker_pid === pid)).toMatchObject({ code: 0, signal: null });
  return r;
}

const counter = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}"/.]/g, '\\$&')} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);

describe('planet serve with server.workers: 2', () => {
  let serve: Running;
  let base: string;
  let dbPath: string;

  beforeAll(async () => {
    dbPath = path.join(dir, 'cluster.db');
    const config = writePlanetConfig(path.join(dir, 'cluster.yaml'), { dbPath, feedUrls: feeds.feedUrls, workers: 2 });
    serve = startPlanetProcess(['serve', '--config', config], { LOG_LEVEL: 'info' });
    base = await serveAddress(serve, STARTUP_MS);
  }, STARTUP_MS + 5000);
  afterAll(() => {
    if (serve?.child.exitCode === null) serve.child.kill('SIGKILL');
  });

  it('says so at start, runs the fetch pass once in the primary, and both workers serve its result', async () => {
    expect(serve.stderr()).toMatch(/serving .* at http:\/\/127\.0\.0\.1:\d+ with 2 HTTP workers/);
    expect(workerPids(serve.child.pid!)).toHaveLength(2);
    await until('the first fetch pass', async () => ((JSON.parse((await get(`${base}/healthz`)).body) as { last_pass_finished_at: string | null }).last_pass_finished_at ? true : undefined));
    const pages = await Promise.all(Array.from({ length: 6 }, () => get(`${base}/`)));
    for (const page of pages) {
      expect(page.status).toBe(200);
      expect(page.body).toContain(`Feed ${FEEDS - 1} item ${ITEMS - 1}`);
    }
    // The lines reach stdout within the log's flush interval (1 s).
    const servedBy = await until('request log lines', () => {
      const pids = new Set(logLines(serve).filter((l) => l.msg === 'request completed' && (l.req as { url?: string } | undefined)?.url === '/').map((l) => l.pid));
      return pids.size >= 2 ? pids : undefined;
    });
    expect([...servedBy].sort()).toEqual(workerPids(serve.child.pid!).sort());
    const db = new Database(dbPath, { readonly: true });
    try {
      expect(db.prepare('SELECT count(*) AS n FROM fetch_passes').get()).toEqual({ n: 1 });
      expect(db.prepare('SELECT count(*) AS n FROM entries').get()).toEqual({ n: FEEDS * ITEMS });
    } finally {
      db.close();
    }
  });

  it('/metrics, answered by either worker, adds up every process', async () => {
    const atom = 'planet_http_requests_total{route="/atom.xml",method="GET",status="200"}';
    const before = counter((await get(`${base}/metrics`)).body, atom) || 0;
    for (let i = 0; i < 10; i++) expect((await get(`${base}/atom.xml`)).status).toBe(200);
    for (let i = 0; i < 4; i++) {
      const res = await get(`${base}/metrics`);
      expect(res.status).toBe(200);
      expect(counter(res.body, atom)).toBe(before + 10);
      // The fetch counters live in the primary, which ran the pass.
      expect(counter(res.body, 'planet_fetches_total{outcome="ok"}')).toBe(FEEDS);
    }
  });

  it('replaces a worker that dies, and keeps serving meanwhile', async () => {
    const [victim, survivor] = workerPids(serve.child.pid!);
    process.kill(victim!, 'SIGKILL');
    // Once the primary knows (its log line), new connections go to the survivor. (A connection it
    // hands over in the instant the worker dies is lost with it: node:cluster's round robin.)
    await until('the log line', () => logLines(serve).find((l) => l.msg === 'HTTP worker died; starting another' && l.worker_pid === victim && l.signal === 'SIGKILL'));
    for (let i = 0; i < 3; i++) expect((await get(`${base}/`)).status).toBe(200);
    const replaced = await until('a new worker', () => {
      const pids = workerPids(serve.child.pid!);
      return pids.length === 2 && !pids.includes(victim!) ? pids : undefined;
    });
    expect(replaced).toContain(survivor);
    const newcomer = replaced.find((pid) => pid !== survivor);
    await until('the new worker to answer', async () => {
      await Promise.all([get(`${base}/`), get(`${base}/`)]);
      return logLines(serve).some((l) => l.pid === newcomer && l.msg === 'request completed') ? true : undefined;
    });
  });

  it('stops every process on SIGTERM to all of them (as systemd sends it) and exits 0', async () => {
    const workers = workerPids(serve.child.pid!);
    expect(workers).toHaveLength(2);
    // The primary then asks its workers to stop as well: that second SIGTERM must not kill them.
    for (const pid of [serve.child.pid!, ...workers]) process.kill(pid, 'SIGTERM');
    const r = await expectCleanStop(serve, workers);
    const lines = logLines(serve);
    // Each process logged its own shutdown, and nothing failed.
    expect(lines.filter((l) => l.msg === 'shutting down')).toHaveLength(3);
    expect(r.stdout).not.toMatch(/shutdown failed/);
  });
});

describe('planet serve with workers, when things go wrong', () => {
  it('SIGTERM to the primary alone stops its workers, cleanly', async () => {
    const config = writePlanetConfig(path.join(dir, 'term.yaml'), { dbPath: path.join(dir, 'term.db'), feedUrls: [], workers: 2 });
    const serve = startPlanetProcess(['serve', '--no-fetch', '--config', config], { LOG_LEVEL: 'info' });
    try {
      await serveAddress(serve, STARTUP_MS);
      const workers = workerPids(serve.child.pid!);
      expect(workers).toHaveLength(2);
      serve.child.kill('SIGTERM');
      await expectCleanStop(serve, workers);
    } finally {
      if (serve.child.exitCode === null) serve.child.kill('SIGKILL');
    }
  }, STARTUP_MS + 20_000);

  it('workers stop when their primary is killed', async () => {
    const config = writePlanetConfig(path.join(dir, 'orphans.yaml'), { dbPath: path.join(dir, 'orphans.db'), feedUrls: [], workers: 2 });
    const serve = startPlanetProcess(['serve', '--no-fetch', '--config', config]);
    try {
      await serveAddress(serve, STARTUP_MS);
      const workers = workerPids(serve.child.pid!);
      expect(workers).toHaveLength(2);
      serve.child.kill('SIGKILL');
      await serve.done;
      await until('the workers to exit', () => (workers.every((pid) => !alive(pid)) ? true : undefined));
    } finally {
      if (serve.child.exitCode === null) serve.child.kill('SIGKILL');
    }
  }, STARTUP_MS + 20_000);

  it('a port in use fails the start: exit 1, naming the worker and the port', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const { port } = taken.address() as AddressInfo;
    try {
      const config = writePlanetConfig(path.join(dir, 'busy.yaml'), { dbPath: path.join(dir, 'busy.db'), feedUrls: [], workers: 2 });
      const serve = startPlanetProcess(['serve', '--no-fetch', '--config', config], { PORT: String(port) });
      const r = await serve.done;
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/HTTP worker \d+ exited before listening \(status 1\)/);
      expect(r.stderr).toContain('EADDRINUSE');
      expect(r.stderr).not.toMatch(/serving /);
    } finally {
      await new Promise((r) => taken.close(r));
    }
  }, STARTUP_MS + 20_000);
});

// /healthz and /metrics through buildServer() and inject(), against a real migrated database file.
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { insertFeed } from '../../src/db/feeds.js';
import { buildServer } from '../../src/http/app.js';
import { createMetrics, sumMetrics } from '../../src/ops/metrics.js';
import { tempPlanet, type TempPlanet } from '../helpers/temp-planet.js';

let planet: TempPlanet;
afterEach(() => planet?.cleanup());

const NOW = Date.UTC(2026, 0, 2, 12, 0, 0);

/** The pid of a process on this host that has exited, as a kill -9 leaves a pass lock behind. */
async function exitedPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

describe('GET /healthz', () => {
  it('is ready with a current schema and reports the age of the last finished pass', async () => {
    planet = tempPlanet();
    planet.db.prepare('INSERT INTO fetch_passes (started_at, finished_at, feeds_total, feeds_error) VALUES (?, ?, 3, 1)').run(NOW - 125_000, NOW - 120_000);
    planet.db.prepare('INSERT INTO fetch_passes (started_at) VALUES (?)').run(NOW - 1000); // running or killed: not "last finished"
    const app = await buildServer({ db: planet.db, config: planet.config, now: () => NOW });
    const res = await app.inject('/healthz');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'ok',
      database: 'ok',
      migrations_current: true,
      last_pass_age_seconds: 120,
      last_pass: { duration_ms: 5000, feeds: 3, feeds_error: 1 },
      pass_running: null,
    });
    await app.close();
  });

  it('shows a running pass only while its heartbeat is fresh', async () => {
    planet = tempPlanet();
    const lock = planet.db.prepare("INSERT OR REPLACE INTO locks (name, owner, acquired_at, heartbeat_at) VALUES ('fetch-pass', 'host:1', ?, ?)");
    const app = await buildServer({ db: planet.db, config: planet.config, now: () => NOW });
    lock.run(NOW - 30_000, NOW - 5_000);
    expect((await app.inject('/healthz')).json().pass_running).toEqual({ owner: 'host:1', since: new Date(NOW - 30_000).toISOString() });
    lock.run(NOW - 600_000, NOW - 300_000); // a kill -9 left it behind
    expect((await app.inject('/healthz')).json().pass_running).toBeNull();
    await app.close();
  });

  it('does not show a pass whose process on this host has died, however fresh its heartbeat (kill -9)', async () => {
    planet = tempPlanet();
    const lock = planet.db.prepare("INSERT OR REPLACE INTO locks (name, owner, acquired_at, heartbeat_at) VALUES ('fetch-pass', ?, ?, ?)");
    const app = await buildServer({ db: planet.db, config: planet.config, now: () => NOW });
    lock.run(`${hostname()}:${process.pid}`, NOW - 30_000, NOW - 5_000);
    expect((await app.inject('/healthz')).json().pass_running).toEqual({ owner: `${hostname()}:${process.pid}`, since: new Date(NOW - 30_000).toISOString() });
    lock.run(`${hostname()}:${await exitedPid()}`, NOW - 30_000, NOW - 5_000);
    expect((await app.inject('/healthz')).json().pass_running).toBeNull();
    await app.close();
  });

  it('is 503 when the schema is behind the code (migrations pending)', async () => {
    planet = tempPlanet();
    planet.db.pragma('user_version = 0');
    const app = await buildServer({ db: planet.db, config: planet.config });
    const res = await app.inject('/healthz');
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 'unavailable', database: 'ok', migrations_current: false });
    await app.close();
  });

  it('is 503 with the reason when the database is unreachable', async () => {
    planet = tempPlanet();
    const app = await buildServer({ db: planet.db, config: planet.config });
    planet.db.close();
    const res = await app.inject('/healthz');
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ database: 'unreachable', database_error: expect.stringMatching(/not open/) });
    await app.close();
  });
});

describe('GET /metrics', () => {
  it('serves Prometheus text with fetch counters, feeds by status, entries and HTTP requests by route', async () => {
    planet = tempPlanet();
    const a = insertFeed(planet.db, { url: 'http://a.example/feed' }, NOW);
    insertFeed(planet.db, { url: 'http://b.example/feed' }, NOW);
    planet.db.prepare("UPDATE feeds SET has_fetched = 1, error_code = 'timeout' WHERE id = ?").run(a.id);
    const metrics = createMetrics();
    metrics.observeFetch({ outcome: 'error', error_code: 'timeout', duration_ms: 20_000, entries_new: 0, entries_updated: 0 });
    const app = await buildServer({ db: planet.db, config: planet.config, metrics });
    await app.inject('/healthz');
    await app.inject('/nowhere/at/all');
    const res = await app.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = res.body;
    expect(text).toContain('planet_fetches_total{outcome="error"} 1');
    expect(text).toContain('planet_feeds{status="error"} 1');
    expect(text).toContain('planet_feeds{status="pending"} 1');
    expect(text).toContain('planet_entries_stored{state="live"} 0');
    expect(text).toContain('planet_http_requests_total{route="/healthz",method="GET",status="200"} 1');
    // Unknown URLs share one series, so a crawler cannot create unbounded label values.
    expect(text).toContain('planet_http_requests_total{route="unmatched",method="GET",status="404"} 1');
    expect(text).toMatch(/^planet_database_size_bytes \d+$/m);
    // Every sample line is "name{labels} value" — what a Prometheus scraper parses.
    for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) {
      expect(line).toMatch(/^[a-z_:][a-z0-9_:]*(\{[^}]*\})? (-?[0-9.e+]+|\+Inf|NaN)$/i);
    }
    await app.close();
  });

  it('reports a running pass by the same rule as /healthz: fresh heartbeat and a live process', async () => {
    planet = tempPlanet();
    const lock = planet.db.prepare("INSERT OR REPLACE INTO locks (name, owner, acquired_at, heartbeat_at) VALUES ('fetch-pass', ?, ?, ?)");
    const app = await buildServer({ db: planet.db, config: planet.config, now: () => NOW });
    const running = async () => Number(/^planet_fetch_pass_running (\d+)$/m.exec((await app.inject('/metrics')).body)?.[1]);
    expect(await running()).toBe(0);
    lock.run(`${hostname()}:${process.pid}`, NOW - 30_000, NOW - 5_000);
    expect(await running()).toBe(1);
    lock.run(`${hostname()}:${await exitedPid()}`, NOW - 30_000, NOW - 5_000);
    expect(await running()).toBe(0);
    lock.run('elsewhere.example:1', NOW - 600_000, NOW - 300_000);
    expect(await running()).toBe(0);
    await app.close();
  });

  it('still answers with the in-memory counters when the database is gone', async () => {
    planet = tempPlanet();
    const app = await buildServer({ db: planet.db, config: planet.config });
    planet.db.close();
    const res = await app.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('# TYPE planet_fetches_total counter');
    expect(res.body).not.toContain('planet_feeds{');
    await app.close();
  });

  it('in an HTTP worker of server.workers, adds up the other processes’ counters', async () => {
    planet = tempPlanet();
    const primary = createMetrics();
    primary.observeFetch({ outcome: 'ok', error_code: null, duration_ms: 50, entries_new: 2, entries_updated: 0 });
    const otherWorker = createMetrics();
    otherWorker.observeRequest('/', 'GET', 200, 0.001);
    // What cluster.ts gives a worker: the primary sums every process's registry, the asker's too.
    const own = createMetrics();
    const app = await buildServer({
      db: planet.db,
      config: planet.config,
      metrics: own,
      clusterMetrics: async () => sumMetrics([await primary.json(), await otherWorker.json(), await own.json()]),
    });
    await app.inject('/');
    const text = (await app.inject('/metrics')).body;
    expect(text).toContain('planet_http_requests_total{route="/",method="GET",status="200"} 2\n');
    expect(text).toContain('planet_fetches_total{outcome="ok"} 1\n');
    expect(text).toContain('planet_feeds{status="ok"} 0\n');
    await app.close();
  });

  it('is 503, not one process’s counters, when the other processes cannot be asked', async () => {
    planet = tempPlanet();
    const app = await buildServer({ db: planet.db, config: planet.config, clusterMetrics: () => Promise.reject(new Error('metrics: the primary process did not answer')) });
    const res = await app.inject('/metrics');
    expect(res.statusCode).toBe(503);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toEqual({ error: 'metrics of the other server processes are unavailable' });
    await app.close();
  });
});

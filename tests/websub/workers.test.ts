// WebSub with `server.workers: 2`: verifications and deliveries land on either HTTP worker; they
// share the subscriptions, the queue and the writer lock, so every push is stored exactly once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFeedServer, type FeedServer } from '../helpers/feed-server.js';
import { serveAddress, startPlanetProcess, type Running } from '../helpers/processes.js';
import { startWebsubHub, type WebsubHub } from '../helpers/websub-hub.js';
import { atomFeed, freePort, writeWebsubConfig, type FixtureEntry } from '../helpers/websub-planet.js';

const STARTUP_MS = 40_000;
const PUSHES = 24;

let dir: string;
let feeds: FeedServer;
let hub: WebsubHub;
let serve: Running;
let base: string;
let dbPath: string;
const entries: FixtureEntry[] = [{ id: 'w-0', title: 'Worker blog first post', at: Date.UTC(2026, 0, 1) }];
let topic: string;
const doc = () => atomFeed({ topic, hub: hub.url, title: 'Worker blog', entries });

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'planet-websub-workers-'));
  feeds = await startFeedServer();
  hub = await startWebsubHub({ leaseSeconds: 864_000 });
  topic = feeds.url('/w.xml');
  feeds.route('/w.xml', (_req, res) => void res.writeHead(200, { 'Content-Type': 'application/atom+xml' }).end(doc()));
  const port = await freePort();
  dbPath = path.join(dir, 'planet.db');
  const config = writeWebsubConfig(path.join(dir, 'planet.yaml'), { dbPath, port, workers: 2, feeds: [{ url: topic }] });
  serve = startPlanetProcess(['serve', '--config', config], { LOG_LEVEL: 'info' });
  base = await serveAddress(serve, STARTUP_MS);
  await hub.waitFor(() => hub.subscriptions(topic).length === 1, STARTUP_MS, 'the subscription');
}, STARTUP_MS * 2);

afterAll(async () => {
  if (serve && serve.child.exitCode === null) {
    serve.child.kill('SIGTERM');
    await serve.done;
  }
  await hub?.close();
  await feeds?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('WebSub with server.workers: 2', () => {
  it(`stores each of ${PUSHES} concurrent pushes once, whichever worker received it`, async () => {
    const sends = [];
    for (let i = 1; i <= PUSHES; i++) {
      entries.push({ id: `w-${i}`, title: `Pushed to a worker ${i}`, at: Date.UTC(2026, 0, 1) + i * 60_000 });
      sends.push(hub.distribute(topic, doc()));
    }
    const answers = (await Promise.all(sends)).flat();
    expect(answers.map((a) => a.status)).toEqual(Array(PUSHES).fill(202));
    const deadline = Date.now() + 20_000;
    let page = '';
    while (Date.now() < deadline) {
      page = await (await fetch(`${base}/`)).text();
      if (page.includes(`Pushed to a worker ${PUSHES}`)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    for (let i = 1; i <= PUSHES; i++) expect(page).toContain(`Pushed to a worker ${i}<`);
    const db = new Database(dbPath, { readonly: true });
    try {
      expect(db.prepare('SELECT count(*) AS n FROM entries').get()).toEqual({ n: PUSHES + 1 });
      expect(db.prepare('SELECT count(*) AS n FROM websub_deliveries').get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
    // Both workers took deliveries (each POST is its own connection; the primary hands them round).
    await new Promise((r) => setTimeout(r, 1200)); // the log's flush interval
    const pids = new Set(
      serve
        .stdout()
        .split('\n')
        .filter((l) => l.includes('websub: delivery accepted'))
        .map((l) => (JSON.parse(l) as { pid: number }).pid),
    );
    expect(pids.size).toBe(2);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain(`planet_websub_deliveries_total{outcome="queued"} ${PUSHES}`);
    expect(metrics).toMatch(/planet_websub_verifications_total\{mode="subscribe",outcome="confirmed"\} 1\n/);
  }, 60_000);
});

// `npm run bench -- websub`: how soon a pushed post is served. The real `planet serve` (built bin)
// subscribed at the test hub (tests/helpers/websub-hub.ts); each round the blog gets a new post, the
// hub delivers the feed document (signed), and the clock stops when GET / shows the post. Against
// the polling it replaces, measured in the same run: a `planet fetch` pass picking up one new post,
// plus the schedule's expectation (half of fetch.schedule's interval, on average).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFeedServer } from '../tests/helpers/feed-server.js';
import { runPlanet, serveAddress, startPlanetProcess } from '../tests/helpers/processes.js';
import { startWebsubHub } from '../tests/helpers/websub-hub.js';
import { atomFeed, freePort, writeWebsubConfig, type FixtureEntry } from '../tests/helpers/websub-planet.js';

type Log = (s: string) => void;

export interface WebsubBenchOptions {
  deliveries?: number;
  /** Passes timed for the polling baseline. */
  passes?: number;
  /** The schedule whose expectation is the baseline (default: the shipped "*\/30 * * * *"). */
  scheduleMinutes?: number;
  log: Log;
}

export interface WebsubBenchResult {
  deliveries: number;
  pushP50Ms: number;
  pushP99Ms: number;
  pushMaxMs: number;
  ackP50Ms: number;
  passP50Ms: number;
  pollingExpectationMs: number;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
const ms = (n: number) => (n >= 10 ? n.toFixed(0) : n.toFixed(1));

export async function benchWebsub(opts: WebsubBenchOptions): Promise<WebsubBenchResult> {
  const deliveries = Math.max(100, opts.deliveries ?? 200);
  const passes = opts.passes ?? 7;
  const scheduleMinutes = opts.scheduleMinutes ?? 30;
  const dir = mkdtempSync(path.join(tmpdir(), 'planet-bench-websub-'));
  const feeds = await startFeedServer();
  const hub = await startWebsubHub({ leaseSeconds: 864_000, algorithm: 'sha256' });
  const topic = feeds.url('/pushed.xml');
  const polledUrl = feeds.url('/polled.xml');
  let clock = Date.UTC(2026, 0, 1);
  const pushed: FixtureEntry[] = [];
  const polled: FixtureEntry[] = [];
  // A realistic document: the newest 20 posts, 1–2 KB of HTML each.
  const body = (i: number) => `<p>${'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(20 + (i % 20))}</p>`;
  const doc = (t: string, hubUrl: string | undefined, list: FixtureEntry[]) => atomFeed({ topic: t, hub: hubUrl, title: t.endsWith('pushed.xml') ? 'Pushed blog' : 'Polled blog', entries: list.slice(-20) });
  const add = (list: FixtureEntry[], title: string) => list.push({ id: `${title}`, title, at: (clock += 60_000), content: body(list.length) });
  add(pushed, 'Pushed 0');
  add(polled, 'Polled 0');
  feeds.route('/pushed.xml', (_req, res) => void res.writeHead(200, { 'Content-Type': 'application/atom+xml' }).end(doc(topic, hub.url, pushed)));
  feeds.route('/polled.xml', (_req, res) => void res.writeHead(200, { 'Content-Type': 'application/atom+xml' }).end(doc(polledUrl, undefined, polled)));

  const port = await freePort();
  const dbPath = path.join(dir, 'planet.db');
  const configPath = writeWebsubConfig(path.join(dir, 'planet.yaml'), { dbPath, port, feeds: [{ url: topic }, { url: polledUrl }] });
  const serve = startPlanetProcess(['serve', '--config', configPath], { LOG_LEVEL: 'warn' });
  try {
    const base = await serveAddress(serve, 30_000);
    await hub.waitFor(() => hub.subscriptions(topic).length === 1, 30_000, 'the planet to subscribe');
    const shows = async (title: string) => (await (await fetch(`${base}/`)).text()).includes(`>${title}<`);

    // Baseline: the poll that picks up one new post (a pass as the schedule runs it: a `planet fetch`).
    const passMs: number[] = [];
    for (let i = 1; i <= passes; i++) {
      const title = `Polled ${i}`;
      add(polled, title);
      const t0 = performance.now();
      const r = await runPlanet(['fetch', '--feed', polledUrl, '--config', configPath]);
      if (r.code !== 0) throw new Error(`bench websub: planet fetch failed: ${r.stderr}`);
      while (!(await shows(title))) await new Promise((res) => setTimeout(res, 5));
      passMs.push(performance.now() - t0);
    }

    const latency: number[] = [];
    const ack: number[] = [];
    for (let i = 1; i <= deliveries; i++) {
      const title = `Pushed ${i}`;
      add(pushed, title);
      const t0 = performance.now();
      const [answer] = await hub.distribute(topic, doc(topic, hub.url, pushed));
      if (answer?.status !== 202) throw new Error(`bench websub: delivery ${i} answered ${answer?.status}`);
      ack.push(performance.now() - t0);
      while (!(await shows(title))) {
        if (performance.now() - t0 > 10_000) throw new Error(`bench websub: "${title}" not on / after 10 s`);
      }
      latency.push(performance.now() - t0);
    }
    latency.sort((a, b) => a - b);
    ack.sort((a, b) => a - b);
    passMs.sort((a, b) => a - b);
    const passP50 = quantile(passMs, 0.5);
    const expectation = (scheduleMinutes * 60_000) / 2 + passP50;
    const result: WebsubBenchResult = {
      deliveries,
      pushP50Ms: quantile(latency, 0.5),
      pushP99Ms: quantile(latency, 0.99),
      pushMaxMs: latency.at(-1)!,
      ackP50Ms: quantile(ack, 0.5),
      passP50Ms: passP50,
      pollingExpectationMs: expectation,
    };
    opts.log(`push, hub's delivery → post on /, ${deliveries} deliveries: p50 ${ms(result.pushP50Ms)} ms, p99 ${ms(result.pushP99Ms)} ms, max ${ms(result.pushMaxMs)} ms (hub's POST answered: p50 ${ms(result.ackP50Ms)} ms)`);
    opts.log(`polling it replaces: a pass picking up one new post p50 ${ms(passP50)} ms (${passes} passes), after on average half the ${scheduleMinutes}-minute schedule: ${(expectation / 1000).toFixed(1)} s`);
    opts.log(`push p50 vs the polling expectation: ${(result.pushP50Ms / expectation).toExponential(2)} (1/${Math.round(expectation / result.pushP50Ms)}); vs the pass alone: ${(result.pushP50Ms / passP50).toFixed(3)}`);
    return result;
  } finally {
    serve.child.kill('SIGTERM');
    await serve.done;
    await hub.close();
    await feeds.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

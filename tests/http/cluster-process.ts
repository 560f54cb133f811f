// Run by cluster.test.ts as a real process (node --import tsx): a primary with startWorkers() and
// three workers with joinWorkerPool(), each holding known figures, so the test can check the sum
// exactly. The test sends one JSON command per stdin line; the primary prints one JSON event per
// stdout line. Worker N counts N requests to / (so the sum says which workers were counted).
import cluster from 'node:cluster';
import http from 'node:http';
import { createInterface } from 'node:readline';
import pino from 'pino';
import { joinWorkerPool, startWorkers } from '../../src/http/cluster.js';
import { createMetrics } from '../../src/ops/metrics.js';

const WORKERS = 3;
/** The primary's fetch counters: FETCHES ok fetches of ENTRIES new entries each. */
const FETCHES = 5;
const ENTRIES = 2;

type Command =
  | { cmd: 'ask'; worker: number; tag: string }
  | { cmd: 'block'; worker: number; ms: number }
  | { cmd: 'garbage'; worker: number }
  | { cmd: 'kill'; worker: number }
  | { cmd: 'pids' }
  | { cmd: 'stop' };

/** Between the harness's primary and its workers, beside the pool's own messages. */
type TestMessage =
  | { test: 'ask'; tag: string }
  | { test: 'answer'; tag: string; text?: string; error?: string }
  | { test: 'block'; ms: number }
  | { test: 'garbage' };

const say = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(event)}\n`);

if (cluster.isPrimary) {
  const metrics = createMetrics();
  for (let i = 0; i < FETCHES; i++) metrics.observeFetch({ outcome: 'ok', error_code: null, duration_ms: 30, entries_new: ENTRIES, entries_updated: 0 });
  const logger = pino({ level: 'info' }, pino.destination(2));
  const pool = await startWorkers(WORKERS, { logger, metrics });
  const worker = (id: number) => cluster.workers?.[id];
  const pids = () => Object.fromEntries(Object.values(cluster.workers ?? {}).flatMap((w) => (w && !w.isDead() ? [[w.id, w.process.pid]] : [])));
  cluster.on('message', (_w, message: TestMessage) => {
    if (message.test === 'answer') say({ event: 'answer', tag: message.tag, text: message.text, error: message.error });
  });
  cluster.on('listening', (w) => say({ event: 'listening', worker: w.id, pid: w.process.pid }));
  const start = (await metrics.json()).find((m) => m.name === 'process_start_time_seconds')!.values[0]!.value;
  say({ event: 'ready', pid: process.pid, start_time_seconds: start, workers: pids() });

  for await (const line of createInterface({ input: process.stdin })) {
    const command = JSON.parse(line) as Command;
    if (command.cmd === 'ask') worker(command.worker)?.send({ test: 'ask', tag: command.tag } satisfies TestMessage);
    else if (command.cmd === 'block') worker(command.worker)?.send({ test: 'block', ms: command.ms } satisfies TestMessage);
    else if (command.cmd === 'garbage') worker(command.worker)?.send({ test: 'garbage' } satisfies TestMessage);
    else if (command.cmd === 'kill') worker(command.worker)?.process.kill('SIGKILL');
    else if (command.cmd === 'pids') say({ event: 'pids', workers: pids() });
    else if (command.cmd === 'stop') break;
  }
  await pool.close();
  logger.flush();
  say({ event: 'stopped' });
} else {
  const id = cluster.worker!.id;
  const metrics = createMetrics();
  for (let i = 0; i < id; i++) metrics.observeRequest('/', 'GET', 200, 0.001);
  let garbage = false;
  // Registered before joinWorkerPool's listener, so a bad answer reaches the primary first.
  process.on('message', (message: TestMessage & { planet?: string; id?: number }) => {
    if (message.planet === 'metrics-request' && garbage) {
      garbage = false;
      process.send!({ planet: 'metrics-json', id: message.id, metrics: [{ name: 'bogus', help: 'x', type: 'gauge', aggregator: 'nonsense', values: [] }] });
    }
  });
  const clusterMetrics = joinWorkerPool(metrics);
  process.on('message', (message: TestMessage) => {
    if (message.test === 'ask') {
      clusterMetrics().then(
        (text) => process.send!({ test: 'answer', tag: message.tag, text } satisfies TestMessage),
        (err: Error) => process.send!({ test: 'answer', tag: message.tag, error: err.message } satisfies TestMessage),
      );
    } else if (message.test === 'block') {
      const until = Date.now() + message.ms;
      while (Date.now() < until) {
        // A worker stuck in a long synchronous task: it cannot answer the primary meanwhile.
      }
    } else if (message.test === 'garbage') {
      garbage = true;
    }
  });
  // startWorkers waits for every worker to listen; the port is shared through the primary.
  const server = http.createServer((_req, res) => res.end());
  server.listen(0, '127.0.0.1');
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

// `planet serve` with `server.workers` > 1: HTTP worker processes (node:cluster) share the port and
// serve; the primary keeps them running and answers their questions over IPC. One Node process
// serves HTTP on one core (measured: README "Benchmarks → Serving", docs/decisions/0013).
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '../ops/logging.js';
import type { Metrics, MetricsSnapshot } from '../ops/metrics.js';

/** How long the primary waits for the workers' metrics before answering with what it has. */
const COLLECT_TIMEOUT_MS = 1000;
/** A worker that dies is replaced after this, doubled for each quick death in a row, at most MAX. */
const RESTART_DELAY_MS = 1000;
const MAX_RESTART_DELAY_MS = 30_000;
/** A worker that served this long before dying resets the doubling: it was not a crash loop. */
const STABLE_MS = 30_000;

/** What the processes say to each other; `planet` marks our messages among Node's own. */
type Message =
  /** worker → primary: every process's metrics, please (a GET /metrics). */
  | { planet: 'metrics-collect'; id: number }
  /** primary → worker: your metrics, please. */
  | { planet: 'metrics-snapshot-request'; id: number }
  /** worker → primary. */
  | { planet: 'metrics-snapshot'; id: number; snapshot: MetricsSnapshot }
  /** primary → the worker that asked: the other processes' metrics. */
  | { planet: 'metrics-collected'; id: number; snapshots: MetricsSnapshot[] };

function isMessage(value: unknown): value is Message {
  return typeof value === 'object' && value !== null && typeof (value as { planet?: unknown }).planet === 'string';
}

/**
 * A message to a worker that may be on its way out: a callback, so that a closed channel is an
 * ignored error rather than an 'error' event that would bring the primary down.
 */
function sendTo(worker: Worker, message: Message): void {
  if (worker.isConnected()) worker.send(message, undefined, undefined, () => {});
}

export interface WorkerPool {
  /** Where the workers listen, e.g. http://127.0.0.1:8080 */
  address: string;
  /** Asks every worker to stop (SIGTERM: each closes like a one-process server) and waits for them. */
  close(): Promise<void>;
}

/**
 * Forks `count` HTTP workers (this same command line, run again: `planet serve` sees it is a worker)
 * and resolves once all listen. A worker that exits before listening fails the start (a port in
 * use, a bad view directory): the others are stopped and the error names its exit status.
 */
export function startWorkers(count: number, deps: { logger: Logger; metrics: Metrics }): Promise<WorkerPool> {
  const { logger, metrics } = deps;
  let closing = false;
  let started = false;
  /** Workers that died in a row soon after starting: a crash loop backs off. */
  let quickDeaths = 0;
  const startedAt = new Map<Worker, number>();
  const live = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());

  const fork = () => {
    const worker = cluster.fork();
    startedAt.set(worker, Date.now());
    return worker;
  };

  // Metrics: the asking worker adds its own; the primary sends its (the fetch counters) and the rest.
  let nextRequest = 1;
  const collecting = new Map<number, { snapshots: MetricsSnapshot[]; waiting: Set<Worker>; done: () => void }>();
  const onMessage = (worker: Worker, message: unknown) => {
    if (!isMessage(message)) return;
    if (message.planet === 'metrics-collect') {
      const id = nextRequest++;
      const others = live().filter((w) => w !== worker);
      const request = { snapshots: [metrics.snapshot()], waiting: new Set(others), done: () => {} };
      const timer = setTimeout(() => request.done(), COLLECT_TIMEOUT_MS);
      request.done = () => {
        clearTimeout(timer);
        collecting.delete(id);
        if (request.waiting.size) logger.warn({ workers: [...request.waiting].map((w) => w.process.pid) }, 'metrics: some workers did not answer in time');
        sendTo(worker, { planet: 'metrics-collected', id: message.id, snapshots: request.snapshots });
      };
      collecting.set(id, request);
      for (const w of others) sendTo(w, { planet: 'metrics-snapshot-request', id });
      if (!others.length) request.done();
    } else if (message.planet === 'metrics-snapshot') {
      const request = collecting.get(message.id);
      if (!request || !request.waiting.delete(worker)) return;
      request.snapshots.push(message.snapshot);
      if (!request.waiting.size) request.done();
    }
  };
  cluster.on('message', onMessage);

  return new Promise<WorkerPool>((resolve, reject) => {
    let listening = 0;
    let address = '';

    const onListening = (_worker: Worker, where: { address: string; port: number }) => {
      if (started) return;
      address = `http://${where.address.includes(':') ? `[${where.address}]` : where.address}:${where.port}`;
      if (++listening < count) return;
      started = true;
      resolve({ address, close });
    };

    const onExit = (worker: Worker, code: number | null, signal: string | null) => {
      const lived = Date.now() - (startedAt.get(worker) ?? Date.now());
      startedAt.delete(worker);
      for (const request of collecting.values()) if (request.waiting.delete(worker) && !request.waiting.size) request.done();
      if (closing) {
        logger.info({ worker_pid: worker.process.pid, code, signal }, 'HTTP worker stopped');
        return;
      }
      if (!started) {
        closing = true;
        for (const w of live()) w.process.kill('SIGTERM');
        detach();
        reject(new Error(`serve: HTTP worker ${worker.process.pid} exited before listening (${signal ?? `status ${code}`})`));
        return;
      }
      quickDeaths = lived >= STABLE_MS ? 0 : quickDeaths + 1;
      const restartDelay = Math.min(RESTART_DELAY_MS * 2 ** Math.max(0, quickDeaths - 1), MAX_RESTART_DELAY_MS);
      logger.error({ worker_pid: worker.process.pid, code, signal, restart_in_ms: restartDelay }, 'HTTP worker died; starting another');
      setTimeout(() => {
        if (!closing) fork();
      }, restartDelay).unref();
    };

    async function close(): Promise<void> {
      closing = true;
      const workers = live();
      await Promise.all(
        workers.map(
          (w) =>
            new Promise<void>((done) => {
              w.once('exit', () => done());
              w.process.kill('SIGTERM');
            }),
        ),
      );
      detach();
    }

    function detach(): void {
      cluster.off('message', onMessage);
      cluster.off('listening', onListening);
      cluster.off('exit', onExit);
    }

    cluster.on('listening', onListening);
    cluster.on('exit', onExit);
    for (let i = 0; i < count; i++) fork();
  });
}

/**
 * In an HTTP worker: answers the primary's requests for this process's metrics, and returns how
 * /metrics asks for every other process's. Rejects when the primary does not answer: a scrape
 * that fails is better than one whose counters seem to go back (Prometheus reads that as a reset).
 */
export function joinWorkerPool(metrics: Metrics): () => Promise<MetricsSnapshot[]> {
  let nextId = 1;
  const pending = new Map<number, (snapshots: MetricsSnapshot[]) => void>();
  process.on('message', (message: unknown) => {
    if (!isMessage(message)) return;
    if (message.planet === 'metrics-snapshot-request') {
      if (process.connected) process.send?.({ planet: 'metrics-snapshot', id: message.id, snapshot: metrics.snapshot() } satisfies Message, undefined, undefined, () => {});
    } else if (message.planet === 'metrics-collected') {
      pending.get(message.id)?.(message.snapshots);
    }
  });
  return () =>
    new Promise<MetricsSnapshot[]>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error('metrics: the primary process did not answer'));
      }, COLLECT_TIMEOUT_MS * 2);
      pending.set(id, (snapshots) => {
        clearTimeout(timer);
        pending.delete(id);
        resolve(snapshots);
      });
      const failed = (err: Error | null) => {
        if (!err) return;
        clearTimeout(timer);
        pending.delete(id);
        reject(err);
      };
      if (process.connected && process.send) process.send({ planet: 'metrics-collect', id } satisfies Message, undefined, undefined, failed);
      else failed(new Error('metrics: no channel to the primary process'));
    });
}

// `planet serve` with `server.workers` > 1: HTTP worker processes (node:cluster) share the port and
// serve; the primary keeps them running and answers their questions over IPC. One Node process
// serves HTTP on one core (measured: README "Benchmarks → Serving", docs/decisions/0013).
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '../ops/logging.js';
import { sumMetrics, type Metrics, type MetricsJson } from '../ops/metrics.js';

/** How long the primary waits for the workers' metrics before answering with what it has. */
const COLLECT_TIMEOUT_MS = 1000;
/** A worker that dies is replaced after this, doubled for each quick death in a row, at most MAX. */
const RESTART_DELAY_MS = 1000;
const MAX_RESTART_DELAY_MS = 30_000;
/** A worker that served this long before dying resets the doubling: it was not a crash loop. */
const STABLE_MS = 30_000;

/**
 * What the processes say to each other; `planet` marks our messages among Node's own. This is
 * prom-client's cluster protocol (cluster.js: the primary asks each worker for getMetricsAsJSON()
 * and sums with AggregatorRegistry.aggregate) turned around, because here a worker answers the
 * scrape and the primary has figures of its own (the fetch counters): the worker asks the primary.
 */
type Message =
  /** worker → primary: every process's figures summed, please (a GET /metrics). */
  | { planet: 'metrics-collect'; id: number }
  /** primary → each serving worker: your figures, please. */
  | { planet: 'metrics-request'; id: number }
  /** worker → primary: its registry as prom-client's JSON. */
  | { planet: 'metrics-json'; id: number; metrics: MetricsJson }
  /** primary → the worker that asked: the sum as exposition text, or why there is none. */
  | { planet: 'metrics-sum'; id: number; text: string }
  | { planet: 'metrics-sum'; id: number; error: string };

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

  // Metrics: the primary asks every serving worker (the asking one too) for its figures and sums
  // them with its own. A worker still starting has counted nothing yet and is not waited for.
  const serving = new Set<Worker>();
  let nextRequest = 1;
  const collecting = new Map<number, { answers: MetricsJson[]; waiting: Set<Worker>; done: () => void }>();
  const collect = (asker: Worker, askerId: number) => {
    const id = nextRequest++;
    const workers = live().filter((w) => serving.has(w));
    const own = metrics.json();
    const request = { answers: [] as MetricsJson[], waiting: new Set(workers), done: () => {} };
    const timer = setTimeout(() => request.done(), COLLECT_TIMEOUT_MS);
    request.done = () => {
      clearTimeout(timer);
      collecting.delete(id);
      if (request.waiting.size) logger.warn({ workers: [...request.waiting].map((w) => w.process.pid) }, 'metrics: some workers did not answer in time');
      own
        .then((mine) => sumMetrics([mine, ...request.answers]))
        .then(
          (text) => sendTo(asker, { planet: 'metrics-sum', id: askerId, text }),
          (err: unknown) => {
            logger.error({ err }, 'metrics: could not sum the server processes');
            sendTo(asker, { planet: 'metrics-sum', id: askerId, error: `metrics: could not sum the server processes: ${(err as Error).message}` });
          },
        );
    };
    collecting.set(id, request);
    for (const w of workers) sendTo(w, { planet: 'metrics-request', id });
    if (!workers.length) request.done();
  };
  const onMessage = (worker: Worker, message: unknown) => {
    if (!isMessage(message)) return;
    if (message.planet === 'metrics-collect') {
      collect(worker, message.id);
    } else if (message.planet === 'metrics-json') {
      const request = collecting.get(message.id);
      if (!request || !request.waiting.delete(worker)) return;
      if (Array.isArray(message.metrics)) request.answers.push(message.metrics);
      else logger.warn({ worker_pid: worker.process.pid }, 'metrics: a worker answered without figures');
      if (!request.waiting.size) request.done();
    }
  };
  cluster.on('message', onMessage);

  return new Promise<WorkerPool>((resolve, reject) => {
    let listening = 0;
    let address = '';

    const onListening = (worker: Worker, where: { address: string; port: number }) => {
      serving.add(worker);
      if (started) return;
      address = `http://${where.address.includes(':') ? `[${where.address}]` : where.address}:${where.port}`;
      if (++listening < count) return;
      started = true;
      resolve({ address, close });
    };

    const onExit = (worker: Worker, code: number | null, signal: string | null) => {
      const lived = Date.now() - (startedAt.get(worker) ?? Date.now());
      startedAt.delete(worker);
      serving.delete(worker);
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
 * In an HTTP worker: answers the primary's requests for this process's figures, and returns how
 * /metrics asks for the sum over every process. Rejects when the primary does not answer: a scrape
 * that fails is better than one whose counters seem to go back (Prometheus reads that as a reset).
 */
export function joinWorkerPool(metrics: Metrics): () => Promise<string> {
  let nextId = 1;
  const pending = new Map<number, (answer: Extract<Message, { planet: 'metrics-sum' }>) => void>();
  const send = (message: Message, sent: (err: Error | null) => void = () => {}) => {
    if (process.connected && process.send) process.send(message, undefined, undefined, sent);
    else sent(new Error('metrics: no channel to the primary process'));
  };
  process.on('message', (message: unknown) => {
    if (!isMessage(message)) return;
    if (message.planet === 'metrics-request') {
      // Reading an in-memory registry does not fail; if it ever did, the primary stops waiting.
      metrics.json().then(
        (json) => send({ planet: 'metrics-json', id: message.id, metrics: json }),
        () => {},
      );
    } else if (message.planet === 'metrics-sum') {
      pending.get(message.id)?.(message);
    }
  });
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = nextId++;
      const settle = (err: Error | null, text?: string) => {
        clearTimeout(timer);
        pending.delete(id);
        if (err) reject(err);
        else resolve(text!);
      };
      const timer = setTimeout(() => settle(new Error('metrics: the primary process did not answer')), COLLECT_TIMEOUT_MS * 2);
      pending.set(id, (answer) => ('error' in answer ? settle(new Error(answer.error)) : settle(null, answer.text)));
      send({ planet: 'metrics-collect', id }, (err) => {
        if (err) settle(err);
      });
    });
}

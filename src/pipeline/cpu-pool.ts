// Parsing and sanitizing on worker threads, so a fetch pass uses every core: the main thread
// keeps the sockets and SQLite, the workers do the CPU work (on 2 cores: 1 worker). Falls back
// to this thread where a worker cannot start. Our own ~180 lines rather than piscina or tinypool:
// measured behind this interface, each took a cold pass ~30 MB higher (1.2× the peak RSS) for
// ~8% more CPU, and neither survives a worker module that cannot load (docs/decisions/0027-cpu-pool.md).
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { delayOptimizing } from '../ops/heap.js';
import { readDocument, sanitizeEntries, type RawHtml, type ReadResult, type SafeHtml } from './cpu-tasks.js';
import type { CpuRequest, CpuResponse } from './cpu-worker.js';

type CpuTask = CpuRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

export interface CpuWork {
  /** With a worker, `body` is moved to it (transferred, not copied) when nothing else shares its memory. */
  readDocument(body: Uint8Array, contentType: string | null, url: string): Promise<ReadResult>;
  sanitizeEntries(items: RawHtml[]): Promise<SafeHtml[]>;
  /** Workers running now: none until the first document. */
  workerCount(): number;
  close(): Promise<void>;
}

/** The same work, synchronously in this thread. */
export const inThread: CpuWork = {
  readDocument: async (body, contentType, url) => readDocument(body, contentType, url),
  sanitizeEntries: async (items) => sanitizeEntries(items),
  workerCount: () => 0,
  close: async () => undefined,
};

export interface CpuPoolOptions {
  /** At most this many workers (default 4): one per core beyond the first. */
  max?: number;
  /** The largest document a worker is given (fetch.max_bytes); sizes the worker's heap limit. */
  maxDocumentBytes?: number;
  /** The worker module (tests give one that cannot start). */
  workerUrl?: URL;
}

/**
 * A worker's heap. V8's defaults are made for a process with gigabytes: a 32 MB young generation,
 * and an old generation left to grow to four times what is live before it is collected. A parser
 * holds one document at a time, so a small young generation and a limit (at which V8 collects
 * sooner, growing ~1.5× instead of 4×) take its heap from 40 to 17 MB without slowing the pass.
 */
const YOUNG_GENERATION_MB = 8;
const MIN_OLD_GENERATION_MB = 512;
/** Parsing and sanitizing a 5.6 MiB feed peaks at ~100 MB of heap: 64× its size leaves room. */
const HEAP_BYTES_PER_DOCUMENT_BYTE = 64;
/** Jobs in a worker's hands at once: the one it runs and the next, so it never waits for a message. */
const POSTED_PER_WORKER = 2;

/** Workers: one per core beyond the first, at most `max`; this thread on a single core. */
export function startCpuPool(options: CpuPoolOptions = {}): CpuWork {
  const size = Math.min(options.max ?? 4, availableParallelism() - 1);
  if (size < 1) return inThread;
  const workerUrl = options.workerUrl ?? defaultWorkerUrl();
  const oldGenerationMb = Math.max(MIN_OLD_GENERATION_MB, Math.ceil((HEAP_BYTES_PER_DOCUMENT_BYTE * (options.maxDocumentBytes ?? 0)) / 2 ** 20));
  const resourceLimits = { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB, maxOldGenerationSizeMb: oldGenerationMb };
  // Started on first use: a pass in which every feed answers 304 never pays for a worker.
  const lanes: Lane[] = [];
  let cannotStart = false;
  let closing = false;
  let nextId = 1;

  const call = <T>(request: CpuTask, here: () => T): Promise<T> => {
    // After close (a pass that failed still has feeds in flight, finishing on their own) no
    // worker is started again: it would keep the process alive.
    if (closing) return Promise.resolve().then(here);
    while (lanes.length < size && !cannotStart) {
      const lane = startLane();
      if (lane) lanes.push(lane);
    }
    if (cannotStart) return Promise.resolve().then(here);
    const lane = lanes.reduce((a, b) => (a.load() <= b.load() ? a : b));
    return new Promise<T>((resolve, reject) => lane.run({ id: nextId++, request, here, resolve: resolve as (v: unknown) => void, reject, moved: false }));
  };

  const startLane = (): Lane | null => {
    let worker: Worker;
    try {
      worker = spawnWorker(workerUrl, resourceLimits);
    } catch {
      cannotStart = true; // e.g. a runtime without worker threads
      return null;
    }
    // Jobs wait here, not in the worker's message queue: at most POSTED_PER_WORKER are posted at a
    // time, sanitizing before reading. A feed whose document is read has its entries in this
    // thread's heap until they are sanitized and stored; handing its sanitizing the next free turn
    // keeps few feeds' entries alive at once (a document waiting to be read is a Buffer, outside
    // the heap). Nothing is moved to the worker before it has loaded its module.
    const queued: Job[] = [];
    const posted = new Map<number, Job>();
    let ready = false;
    let stopped = false;
    const post = (job: Job) => {
      const transfer = job.request.task === 'read' ? movableBuffer(job.request.body) : undefined;
      job.moved = transfer !== undefined;
      posted.set(job.id, job);
      worker.postMessage({ ...job.request, id: job.id } as CpuRequest, transfer ? [transfer] : []);
    };
    const pump = () => {
      while (ready && !stopped && posted.size < POSTED_PER_WORKER && queued.length > 0) {
        const sanitize = queued.findIndex((job) => job.request.task === 'sanitize');
        post(queued.splice(sanitize === -1 ? 0 : sanitize, 1)[0]!);
      }
    };
    const stop = (err: Error) => {
      if (stopped || closing) return;
      stopped = true;
      if (lanes.includes(lane)) lanes.splice(lanes.indexOf(lane), 1);
      // A worker that never got ready cannot start here (no worker support, a missing module):
      // all work, now and later, runs in this thread. One that stopped later (out of memory on a
      // document bigger than its limit) is replaced on the next call; its work runs here, except
      // documents already moved to it, which fail with the reason.
      if (!ready) cannotStart = true;
      for (const job of [...queued.splice(0), ...posted.values()]) {
        if (job.moved) job.reject(new Error(`cpu: the worker stopped while reading this document (${err.message})`));
        else runHere(job);
      }
      posted.clear();
    };
    worker.on('message', (message: CpuResponse | { ready: true }) => {
      if ('ready' in message) {
        ready = true;
        pump();
        return;
      }
      const job = posted.get(message.id);
      posted.delete(message.id);
      pump();
      if (message.ok) job?.resolve(message.value);
      else job?.reject(new Error(message.message));
    });
    worker.on('error', stop);
    worker.on('exit', (code) => stop(new Error(`exit code ${code}`)));
    const lane: Lane = {
      load: () => queued.length + posted.size,
      run: (job) => {
        queued.push(job);
        pump();
      },
      stop: () => worker.terminate(),
    };
    return lane;
  };

  return {
    readDocument: (body, contentType, url) => call({ task: 'read', body, contentType, url }, () => readDocument(body, contentType, url)),
    sanitizeEntries: (items) => call({ task: 'sanitize', items }, () => sanitizeEntries(items)),
    workerCount: () => lanes.length,
    close: async () => {
      closing = true;
      await Promise.all(lanes.splice(0).map((lane) => lane.stop()));
    },
  };
}

interface Job {
  id: number;
  request: CpuTask;
  here: () => unknown;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  /** Its document's bytes were transferred to a worker: only that worker can read it now. */
  moved: boolean;
}

interface Lane {
  load(): number;
  run(job: Job): void;
  stop(): Promise<number>;
}

function runHere(job: Job): void {
  try {
    job.resolve(job.here());
  } catch (err) {
    job.reject(err as Error);
  }
}

/**
 * The ArrayBuffer behind `body` when the body is all of it (a fetched body of 4 KB or more has
 * its own); then it is moved rather than copied. Small buffers share Node's pool: copied.
 */
function movableBuffer(body: Uint8Array): ArrayBuffer | undefined {
  const buffer = body.buffer;
  return buffer instanceof ArrayBuffer && body.byteOffset === 0 && body.byteLength === buffer.byteLength ? buffer : undefined;
}

function defaultWorkerUrl(): URL {
  return new URL(import.meta.url.endsWith('.js') ? './cpu-worker.js' : './cpu-worker.ts', import.meta.url);
}

function spawnWorker(url: URL, resourceLimits: ResourceLimits): Worker {
  // V8 sets up each heap from its flags first: a process started with --max-semi-space-size
  // (bin/planet.js's 1 MB, decision 0028) would give the worker that young generation whatever
  // its limits say, and a cold pass 1,700 scavenges in it instead of ~390. 0 is V8's "not set";
  // heaps already set up, this thread's among them, keep their sizes.
  setFlagsFromString('--max-semi-space-size=0');
  // From the first document on, the process runs the parsers' code of many shapes: optimized
  // later, less often. A pass in which every feed answers 304 starts no worker and keeps V8's
  // default; a server whose admin refreshes a feed (pass/refresh-now.ts, in its process) keeps
  // the later budget from then on, its hot paths long optimized by then.
  delayOptimizing();
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { resourceLimits });
  // Running from TypeScript sources (tests, benchmarks): workers do not inherit the TypeScript
  // loader, so the worker registers it before importing its module.
  const script = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(script, { eval: true, resourceLimits });
}

// Parsing and sanitizing on worker threads, so a fetch pass uses every core: the main thread
// keeps the sockets and SQLite, the workers do the CPU work (on 2 cores: 1 worker). Falls back
// to this thread where a worker cannot start.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { readDocument, sanitizeEntries, type RawHtml, type ReadResult, type SafeHtml } from './cpu-tasks.js';
import type { CpuRequest, CpuResponse } from './cpu-worker.js';

type CpuTask = CpuRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

export interface CpuWork {
  readDocument(body: Uint8Array, contentType: string | null, url: string): Promise<ReadResult>;
  sanitizeEntries(items: RawHtml[]): Promise<SafeHtml[]>;
  close(): Promise<void>;
}

/** The same work, synchronously in this thread. */
export const inThread: CpuWork = {
  readDocument: async (body, contentType, url) => readDocument(body, contentType, url),
  sanitizeEntries: async (items) => sanitizeEntries(items),
  close: async () => undefined,
};

/** Workers: one per core beyond the first, at most `max`; this thread on a single core. */
export function startCpuPool(max = 4): CpuWork {
  const size = Math.min(max, availableParallelism() - 1);
  if (size < 1) return inThread;
  // Started on first use: a pass in which every feed answers 304 never pays for a worker.
  let workers: Worker[] | null = null;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; fallback: () => unknown }>();
  const load = new Map<Worker, number>();
  let nextId = 1;
  let broken = false;
  const start = (): Worker[] => {
    workers = Array.from({ length: size }, () => spawnWorker());
    for (const worker of workers) {
      load.set(worker, 0);
      worker.on('message', (response: CpuResponse) => {
        load.set(worker, (load.get(worker) ?? 1) - 1);
        const p = pending.get(response.id);
        pending.delete(response.id);
        if (response.ok) p?.resolve(response.value);
        else p?.reject(new Error(response.message));
      });
      // A worker that cannot start or crashes: its work, and all later work, runs in this thread.
      worker.on('error', () => {
        broken = true;
        for (const [id, p] of pending) {
          pending.delete(id);
          try {
            p.resolve(p.fallback());
          } catch (err) {
            p.reject(err as Error);
          }
        }
      });
    }
    return workers;
  };
  const call = <T>(request: CpuTask, fallback: () => T): Promise<T> => {
    if (broken) return Promise.resolve().then(fallback);
    const pool = workers ?? start();
    const id = nextId++;
    const worker = pool.reduce((a, b) => ((load.get(a) ?? 0) <= (load.get(b) ?? 0) ? a : b));
    load.set(worker, (load.get(worker) ?? 0) + 1);
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject, fallback });
      worker.postMessage({ ...request, id } as CpuRequest);
    });
  };
  return {
    readDocument: (body, contentType, url) => call({ task: 'read', body, contentType, url }, () => readDocument(body, contentType, url)),
    sanitizeEntries: (items) => call({ task: 'sanitize', items }, () => sanitizeEntries(items)),
    close: async () => {
      await Promise.all((workers ?? []).map((w) => w.terminate()));
    },
  };
}

function spawnWorker(): Worker {
  if (import.meta.url.endsWith('.js')) return new Worker(new URL('./cpu-worker.js', import.meta.url));
  // Running from TypeScript sources (tests, benchmarks): workers do not inherit the TypeScript
  // loader, so the worker registers it before importing its module.
  const target = JSON.stringify(new URL('./cpu-worker.ts', import.meta.url).href);
  return new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${target}); })`, { eval: true });
}

// The CPU pool against this thread: the same results from a real worker, the worker started only
// on first use, a document moved (not copied) to it, and what happens when a worker cannot start
// or stops in the middle of a document.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { inThread, startCpuPool, type CpuWork } from '../../src/pipeline/cpu-pool.js';
import type { RawHtml } from '../../src/pipeline/cpu-tasks.js';

const FEEDS = ['rss2-basic.xml', 'atom1-basic.xml', 'atom1-xml-base.xml', 'jsonfeed-1.1.json', 'latin1-prolog.xml', 'relative-links.xml'];
const URL_OF_FEED = 'http://blog.example/feed';
/** On a single core the pool is this thread: there is no worker to start, move to or lose. */
const WORKERS = availableParallelism() > 1;

const fixture = (name: string) => readFileSync(new URL(`../fixtures/feeds/${name}`, import.meta.url));
/** A document in memory of its own, as a fetched body of 4 KB or more is (smaller ones share Node's pool). */
const ownBytes = (name: string) => new Uint8Array(fixture(name));
const testWorker = (name: string) => new URL(`../fixtures/workers/${name}`, import.meta.url);

async function rawHtmlOf(name: string): Promise<RawHtml[]> {
  const read = await inThread.readDocument(fixture(name), null, URL_OF_FEED);
  if (read.kind !== 'ok') throw new Error(`${name}: ${read.kind}`);
  return read.feed.entries.map((e) => ({ contentHtml: e.contentHtml, summaryHtml: e.summaryHtml, baseUrl: e.baseUrl }));
}

async function withPool<T>(pool: CpuWork, use: (pool: CpuWork) => Promise<T>): Promise<T> {
  try {
    return await use(pool);
  } finally {
    await pool.close();
  }
}

describe('startCpuPool', () => {
  it('reads and sanitizes every document exactly as this thread does, its worker started on first use', async () => {
    await withPool(startCpuPool({ max: 1 }), async (pool) => {
      expect(pool.workerCount()).toBe(0);
      for (const name of FEEDS) {
        const here = await inThread.readDocument(fixture(name), null, URL_OF_FEED);
        const there = await pool.readDocument(fixture(name), null, URL_OF_FEED);
        expect(there.kind, name).toBe('ok');
        expect(there, name).toEqual(here);
        const items = await rawHtmlOf(name);
        expect(await pool.sanitizeEntries(items), name).toEqual(await inThread.sanitizeEntries(items));
      }
      expect(pool.workerCount()).toBe(WORKERS ? 1 : 0);
    });
  });

  it('answers documents it cannot read with the same error values as this thread', async () => {
    await withPool(startCpuPool({ max: 1 }), async (pool) => {
      for (const name of ['plain-text.txt', 'html-page-with-alternates.html', 'empty.xml', 'billion-laughs.xml']) {
        const here = await inThread.readDocument(fixture(name), null, URL_OF_FEED);
        expect(here.kind, name).toBe('error');
        expect(await pool.readDocument(fixture(name), null, URL_OF_FEED), name).toEqual(here);
      }
    });
  });

  it('moves a fetched body to the worker instead of copying it, and copies one that shares its memory', async () => {
    await withPool(startCpuPool({ max: 1 }), async (pool) => {
      const own = ownBytes('rss2-basic.xml');
      const size = own.byteLength;
      expect(own.buffer.byteLength).toBe(size);
      expect((await pool.readDocument(own, null, URL_OF_FEED)).kind).toBe('ok');
      expect(own.byteLength).toBe(WORKERS ? 0 : size);

      const shared = fixture('rss2-basic.xml'); // a small file is read into a slice of Node's buffer pool
      expect(shared.byteLength).toBeLessThan(shared.buffer.byteLength);
      expect((await pool.readDocument(shared, null, URL_OF_FEED)).kind).toBe('ok');
      expect(shared.byteLength).toBe(size);
    });
  });

  it.runIf(WORKERS)('gives sanitizing the next free turn, ahead of documents waiting to be read', async () => {
    await withPool(startCpuPool({ max: 1 }), async (pool) => {
      expect((await pool.readDocument(ownBytes('rss2-basic.xml'), null, URL_OF_FEED)).kind).toBe('ok'); // the worker is up
      const items = await rawHtmlOf('atom1-basic.xml');
      const done: string[] = [];
      const reads = Array.from({ length: 6 }, (_, i) => pool.readDocument(ownBytes('atom1-xml-base.xml'), null, URL_OF_FEED).then(() => done.push(`read ${i}`)));
      const sanitized = pool.sanitizeEntries(items).then(() => done.push('sanitize'));
      await Promise.all([...reads, sanitized]);
      // In the order asked it would be last; the worker holds at most two jobs, so it runs third at the latest.
      expect(done.indexOf('sanitize')).toBeLessThanOrEqual(2);
      expect(done.filter((d) => d.startsWith('read'))).toEqual(['read 0', 'read 1', 'read 2', 'read 3', 'read 4', 'read 5']);
    });
  });

  it('starts no worker after close: work still in flight when a pass fails runs in this thread', async () => {
    const pool = startCpuPool({ max: 1 });
    expect((await pool.readDocument(ownBytes('rss2-basic.xml'), null, URL_OF_FEED)).kind).toBe('ok');
    await pool.close();
    expect(pool.workerCount()).toBe(0);
    const body = ownBytes('atom1-basic.xml');
    expect(await pool.readDocument(body, null, URL_OF_FEED)).toEqual(await inThread.readDocument(fixture('atom1-basic.xml'), null, URL_OF_FEED));
    expect(body.byteLength).toBe(fixture('atom1-basic.xml').byteLength);
    expect(pool.workerCount()).toBe(0);
  });

  it.each([
    ['a module that throws while loading', testWorker('cpu-worker-broken.ts')],
    ['a module that does not exist', testWorker('no-such-worker.ts')],
  ])('runs everything in this thread when its worker cannot start: %s', async (_case, workerUrl) => {
    await withPool(startCpuPool({ max: 1, workerUrl }), async (pool) => {
      const body = ownBytes('atom1-basic.xml');
      const size = body.byteLength;
      const [read, safe] = await Promise.all([pool.readDocument(body, null, URL_OF_FEED), pool.sanitizeEntries(await rawHtmlOf('atom1-basic.xml'))]);
      expect(read).toEqual(await inThread.readDocument(fixture('atom1-basic.xml'), null, URL_OF_FEED));
      expect(safe).toEqual(await inThread.sanitizeEntries(await rawHtmlOf('atom1-basic.xml')));
      expect(body.byteLength).toBe(size); // nothing is moved to a worker before it is ready
      expect(pool.workerCount()).toBe(0);
      // Later work does not try again: it runs here at once.
      expect((await pool.readDocument(fixture('rss2-basic.xml'), null, URL_OF_FEED)).kind).toBe('ok');
      expect(pool.workerCount()).toBe(0);
    });
  });

  it('fails a document moved to a worker that stops, runs its other work here, and starts a new worker next time', async () => {
    if (!WORKERS) {
      await withPool(startCpuPool({ max: 1, workerUrl: testWorker('cpu-worker-stops.ts') }), async (pool) => {
        expect((await pool.readDocument(ownBytes('rss2-basic.xml'), null, URL_OF_FEED)).kind).toBe('ok');
      });
      return;
    }
    await withPool(startCpuPool({ max: 1, workerUrl: testWorker('cpu-worker-stops.ts') }), async (pool) => {
      const items = await rawHtmlOf('atom1-basic.xml');
      const [read, safe] = await Promise.allSettled([pool.readDocument(ownBytes('atom1-basic.xml'), null, URL_OF_FEED), pool.sanitizeEntries(items)]);
      expect(read.status).toBe('rejected');
      expect((read as PromiseRejectedResult).reason.message).toBe('cpu: the worker stopped while reading this document (exit code 7)');
      expect(safe).toEqual({ status: 'fulfilled', value: await inThread.sanitizeEntries(items) });
      expect(pool.workerCount()).toBe(0);

      const again = pool.sanitizeEntries(items);
      expect(pool.workerCount()).toBe(1);
      expect(await again).toEqual(await inThread.sanitizeEntries(items));
    });
  });

  it('gives its worker the young generation its limits allow, in a process started with --max-semi-space-size', () => {
    if (!WORKERS) return expect(startCpuPool({ max: 1 }).workerCount()).toBe(0);
    // In a process of its own, the flag on its command line as bin/planet.js's first line puts it
    // there: first a worker started by hand with the pool's limits, then the pool's own.
    const heapWorker = JSON.stringify(testWorker('cpu-worker-heap.ts').href);
    const script = `
      import { Worker } from 'node:worker_threads';
      import { startCpuPool } from ${JSON.stringify(new URL('../../src/pipeline/cpu-pool.ts', import.meta.url).href)};
      const loader = "import('tsx/esm/api').then((tsx) => { tsx.register(); return import(" + JSON.stringify(${heapWorker}) + '); })';
      const byHand = new Worker(loader, { eval: true, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
      const alone = await new Promise((resolve) => byHand.on('message', (m) => (m.ready ? byHand.postMessage({ id: 1 }) : resolve(m.value))));
      await byHand.terminate();
      const pool = startCpuPool({ max: 1, workerUrl: new URL(${heapWorker}) });
      const pooled = await pool.readDocument(new Uint8Array(8), null, 'http://blog.example/feed');
      await pool.close();
      console.log(JSON.stringify({ alone, pooled }));`;
    const out = execFileSync(process.execPath, ['--max-semi-space-size=1', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    const { alone, pooled } = JSON.parse(out) as { alone: number; pooled: number };
    expect(alone).toBeLessThanOrEqual(2); // the flag, over the limits: two semi-spaces of 1 MB
    expect(pooled).toBeGreaterThan(4); // what the limits give it
  });
});

// Preloaded into a `planet fetch` to see where its memory goes (docs/decisions/0027-cpu-pool.md):
//   PLANET_HEAP_SAMPLES=/tmp/s node --import ./bench/heap-sampler.mjs bin/planet.js fetch --json …
// Every 20 ms each thread (main and workers: preloads run in both) samples V8's heap spaces; at
// exit (and, on workers, which are terminated, at every sample) it writes to FILE.<threadId> the
// maxima and the sample at the highest RSS (main) or heap (workers), in bytes.
import { writeFileSync } from 'node:fs';
import v8 from 'node:v8';
import { isMainThread, threadId } from 'node:worker_threads';

const file = process.env.PLANET_HEAP_SAMPLES;
if (file) {
  const max = { rss: 0, heapTotal: 0, newSpace: 0, oldSpace: 0, external: 0, arrayBuffers: 0, atPeak: null, samples: 0 };
  const started = Date.now();
  const sample = () => {
    const heap = v8.getHeapStatistics();
    const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, s.space_size]));
    const usage = isMainThread ? process.memoryUsage() : { rss: 0, external: heap.external_memory, arrayBuffers: 0 };
    const s = {
      ms: Date.now() - started, rss: usage.rss, heapTotal: heap.total_heap_size, heapUsed: heap.used_heap_size,
      newSpace: spaces.new_space, oldSpace: spaces.old_space, external: usage.external, arrayBuffers: usage.arrayBuffers,
    };
    for (const k of ['heapTotal', 'newSpace', 'oldSpace', 'external', 'arrayBuffers']) max[k] = Math.max(max[k], s[k]);
    if (isMainThread ? s.rss > max.rss : s.heapTotal >= max.heapTotal) max.atPeak = s;
    max.rss = Math.max(max.rss, s.rss);
    max.samples++;
    if (!isMainThread || max.samples % 10 === 0) writeFileSync(`${file}.${threadId}`, JSON.stringify(max));
  };
  setInterval(sample, 20).unref();
  process.on('exit', () => {
    sample();
    writeFileSync(`${file}.${threadId}`, JSON.stringify(max));
  });
}

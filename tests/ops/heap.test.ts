// holdYoungGeneration, in processes of its own (it changes a process-wide V8 flag): a main thread
// that allocates fast keeps the young generation it had, where V8 alone grows it to 32 MB, and
// keeps it after the CPU pool has started a worker (whose start would undo the hold).
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';

const HEAP = new URL('../../src/ops/heap.ts', import.meta.url).href;
const POOL = new URL('../../src/pipeline/cpu-pool.ts', import.meta.url).href;
const FEED = new URL('../fixtures/feeds/rss2-basic.xml', import.meta.url);

/** Young-generation size in MB before and after churning through short-lived objects. */
function youngGeneration(opts: { hold: boolean; worker: boolean }): { before: number; after: number } {
  const script = `
    import v8 from 'node:v8';
    import { readFileSync } from 'node:fs';
    const size = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 2 ** 20;
    ${opts.hold ? `(await import(${JSON.stringify(HEAP)})).holdYoungGeneration();` : ''}
    let pool;
    if (${opts.worker}) {
      pool = (await import(${JSON.stringify(POOL)})).startCpuPool({ max: 1 });
      const read = await pool.readDocument(new Uint8Array(readFileSync(new URL(${JSON.stringify(FEED.href)}))), null, 'http://blog.example/feed');
      if (read.kind !== 'ok' || pool.workerCount() !== 1) throw new Error('no worker read the document');
    }
    const before = size();
    let keep = [];
    for (let i = 0; i < 3e6; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 20000) keep = []; }
    console.log(JSON.stringify({ before, after: size() }));
    await pool?.close();`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  return JSON.parse(out) as { before: number; after: number };
}

describe('holdYoungGeneration', () => {
  it('keeps the young generation of a thread that allocates fast from growing past the size it had', () => {
    const grown = youngGeneration({ hold: false, worker: false });
    expect(grown.after).toBeGreaterThanOrEqual(16);
    const held = youngGeneration({ hold: true, worker: false });
    expect(held.after).toBeLessThanOrEqual(held.before); // V8 may still shrink it
    expect(held.after).toBeLessThan(grown.after);
  });

  it.runIf(availableParallelism() > 1)('keeps holding after the CPU pool has started a worker', () => {
    const held = youngGeneration({ hold: true, worker: true });
    expect(held.after).toBeLessThanOrEqual(held.before); // V8 may still shrink it
    expect(held.after).toBeLessThan(16);
  });
});

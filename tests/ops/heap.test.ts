// ops/heap.ts, each in processes of its own (each sets a process-wide V8 flag): the young generation
// held, the old generation collected sooner, and code optimized later.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const HEAP = new URL('../../src/ops/heap.ts', import.meta.url).href;

/** Runs `script` (a module) in a node of its own, after `call` from ops/heap.ts if given; its stdout. */
function run(script: string, call: string | null, nodeFlags: string[] = []): string {
  const prelude = call ? `(await import(${JSON.stringify(HEAP)})).${call}();` : '';
  return execFileSync(process.execPath, [...nodeFlags, '--import', 'tsx', '--input-type=module', '-e', `${prelude}\n${script}`], { encoding: 'utf8' });
}

/** The JSON line `script` printed last. */
const inProcess = <T>(script: string, call: string | null, nodeFlags: string[] = []): T => JSON.parse(run(script, call, nodeFlags).trim().split('\n').at(-1)!) as T;

describe('holdYoungGeneration', () => {
  /** Young-generation size in MB before and after churning through short-lived objects. */
  const churn = `
    import v8 from 'node:v8';
    const size = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 2 ** 20;
    const before = size();
    let keep = [];
    for (let i = 0; i < 3e6; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 20000) keep = []; }
    console.log(JSON.stringify({ before, after: size() }));`;

  it('keeps the young generation of a thread that allocates fast from growing past the size it had', () => {
    const grown = inProcess<{ before: number; after: number }>(churn, null);
    expect(grown.after).toBeGreaterThanOrEqual(16);
    const held = inProcess<{ before: number; after: number }>(churn, 'holdYoungGeneration');
    expect(held.after).toBeLessThanOrEqual(held.before); // V8 may still shrink it
    expect(held.after).toBeLessThan(grown.after);
  });
});

describe('collectOldGenerationSooner', () => {
  // 5 MB live throughout, and batches of objects that live long enough to be promoted, then are
  // dropped: what a pass's entries in flight do. With a 1 MB semi-space, as bin/planet.js starts.
  const promoteAndDrop = `
    import v8 from 'node:v8';
    const used = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'old_space').space_used_size / 2 ** 20;
    const live = Array.from({ length: 50000 }, (_, i) => ({ i, s: 'live' + i }));
    let peak = 0;
    const batches = [];
    for (let round = 0; round < 400; round++) {
      batches.push(Array.from({ length: 5000 }, (_, i) => ({ round, i, s: 'x' + i + round })));
      if (batches.length > 8) batches.shift();
      peak = Math.max(peak, used());
    }
    console.log(JSON.stringify({ peak, live: live.length }));`;

  it('keeps the old generation of a thread that promotes what it soon drops much closer to what is live', () => {
    const atV8sPace = inProcess<{ peak: number }>(promoteAndDrop, null, ['--max-semi-space-size=1']);
    const sooner = inProcess<{ peak: number }>(promoteAndDrop, 'collectOldGenerationSooner', ['--max-semi-space-size=1']);
    expect(atV8sPace.peak).toBeGreaterThan(30); // measured: 43 MB
    expect(sooner.peak).toBeLessThan(atV8sPace.peak * 0.75); // measured: 24 MB
  });
});

describe('delayOptimizing', () => {
  // A function run 300 times: past V8's default budget (optimized after 100-150 runs), short of
  // four times it (400-600). Compiled on this thread, so the count is known when the script ends.
  const runHot = `
    function sum(a) { let s = 0; for (let i = 0; i < a.length; i++) s += a[i]; return s; }
    const a = Array.from({ length: 16 }, (_, i) => i);
    let total = 0;
    for (let i = 0; i < 300; i++) total += sum(a);
    console.log(JSON.stringify({ total }));`;
  const optimizations = (call: string | null) =>
    run(runHot, call, ['--trace-opt', '--no-concurrent-recompilation'])
      .split('\n')
      .filter((line) => /completed compiling .*<JSFunction sum /.test(line)).length;

  it('has V8 run a function longer before optimizing it', () => {
    expect(optimizations(null)).toBe(1);
    expect(optimizations('delayOptimizing')).toBe(0);
  });
});

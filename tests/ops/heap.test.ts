// holdYoungGeneration, in processes of its own (it changes a process-wide V8 flag): a thread that
// allocates fast keeps the young generation it had, where V8 alone grows it to 32 MB.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const HEAP = new URL('../../src/ops/heap.ts', import.meta.url).href;

/** Young-generation size in MB before and after churning through short-lived objects. */
function youngGeneration(opts: { hold: boolean }): { before: number; after: number } {
  const script = `
    import v8 from 'node:v8';
    const size = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 2 ** 20;
    ${opts.hold ? `(await import(${JSON.stringify(HEAP)})).holdYoungGeneration();` : ''}
    const before = size();
    let keep = [];
    for (let i = 0; i < 3e6; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 20000) keep = []; }
    console.log(JSON.stringify({ before, after: size() }));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  return JSON.parse(out) as { before: number; after: number };
}

describe('holdYoungGeneration', () => {
  it('keeps the young generation of a thread that allocates fast from growing past the size it had', () => {
    const grown = youngGeneration({ hold: false });
    expect(grown.after).toBeGreaterThanOrEqual(16);
    const held = youngGeneration({ hold: true });
    expect(held.after).toBeLessThanOrEqual(held.before); // V8 may still shrink it
    expect(held.after).toBeLessThan(grown.after);
  });
});

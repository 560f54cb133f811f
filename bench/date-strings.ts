// Micro-benchmark of parseDate (docs/decisions/0016-feed-dates.md, "Speed"), run by bench/parsers.ts.
// Compares, interleaved in one run, the current parser with the version before the long-tail
// work read from git (DATES_BASELINE=<ref>, default b843a1d), in date strings per second:
// the forms nearly every feed writes, then the long tail. Then, in a fresh process, what the first
// calls cost: the name tables for other languages are built from ICU on the first word that is
// not English. Knobs: DATES_BENCH_ROUNDS (default 11).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseDate } from '../src/pipeline/dates.js';

type Parse = (s: string) => Date | null;

const BASELINE_REF = process.env.DATES_BASELINE ?? 'b843a1d';
const ROUNDS = Number(process.env.DATES_BENCH_ROUNDS ?? 11);
const DATES_TS = fileURLToPath(new URL('../src/pipeline/dates.ts', import.meta.url));

// What feeds write nearly always: RFC 822 with a name or a number, RFC 3339 with Z, an offset
// or a fraction, a date alone.
const COMMON = [
  'Tue, 13 Jan 2015 10:00:00 GMT',
  'Mon, 13 Jul 2015 10:00:00 +0200',
  'Wed, 15 Jul 2009 08:30:00 EDT',
  'Sun, 5 Jul 2009 08:30 -0700',
  '2015-01-13T10:00:00Z',
  '2015-01-13T10:00:00+01:00',
  '2009-07-15T08:30:00.123456-05:00',
  '2015-01-13',
];
// The long tail: the baseline rejects most of these (fast), so its figure is a rejection rate.
const LONG_TAIL = [
  '2009-196',
  '20090715T083000Z',
  '2009-W29-3',
  'Wed, 15 Jul 2009 08:30:00 ET',
  'Wed, 15 Jul 2009 08:30:00 Etc/GMT+5',
  'Wed Jul 15 08:30:00 EDT 2009',
  'Wed, 2009/07/15 08:30:00 EDT',
  'Wed Jul 15 2009 08:30:00 GMT+0200 (Central European Summer Time)',
  'mer, 15 lug 2009 08:30:00 +0200',
  'miércoles, 15 de julio de 2009 08:30',
  'Τετ, 15 Ιούλ 2009 08:30:00 EEST',
  '2009-július-15T8:30-05:00',
  '2009-07-15 오후 08:30:00',
  '2009년 07월 15일 08:30:00',
  'not a date at all',
];

/** The baseline module, written to a temp dir (it imports nothing). */
async function loadBaseline(): Promise<{ parse: Parse; cleanup: () => void }> {
  const root = execFileSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8' }).trim();
  const source = execFileSync('git', ['show', `${BASELINE_REF}:src/pipeline/dates.ts`], { cwd: root, encoding: 'utf8' });
  const dir = mkdtempSync(join(tmpdir(), 'dates-bench-'));
  const file = join(dir, 'dates-baseline.ts');
  writeFileSync(file, source);
  const mod = (await import(pathToFileURL(file).href)) as { parseDate: Parse };
  return { parse: mod.parseDate, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Milliseconds for `reps` passes over `inputs`. */
function time(parse: Parse, inputs: readonly string[], reps: number): number {
  let sink = 0;
  const start = process.hrtime.bigint();
  for (let r = 0; r < reps; r++) for (const s of inputs) sink += parse(s) === null ? 0 : 1;
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (sink < 0) console.log(sink); // keeps the calls from being optimised away
  return ms;
}

/** First-call costs in a fresh process: import, first English date, first localized date. */
function coldStart(): string {
  const script = `
    const t0 = performance.now();
    const { parseDate } = await import(${JSON.stringify(pathToFileURL(DATES_TS).href)});
    const t1 = performance.now();
    parseDate('Tue, 13 Jan 2015 10:00:00 GMT');
    const t2 = performance.now();
    parseDate('mer, 15 lug 2009 08:30:00 +0200');
    const t3 = performance.now();
    parseDate('Τετ, 15 Ιούλ 2009 08:30:00 EEST');
    const t4 = performance.now();
    console.log([t1 - t0, t2 - t1, t3 - t2, t4 - t3].map((ms) => ms.toFixed(1)).join(' '));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  const [load, english, local, again] = out.trim().split(' ');
  return `import ${load} ms, first English date ${english} ms, first localized date (builds the ICU tables) ${local} ms, next localized date ${again} ms`;
}

export async function benchDates(): Promise<void> {
  const { parse: baseline, cleanup } = await loadBaseline();
  try {
    const reps = 5000;
    for (const fn of [baseline, parseDate]) time(fn, [...COMMON, ...LONG_TAIL], 500); // warm-up (JIT, tables)
    const best = { common: { baseline: Infinity, current: Infinity }, tail: { baseline: Infinity, current: Infinity } };
    for (let round = 0; round < ROUNDS; round++) {
      best.common.baseline = Math.min(best.common.baseline, time(baseline, COMMON, reps));
      best.common.current = Math.min(best.common.current, time(parseDate, COMMON, reps));
      best.tail.baseline = Math.min(best.tail.baseline, time(baseline, LONG_TAIL, reps));
      best.tail.current = Math.min(best.tail.current, time(parseDate, LONG_TAIL, reps));
    }
    const rate = (ms: number, n: number) => `${((n * reps) / ms).toFixed(0).padStart(5)} k/s`; // per ms = thousands per s
    const read = (fn: Parse, inputs: readonly string[]) => inputs.filter((s) => fn(s) !== null).length;
    console.log(`parseDate, date strings per second (best of ${ROUNDS} interleaved rounds):`);
    for (const [name, inputs, b] of [
      ['common forms', COMMON, best.common],
      ['long tail', LONG_TAIL, best.tail],
    ] as const) {
      console.log(
        `  ${name.padEnd(13)} baseline (${BASELINE_REF}) ${rate(b.baseline, inputs.length)} (reads ${read(baseline, inputs)}/${inputs.length})` +
          `  current ${rate(b.current, inputs.length)} (reads ${read(parseDate, inputs)}/${inputs.length})` +
          `  speed ${(b.baseline / b.current).toFixed(2)}× the baseline's`,
      );
    }
    console.log(`  cold process: ${coldStart()}`);
  } finally {
    cleanup();
  }
}

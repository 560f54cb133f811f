// Micro-benchmark of the ingest sanitizer (docs/decisions/0002-sanitizer-allowlist.md, "Performance").
// Run: npx tsx bench/sanitize.ts
// Compares, in one run and interleaved, the current sanitizeContent with a baseline version of the
// module read from git (SANITIZE_BASELINE=<ref>, default: the last version before the performance
// work) and, for reference, sanitize-html with its default options.
// Knobs: SANITIZE_BENCH_ENTRIES (default 400), SANITIZE_BENCH_ROUNDS (default 5).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import sanitizeHtml from 'sanitize-html';
import { sanitizeContent } from '../src/pipeline/sanitize.js';
import { entryHtml, rng } from '../tests/helpers/feed-gen.js';

type Sanitize = (html: string, base: string) => string;

const BASELINE_REF = process.env.SANITIZE_BASELINE ?? '3ed61a0';
const ENTRIES = Number(process.env.SANITIZE_BENCH_ENTRIES ?? 400);
const ROUNDS = Number(process.env.SANITIZE_BENCH_ROUNDS ?? 5);
const BASE = 'https://blog.example.org/2026/01/post.html';

/** The baseline module, written to a temp dir with its package imports pointed at ours. */
async function loadBaseline(): Promise<{ sanitize: Sanitize; cleanup: () => void }> {
  const root = execFileSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8' }).trim();
  let source = execFileSync('git', ['show', `${BASELINE_REF}:src/pipeline/sanitize.ts`], { cwd: root, encoding: 'utf8' });
  for (const pkg of ['sanitize-html', 'htmlparser2']) {
    source = source.replace(`from '${pkg}'`, `from '${import.meta.resolve(pkg)}'`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'sanitize-bench-'));
  const file = join(dir, 'sanitize-baseline.ts');
  writeFileSync(file, source);
  const mod = (await import(pathToFileURL(file).href)) as { sanitizeContent: Sanitize };
  return { sanitize: mod.sanitizeContent, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Same mix as the ingest bench: 1–5 KB bodies from the feed generator. */
function corpus(): string[] {
  const r = rng(20260101);
  const out: string[] = [];
  for (let i = 0; i < ENTRIES; i++) out.push(entryHtml(r, 1000 + Math.floor(r() * 4000)));
  return out;
}

/** A few hostile bodies, timed separately (they are not the common case). */
const HOSTILE: [string, string][] = [
  ['raw-text breakouts', '<noembed><img title="</noembed><img src=x onerror=alert(1)>"></noembed><noframes><p title="</noframes><script>alert(1)</script>"></noframes><iframe><img title="</iframe><img src=x onerror=alert(1)>"></iframe><p>after</p>'.repeat(20)],
  ['hidden schemes', '<a href="jav&#x09;ascript:alert(1)">x</a><img src="&#106;avascript:alert(1)"><a href="//evil.example/">y</a><img srcset="a.png 1x, javascript:alert(1) 2x" src=b.png>'.repeat(40)],
  ['svg, math, comments', '<svg><script>alert(1)</script><text>t</text></svg><math><mi>x</mi></math><!-- <script>x</script> --><![CDATA[x]]><?pi x?><p>ok</p>'.repeat(40)],
  ['nesting 2,000 deep', '<div><b>'.repeat(1000) + 'deep' + '</b></div>'.repeat(1000)],
  ['attribute soup', '<p class=a id=b style="x" onclick=y title=t lang=en dir=RTL data-x=1 aria-label=z>text</p>'.repeat(60)],
];

function time(fn: Sanitize, inputs: readonly string[]): number {
  const start = process.hrtime.bigint();
  for (const html of inputs) fn(html, BASE);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const defaults: Sanitize = (html) => sanitizeHtml(html);

async function main(): Promise<void> {
  const { sanitize: baseline, cleanup } = await loadBaseline();
  try {
    const entries = corpus();
    const kb = entries.reduce((n, e) => n + e.length, 0) / entries.length / 1024;
    // Warm up all three (JIT), then interleave rounds so load on the machine hits each alike.
    for (const fn of [baseline, sanitizeContent, defaults]) time(fn, entries.slice(0, 100));
    const best = { baseline: Infinity, current: Infinity, defaults: Infinity };
    for (let round = 0; round < ROUNDS; round++) {
      best.baseline = Math.min(best.baseline, time(baseline, entries));
      best.current = Math.min(best.current, time(sanitizeContent, entries));
      best.defaults = Math.min(best.defaults, time(defaults, entries));
    }
    const per = (ms: number): string => (ms / entries.length).toFixed(3);
    console.log(`${entries.length} generated entries (avg ${kb.toFixed(1)} KB), best of ${ROUNDS} rounds, ms/entry:`);
    console.log(`  baseline (${BASELINE_REF})      ${per(best.baseline)}`);
    console.log(`  current                  ${per(best.current)}`);
    console.log(`  sanitize-html defaults   ${per(best.defaults)}  (reference)`);
    console.log(`  speed-up baseline/current: ${(best.baseline / best.current).toFixed(2)}x`);

    console.log('hostile samples, ms/call (baseline → current):');
    for (const [name, html] of HOSTILE) {
      const runs = 5;
      let b = Infinity;
      let c = Infinity;
      for (let i = 0; i < runs; i++) {
        b = Math.min(b, time(baseline, [html]));
        c = Math.min(c, time(sanitizeContent, [html]));
      }
      console.log(`  ${name.padEnd(22)} ${(html.length / 1024).toFixed(1).padStart(5)} KB  ${b.toFixed(2)} → ${c.toFixed(2)}`);
    }
  } finally {
    cleanup();
  }
}

await main();

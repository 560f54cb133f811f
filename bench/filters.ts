// Micro-benchmark of filter rules (docs/decisions/0017-filter-rules.md). Run:
//   flock /tmp/planet-bench.lock npx tsx bench/filters.ts
// Decides the same corpus of stored posts (1–5 KB of HTML each, the ingest bench's mix) under rule
// sets of growing cost, against the baseline of deciding with no rules at all, in one run; then the
// regular-expression engines alone (RE2 in JavaScript vs V8's backtracking RegExp) on the same text,
// and the hostile case the engine choice is about.
// Knobs: FILTERS_BENCH_ENTRIES (default 2000), FILTERS_BENCH_ROUNDS (default 5).
import { RE2JS } from 're2js';
import { compileFilters, decide, filterSubject, NO_FILTERS, REGEX_TEXT_CHARS, type CompiledFilters } from '../src/pipeline/filters.js';
import { sanitizeContent } from '../src/pipeline/sanitize.js';
import { entryHtml, rng } from '../tests/helpers/feed-gen.js';

const ENTRIES = Number(process.env.FILTERS_BENCH_ENTRIES ?? 2000);
const ROUNDS = Number(process.env.FILTERS_BENCH_ROUNDS ?? 5);

const r = rng(20260109);
const posts = Array.from({ length: ENTRIES }, (_, i) => ({
  title: `Post ${i} about ${['kernels', 'databases', 'conferences', 'gardening'][i % 4]}`,
  author: `Author ${i % 50}`,
  categories: [{ term: ['linux', 'rust', 'events', 'misc'][i % 4]!, scheme: null, label: null }],
  language: i % 7 === 0 ? 'de-AT' : 'en',
  contentHtml: sanitizeContent(entryHtml(r, 1000 + Math.floor(r() * 4000)), 'https://blog.example.org/post'),
  summaryHtml: null,
}));
const textBytes = posts.reduce((n, p) => n + p.contentHtml.length, 0);

const lists = (include: string[], exclude: string[]): CompiledFilters => {
  const c = compileFilters({ include, exclude });
  if (!c.ok) throw new Error(c.reason);
  return c.filters;
};
const words = (n: number) => Array.from({ length: n }, (_, i) => `text:unlikelyword${i}`);
const REGEXES = ['text:/sponsor(ed|ship)/i', 'title:/^release v\\d+[.\\d]*/i', 'text:/\\bbuy\\s+now\\b/i', 'text:/\\+\\d-\\d{3}-\\d{4}/', 'text:/crypto|giveaway|casino/i'];
const SETS: [string, CompiledFilters][] = [
  ['no rules (baseline)', NO_FILTERS],
  ['4 rules: category, author, lang, title words', lists(['category:linux', 'category:rust'], ['author:author 3', 'lang:fr', 'title:sponsored'])],
  ['20 word rules', lists([], words(20))],
  ['500 word rules (the most in one list)', lists([], words(500))],
  ['5 regular expressions (RE2)', lists([], REGEXES)],
  ['32 regular expressions (the most in one list)', lists([], Array.from({ length: 32 }, (_, i) => REGEXES[i % REGEXES.length]!.replace('/i', `|nomatch${i}/i`)))],
];

function timeDecisions(rules: CompiledFilters): number {
  const t = performance.now();
  // A fresh subject per post and set, as a refresh or a re-application builds it.
  for (const p of posts) decide(filterSubject(p), NO_FILTERS, rules);
  return performance.now() - t;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`filters: ${ENTRIES} posts, ${(textBytes / 1e6).toFixed(1)} MB of sanitized HTML, median of ${ROUNDS} interleaved rounds`);
const times = new Map<string, number[]>(SETS.map(([name]) => [name, []]));
for (let round = 0; round < ROUNDS + 1; round++) {
  for (const [name, rules] of SETS) {
    const ms = timeDecisions(rules);
    if (round > 0) times.get(name)!.push(ms); // round 0 warms up
  }
}
const base = median(times.get(SETS[0]![0])!);
for (const [name] of SETS) {
  const ms = median(times.get(name)!);
  console.log(`  ${name.padEnd(48)} ${(ms / ENTRIES * 1000).toFixed(1).padStart(7)} µs/post  ${(ms / base).toFixed(2).padStart(6)}× baseline`);
}

// The engines alone, on the text a regular expression reads.
const text = filterSubject(posts[0]!).regexText() + filterSubject(posts[1]!).regexText();
console.log(`\nregular expressions alone, on ${text.length} characters (MB/s; higher is better)`);
for (const [pattern, flags] of [['sponsor(ed|ship)', 'i'], ['\\bbuy\\s+now\\b', 'i'], ['crypto|giveaway|casino', 'i']] as const) {
  const native = new RegExp(pattern, flags);
  const re2 = RE2JS.compile(pattern, RE2JS.CASE_INSENSITIVE);
  const rate = (fn: () => boolean) => {
    for (let i = 0; i < 20; i++) fn();
    const n = 300;
    const t = performance.now();
    for (let i = 0; i < n; i++) fn();
    return (text.length * n) / ((performance.now() - t) / 1000) / 1e6;
  };
  const a = rate(() => native.test(text));
  const b = rate(() => re2.test(text));
  console.log(`  /${pattern}/${flags}`.padEnd(30), `V8 RegExp ${a.toFixed(0).padStart(5)}   re2js ${b.toFixed(0).padStart(4)}   (re2js ${(a / b).toFixed(1)}× slower)`);
}

// The case the engine is for: nested repetition on a post made to defeat it. Refused as a rule
// (safe-regex2), but what V8's backtracking does with it shows what RE2 saves the pass from;
// overlapping alternatives, /(a|aa)+$/, pass that check and grow the same way in V8.
console.log('\n/(a+)+$/ on a run of "a" and one "!" (time doubles with each "a" in a backtracking engine)');
for (const n of [18, 20, 22, 24]) {
  const input = `${'a'.repeat(n)}!`;
  const t = performance.now();
  /(a+)+$/.test(input);
  console.log(`  V8 RegExp, ${n} characters: ${(performance.now() - t).toFixed(0)} ms`);
}
for (const pattern of ['(a+)+$', '(a|aa)+$']) {
  const hostile = `${'a'.repeat(REGEX_TEXT_CHARS - 1)}!`;
  const re = RE2JS.compile(pattern);
  const t = performance.now();
  re.test(hostile);
  console.log(`  re2js /${pattern}/, ${REGEX_TEXT_CHARS} characters (the most a rule reads): ${(performance.now() - t).toFixed(1)} ms`);
}

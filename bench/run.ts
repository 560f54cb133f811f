// `npm run bench`: the ingest benchmark, then the serving and operations parts.
// Figures are reported as ratios against a baseline measured in the same run (machines are noisy).
import { benchIngest } from './ingest.js';

const log = (s: string) => console.log(s);
const only = process.argv[2];

if (!only || only === 'ingest') {
  log('== ingest: 1,000 feeds × 20 entries ==');
  await benchIngest({ feeds: Number(process.env.BENCH_FEEDS ?? 1000), log });
}

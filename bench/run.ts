// `npm run bench [-- ingest|serve|read|soak]`: every benchmark, or one part. Each part reports
// against a baseline measured in the same run (these machines are noisy):
//   ingest  1,000 feeds × 20 entries from a local host: cold pass, warm pass (all 304), peak RSS,
//           stage times; baseline = the same fetches doing nothing with the bytes
//   serve   wrk at 50 connections on /, /atom.xml and a conditional request to `planet serve`
//           with 1 and 2 workers, against nginx with as many workers serving the `planet build`
//           output of the same database; medians of alternating rounds (needs wrk and nginx)
//   read    p99 of GET / while a pass writes 10,000 entries, in-process vs a separate process,
//           against the idle p99
//   soak    200 passes over 500 feeds with changing content: RSS and database size, start → end
// Sizes: BENCH_FEEDS (ingest, default 1000), SOAK_PASSES (200), SOAK_FEEDS (500), READ_FEEDS (500).
// Ingest: BENCH_ROUNDS (default 3; medians), BENCH_AGAINST=DIR[,DIR] other built checkouts whose
// bin/planet.js runs in the same rounds (e.g. the code before a change).
import { rmSync } from 'node:fs';
import { benchIngest } from './ingest.js';
import { benchReadDuringPass, benchSoak } from './ops.js';
import { benchServe } from './serve.js';

const log = (s: string) => console.log(s);
const parts = process.argv.slice(2);
const want = (part: string) => parts.length === 0 || parts.includes(part);
const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

let ingestDir: string | undefined;
try {
  let dbPath: string | undefined;
  if (want('ingest') || want('serve')) {
    log(`== ingest: ${num('BENCH_FEEDS', 1000)} feeds × 20 entries ==`);
    const against = process.env.BENCH_AGAINST?.split(',').filter(Boolean) ?? [];
    const ingest = await benchIngest({ feeds: num('BENCH_FEEDS', 1000), rounds: num('BENCH_ROUNDS', 3), against, log, keepDatabase: want('serve') });
    ingestDir = ingest.dir;
    dbPath = ingest.dbPath;
  }
  if (want('serve') && dbPath) {
    log('\n== serve: the ingested planet, ours vs nginx serving planet build ==');
    await benchServe({ dbPath, log });
  }
  if (want('read')) {
    log('\n== read during a pass: p99 of GET / ==');
    await benchReadDuringPass({ feeds: num('READ_FEEDS', 500), log });
  }
  if (want('soak')) {
    log(`\n== soak: ${num('SOAK_PASSES', 200)} passes × ${num('SOAK_FEEDS', 500)} feeds ==`);
    await benchSoak({ passes: num('SOAK_PASSES', 200), feeds: num('SOAK_FEEDS', 500), log });
  }
} finally {
  if (ingestDir) rmSync(ingestDir, { recursive: true, force: true });
}

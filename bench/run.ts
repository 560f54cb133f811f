// `npm run bench [-- ingest|serve|read|soak|cases|parse|subscriptions|websub]`: every benchmark, or one part. Each part reports
// against a baseline measured in the same run (these machines are noisy):
//   ingest  1,000 feeds × 20 entries from a local host: cold pass, warm pass (all 304), peak RSS,
//           stage times; baseline = the same fetches doing nothing with the bytes
//   serve   wrk at 50 connections on /, /atom.xml and a conditional request to `planet serve`
//           with 1 and 2 workers, against nginx with as many workers serving the `planet build`
//           output of the same database; medians of alternating rounds (needs wrk and nginx);
//           and the footprint: RSS of `planet serve` after serving, peak RSS and output of `planet build`
//   read    p99 of GET / while a pass writes 10,000 entries, in-process vs a separate process,
//           against the idle p99
//   soak    200 passes over 500 feeds with changing content: RSS and database size, start → end
//   cases   feedparser-style cases through `planet check URL --json`, scored per part, against the
//           baseline build (BASELINE: a built checkout of an earlier version) and Python's feedparser if installed
//   parse   parse and parse + sanitize MB/s on one thread, 20 to 2,000 entries, against the baseline
//   subscriptions  OPML import of N outlines, then again under other spellings; a reading list of N
//           added and re-read; baseline = the build before aliases (BASELINE)
//   websub  a hub's delivery → the post on / (p50, p99 over ≥ 100 deliveries to `planet serve`),
//           against the polling it replaces: a measured pass plus half the schedule's interval
// Sizes: BENCH_FEEDS (ingest, default 1000), SOAK_PASSES (200), SOAK_FEEDS (500), READ_FEEDS (500),
// SUBS_OUTLINES (subscriptions, 2000), WEBSUB_DELIVERIES (200).
// Ingest: BENCH_ROUNDS (default 3; medians), BENCH_AGAINST=DIR[,DIR] other built checkouts whose
// bin/planet.js runs in the same rounds (e.g. the code before a change; the serve part then also
// serves `/` from each, bench/serve-against.ts), BENCH_PASS_START=serve
// (default: as `planet serve` runs its scheduled passes, the default deployment, with the flags
// pass/child-process.ts gives them) or command (as the `planet fetch` command runs from cron,
// with bin/planet.js's node flags).
import { rmSync } from 'node:fs';
import { benchFeedCases } from './feed-cases.js';
import { benchIngest } from './ingest.js';
import { benchParseThroughput } from './parse-throughput.js';
import { benchReadDuringPass, benchSoak } from './ops.js';
import { benchServe } from './serve.js';
import { benchServeAgainst } from './serve-against.js';
import { benchSubscriptions } from './subscriptions.js';
import { benchWebsub } from './websub.js';

const log = (s: string) => console.log(s);
const parts = process.argv.slice(2);
const want = (part: string) => parts.length === 0 || parts.includes(part);
const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
/** Other built checkouts measured in the same rounds (BENCH_AGAINST). */
const against = process.env.BENCH_AGAINST?.split(',').filter(Boolean) ?? [];

let ingestDir: string | undefined;
try {
  let dbPath: string | undefined;
  if (want('ingest') || want('serve')) {
    const start = process.env.BENCH_PASS_START ?? 'serve';
    if (start !== 'command' && start !== 'serve') throw new Error(`BENCH_PASS_START is command or serve, not "${start}"`);
    log(`== ingest: ${num('BENCH_FEEDS', 1000)} feeds × 20 entries, passes started as ${start === 'serve' ? 'planet serve starts them' : 'the planet fetch command'} ==`);
    const ingest = await benchIngest({ feeds: num('BENCH_FEEDS', 1000), rounds: num('BENCH_ROUNDS', 3), against, log, keepDatabase: want('serve'), start });
    ingestDir = ingest.dir;
    dbPath = ingest.dbPath;
  }
  if (want('serve') && dbPath) {
    log('\n== serve: the ingested planet, ours vs nginx serving planet build ==');
    await benchServe({ dbPath, log });
    if (against.length) {
      log('\n== serve: / against the other builds, each on a planet it seeded ==');
      await benchServeAgainst({ against, log });
    }
  }
  if (want('read')) {
    log('\n== read during a pass: p99 of GET / ==');
    await benchReadDuringPass({ feeds: num('READ_FEEDS', 500), log });
  }
  if (want('cases')) {
    log('\n== cases: feedparser-style cases through planet check ==');
    await benchFeedCases({ log });
  }
  if (want('parse')) {
    log('\n== parse: throughput on one thread ==');
    await benchParseThroughput({ log });
  }
  if (want('soak')) {
    log(`\n== soak: ${num('SOAK_PASSES', 200)} passes × ${num('SOAK_FEEDS', 500)} feeds ==`);
    await benchSoak({ passes: num('SOAK_PASSES', 200), feeds: num('SOAK_FEEDS', 500), log });
  }
  if (want('subscriptions')) {
    log(`\n== subscriptions: recognising what is already subscribed, ${num('SUBS_OUTLINES', 2000)} outlines ==`);
    await benchSubscriptions({ outlines: num('SUBS_OUTLINES', 2000), rounds: 3, log });
  }
  if (want('websub')) {
    log(`\n== websub: ${num('WEBSUB_DELIVERIES', 200)} deliveries, hub → post on / ==`);
    await benchWebsub({ deliveries: num('WEBSUB_DELIVERIES', 200), log });
  }
} finally {
  if (ingestDir) rmSync(ingestDir, { recursive: true, force: true });
}

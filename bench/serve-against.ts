// `/` against other builds (BENCH_AGAINST=DIR[,DIR], e.g. the code before a change): each build's
// `planet serve --no-fetch` (one process, its own bin/planet.js node flags, its JSON log to a file)
// on a planet its own code seeded (bench/seed-serve.ts), wrk on `/` alternating between the servers
// round by round (the order reversed every other round). Per build: median req/s, the CPU time the
// server used per request answered (/proc/PID/stat over its rounds: steadier than req/s on a noisy
// machine), and RSS after. Per other build: our req/s over its, round by round, the median of those
// ratios and the ratio of the sums. Knobs: BENCH_AGAINST_ROUNDS (10), BENCH_AGAINST_SECONDS (5).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ACCEPT, descendants, measure, median, rssOf, serveBenchConfig, startPlanetServe, stopChild, type Child } from './serve.js';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ROUNDS = Number(process.env.BENCH_AGAINST_ROUNDS ?? 10);
const SECONDS = Number(process.env.BENCH_AGAINST_SECONDS ?? 5);

interface Server {
  name: string;
  child: Child;
  url: string;
  rounds: { requests_per_second: number; cpu_us_per_request: number }[];
}

/** CPU seconds (user + system) a process and the processes below it have used so far. */
function cpuSeconds(pid: number, ticksPerSecond: number): number {
  let ticks = 0;
  for (const p of [pid, ...descendants(pid)]) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
    } catch {
      // exited meanwhile
    }
  }
  return ticks / ticksPerSecond;
}

/** Seeds a planet with the build's own code, then starts that build's `planet serve` on it. */
async function startServe(work: string, name: string, checkout: string, index: number): Promise<Server> {
  const root = path.resolve(checkout);
  const dbPath = path.join(work, `planet-${index}.db`);
  await run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', 'seed-serve.ts'), root, dbPath], { cwd: ROOT, timeout: 300_000 });
  const { child, url } = await startPlanetServe(work, serveBenchConfig(dbPath), 1, { name, bin: path.join(root, 'bin', 'planet.js') });
  return { name, child, url, rounds: [] };
}

export async function benchServeAgainst(opts: { against: string[]; log: (s: string) => void }): Promise<Record<string, unknown>> {
  const { log } = opts;
  if (!Number.isInteger(ROUNDS) || ROUNDS < 2) throw new Error(`bench: BENCH_AGAINST_ROUNDS must be an integer ≥ 2 (got "${process.env.BENCH_AGAINST_ROUNDS}")`);
  if (!Number.isInteger(SECONDS) || SECONDS < 1) throw new Error(`bench: BENCH_AGAINST_SECONDS must be an integer ≥ 1 (got "${process.env.BENCH_AGAINST_SECONDS}")`);
  const ticksPerSecond = Number((await run('getconf', ['CLK_TCK'])).stdout.trim()) || 100;
  const work = mkdtempSync(path.join(tmpdir(), 'planet-bench-against-'));
  const servers: Server[] = [];
  try {
    log(`/ against ${opts.against.join(', ')}: one process each, wrk -c50 ${SECONDS} s × ${ROUNDS} rounds alternating, after 2 s of warm-up each`);
    for (const [name, checkout] of [['ours', ROOT], ...opts.against.map((dir) => [dir, dir])] as const) servers.push(await startServe(work, name, checkout, servers.length));
    for (const s of servers) await measure(`${s.url}/`, ACCEPT, 2);
    for (let round = 0; round < ROUNDS; round++) {
      for (const s of round % 2 ? [...servers].reverse() : servers) {
        const before = cpuSeconds(s.child.proc.pid!, ticksPerSecond);
        const result = await measure(`${s.url}/`, ACCEPT, SECONDS);
        const cpu = cpuSeconds(s.child.proc.pid!, ticksPerSecond) - before;
        s.rounds.push({ requests_per_second: result.requests_per_second, cpu_us_per_request: Math.round((cpu / result.requests) * 1e7) / 10 });
      }
    }
    const [ours, ...others] = servers as [Server, ...Server[]];
    const summary = (s: Server) => ({
      requests_per_second: Math.round(median(s.rounds.map((r) => r.requests_per_second))),
      cpu_us_per_request: Math.round(median(s.rounds.map((r) => r.cpu_us_per_request)) * 10) / 10,
      rss_after_bytes: rssOf(s.child.proc.pid!).rss_bytes,
      rounds: s.rounds,
    });
    const oursSummary = summary(ours);
    const line = (name: string, s: ReturnType<typeof summary>) =>
      `  ${name}: ${s.requests_per_second} req/s (median), ${s.cpu_us_per_request} µs CPU a request, RSS after ${Math.round(s.rss_after_bytes / 1048576)} MB`;
    log(line('ours', oursSummary));
    const sum = (s: Server) => s.rounds.reduce((n, r) => n + r.requests_per_second, 0);
    const against = others.map((o) => {
      const theirs = summary(o);
      const ratios = ours.rounds.map((r, i) => r.requests_per_second / o.rounds[i]!.requests_per_second);
      const ratio = Math.round(median(ratios) * 1000) / 1000;
      const ratioOfSums = Math.round((sum(ours) / sum(o)) * 1000) / 1000;
      const cpuRatio = Math.round((oursSummary.cpu_us_per_request / theirs.cpu_us_per_request) * 100) / 100;
      log(line(o.name, theirs));
      log(`  ours / ${o.name}: ${ratio} (median of rounds ${ratios.map((r) => r.toFixed(2)).sort().join(' ')}; sums ${ratioOfSums}); CPU a request ${cpuRatio}×`);
      return { checkout: o.name, ...theirs, ratio, ratio_of_sums: ratioOfSums, cpu_ratio: cpuRatio, round_ratios: ratios.map((r) => Math.round(r * 1000) / 1000) };
    });
    return { rounds: ROUNDS, seconds_per_run: SECONDS, ours: oursSummary, against };
  } finally {
    for (const s of servers) await stopChild(s.child, 'SIGTERM', log);
    rmSync(work, { recursive: true, force: true });
  }
}

// Runnable alone: BENCH_AGAINST=DIR npx tsx bench/serve-against.ts
if (import.meta.url === `file://${process.argv[1]}`) {
  const against = process.env.BENCH_AGAINST?.split(',').filter(Boolean) ?? [];
  if (!against.length) throw new Error('bench: set BENCH_AGAINST=DIR[,DIR] (other built checkouts)');
  await benchServeAgainst({ against, log: (s) => console.log(s) });
}

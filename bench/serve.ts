// Serving bench: wrk at 50 connections against `planet serve` (/, /atom.xml, a conditional /) and, as
// the baseline, against nginx serving the `planet build` output of the same database; for `/`, also a
// bare node:http listener sending the same bytes (the most Node itself can do here). Once per worker
// count W in BENCH_SERVE_WORKERS (default 1,2). Also the footprint: `planet build` as its own process
// (files, bytes, peak RSS), and the RSS of `planet serve` (each process) after the wrk cases and again
// after a crawler has read every page once.
// Alone: `npx tsx bench/serve.ts [DB]` (seeds 1,000 feeds × 20 entries into a temp database without DB);
// it runs the compiled server, so `npm run build` first (`npm run bench` does).
// Knobs: BENCH_SERVE_WORKERS (1,2), BENCH_SERVE_ROUNDS (3), BENCH_SERVE_SECONDS per wrk run (8).
//
// Fair by construction:
// - Same processes: ours is the command users run, `planet serve --no-fetch` with
//   `server.workers: W`, its JSON log on stdout redirected to a file as a service manager would;
//   nginx runs `worker_processes W`; the bare listener is W node:cluster workers. The bench checks
//   that W distinct processes of ours answered requests, so a W that did not fork is not reported.
// - Same logging: both log every request, buffered (ours at `info`, pino's asynchronous destination;
//   nginx `access_log … buffer=8k flush=1s`); the log lines counted against wrk's requests are in
//   the result.
// - Same bytes: every request carries `Accept-Encoding: gzip` as browsers' requests do; nginx serves
//   gzip files made ahead of time (`gzip_static`, the bench writes the .gz siblings, sendfile on), as
//   our server serves compressed bytes made once per document.
// - Same start: ours (serve, and build) with the node flags on bin/planet.js's first line, as `planet` starts.
// - Same conditions: same wrk parameters, loopback. This machine is noisy (±30% between back-to-back
//   runs), so each case is warmed on both sides, then measured in BENCH_SERVE_ROUNDS rounds that
//   alternate ours / nginx (drift hits both alike); we report each side's median req/s and median
//   p99, and the ratio of the medians.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { stringify } from 'yaml';
import { openDb, type Db } from '../src/db/open.js';
import { feedUrlKey } from '../src/model.js';
import { nodeFlagsOf } from './node-flags.js';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PLANET_BIN = path.join(ROOT, 'bin', 'planet.js');
/**
 * The node flags `planet` starts with (its `#!/usr/bin/env -S node …` line): `planet serve` is run
 * with them, as users run it, but by this bench's node binary (docs/decisions/0028-serve-footprint.md).
 */
const NODE_FLAGS = nodeFlagsOf(PLANET_BIN);
const SECONDS = Number(process.env.BENCH_SERVE_SECONDS ?? 8);
const ROUNDS = Number(process.env.BENCH_SERVE_ROUNDS ?? 3);
const WARMUP_SECONDS = 2;
const CONNECTIONS = 50;
/** How long a server may take to start, and to stop after SIGTERM / SIGQUIT. */
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 40_000;
/** What a browser's request says; gzip only, so both servers send the same encoding (nginx has no brotli module). */
export const ACCEPT = { 'Accept-Encoding': 'gzip' };
/** Passed on to `planet serve`, which reads it; `info` unless set. */
const LOG_LEVEL = process.env.LOG_LEVEL ?? 'info';
const TARGET = { throughput_ratio_min: 0.5, p99_ms_max: 25 };

interface WrkResult {
  requests_per_second: number;
  p50_ms: number;
  p99_ms: number;
  requests: number;
  non_2xx_3xx: number;
}

/** One side of a case over the rounds: medians, and every round as measured. */
interface SideResult {
  requests_per_second: number;
  p99_ms: number;
  rounds: WrkResult[];
}

function ms(value: string, unit: string): number {
  const n = Number(value);
  return unit === 'us' ? n / 1000 : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : n;
}

async function wrk(url: string, headers: Record<string, string> = {}, seconds = SECONDS): Promise<WrkResult> {
  const args = ['-t2', `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]), url];
  const { stdout } = await run('wrk', args, { timeout: (seconds + 30) * 1000 });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? NaN);
  const p = (q: string) => {
    const m = new RegExp(`^\\s+${q}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(stdout);
    return m ? Math.round(ms(m[1]!, m[2]!) * 100) / 100 : NaN;
  };
  const requests = Number(/(\d+) requests in/.exec(stdout)?.[1] ?? NaN);
  const bad = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
  return { requests_per_second: Math.round(rps), p50_ms: p('50'), p99_ms: p('99'), requests, non_2xx_3xx: bad };
}

/** A wrk run that fails the bench on error responses (a 404 page is not throughput). */
export async function measure(url: string, headers: Record<string, string>, seconds = SECONDS): Promise<WrkResult> {
  const result = await wrk(url, headers, seconds);
  if (result.non_2xx_3xx) throw new Error(`bench: ${result.non_2xx_3xx} error responses from ${url}`);
  return result;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

function summarize(rounds: WrkResult[]): SideResult {
  return {
    requests_per_second: Math.round(median(rounds.map((r) => r.requests_per_second))),
    p99_ms: round2(median(rounds.map((r) => r.p99_ms))),
    rounds,
  };
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

/** BENCH_SERVE_WORKERS as a list; the other knobs checked too, before minutes are spent. */
function envWorkers(): number[] {
  const raw = process.env.BENCH_SERVE_WORKERS ?? '1,2';
  const list = raw.split(',').map((s) => Number(s.trim()));
  if (list.some((w) => !Number.isInteger(w) || w < 1)) throw new Error(`bench: BENCH_SERVE_WORKERS must list integers ≥ 1, e.g. 1,2 (got "${raw}")`);
  if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error(`bench: BENCH_SERVE_ROUNDS must be an integer ≥ 1 (got "${process.env.BENCH_SERVE_ROUNDS}")`);
  if (!Number.isInteger(SECONDS) || SECONDS < 1) throw new Error(`bench: BENCH_SERVE_SECONDS must be an integer ≥ 1 (got "${process.env.BENCH_SERVE_SECONDS}")`);
  return list;
}

// ---- child processes: ours, nginx, the bare listener ------------------------------------------

export interface Child {
  name: string;
  proc: ChildProcess;
  /** What it wrote on stderr so far (for error messages). */
  stderr(): string;
}

export function startChild(name: string, command: string, args: string[], options: { stdout: number | 'ignore'; env?: NodeJS.ProcessEnv }): Child {
  const proc = spawn(command, args, { cwd: ROOT, env: options.env ?? process.env, stdio: ['ignore', options.stdout, 'pipe'] });
  let stderr = '';
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (s: string) => {
    if (stderr.length < 64 * 1024) stderr += s;
  });
  proc.on('error', (err) => {
    stderr += `\n${err.message}`;
  });
  return { name, proc, stderr: () => stderr };
}

const running = (proc: ChildProcess) => proc.pid !== undefined && proc.exitCode === null && proc.signalCode === null;

/** Polls until `ready()` holds; fails at once, with its stderr, if the process exits first. */
export async function waitReady(child: Child, what: string, ready: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (!running(child.proc)) {
      await new Promise((r) => setTimeout(r, 100)); // let the last of stderr arrive
      const how = child.proc.exitCode ?? child.proc.signalCode ?? 'failed to start';
      throw new Error(`bench: ${child.name} exited (${how}) before ${what}; its stderr:\n${child.stderr().trim()}`);
    }
    if (await ready().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`bench: ${child.name} not ${what} after ${START_TIMEOUT_MS / 1000} s; its stderr:\n${child.stderr().trim()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function answers200(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await res.arrayBuffer();
  return res.status === 200;
}

/** Every process below `pid` (Linux /proc; workers forked by a cluster primary, nginx's workers). */
export function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited meanwhile
    }
  }
  const out: number[] = [];
  for (let level = [pid]; level.length; ) {
    level = [...parent].filter(([, ppid]) => level.includes(ppid)).map(([p]) => p);
    out.push(...level);
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Signals the process (ours SIGTERM, nginx SIGQUIT: each one's graceful stop) and waits for it; then
 * makes sure no process it had forked outlives it. Never throws (it runs in `finally`): what went
 * wrong is logged, and whatever is left is killed by pid.
 */
export async function stopChild(child: Child, signal: NodeJS.Signals, log: (s: string) => void): Promise<void> {
  const { proc } = child;
  if (!running(proc)) return;
  const forked = descendants(proc.pid!);
  const exited = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), STOP_TIMEOUT_MS);
    proc.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  proc.kill(signal);
  if (!(await exited)) {
    log(`  bench: ${child.name} still running ${STOP_TIMEOUT_MS / 1000} s after ${signal}; killing it`);
    proc.kill('SIGKILL');
  }
  const deadline = Date.now() + 2000;
  while (forked.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const left = forked.filter(alive);
  if (left.length) {
    log(`  bench: ${child.name} left ${left.length} process(es) running after ${signal} (${left.join(', ')}); killing them`);
    for (const pid of left) process.kill(pid, 'SIGKILL');
  }
  proc.stderr?.destroy();
}

/** A build's `planet` command: its bin/planet.js, run with the node flags of that file's first line. */
export interface PlanetBuild {
  /** Names its files and its messages. */
  name: string;
  bin: string;
}

/** The serving bench's configuration file without its `server` section (each start adds its own). */
export const serveBenchConfig = (database: string) => ({ planet: { name: 'Bench Planet', link: 'http://127.0.0.1/' }, database, fetch: { allow_private_addresses: true } });

const THIS_BUILD: PlanetBuild = { name: 'ours', bin: PLANET_BIN };

/** `planet serve --no-fetch` as a service manager runs it: its own process(es), stdout to a log file. */
export async function startPlanetServe(work: string, baseConfig: Record<string, unknown>, workers: number, build = THIS_BUILD): Promise<{ child: Child; url: string; logPath: string }> {
  const port = await freePort();
  const file = path.join(work, `planet-${build.name.replace(/[^\w.-]+/g, '_')}-w${workers}`);
  const configPath = `${file}.yaml`;
  writeFileSync(configPath, stringify({ ...baseConfig, server: { host: '127.0.0.1', port, workers } }));
  const logPath = `${file}.log`;
  const logFd = openSync(logPath, 'a');
  // The config file alone says where to listen and which database: no environment override.
  const { HOST: _host, PORT: _port, PLANET_DB: _db, PLANET_CONFIG: _config, ...env } = process.env;
  const flags = build.bin === PLANET_BIN ? NODE_FLAGS : nodeFlagsOf(build.bin);
  const name = build === THIS_BUILD ? `planet serve (workers ${workers})` : `planet serve of ${build.name} (workers ${workers})`;
  const child = startChild(name, process.execPath, [...flags, build.bin, 'serve', '--no-fetch', '--config', configPath], { stdout: logFd, env });
  closeSync(logFd);
  const url = `http://127.0.0.1:${port}`;
  // It says so on stderr once listening; /healthz answering 200 confirms a worker took the port.
  await waitReady(child, 'serving', async () => /^planet: serving .* at http:\/\//m.test(child.stderr()) && (await answers200(`${url}/healthz`)));
  return { child, url, logPath };
}

async function startNginx(work: string, site: string, workers: number): Promise<{ child: Child; url: string; logPath: string }> {
  const port = await freePort();
  const conf = path.join(work, `nginx-w${workers}.conf`);
  const logPath = path.join(work, `nginx-w${workers}-access.log`);
  writeFileSync(
    conf,
    `worker_processes ${workers};
daemon off;
pid ${work}/nginx-w${workers}.pid;
error_log ${work}/nginx-w${workers}-error.log warn;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  default_type text/html;
  log_format planet '$remote_addr [$time_local] "$request" $status $body_bytes_sent $request_time';
  access_log ${logPath} planet buffer=8k flush=1s;
  sendfile on;
  tcp_nopush on;
  gzip_static on;
  gzip_vary on;
  keepalive_requests 100000;
  client_body_temp_path ${work}/tmp; proxy_temp_path ${work}/tmp; fastcgi_temp_path ${work}/tmp; uwsgi_temp_path ${work}/tmp; scgi_temp_path ${work}/tmp;
  server {
    listen 127.0.0.1:${port};
    root ${site};
    location / { try_files $uri $uri.html $uri/index.html =404; }
  }
}
`,
  );
  const child = startChild(`nginx (worker_processes ${workers})`, 'nginx', ['-c', conf, '-p', work], { stdout: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  await waitReady(child, 'serving', () => answers200(`${url}/`));
  return { child, url, logPath };
}

/**
 * Node's HTTP layer alone, as a second reference: W processes (node:cluster, one listener without
 * it) answering every request with the headers and bytes our server sends for `/` (gzip), taken
 * from it, and doing nothing else. A file, not `node -e`: cluster workers re-run the primary's script.
 */
const BARE_NODE_SCRIPT = `import cluster from 'node:cluster';
import http from 'node:http';
import { readFileSync } from 'node:fs';
const [port, workers, headersFile, bodyFile] = process.argv.slice(2);
if (cluster.isPrimary && Number(workers) > 1) {
  let stopping = false;
  for (let i = 0; i < Number(workers); i++) cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (!stopping) { console.error('bare node: a worker exited', code ?? signal); process.exit(1); }
    if (!Object.keys(cluster.workers).length) process.exit(0);
  });
  process.once('SIGTERM', () => { stopping = true; for (const w of Object.values(cluster.workers)) w.kill(); });
} else {
  const headers = JSON.parse(readFileSync(headersFile, 'utf8'));
  const body = readFileSync(bodyFile);
  const server = http.createServer((_req, res) => { res.writeHead(200, headers); res.end(body); });
  server.keepAliveTimeout = 72_000;
  server.listen(Number(port), '127.0.0.1');
  process.once('SIGTERM', () => process.exit(0));
}
`;

async function startBareNode(work: string, ours: string, workers: number): Promise<{ child: Child; url: string }> {
  const { headers, body } = await new Promise<{ headers: Record<string, string>; body: Buffer }>((resolve, reject) => {
    http
      .get(`${ours}/`, { headers: ACCEPT }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const h: Record<string, string> = {};
          for (let i = 0; i < res.rawHeaders.length; i += 2) h[res.rawHeaders[i]!.toLowerCase()] = res.rawHeaders[i + 1]!;
          for (const name of ['date', 'connection', 'keep-alive']) delete h[name];
          resolve({ headers: h, body: Buffer.concat(chunks) });
        });
      })
      .on('error', reject);
  });
  const script = path.join(work, 'bare-node.mjs');
  writeFileSync(script, BARE_NODE_SCRIPT);
  writeFileSync(path.join(work, 'bare-node-headers.json'), JSON.stringify(headers));
  writeFileSync(path.join(work, 'bare-node-body'), body);
  const port = await freePort();
  const child = startChild(`bare node:http (${workers} process${workers > 1 ? 'es' : ''})`, process.execPath, [script, String(port), String(workers), path.join(work, 'bare-node-headers.json'), path.join(work, 'bare-node-body')], { stdout: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  await waitReady(child, 'serving', () => answers200(`${url}/`));
  return { child, url };
}

// ---- checks ---------------------------------------------------------------------------------

/**
 * What a browser revalidating its copy sends: the same Accept-Encoding and the ETag it got with it.
 * Checks the answer is a bodiless 304 before wrk hammers it. (This once crashed with "no validator":
 * nginx, its workers running as an unprivileged user, could not enter the 0700 temp directory and
 * answered 404 pages, which have no ETag, and which wrk had been counting as nginx's throughput.)
 */
async function conditionalHeaders(url: string): Promise<Record<string, string>> {
  const res = await fetch(url, { headers: ACCEPT });
  await res.arrayBuffer();
  const etag = res.headers.get('etag');
  if (!etag) throw new Error(`bench: ${url} sent no ETag (status ${res.status})`);
  const headers = { ...ACCEPT, 'If-None-Match': etag };
  const check = await fetch(url, { headers });
  if (check.status !== 304 || (await check.arrayBuffer()).byteLength) throw new Error(`bench: ${url} answered ${check.status} to If-None-Match ${etag}`);
  return headers;
}

/** Our first request renders and caches the page; both must answer 200 with gzip, not an error page. */
async function checkServesGzip(base: string): Promise<void> {
  for (const p of ['/', '/atom.xml']) {
    const res = await fetch(base + p, { headers: ACCEPT });
    await res.arrayBuffer();
    if (res.status !== 200 || res.headers.get('content-encoding') !== 'gzip') throw new Error(`bench: ${base}${p} answered ${res.status}, ${res.headers.get('content-encoding') ?? 'uncompressed'}`);
  }
}

/** Read in chunks: a log holds a line per request, hundreds of MB after a run. */
function readLines(file: string, each: (line: string) => void): void {
  const fd = openSync(file, 'r');
  const buf = Buffer.alloc(1 << 20);
  let rest = '';
  try {
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) {
      const lines = (rest + buf.toString('utf8', 0, n)).split('\n');
      rest = lines.pop()!;
      for (const line of lines) each(line);
    }
    if (rest) each(rest);
  } finally {
    closeSync(fd);
  }
}

/** Distinct pids in our request log lines: how many processes of ours answered requests. */
function servingPids(logPath: string): number[] {
  const pids = new Set<number>();
  readLines(logPath, (line) => {
    if (!line.includes('"request completed"')) return;
    const pid = (JSON.parse(line) as { pid?: number }).pid;
    if (pid !== undefined) pids.add(pid);
  });
  return [...pids];
}

function countLines(file: string): number {
  let n = 0;
  readLines(file, () => n++);
  return n;
}

/** `.gz` next to every compressible file, as `gzip_static` expects (same mtime, so validators agree). */
function gzipTree(dir: string): number {
  let n = 0;
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    const st = statSync(full);
    if (st.isDirectory()) n += gzipTree(full);
    else if (/\.(html|xml|json|css|svg)$/.test(name)) {
      writeFileSync(`${full}.gz`, gzipSync(readFileSync(full), { level: 6 }));
      utimesSync(`${full}.gz`, st.atime, st.mtime);
      n++;
    }
  }
  return n;
}

/** The bench runs dist/ (what users run): say so when src/ has changed since the last build. */
function checkBuild(log: (s: string) => void): void {
  const built = path.join(ROOT, 'dist', 'cli.js');
  if (!existsSync(built)) throw new Error('bench: dist/ is missing: run `npm run build` first (`npm run bench` does)');
  const newest = (dir: string): number =>
    Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(path.join(dir, e.name)) : statSync(path.join(dir, e.name)).mtimeMs)));
  if (newest(path.join(ROOT, 'src')) > newest(path.join(ROOT, 'dist'))) log('  warning: src/ changed after the last build; this measures dist/ (run `npm run build`)');
}

/** 1,000 blogs × 20 posts of ~1.5 KB, over the last 200 days: what a big planet holds. */
export function seedServeBench(db: Db, feeds = 1000, perFeed = 20): void {
  const now = Date.now();
  const para = '<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. <a href="https://example.org/x" rel="nofollow noopener noreferrer">A link</a>.</p>';
  db.transaction(() => {
    const feed = db.prepare("INSERT INTO feeds (url, url_key, title, site_link, created_at, has_fetched, last_success_at) VALUES (?, ?, ?, ?, ?, 1, ?)");
    const tag = db.prepare('INSERT INTO feed_tags (feed_id, tag) VALUES (?, ?)');
    const entry = db.prepare(
      `INSERT INTO entries (feed_id, entry_key, guid, link, title, author, content_html, content_hash, published_at, first_seen_at, sort_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (let f = 1; f <= feeds; f++) {
      const url = `https://blog${f}.example.org/feed.xml`;
      const id = Number(feed.run(url, feedUrlKey(url), `Blog number ${f}`, `https://blog${f}.example.org/`, now - 86_400_000 * 300, now - 60_000).lastInsertRowid);
      tag.run(id, `group${f % 10}`);
      for (let i = 0; i < perFeed; i++) {
        const at = now - Math.floor(((i * feeds + f) / (feeds * perFeed)) * 200 * 86_400_000);
        const link = `https://blog${f}.example.org/${i}`;
        entry.run(id, `link:${link}`, link, link, `Post ${i} of blog ${f}`, `Author ${f}`, para.repeat(8), `h${f}-${i}`, at, at, at);
      }
    }
  })();
}

// ---- memory and the static export -------------------------------------------------------------

const mb = (bytes: number) => Math.round(bytes / 1048576);

/** VmRSS and VmHWM (peak) of a process and every process below it (Linux /proc), in bytes. */
export function rssOf(pid: number): { rss_bytes: number; peak_bytes: number; processes: { pid: number; rss_bytes: number; peak_bytes: number }[] } {
  const processes = [pid, ...descendants(pid)].flatMap((p) => {
    try {
      const status = readFileSync(`/proc/${p}/status`, 'utf8');
      const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
      return [{ pid: p, rss_bytes: kib('VmRSS'), peak_bytes: kib('VmHWM') }];
    } catch {
      return []; // exited meanwhile
    }
  });
  return { rss_bytes: processes.reduce((n, p) => n + p.rss_bytes, 0), peak_bytes: processes.reduce((n, p) => n + p.peak_bytes, 0), processes };
}

export function describeRss(r: ReturnType<typeof rssOf>): string {
  const each = r.processes.length > 1 ? ` (${r.processes.map((p) => `${mb(p.rss_bytes)}`).join(' + ')})` : '';
  return `${mb(r.rss_bytes)} MB${each}, peak ${mb(r.peak_bytes)} MB`;
}

/** `planet build` as users run it (the compiled command, its own process): files, bytes, peak RSS, time. */
async function planetBuild(work: string, configPath: string, out: string): Promise<{ files: number; bytes: number; peak_rss_bytes: number; ms: number }> {
  const peakFile = path.join(work, 'build-peak-rss');
  const started = Date.now();
  const { HOST: _host, PORT: _port, PLANET_DB: _db, PLANET_CONFIG: _config, ...env } = process.env;
  await run(process.execPath, [...NODE_FLAGS, '--import', path.join(ROOT, 'bench', 'peak-rss.mjs'), PLANET_BIN, 'build', '--out', out, '--config', configPath], {
    cwd: ROOT,
    env: { ...env, PLANET_BENCH_PEAK_RSS_FILE: peakFile },
    timeout: 30 * 60_000,
  });
  const ms = Date.now() - started;
  let files = 0;
  let bytes = 0;
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else {
        files++;
        bytes += statSync(full).size;
      }
    }
  };
  walk(out);
  return { files, bytes, peak_rss_bytes: Number(readFileSync(peakFile, 'utf8')), ms };
}

/** The site path of every page in a build ("index.html" → "/", "page/2.html" → "/page/2"), 404 and search aside. */
function sitePagePaths(site: string, prefix = ''): string[] {
  return readdirSync(path.join(site, prefix), { withFileTypes: true }).flatMap((e) => {
    const rel = `${prefix}${e.name}`;
    if (e.isDirectory()) return sitePagePaths(site, `${rel}/`);
    if (!rel.endsWith('.html') || rel === '404.html' || rel === 'search.html') return [];
    return [rel === 'index.html' ? '/' : `/${rel.slice(0, -'.html'.length)}`];
  });
}

/** Every page once, gzip, four at a time, as a crawler reads a site; fails on an error answer. */
async function crawl(base: string, paths: string[]): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < paths.length) {
        const p = paths[next++]!;
        const res = await fetch(base + p, { headers: ACCEPT });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`bench: ${base}${p} answered ${res.status} while crawling`);
      }
    }),
  );
}

// ---- the bench --------------------------------------------------------------------------------

interface CaseResult {
  planetarium: SideResult;
  nginx: SideResult;
  /** Ratio of the medians, ours / nginx. */
  ratio: number;
  /** Ours / nginx within each round: how much the noise moved it. */
  round_ratios: number[];
}

const fmt = (n: number) => String(n).padStart(6);

/** One worker count: start ours, nginx and the bare listener with W processes each, run every case, stop them. */
async function benchWorkers(
  workers: number,
  env: { work: string; site: string; baseConfig: Record<string, unknown>; pagePaths: string[]; log: (s: string) => void; onFirstStart?: (ours: string) => Promise<void> },
): Promise<Record<string, unknown>> {
  const { log, work } = env;
  const tag = `W=${workers}`;
  const children: Child[] = [];
  const stopAll = async () => {
    // ours: SIGTERM (graceful, flushes its log); nginx: SIGQUIT (graceful, flushes its access log)
    for (const child of children.splice(0).reverse()) await stopChild(child, child.name.startsWith('nginx') ? 'SIGQUIT' : 'SIGTERM', log);
  };
  try {
    const ours = await startPlanetServe(work, env.baseConfig, workers);
    children.push(ours.child);
    const nginx = await startNginx(work, env.site, workers);
    children.push(nginx.child);
    for (const base of [ours.url, nginx.url]) await checkServesGzip(base);
    await env.onFirstStart?.(ours.url);
    const bare = await startBareNode(work, ours.url, workers);
    children.push(bare.child);
    log(`  ${tag}: planet serve with server.workers ${workers}, nginx worker_processes ${workers}, bare node:http ${workers} process${workers > 1 ? 'es' : ''}`);

    const requests = { planetarium: 0, nginx: 0 };
    const cases: [string, string, (base: string) => Promise<Record<string, string>>][] = [
      ['/', '/', async () => ACCEPT],
      ['/atom.xml', '/atom.xml', async () => ACCEPT],
      ['/ (conditional → 304)', '/', async (base) => conditionalHeaders(`${base}/`)],
    ];
    const results: Record<string, CaseResult> = {};
    let ceiling: SideResult | undefined;
    let pids: number[] | undefined;
    for (const [name, p, headersFor] of cases) {
      const sides = [
        { side: 'planetarium', url: ours.url + p, headers: await headersFor(ours.url), runs: [] as WrkResult[] },
        { side: 'nginx', url: nginx.url + p, headers: await headersFor(nginx.url), runs: [] as WrkResult[] },
      ];
      // `/` on the bare listener runs in the same rounds, after ours and nginx.
      if (name === '/') sides.push({ side: 'bare', url: `${bare.url}/`, headers: ACCEPT, runs: [] });
      for (const s of sides) {
        const warm = await measure(s.url, s.headers, WARMUP_SECONDS);
        if (s.side === 'planetarium' || s.side === 'nginx') requests[s.side] += warm.requests;
      }
      if (!pids) {
        // Both sides log buffered (flushed at least every second): then every process that answered is in the log.
        await new Promise((r) => setTimeout(r, 1500));
        pids = servingPids(ours.logPath);
        if (pids.length !== workers) {
          throw new Error(
            `bench: server.workers is ${workers}, but ${pids.length} process(es) of planet serve answered requests (pids ${pids.join(', ')})` +
              (pids.length < workers ? '; does `planet serve` fork its workers yet?' : ''),
          );
        }
      }
      for (let round = 0; round < ROUNDS; round++) {
        for (const s of sides) {
          const result = await measure(s.url, s.headers);
          s.runs.push(result);
          if (s.side === 'planetarium' || s.side === 'nginx') requests[s.side] += result.requests;
        }
      }
      const [planetarium, baseline] = [summarize(sides[0]!.runs), summarize(sides[1]!.runs)];
      const ratio = round2(planetarium.requests_per_second / baseline.requests_per_second);
      const roundRatios = planetarium.rounds.map((r, i) => round2(r.requests_per_second / baseline.rounds[i]!.requests_per_second));
      results[name] = { planetarium, nginx: baseline, ratio, round_ratios: roundRatios };
      log(
        `  ${tag} ${name.padEnd(22)} planetarium ${fmt(planetarium.requests_per_second)} req/s p99 ${planetarium.p99_ms} ms | nginx ${fmt(baseline.requests_per_second)} req/s p99 ${baseline.p99_ms} ms | ratio ${ratio} (rounds ${Math.min(...roundRatios)}–${Math.max(...roundRatios)})`,
      );
      if (sides[2]) ceiling = summarize(sides[2].runs);
    }
    const home = results['/']!;
    const ceilingRatio = round2(ceiling!.requests_per_second / home.nginx.requests_per_second);
    log(`  ${tag} ${'/ on bare node:http'.padEnd(22)} ${fmt(ceiling!.requests_per_second)} req/s p99 ${ceiling!.p99_ms} ms, ${ceilingRatio} of nginx (same bytes and headers, nothing else: the ceiling for Node)`);
    const met = home.ratio >= TARGET.throughput_ratio_min && home.planetarium.p99_ms <= TARGET.p99_ms_max;
    log(`  ${tag} target for /: ≥ 50% of nginx and p99 ≤ 25 ms: ${met ? 'met' : 'NOT met'} (${home.ratio}, p99 ${home.planetarium.p99_ms} ms)`);

    // Memory of ours after serving: after the wrk cases above, then after a crawler has read every
    // page once (what fills the document cache), each process and their sum.
    const afterWrk = rssOf(ours.child.proc.pid!);
    await crawl(ours.url, env.pagePaths);
    const afterCrawl = rssOf(ours.child.proc.pid!);
    const memory = { after_wrk: afterWrk, after_crawl: { ...afterCrawl, pages: env.pagePaths.length } };
    log(`  ${tag} RSS of planet serve after serving: ${describeRss(afterWrk)}; after reading all ${env.pagePaths.length} pages once: ${describeRss(afterCrawl)}`);

    // Stopped gracefully, both have written out their buffered logs: a line per request each?
    await stopAll();
    const logged = { planetarium: countLines(ours.logPath), nginx: countLines(nginx.logPath) };
    return {
      workers,
      nginx_workers: workers,
      node_http_workers: workers,
      serving_pids: pids!.length,
      rounds: ROUNDS,
      seconds: SECONDS,
      results,
      node_http_ceiling: { ...ceiling!, ratio_to_nginx: ceilingRatio },
      // wrk counts the requests answered within its time; the logs also hold those still in flight, and start-up lines.
      wrk_requests: requests,
      log_lines: logged,
      memory,
      target_met: met,
    };
  } finally {
    await stopAll();
  }
}

export async function benchServe(opts: { dbPath: string; log: (s: string) => void }): Promise<Record<string, unknown>> {
  const { log } = opts;
  const workerCounts = envWorkers();
  checkBuild(log);
  const work = mkdtempSync(path.join(tmpdir(), 'planet-bench-serve-'));
  // nginx's workers drop root for an unprivileged user: they must be able to read the site.
  chmodSync(work, 0o755);
  try {
    const dbPath = path.resolve(opts.dbPath);
    const baseConfig = serveBenchConfig(dbPath);
    const configPath = path.join(work, 'planet.yaml');
    writeFileSync(configPath, stringify(baseConfig));
    const db = openDb(dbPath);
    const entries = (db.prepare('SELECT count(*) AS n FROM entries').get() as { n: number }).n;
    const feeds = (db.prepare('SELECT count(*) AS n FROM feeds').get() as { n: number }).n;
    db.close();
    log(
      `serve bench: ${feeds} feeds, ${entries} entries; workers ${workerCounts.join(', ')}; wrk ${CONNECTIONS} connections, ${WARMUP_SECONDS} s warm-up, then ${ROUNDS} rounds × ${SECONDS} s alternating ours / nginx; medians`,
    );

    const site = path.join(work, 'site');
    const built = await planetBuild(work, configPath, site);
    log(`  planet build: ${built.files} files, ${mb(built.bytes)} MB, peak RSS ${mb(built.peak_rss_bytes)} MB, ${(built.ms / 1000).toFixed(1)} s`);
    const pagePaths = sitePagePaths(site);
    log(`  gzipped ${gzipTree(site)} files for nginx's gzip_static`);

    const page = { page_bytes: 0, page_gzip_bytes: 0 };
    const byWorkers: Record<string, unknown>[] = [];
    for (const workers of workerCounts) {
      byWorkers.push(
        await benchWorkers(workers, {
          work,
          site,
          baseConfig,
          log,
          pagePaths,
          onFirstStart: page.page_bytes
            ? undefined
            : async (ours) => {
                page.page_bytes = (await (await fetch(`${ours}/`, { headers: { 'accept-encoding': 'identity' } })).arrayBuffer()).byteLength;
                page.page_gzip_bytes = Number((await fetch(`${ours}/`, { method: 'HEAD', headers: ACCEPT })).headers.get('content-length'));
                log(`  / is ${page.page_bytes} bytes, ${page.page_gzip_bytes} gzipped; log level ${LOG_LEVEL}; wrk -H 'Accept-Encoding: gzip'`);
              },
        }),
      );
    }
    return {
      feeds,
      entries,
      ...page,
      build: built,
      connections: CONNECTIONS,
      seconds_per_run: SECONDS,
      warmup_seconds: WARMUP_SECONDS,
      rounds: ROUNDS,
      accept_encoding: ACCEPT['Accept-Encoding'],
      log_level: LOG_LEVEL,
      target: TARGET,
      by_workers: byWorkers,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// Runnable alone: npx tsx bench/serve.ts [DB]
if (import.meta.url === `file://${process.argv[1]}`) {
  let dbPath = process.argv[2];
  let tmp: string | undefined;
  if (!dbPath) {
    tmp = mkdtempSync(path.join(tmpdir(), 'planet-bench-db-'));
    dbPath = path.join(tmp, 'planet.db');
    const db = openDb(dbPath);
    seedServeBench(db);
    db.close();
  }
  benchServe({ dbPath, log: (s) => console.log(s) })
    .then((r) => console.log(JSON.stringify(r, null, 2)))
    .finally(() => tmp && rmSync(tmp, { recursive: true, force: true }));
}

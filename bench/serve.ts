// Serving bench: wrk at 50 connections against our server (/, /atom.xml, a conditional /) and, as the
// baseline, against nginx serving the `planet build` output of the same database; for `/`, also a bare
// node:http listener sending the same bytes (the most Node itself can do here).
// Alone: `npx tsx bench/serve.ts [DB]` (seeds 1,000 feeds × 20 entries into a temp database without DB).
//
// Fair by construction: both get the same wrk parameters in the same run, on loopback, one process
// each (nginx `worker_processes 1`, one Node process); every request carries `Accept-Encoding: gzip`
// as browsers' requests do; nginx serves gzip files made ahead of time (`gzip_static`, the bench
// writes the .gz siblings), as our server serves compressed bytes made once per document; our server
// logs every request at `info` (to a file), as `planet serve` does by default.
import { execFile, spawn } from 'node:child_process';
import http from 'node:http';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { stringify } from 'yaml';
import { build } from '../src/commands/build.js';
import { parseConfig } from '../src/config.js';
import { openDb, type Db } from '../src/db/open.js';
import { buildServer } from '../src/http/server.js';
import { serverLogger } from '../src/logging.js';

const run = promisify(execFile);
const SECONDS = Number(process.env.BENCH_SERVE_SECONDS ?? 8);
const WARMUP_SECONDS = 2;
const CONNECTIONS = 50;
/** What a browser's request says; gzip only, so both servers send the same encoding (nginx has no brotli module). */
const ACCEPT = { 'Accept-Encoding': 'gzip' };
const LOG_LEVEL = process.env.LOG_LEVEL ?? 'info';

interface WrkResult {
  requests_per_second: number;
  p50_ms: number;
  p99_ms: number;
  non_2xx_3xx: number;
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
  const bad = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
  return { requests_per_second: Math.round(rps), p50_ms: p('50'), p99_ms: p('99'), non_2xx_3xx: bad };
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

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

/**
 * Node's HTTP layer alone, as a second reference: a listener answering every request with the bytes
 * and headers our server sends for `/` (gzip), taken from it, and doing nothing else.
 */
async function startBareNode(ours: string): Promise<http.Server> {
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
  const server = http.createServer((_req, res) => {
    res.writeHead(200, headers);
    res.end(body);
  });
  server.keepAliveTimeout = 72_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
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

/** 1,000 blogs × 20 posts of ~1.5 KB, over the last 200 days: what a big planet holds. */
export function seedServeBench(db: Db, feeds = 1000, perFeed = 20): void {
  const now = Date.now();
  const para = '<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. <a href="https://example.org/x" rel="nofollow noopener noreferrer">A link</a>.</p>';
  db.transaction(() => {
    const feed = db.prepare("INSERT INTO feeds (url, title, site_link, created_at, has_fetched, last_success_at) VALUES (?, ?, ?, ?, 1, ?)");
    const tag = db.prepare('INSERT INTO feed_tags (feed_id, tag) VALUES (?, ?)');
    const entry = db.prepare(
      `INSERT INTO entries (feed_id, entry_key, guid, link, title, author, content_html, content_hash, published_at, first_seen_at, sort_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (let f = 1; f <= feeds; f++) {
      const id = Number(feed.run(`https://blog${f}.example.org/feed.xml`, `Blog number ${f}`, `https://blog${f}.example.org/`, now - 86_400_000 * 300, now - 60_000).lastInsertRowid);
      tag.run(id, `group${f % 10}`);
      for (let i = 0; i < perFeed; i++) {
        const at = now - Math.floor(((i * feeds + f) / (feeds * perFeed)) * 200 * 86_400_000);
        const link = `https://blog${f}.example.org/${i}`;
        entry.run(id, `link:${link}`, link, link, `Post ${i} of blog ${f}`, `Author ${f}`, para.repeat(8), `h${f}-${i}`, at, at, at);
      }
    }
  })();
}

export async function benchServe(opts: { dbPath: string; log: (s: string) => void }): Promise<Record<string, unknown>> {
  const { log } = opts;
  const work = mkdtempSync(path.join(tmpdir(), 'planet-bench-serve-'));
  // nginx's workers drop root for an unprivileged user: they must be able to read the site.
  chmodSync(work, 0o755);
  const config = parseConfig({ planet: { name: 'Bench Planet', link: 'http://127.0.0.1/' }, database: opts.dbPath, fetch: { allow_private_addresses: true } });
  const configPath = path.join(work, 'planet.yaml');
  writeFileSync(configPath, stringify(config));
  const db = openDb(opts.dbPath);
  const entries = (db.prepare('SELECT count(*) AS n FROM entries').get() as { n: number }).n;
  const feeds = (db.prepare('SELECT count(*) AS n FROM feeds').get() as { n: number }).n;
  log(`serve bench: ${feeds} feeds, ${entries} entries, wrk ${CONNECTIONS} connections × ${SECONDS} s per run`);

  const out = path.join(work, 'site');
  const buildStart = Date.now();
  const code = await build(['--out', out, '--config', configPath], { out: log, err: log, readStdin: async () => '', env: {} });
  if (code !== 0) throw new Error(`bench: planet build exited ${code}`);
  const buildMs = Date.now() - buildStart;
  log(`  gzipped ${gzipTree(out)} files for nginx's gzip_static`);

  // As users run it: request logging at LOG_LEVEL (default info), to a file as from a service manager.
  const app = await buildServer({ db, config, logger: serverLogger(LOG_LEVEL, path.join(work, 'planet.log')) });
  const ours = await app.listen({ host: '127.0.0.1', port: 0 });

  const nginxPort = await freePort();
  const conf = path.join(work, 'nginx.conf');
  writeFileSync(
    conf,
    `worker_processes 1;
daemon off;
pid ${work}/nginx.pid;
error_log ${work}/nginx-error.log warn;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  default_type text/html;
  access_log off;
  sendfile on;
  tcp_nopush on;
  gzip_static on;
  gzip_vary on;
  keepalive_requests 100000;
  client_body_temp_path ${work}/tmp; proxy_temp_path ${work}/tmp; fastcgi_temp_path ${work}/tmp; uwsgi_temp_path ${work}/tmp; scgi_temp_path ${work}/tmp;
  server {
    listen 127.0.0.1:${nginxPort};
    root ${out};
    location / { try_files $uri $uri.html $uri/index.html =404; }
  }
}
`,
  );
  const nginx = spawn('nginx', ['-c', conf, '-p', work], { stdio: 'ignore' });
  const nginxUrl = `http://127.0.0.1:${nginxPort}`;
  try {
    for (let i = 0; ; i++) {
      try {
        await (await fetch(`${nginxUrl}/`)).arrayBuffer();
        break;
      } catch (err) {
        if (i > 50) throw new Error(`bench: nginx did not start: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    // Warm both (our first request renders and caches the page), and check both really serve it.
    for (const base of [ours, nginxUrl]) {
      for (const p of ['/', '/atom.xml']) {
        const res = await fetch(base + p, { headers: ACCEPT });
        await res.arrayBuffer();
        if (res.status !== 200 || res.headers.get('content-encoding') !== 'gzip') throw new Error(`bench: ${base}${p} answered ${res.status}, ${res.headers.get('content-encoding') ?? 'uncompressed'}`);
      }
    }
    const pageBytes = (await (await fetch(`${ours}/`, { headers: { 'accept-encoding': 'identity' } })).arrayBuffer()).byteLength;
    const gzipBytes = Number((await fetch(`${ours}/`, { method: 'HEAD', headers: ACCEPT })).headers.get('content-length'));
    log(`  / is ${pageBytes} bytes, ${gzipBytes} gzipped; log level ${LOG_LEVEL}; wrk -H 'Accept-Encoding: gzip'`);

    const results: Record<string, { planetarium: WrkResult; nginx: WrkResult; ratio: number }> = {};
    const cases: [string, string, (base: string) => Promise<Record<string, string>>][] = [
      ['/', '/', async () => ACCEPT],
      ['/atom.xml', '/atom.xml', async () => ACCEPT],
      ['/ (conditional → 304)', '/', async (base) => conditionalHeaders(`${base}/`)],
    ];
    const measure = async (url: string, headers: Record<string, string>) => {
      await wrk(url, headers, WARMUP_SECONDS);
      const result = await wrk(url, headers);
      if (result.non_2xx_3xx) throw new Error(`bench: ${result.non_2xx_3xx} error responses from ${url}`);
      return result;
    };
    for (const [name, p, headers] of cases) {
      const planetarium = await measure(ours + p, await headers(ours));
      const baseline = await measure(nginxUrl + p, await headers(nginxUrl));
      const ratio = Math.round((planetarium.requests_per_second / baseline.requests_per_second) * 100) / 100;
      results[name] = { planetarium, nginx: baseline, ratio };
      log(
        `  ${name.padEnd(26)} planetarium ${String(planetarium.requests_per_second).padStart(6)} req/s p99 ${planetarium.p99_ms} ms | nginx ${String(baseline.requests_per_second).padStart(6)} req/s p99 ${baseline.p99_ms} ms | ratio ${ratio}`,
      );
    }
    const bare = await startBareNode(ours);
    let ceiling: WrkResult;
    try {
      ceiling = await measure(`http://127.0.0.1:${(bare.address() as AddressInfo).port}/`, ACCEPT);
    } finally {
      await new Promise((r) => bare.close(r));
    }
    log(`  ${'/ on bare node:http'.padEnd(26)} ${String(ceiling.requests_per_second).padStart(6)} req/s p99 ${ceiling.p99_ms} ms (same bytes and headers, nothing else: the ceiling for Node)`);
    const home = results['/']!;
    const target = { throughput_ratio_min: 0.5, p99_ms_max: 25 };
    const met = home.ratio >= target.throughput_ratio_min && home.planetarium.p99_ms <= target.p99_ms_max;
    log(`  target for /: ≥ 50% of nginx and p99 ≤ 25 ms: ${met ? 'met' : 'NOT met'}`);
    return {
      feeds,
      entries,
      page_bytes: pageBytes,
      page_gzip_bytes: gzipBytes,
      build_ms: buildMs,
      connections: CONNECTIONS,
      seconds_per_run: SECONDS,
      warmup_seconds: WARMUP_SECONDS,
      accept_encoding: ACCEPT['Accept-Encoding'],
      log_level: LOG_LEVEL,
      nginx_workers: 1,
      results,
      node_http_ceiling: { ...ceiling, ratio_to_nginx: Math.round((ceiling.requests_per_second / home.nginx.requests_per_second) * 100) / 100 },
      target,
      target_met: met,
    };
  } finally {
    nginx.kill('SIGQUIT');
    await new Promise((r) => (nginx.exitCode !== null ? r(null) : nginx.once('close', r)));
    await app.close();
    db.close();
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

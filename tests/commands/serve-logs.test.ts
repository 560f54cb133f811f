// `planet serve` (what `npm start` runs) logging real HTTP requests: on a terminal — a real pseudo-
// terminal from script(1) — one readable line per request; into a pipe, one JSON line per request.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROOT, startPlanetProcess, waitFor } from '../helpers/processes.js';

const BIN = path.join(ROOT, 'bin/planet.js');
let config: string;
let child: ChildProcess | undefined;

beforeEach(() => {
  const dir = mkdtempSync(path.join(tmpdir(), 'planet-serve-logs-'));
  config = path.join(dir, 'planet.yaml');
  writeFileSync(config, `database: ${path.join(dir, 'planet.db')}\nserver: { host: 127.0.0.1, port: 0 }\n`);
});
afterEach(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = undefined;
});

const send = (base: string, method: string, p: string) =>
  new Promise<number>((resolve, reject) => {
    const req = http.request(`${base}${p}`, { method, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end();
  });

/** GET / twice (Fastify, then the fast path), a 404, a HEAD: four requests, four lines. */
async function fourRequests(base: string): Promise<void> {
  expect(await send(base, 'GET', '/')).toBe(200);
  expect(await send(base, 'GET', '/')).toBe(200);
  expect(await send(base, 'GET', '/no-such-page')).toBe(404);
  expect(await send(base, 'HEAD', '/')).toBe(200);
}

describe('planet serve logs', () => {
  it('on a terminal: one readable, coloured line per request and no JSON', async () => {
    // script(1) gives the command a pseudo-terminal and copies what it writes to our pipe.
    const proc = spawn('script', ['-qfec', `exec '${process.execPath}' '${BIN}' serve --no-fetch --config '${config}'`, '/dev/null'], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'info', LOG_FORMAT: '', NO_COLOR: '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child = proc;
    let raw = '';
    proc.stdout.on('data', (d: Buffer) => (raw += d.toString()));
    const text = () => stripVTControlCharacters(raw).replaceAll('\r\n', '\n');
    const base = await waitFor('the address', () => /serving .* at (http:\/\/[\d.:]+)/.exec(text())?.[1], { timeoutMs: 10_000, intervalMs: 50, output: text });

    await fourRequests(base);
    const requestLines = () => text().split('\n').filter((l) => / (GET|HEAD) \//.test(l));
    await waitFor('four request lines', () => (requestLines().length >= 4 ? true : undefined), { timeoutMs: 10_000, intervalMs: 50, output: text });
    expect(requestLines()).toEqual([
      expect.stringMatching(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: GET \/ 200 \d+\.\d ms$/),
      expect.stringMatching(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: GET \/ 200 \d+\.\d ms$/),
      expect.stringMatching(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: GET \/no-such-page 404 \d+\.\d ms$/),
      expect.stringMatching(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: HEAD \/ 200 \d+\.\d ms$/),
    ]);
    expect(text()).not.toMatch(/^\{/m);
    expect(raw).toMatch(/\x1b\[\d+m/);

    const closed = new Promise((r) => proc.once('close', r));
    proc.kill('SIGTERM');
    await closed;
  });

  it('into a pipe: one JSON line per request, the same four', async () => {
    const p = startPlanetProcess(['serve', '--no-fetch', '--config', config], { LOG_LEVEL: 'info', LOG_FORMAT: '' });
    child = p.child;
    const base = await waitFor('the address', () => /serving .* at (http:\/\/[\d.:]+)/.exec(p.stderr())?.[1], { timeoutMs: 10_000, intervalMs: 50, output: p.stderr });
    await fourRequests(base);
    // JSON lines are buffered (up to a second) and flushed at exit.
    p.child.kill('SIGTERM');
    const done = await p.done;
    expect(done.code).toBe(0);
    const lines = done.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { msg: string; req?: { method: string; url: string }; res?: { statusCode: number } });
    const requests = lines.filter((l) => l.req !== undefined || l.res !== undefined);
    expect(requests.map((l) => `${l.msg} ${l.req?.method} ${l.req?.url} ${l.res?.statusCode}`)).toEqual([
      'request completed GET / 200',
      'request completed GET / 200',
      'request completed GET /no-such-page 404',
      'request completed HEAD / 200',
    ]);
  });
});

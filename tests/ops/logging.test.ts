// The server's logs: which format for which reader, the terminal format on real log records, and one
// line per request however it was answered (real HTTP requests against the real app).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { prettyFactory } from 'pino-pretty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/http/app.js';
import { formatEvent, LOG_FLUSH_MS, logFormat, logRequest, prettyOptions, serverLogger } from '../../src/ops/logging.js';
import { createTestPlanet, NOW, seedSmallPlanet, type TestPlanet } from '../helpers/reader-fixtures.js';

describe('logFormat', () => {
  it.each([
    ['a pipe or a file', {}, false, 'json'],
    ['a terminal', {}, true, 'pretty'],
    ['a terminal, LOG_FORMAT=json', { LOG_FORMAT: 'json' }, true, 'json'],
    ['a pipe, LOG_FORMAT=pretty', { LOG_FORMAT: 'pretty' }, false, 'pretty'],
    ['LOG_FORMAT in capitals', { LOG_FORMAT: 'JSON' }, true, 'json'],
    ['LOG_FORMAT empty', { LOG_FORMAT: '' }, true, 'pretty'],
    ['an unknown LOG_FORMAT', { LOG_FORMAT: 'xml' }, false, undefined],
  ])('%s → %s', (_name, env, tty, expected) => {
    expect(logFormat(env, tty)).toBe(expected);
  });
});

/** JSON lines written by a real pino logger, as objects. */
function pinoLines(write: (log: pino.Logger) => void): Record<string, unknown>[] {
  const lines: string[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
  write(log);
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
}

const pretty = prettyFactory(prettyOptions());
const TIME = String.raw`\[\d\d:\d\d:\d\d\.\d{3}\]`;

describe('the terminal format', () => {
  it('writes one line per event: time, level, then the message and its fields', () => {
    const [refreshed, failed, crashed] = pinoLines((log) => {
      log.info({ feed_id: 12, feed_url: 'https://blog.example.org/feed', outcome: 'ok', duration_ms: 412, entries_new: 2 }, 'feed refreshed');
      log.warn({ feed_id: 13, outcome: 'error', error_code: 'timeout', http_status: null }, 'fetch: timed out after 20 s');
      log.error({ err: new TypeError('cannot read "x" of undefined') }, 'request failed');
    });
    expect(pretty(refreshed)).toMatch(new RegExp(`^${TIME} INFO: feed refreshed feed_id=12 feed_url=https://blog.example.org/feed outcome=ok duration_ms=412 entries_new=2\n$`));
    expect(pretty(failed)).toMatch(new RegExp(`^${TIME} WARN: fetch: timed out after 20 s feed_id=13 outcome=error error_code=timeout http_status=null\n$`));
    // An error keeps to its line: type, message and where it was thrown.
    expect(pretty(crashed)).toMatch(new RegExp(`^${TIME} ERROR: request failed err="TypeError: cannot read \\\\"x\\\\" of undefined \\(at .*logging\\.test\\.ts:\\d+:\\d+\\)"\n$`));
  });

  it('quotes field values with spaces and writes objects as JSON', () => {
    expect(formatEvent({ level: 30, time: 1, pid: 1, hostname: 'h', msg: 'subscribed', feeds: ['https://a.example/f'], name: 'Ada Lovelace' })).toBe(
      'subscribed feeds=["https://a.example/f"] name="Ada Lovelace"',
    );
  });

  it('shows the process id only when several processes share the output', () => {
    const [line] = pinoLines((log) => log.info({}, 'HTTP worker stopped'));
    expect(pretty(line)).not.toContain(String(process.pid));
    expect(prettyFactory(prettyOptions({ showPid: true }))(line)).toContain(`INFO (${process.pid}): HTTP worker stopped`);
  });

  it('colours only when asked', () => {
    const [line] = pinoLines((log) => log.warn({}, 'careful'));
    expect(pretty(line)).not.toContain('\x1b[');
    expect(prettyFactory(prettyOptions({ color: true }))(line)).toContain('\x1b[');
  });
});

describe('the JSON destination', () => {
  it('writes every line whole and in order, multi-byte text intact, within LOG_FLUSH_MS and without a flush', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'planet-log-'));
    try {
      const file = join(dir, 'server.log');
      const { level, stream } = serverLogger('info', file);
      const log = pino({ level }, stream);
      const sent: string[] = [];
      for (let i = 0; i < 300; i++) {
        // Some lines longer than a batch (PIPE_BUF) may be: those go alone.
        const url = i % 50 === 1 ? `/search?q=${'x'.repeat(6000)}${i}` : `/tag/${'ünïcødé-日本語-'.repeat(i % 7)}${i}`;
        sent.push(url);
        if (i % 3 === 0) log.info({ i }, `an event — ${i}`);
        else logRequest(log, 'GET', url, 200, i / 10);
      }
      await new Promise((r) => setTimeout(r, LOG_FLUSH_MS + 500));
      const lines = readFileSync(file, 'utf8').split('\n');
      expect(lines.pop()).toBe('');
      const parsed = lines.map((l) => JSON.parse(l) as { msg: string; req?: { url: string } });
      expect(parsed).toHaveLength(300);
      parsed.forEach((line, i) => expect(i % 3 === 0 ? line.msg : line.req?.url).toBe(i % 3 === 0 ? `an event — ${i}` : sent[i]));
      stream.end();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('logRequest', () => {
  /** Raw lines a pino logger (as Fastify builds it from `planet serve`'s options) writes. */
  function capture(options: pino.LoggerOptions = {}) {
    const lines: string[] = [];
    const log = pino({ level: 'info', ...options }, { write: (line: string) => void lines.push(line) });
    return { log, lines };
  }
  const withoutTime = (line: string) => line.replace(/,"time":\d+/, ',"time":0');
  const pinoLine = (log: pino.Logger, method: string, url: string, status: number, ms: number) =>
    log.info({ req: { method, url }, res: { statusCode: status }, responseTime: ms }, 'request completed');

  it.each([
    ['a plain request', 'GET', '/page/2', 200, 1.25],
    ['a URL that JSON escapes', 'GET', '/search?q="ünïcode"\\\u0007&x=<b>', 404, 0.051],
    ['a time that is no number', 'HEAD', '/', 304, Number.NaN],
  ])('writes the line pino writes for the same fields: %s', (_name, method, url, status, ms) => {
    const ours = capture();
    const theirs = capture();
    // The line is made here, not by pino's info().
    ours.log.info = () => expect.unreachable('pino walked the object');
    logRequest(ours.log, method, url, status, ms);
    pinoLine(theirs.log, method, url, status, ms);
    expect(ours.lines).toHaveLength(1);
    expect(withoutTime(ours.lines[0]!)).toBe(withoutTime(theirs.lines[0]!));
  });

  it("carries a child logger's bindings (Fastify's reqId) as pino does", () => {
    const ours = capture();
    const theirs = capture();
    logRequest(ours.log.child({ reqId: 'req-7' }), 'POST', '/admin/login', 403, 2);
    pinoLine(theirs.log.child({ reqId: 'req-7' }), 'POST', '/admin/login', 403, 2);
    expect(withoutTime(ours.lines[0]!)).toBe(withoutTime(theirs.lines[0]!));
    expect(JSON.parse(ours.lines[0]!)).toMatchObject({ reqId: 'req-7', req: { method: 'POST' } });
  });

  it('writes nothing below its level, and leaves loggers that reshape lines to pino', () => {
    const quiet = capture({ level: 'warn' });
    logRequest(quiet.log, 'GET', '/', 200, 1);
    expect(quiet.lines).toEqual([]);
    // A mixin adds fields to every line: only pino knows where, so pino writes it.
    const mixed = capture({ mixin: () => ({ region: 'eu' }) });
    logRequest(mixed.log, 'GET', '/', 200, 1);
    expect(JSON.parse(mixed.lines[0]!)).toMatchObject({ region: 'eu', req: { method: 'GET', url: '/' }, msg: 'request completed' });
    // And a logger that is not pino at all gets info(obj, msg).
    const calls: unknown[] = [];
    logRequest({ info: (obj, msg) => void calls.push([obj, msg]) }, 'GET', '/x', 200, 3);
    expect(calls).toEqual([[{ req: { method: 'GET', url: '/x' }, res: { statusCode: 200 }, responseTime: 3 }, 'request completed']]);
  });
});

describe('request logs: one line per request, on the real server', () => {
  let planet: TestPlanet;
  let app: FastifyInstance;
  let base: string;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    planet = createTestPlanet();
    seedSmallPlanet(planet.db);
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    app = await buildServer({ db: planet.db, config: planet.config, now: () => NOW, logger: { level: 'info', stream } });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app?.close();
    planet?.cleanup();
  });

  const send = (method: string, path: string) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(`${base}${path}`, { method, agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      });
      req.on('error', reject);
      req.end();
    });

  it('logs each request once, with the same fields whether the fast path or Fastify answered it', async () => {
    const requests: [string, string, number][] = [
      ['GET', '/', 200], // Fastify renders it; the fast path learns the path
      ['GET', '/', 200], // the fast path answers
      ['HEAD', '/', 200],
      ['GET', '/atom.xml', 200],
      ['GET', '/no-such-page', 404],
      ['GET', '/healthz', 200],
      ['POST', '/admin/login', 403],
    ];
    for (const [method, path, status] of requests) expect(await send(method, path), `${method} ${path}`).toBe(status);
    // The log line is written when the response is finished, which the client can see first.
    await new Promise((r) => setTimeout(r, 50));

    const requestLines = lines.filter((l) => l.req !== undefined || l.res !== undefined);
    expect(lines.filter((l) => l.msg === 'incoming request' || /not found/i.test(String(l.msg)))).toEqual([]);
    expect(requestLines.map((l) => `${(l.req as { method: string }).method} ${(l.req as { url: string }).url} ${(l.res as { statusCode: number }).statusCode}`)).toEqual(
      requests.map(([method, path, status]) => `${method} ${path} ${status}`),
    );
    for (const line of requestLines) {
      expect(line).toMatchObject({ level: 30, msg: 'request completed', responseTime: expect.any(Number) });
      expect(Object.keys(line.req as object).sort()).toEqual(['method', 'url']);
      expect(Object.keys(line.res as object)).toEqual(['statusCode']);
    }
    // The fast path's line (no reqId: Fastify never saw the request) and Fastify's have the same fields.
    const keys = (l: Record<string, unknown>) => Object.keys(l).filter((k) => k !== 'reqId').sort();
    const fast = requestLines[1]!;
    expect(fast.reqId).toBeUndefined();
    for (const line of requestLines) expect(keys(line)).toEqual(keys(fast));
  });

  it('reads as one line per request in the terminal format', () => {
    const requestLines = lines.filter((l) => l.msg === 'request completed');
    expect(requestLines.length).toBeGreaterThan(0);
    for (const line of requestLines) {
      expect(pretty(line)).toMatch(new RegExp(`^${TIME} INFO: (GET|HEAD|POST) \\S+ \\d{3} \\d+\\.\\d ms\n$`));
    }
  });
});

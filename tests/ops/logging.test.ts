// The server's logs: which format for which reader, the terminal format on real log records, and one
// line per request however it was answered (real HTTP requests against the real app).
import http from 'node:http';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { prettyFactory } from 'pino-pretty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/http/app.js';
import { formatEvent, logFormat, prettyOptions } from '../../src/ops/logging.js';
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

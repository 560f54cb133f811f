// The admin login limits kept in SQLite: two apps on one database file (as two worker processes
// would be) share them, a new app (a restart) keeps them, the window ends, expired rows go. Only
// failed logins count: a correct one never locks an admin out and clears its account's failures.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig, type Config } from '../../src/config.js';
import { openDb, type Db } from '../../src/db/open.js';
import { LOGIN_LIMIT_PER_ACCOUNT, LOGIN_LIMIT_PER_IP, LOGIN_WINDOW_MS } from '../../src/http/routes/admin/login.js';
import { buildServer } from '../../src/http/app.js';
import { ADMIN, createAdmin, postLogin } from '../helpers/admin.js';

const T0 = Date.UTC(2026, 0, 5, 9, 0);

interface App {
  app: FastifyInstance;
  db: Db;
  close(): Promise<void>;
}

let dir: string;
let config: Config;
let clock: number;
const apps: App[] = [];

/** One server on the shared database file, with its own connection, like a worker process. */
async function startApp(): Promise<App> {
  const db = openDb(config.database);
  const app = await buildServer({ db, config, now: () => clock });
  await app.ready();
  let closed = false;
  const handle = {
    app,
    db,
    close: async () => {
      if (closed) return;
      closed = true;
      await app.close();
      db.close();
    },
  };
  apps.push(handle);
  return handle;
}

const rows = (db: Db) => db.prepare('SELECT key, hits, reset_at FROM rate_limits ORDER BY key').all() as { key: string; hits: number; reset_at: number }[];

/** Attempts with an empty password: counted by both limits, answered 400 without spending a hash. */
async function attempt(app: FastifyInstance, username: string, ip: string): Promise<number> {
  return (await postLogin(app, username, '', { ip })).statusCode;
}

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'planet-rate-limit-'));
  config = parseConfig({ database: path.join(dir, 'planet.db'), planet: { name: 'Test Planet', link: 'http://planet.test/' } });
  clock = T0;
  const db = openDb(config.database);
  await createAdmin(db);
  db.close();
});
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('login rate limits in SQLite', () => {
  it.each([
    { limit: 'per account', max: LOGIN_LIMIT_PER_ACCOUNT, username: () => 'alice', ip: (i: number) => `192.0.2.${i + 1}` },
    { limit: 'per address', max: LOGIN_LIMIT_PER_IP, username: (i: number) => `user${i}`, ip: () => '203.0.113.9' },
  ])('counts $limit attempts made on two apps against one limit', async ({ max, username, ip }) => {
    const a = await startApp();
    const b = await startApp();
    // Alternate: each app alone sees only half the limit.
    for (let i = 0; i < max; i++) expect(await attempt(i % 2 === 0 ? a.app : b.app, username(i), ip(i))).toBe(400);
    const blocked = await postLogin(b.app, username(max), ADMIN.password, { ip: ip(max) });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.body).toContain('Too many failed login attempts');
    expect(await attempt(a.app, username(max + 1), ip(max + 1))).toBe(429);
  });

  it('lets attempts through again once the window is over', async () => {
    const a = await startApp();
    for (let i = 0; i < LOGIN_LIMIT_PER_ACCOUNT; i++) expect(await attempt(a.app, 'alice', `192.0.2.${i + 1}`)).toBe(400);

    clock = T0 + LOGIN_WINDOW_MS - 1000;
    const lastSecond = await postLogin(a.app, 'alice', '', { ip: '198.51.100.1' });
    expect(lastSecond.statusCode).toBe(429);
    expect(lastSecond.headers['retry-after']).toBe('1');

    clock = T0 + LOGIN_WINDOW_MS;
    expect(await attempt(a.app, 'alice', '198.51.100.2')).toBe(400);
    expect(rows(a.db).find((r) => r.key === 'admin-login-user:alice')).toEqual({ key: 'admin-login-user:alice', hits: 1, reset_at: T0 + 2 * LOGIN_WINDOW_MS });
  });

  it('keeps the count across a restart', async () => {
    const before = await startApp();
    for (let i = 0; i < LOGIN_LIMIT_PER_ACCOUNT; i++) expect(await attempt(before.app, 'alice', `192.0.2.${i + 1}`)).toBe(400);
    await before.close();

    const after = await startApp();
    expect(await attempt(after.app, 'alice', '198.51.100.1')).toBe(429);
    expect(await attempt(after.app, 'bob', '198.51.100.1')).toBe(400);
  });

  it('deletes the counters of past windows', async () => {
    const a = await startApp();
    await attempt(a.app, 'alice', '192.0.2.1');
    clock = T0 + 60_000;
    await attempt(a.app, 'bob', '192.0.2.2');
    expect(rows(a.db).map((r) => r.key)).toEqual(['admin-login-ip:192.0.2.1', 'admin-login-ip:192.0.2.2', 'admin-login-user:alice', 'admin-login-user:bob']);

    // Alice's window is over, Bob's is not: only Alice's rows go.
    clock = T0 + LOGIN_WINDOW_MS;
    await attempt(a.app, 'carol', '192.0.2.3');
    expect(rows(a.db).map((r) => r.key)).toEqual(['admin-login-ip:192.0.2.2', 'admin-login-ip:192.0.2.3', 'admin-login-user:bob', 'admin-login-user:carol']);
  });

  // Each correct login costs a real scrypt (the first one also rehashes): a few seconds in all.
  it('never counts a correct login: an admin logs in again and again from one address', { timeout: 120_000 }, async () => {
    const a = await startApp();
    for (let i = 0; i <= LOGIN_LIMIT_PER_ACCOUNT; i++) {
      expect((await postLogin(a.app, ADMIN.username, ADMIN.password, { ip: '203.0.113.9' })).statusCode).toBe(303);
    }
    // Behind a proxy without trust_proxy every admin has the proxy's address: a new account still gets in.
    await createAdmin(a.db, 'newcomer', 'a fresh and long password');
    expect((await postLogin(a.app, 'newcomer', 'a fresh and long password', { ip: '203.0.113.9' })).statusCode).toBe(303);
    expect(rows(a.db)).toEqual([]);
  });

  it('clears an account’s failures at its correct login, not its address’s', async () => {
    const a = await startApp();
    const wrong = () => postLogin(a.app, ADMIN.username, 'not the password', { ip: '192.0.2.1' });
    for (let i = 0; i < LOGIN_LIMIT_PER_ACCOUNT - 1; i++) expect((await wrong()).statusCode).toBe(401);
    expect((await postLogin(a.app, ADMIN.username, ADMIN.password, { ip: '192.0.2.1' })).statusCode).toBe(303);
    expect(rows(a.db).map((r) => [r.key, r.hits])).toEqual([['admin-login-ip:192.0.2.1', LOGIN_LIMIT_PER_ACCOUNT - 1]]);
    // A whole new budget for the account: as many failures again before it locks.
    for (let i = 0; i < LOGIN_LIMIT_PER_ACCOUNT - 1; i++) expect((await wrong()).statusCode).toBe(401);
    expect((await wrong()).statusCode).toBe(401);
    expect((await wrong()).statusCode).toBe(429);
  });

  it('tells a locked-out admin when to try again, in the planet’s time zone, and offers the way home', async () => {
    config = parseConfig({ ...config, planet: { ...config.planet, timezone: 'Europe/Berlin' } });
    const a = await startApp();
    for (let i = 0; i < LOGIN_LIMIT_PER_ACCOUNT; i++) expect(await attempt(a.app, 'alice', `192.0.2.${i + 1}`)).toBe(400);
    clock = T0 + 3 * 60_000;
    const locked = await postLogin(a.app, 'alice', ADMIN.password, { ip: '198.51.100.1' });
    expect(locked.statusCode).toBe(429);
    expect(locked.headers['retry-after']).toBe(String((LOGIN_WINDOW_MS - 3 * 60_000) / 1000));
    // T0 is 09:00 UTC, 10:00 in Berlin; the window ends 15 minutes later.
    expect(locked.body).toContain('You can try again at 10:15 CET (in 12 minutes).');
    expect(locked.body).toMatch(/<a class="button" href="\/">Go to the planet’s home page<\/a>/);
    expect(locked.body).toContain('href="/admin/login"');
  });

  it('stores a long user name cut to the longest possible account name', async () => {
    const a = await startApp();
    await attempt(a.app, 'x'.repeat(10_000), '192.0.2.1');
    expect(rows(a.db).map((r) => r.key)).toContain(`admin-login-user:${'x'.repeat(64)}`);
  });
});

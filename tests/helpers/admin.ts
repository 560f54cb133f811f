// Test fixtures for the admin side: a planet on a fresh SQLite file with the real migrations,
// an admin account, a logged-in browser-like session for app.inject(), an API token, and a
// loopback blog (home page advertising its feed) to subscribe to.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { hashPassword, newApiToken, randomToken, sha256Hex } from '../../src/admin/passwords.js';
import { parseConfig, type Config } from '../../src/config.js';
import { insertAdmin, insertApiToken, insertSession } from '../../src/db/admins.js';
import { openDb, type Db } from '../../src/db/open.js';
import { buildServer } from '../../src/http/app.js';
import { serveFeed, startFeedServer, type FeedServer } from './feed-server.js';

export const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/admin');
export const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');

export interface TestPlanet {
  app: FastifyInstance;
  db: Db;
  config: Config;
  dir: string;
  close(): Promise<void>;
}

export async function startAdminTestPlanet(overrides: { fetch?: Record<string, unknown>; suggestions?: Record<string, unknown>; planet?: Record<string, unknown> } = {}): Promise<TestPlanet> {
  const dir = mkdtempSync(path.join(tmpdir(), 'planet-admin-'));
  const config = parseConfig({
    database: path.join(dir, 'planet.db'),
    planet: { name: 'Test Planet', link: 'http://planet.test/', ...overrides.planet },
    fetch: { allow_private_addresses: true, timeout_seconds: 5, ...overrides.fetch },
    ...(overrides.suggestions ? { suggestions: overrides.suggestions } : {}),
  });
  const db = openDb(config.database);
  const app = await buildServer({ db, config });
  await app.ready();
  return {
    app,
    db,
    config,
    dir,
    close: async () => {
      await app.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const ADMIN = { username: 'alice', password: 'correct horse battery staple' };

/** Cheap scrypt parameters for tests that do not exercise the KDF (a real login rehashes them once). */
export const TEST_SCRYPT = { N: 1024, r: 8, p: 1 };

export async function createAdmin(db: Db, username = ADMIN.username, password = ADMIN.password, params = TEST_SCRYPT): Promise<void> {
  insertAdmin(db, username, await hashPassword(password, params));
}

export function createToken(db: Db, username = ADMIN.username): string {
  const admin = db.prepare('SELECT id FROM admins WHERE username = ?').get(username) as { id: number };
  const token = newApiToken();
  insertApiToken(db, admin.id, sha256Hex(token));
  return token;
}

/** Cookies as a browser keeps them: name → value, from Set-Cookie headers. */
export function cookiesFrom(res: LightMyRequestResponse, jar: Record<string, string> = {}): Record<string, string> {
  for (const c of res.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
    if (c.value === '' || c.maxAge === 0 || (c.expires && c.expires.getTime() < Date.now())) delete jar[c.name];
    else jar[c.name] = c.value;
  }
  return jar;
}

export function hiddenField(html: string, name: string): string {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!m?.[1]) throw new Error(`no hidden field ${name} in page`);
  return m[1];
}

export interface Session {
  cookies: Record<string, string>;
  csrf: string;
  get(url: string): Promise<LightMyRequestResponse>;
  /** A form POST carrying the session's CSRF token unless `csrf: false`. */
  post(url: string, form?: Record<string, string>, options?: { csrf?: boolean }): Promise<LightMyRequestResponse>;
}

export async function loginForm(app: FastifyInstance): Promise<{ cookies: Record<string, string>; token: string }> {
  const page = await app.inject({ method: 'GET', url: '/admin/login' });
  return { cookies: cookiesFrom(page), token: hiddenField(page.body, '_csrf') };
}

export async function postLogin(app: FastifyInstance, username: string, password: string, extra: { ip?: string } = {}) {
  const form = await loginForm(app);
  return app.inject({
    method: 'POST',
    url: '/admin/login',
    cookies: form.cookies,
    remoteAddress: extra.ip,
    payload: new URLSearchParams({ _csrf: form.token, username, password, next: '/admin' }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
}

function session(app: FastifyInstance, cookies: Record<string, string>, csrf: string): Session {
  return {
    cookies,
    csrf,
    get: (url) => app.inject({ method: 'GET', url, cookies }),
    post: (url, form = {}, options = {}) =>
      app.inject({
        method: 'POST',
        url,
        cookies,
        payload: new URLSearchParams(options.csrf === false ? form : { _csrf: csrf, ...form }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
  };
}

/** Logs in through the form (costs a real scrypt verification). */
export async function loginViaForm(app: FastifyInstance, username = ADMIN.username, password = ADMIN.password): Promise<Session> {
  const res = await postLogin(app, username, password);
  if (res.statusCode !== 303) throw new Error(`login failed: ${res.statusCode} ${res.body.slice(0, 300)}`);
  const cookies = cookiesFrom(res);
  const home = await app.inject({ method: 'GET', url: '/admin', cookies });
  return session(app, cookies, hiddenField(home.body, '_csrf'));
}

/** A session as the login form would create it, without spending a scrypt (for tests about other things). */
export async function login(app: FastifyInstance, db: Db, username = ADMIN.username): Promise<Session> {
  const admin = db.prepare('SELECT id FROM admins WHERE username = ?').get(username) as { id: number };
  const id = randomToken();
  const csrf = randomToken();
  insertSession(db, { idHash: sha256Hex(id), adminId: admin.id, csrfToken: csrf, expiresAt: Date.now() + 3_600_000, ip: '127.0.0.1', userAgent: null });
  return session(app, { planet_session: id }, csrf);
}

/** A blog on loopback: / is its home page (advertising /blog/feed.xml), /blog/feed.xml its feed. */
export async function startBlog(): Promise<FeedServer> {
  return startFeedServer({
    '/': serveFeed(fixture('blog-home.html'), { contentType: 'text/html; charset=utf-8' }),
    '/blog/feed.xml': serveFeed(fixture('blog-feed.xml'), { contentType: 'application/rss+xml' }),
  });
}

/** Row counts of what admin actions write: "nothing written" compares these before and after. */
export function snapshot(db: Db): Record<string, number> {
  const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
  return {
    feeds: count('SELECT count(*) AS n FROM feeds'),
    removed: count('SELECT count(*) AS n FROM removed_feeds'),
    tags: count('SELECT count(*) AS n FROM feed_tags'),
    entries: count('SELECT count(*) AS n FROM entries'),
    hidden: count('SELECT count(*) AS n FROM entries WHERE hidden = 1'),
    audit: count('SELECT count(*) AS n FROM audit_log'),
    changes: count("SELECT count(*) AS n FROM feeds WHERE name IS NOT NULL OR face IS NOT NULL OR link IS NOT NULL OR status != 'active'"),
  };
}

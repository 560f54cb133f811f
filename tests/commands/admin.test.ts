// `planet admin create USER` (password on stdin) and `planet admin token USER`, through the CLI's runCli().
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256Hex, verifyPassword } from '../../src/admin/passwords.js';
import { runCli } from '../../src/cli.js';
import type { CliIo } from '../../src/commands/common.js';
import { openDb, type Db } from '../../src/db/open.js';

let dir: string;
let configPath: string;
let dbPath: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'planet-admin-cli-'));
  dbPath = path.join(dir, 'planet.db');
  configPath = path.join(dir, 'planet.yaml');
  writeFileSync(configPath, `database: ${JSON.stringify(dbPath)}\n`);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function run(argv: string[], stdin = ''): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => void (out += `${t}\n`), err: (t) => void (err += `${t}\n`), readStdin: async () => stdin, env: {} };
  const code = await runCli([...argv, '--config', configPath], io);
  return { code, out, err };
}

function withDb<T>(fn: (db: Db) => T): T {
  const db = openDb(dbPath);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

describe('planet admin create', () => {
  it('creates an admin with the password from stdin (one trailing newline dropped), hashed', async () => {
    const r = await run(['admin', 'create', 'alice'], 'correct horse battery staple\n');
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toContain('admin "alice" created');
    const row = withDb((db) => db.prepare('SELECT username, password_hash FROM admins').get() as { username: string; password_hash: string });
    expect(row.username).toBe('alice');
    expect(row.password_hash).toMatch(/^scrypt\$65536\$8\$2\$[\w-]{22}\$[\w-]{43}$/);
    expect(row.password_hash).not.toContain('correct horse');
    expect(await verifyPassword('correct horse battery staple', row.password_hash)).toBe(true);
    expect(await verifyPassword('correct horse battery staple\n', row.password_hash)).toBe(false);
    expect(withDb((db) => db.prepare('SELECT actor, via, action FROM audit_log').all())).toEqual([{ actor: 'alice', via: 'cli', action: 'admin.create' }]);
  });

  it.each([
    ['an empty password', '', /empty/],
    ['only a newline', '\n', /empty/],
    ['a short password', 'short\n', /too short \(at least 12/],
    ['an overlong password', `${'x'.repeat(1025)}\n`, /too long/],
  ])('refuses %s (exit 1), creating nothing', async (_name, stdin, reason) => {
    const r = await run(['admin', 'create', 'alice'], stdin);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(reason);
    expect(r.err).toContain('standard input');
    expect(withDb((db) => db.prepare('SELECT count(*) AS n FROM admins').get())).toEqual({ n: 0 });
  });

  it.each([
    ['no user', []],
    ['two users', ['alice', 'bob']],
    ['a user name with spaces', ['al ice']],
    ['a user name starting with "-"', ['--', '-alice']],
    ['an unknown option (no password on argv)', ['alice', '--password', 'secret-secret']],
  ])('bad usage: %s → exit 2', async (_name, args) => {
    const r = await run(['admin', 'create', ...args], 'correct horse battery staple\n');
    expect(r.code).toBe(2);
  });

  it('refuses to overwrite an existing admin unless --replace, which ends their sessions', async () => {
    await run(['admin', 'create', 'alice'], 'correct horse battery staple');
    const again = await run(['admin', 'create', 'ALICE'], 'another long password');
    expect(again.code).toBe(1);
    expect(again.err).toContain('already exists');
    withDb((db) =>
      db.prepare("INSERT INTO admin_sessions (id_hash, admin_id, csrf_token, created_at, last_seen_at, expires_at) VALUES ('h', 1, 'c', 0, 0, ?)").run(Date.now() + 1e6),
    );
    const replaced = await run(['admin', 'create', 'alice', '--replace'], 'another long password');
    expect(replaced.code).toBe(0);
    const hash = withDb((db) => (db.prepare('SELECT password_hash FROM admins').get() as { password_hash: string }).password_hash);
    expect(await verifyPassword('another long password', hash)).toBe(true);
    expect(withDb((db) => db.prepare('SELECT count(*) AS n FROM admin_sessions').get())).toEqual({ n: 0 });
  });
});

describe('planet admin token', () => {
  it('prints a new token once and stores only its SHA-256', async () => {
    await run(['admin', 'create', 'alice'], 'correct horse battery staple');
    const r = await run(['admin', 'token', 'alice']);
    expect(r.code).toBe(0);
    const token = r.out.trim();
    expect(token).toMatch(/^planet_[\w-]{43}$/);
    const rows = withDb((db) => db.prepare('SELECT token_hash FROM api_tokens').all() as { token_hash: string }[]);
    expect(rows).toEqual([{ token_hash: sha256Hex(token) }]);
    const second = await run(['admin', 'token', 'alice']);
    expect(second.out.trim()).not.toBe(token);
    expect(withDb((db) => db.prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'token.create'").get())).toEqual({ n: 2 });
  });

  it('an unknown admin → exit 1, nothing stored', async () => {
    const r = await run(['admin', 'token', 'nobody']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('no admin "nobody"');
    expect(r.out).toBe('');
    expect(withDb((db) => db.prepare('SELECT count(*) AS n FROM api_tokens').get())).toEqual({ n: 0 });
  });

  it('the token opens the API', async () => {
    await run(['admin', 'create', 'alice'], 'correct horse battery staple');
    const token = (await run(['admin', 'token', 'alice'])).out.trim();
    const { buildServer } = await import('../../src/http/app.js');
    const { loadConfig } = await import('../../src/config.js');
    const db = openDb(dbPath);
    const app = await buildServer({ db, config: loadConfig({ path: configPath, env: {} }) });
    try {
      expect((await app.inject({ method: 'GET', url: '/api/feeds', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/api/feeds', headers: { authorization: `Bearer ${token}x` } })).statusCode).toBe(401);
    } finally {
      await app.close();
      db.close();
    }
  });
});

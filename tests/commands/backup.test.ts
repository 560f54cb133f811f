// `planet backup FILE`: a consistent, self-contained copy while another process keeps writing,
// and the documented restore (copy it over the database file, drop the old -wal/-shm).
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { backup } from '../../src/commands/backup.js';
import { UsageError, type CliIo } from '../../src/commands/common.js';
import { insertFeed } from '../../src/db/feeds.js';
import { tempPlanet, type TempPlanet } from '../helpers/temp-planet.js';
import { ROOT, runPlanet } from '../helpers/processes.js';

let planet: TempPlanet;
afterEach(() => planet?.cleanup());

function captureIo(env: NodeJS.ProcessEnv): CliIo & { output: string; errors: string } {
  const io = {
    output: '',
    errors: '',
    out: (t: string) => void (io.output += `${t}\n`),
    err: (t: string) => void (io.errors += `${t}\n`),
    readStdin: async () => '',
    env,
  };
  return io;
}

function setup() {
  planet = tempPlanet();
  const config = path.join(planet.dir, 'planet.yaml');
  writeFileSync(config, `database: ${JSON.stringify(planet.dbPath)}\n`);
  const feed = insertFeed(planet.db, { url: 'http://blog.test/feed' });
  return { config, feedId: feed.id, io: captureIo({}) };
}

function inspect(file: string) {
  const db = new Database(file, { readonly: true });
  try {
    return {
      integrity: db.pragma('integrity_check', { simple: true }),
      journal: db.pragma('journal_mode', { simple: true }),
      entries: (db.prepare('SELECT count(*) AS n FROM entries').get() as { n: number }).n,
    };
  } finally {
    db.close();
  }
}

describe('planet backup', () => {
  it('writes one self-contained file that passes integrity_check', async () => {
    const { config, io } = setup();
    const dest = path.join(planet.dir, 'copy.db');
    expect(await backup([dest, '--config', config], io)).toBe(0);
    expect(io.output).toMatch(/^backup: \d+ pages \(\d+\.\d MiB\) copied from .* to .*copy\.db in \d+ ms/);
    expect(existsSync(`${dest}-wal`)).toBe(false);
    expect(inspect(dest)).toMatchObject({ integrity: 'ok', journal: 'delete' });
    // No partial file left behind.
    expect(existsSync(`${dest}.partial-${process.pid}`)).toBe(false);
  });

  it.each([
    ['no FILE', [] as string[], UsageError],
    ['two FILEs', ['a.db', 'b.db'], UsageError],
  ])('rejects %s as bad usage', async (_name, args, error) => {
    const { config, io } = setup();
    await expect(backup([...args, '--config', config], io)).rejects.toBeInstanceOf(error);
  });

  it('refuses to overwrite the live database and to write into a missing directory', async () => {
    const { config, io } = setup();
    expect(await backup([planet.dbPath, '--config', config], io)).toBe(1);
    expect(io.errors).toMatch(/is the live database itself/);
    expect(await backup([path.join(planet.dir, 'nope', 'copy.db'), '--config', config], io)).toBe(1);
    expect(io.errors).toMatch(/directory .*nope does not exist/);
  });

  it('copies consistently while another process writes, and the copy restores', async () => {
    const { config, feedId } = setup();
    planet.db.close();
    // The writer commits 50 entries per transaction for as long as the test runs: a consistent
    // copy always holds a multiple of 50.
    const writer = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import Database from 'better-sqlite3';
         const db = new Database(${JSON.stringify(planet.dbPath)});
         db.pragma('journal_mode = WAL'); db.pragma('busy_timeout = 10000');
         const put = db.prepare("INSERT INTO entries (feed_id, entry_key, title, content_html, content_hash, first_seen_at, sort_at) VALUES (?, ?, 't', ?, 'h', 0, 0)");
         const batch = db.transaction((n) => { for (let i = 0; i < 50; i++) put.run(${feedId}, 'k' + n + '-' + i, 'x'.repeat(2000)); });
         let n = 0; process.stdout.write('ready\\n');
         for (;;) { batch(n++); await new Promise((r) => setTimeout(r, 2)); }`,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve) => writer.stdout!.once('data', () => resolve()));
      const copies: number[] = [];
      for (let i = 0; i < 3; i++) {
        const dest = path.join(planet.dir, `copy-${i}.db`);
        const r = await runPlanet(['backup', dest, '--config', config]);
        expect(r.code, r.stderr).toBe(0);
        const copy = inspect(dest);
        expect(copy.integrity).toBe('ok');
        expect(copy.entries % 50).toBe(0);
        copies.push(copy.entries);
      }
      expect(copies.at(-1)).toBeGreaterThan(0);
      // The writer kept going during the copies.
      expect(new Set(copies).size).toBeGreaterThan(1);
    } finally {
      writer.kill('SIGKILL');
      await new Promise((r) => writer.once('close', r));
    }

    // Restore as docs/operations.md says: server stopped, copy over the file, drop -wal and -shm.
    const expected = inspect(path.join(planet.dir, 'copy-2.db')).entries;
    copyFileSync(path.join(planet.dir, 'copy-2.db'), planet.dbPath);
    rmSync(`${planet.dbPath}-wal`, { force: true });
    rmSync(`${planet.dbPath}-shm`, { force: true });
    const listed = await runPlanet(['feeds', 'list', '--json', '--config', config]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(inspect(planet.dbPath)).toMatchObject({ integrity: 'ok', entries: expected });
  }, 60_000);
});

// `planet backup FILE`: a consistent copy of the database while `planet serve` keeps running,
// made with SQLite's online backup API, written beside FILE and renamed into place when complete.
import { existsSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { databasePath, loadConfig } from '../config.js';
import { backupDatabase } from '../db/backup.js';
import { openDb } from '../db/open.js';
import { EXIT_FAILURE, EXIT_OK, UsageError, parseCommandArgs, type CliIo } from './common.js';
import { backupSummary } from './wording.js';

const USAGE = 'planet backup FILE [--config PATH]';

export async function backup(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {}, USAGE, 'Copies the database named in the config to FILE, consistently, while the server runs.');
  const [target, extra] = positionals;
  if (!target) throw new UsageError(`missing FILE\nusage: ${USAGE}`);
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"\nusage: ${USAGE}`);

  const config = loadConfig({ path: values.config as string | undefined, env: io.env });
  const source = databasePath(config);
  const dest = path.resolve(target);
  if (source === ':memory:' || !existsSync(source)) {
    io.err(`planet backup: no database at ${source}`);
    return EXIT_FAILURE;
  }
  if (existsSync(dest) && realpathSync(dest) === realpathSync(source)) {
    io.err(`planet backup: ${target} is the live database itself; name another file`);
    return EXIT_FAILURE;
  }
  if (!existsSync(path.dirname(dest))) {
    io.err(`planet backup: directory ${path.dirname(dest)} does not exist`);
    return EXIT_FAILURE;
  }

  // No migrations and no config sync: a backup must not write to the database it copies.
  const db = openDb(source, { migrate: false });
  const partial = `${dest}.partial-${process.pid}`;
  const started = performance.now();
  try {
    rmSync(partial, { force: true });
    const { pages } = await backupDatabase(db, partial);
    renameSync(partial, dest);
    io.out(backupSummary(pages, statSync(dest).size, source, dest, Math.round(performance.now() - started)));
    return EXIT_OK;
  } catch (err) {
    rmSync(partial, { force: true });
    rmSync(`${partial}-journal`, { force: true });
    io.err(`planet backup: ${(err as Error).message.replace(/^backup: /, '')}`);
    return EXIT_FAILURE;
  } finally {
    db.close();
  }
}

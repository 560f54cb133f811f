// What every `planet` command shares: option parsing with --config, config + database opening,
// and the exit-status convention (0 ok, 1 operational failure, 2 bad usage or configuration).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfig, databasePath, type Config } from '../config.js';
import { openDb, type Db } from '../db/open.js';
import { syncConfigFeeds, syncConfigReadingLists } from '../subscriptions/config-seed.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Bad usage: unknown option, missing argument. Exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Where a command writes; tests pass their own. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Reads all of standard input (admin passwords). */
  readStdin(): Promise<string>;
  env: NodeJS.ProcessEnv;
}

export const processIo: CliIo = {
  out: (t) => void process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => void process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  env: process.env,
};

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs with `--config` added and errors turned into UsageError. */
export function parseCommandArgs<O extends Options>(args: string[], options: O, usage: string) {
  try {
    return parseArgs({ args, options: { ...options, config: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\nusage: ${usage}`);
  }
}

export interface Opened {
  config: Config & { configPath: string };
  db: Db;
}

/**
 * Loads the configuration, opens (and migrates) the database, and subscribes the config file's
 * feeds and reading lists that are missing. The caller closes the database.
 */
export function openPlanet(configPath: string | undefined, io: CliIo): Opened {
  const config = loadConfig({ path: configPath, env: io.env });
  const db = openDb(databasePath(config));
  syncConfigFeeds(db, config.feeds);
  syncConfigReadingLists(db, config.reading_lists);
  return { config, db };
}

export function formatTime(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

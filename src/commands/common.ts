// What every `planet` command shares: option parsing with --config, config + database opening,
// and the exit-status convention (0 ok, 1 operational failure, 2 bad usage or configuration).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfig, databasePath, type Config } from '../config.js';
import { openDb, type Db } from '../db/open.js';
import { syncConfigFeeds, syncConfigReadingLists } from '../subscriptions/config-seed.js';
import { syncConfigFilters } from '../subscriptions/filter-rules.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Bad usage: unknown option, missing argument. Exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** `-h` / `--help`: the command's usage text (the message) goes to standard output, exit 0. */
export class HelpRequested extends Error {
  override name = 'HelpRequested';
}

/** Where a command writes; tests pass their own. */
export interface CliIo {
  /** What the command was asked for: the report, the list, the document. */
  out(text: string): void;
  /** Errors, warnings and progress. */
  err(text: string): void;
  /** Reads all of standard input (admin passwords). */
  readStdin(): Promise<string>;
  env: NodeJS.ProcessEnv;
  /** Standard output is a terminal: tables may use colour and fit its width. */
  isTTY?: boolean;
  /** The terminal's width in columns, when it is one. */
  columns?: number;
}

/**
 * Writes lines to stdout or stderr. Once the reader has gone (`planet feeds list | head`), the
 * write fails with EPIPE: the rest of the output is dropped quietly and the command finishes as
 * it would have, where an unhandled 'error' event would crash it with a stack trace.
 */
function lineWriter(stream: NodeJS.WriteStream): (text: string) => void {
  let gone = false;
  let listening = false;
  return (text) => {
    if (!listening) {
      listening = true;
      stream.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EPIPE') throw err;
        gone = true;
      });
    }
    if (gone || stream.destroyed) return;
    stream.write(text.endsWith('\n') ? text : `${text}\n`);
  };
}

export const processIo: CliIo = {
  out: lineWriter(process.stdout),
  err: lineWriter(process.stderr),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  env: process.env,
  get isTTY() {
    return process.stdout.isTTY === true;
  },
  get columns() {
    return process.stdout.isTTY ? process.stdout.columns : undefined;
  },
};

type Options = NonNullable<ParseArgsConfig['options']>;

/** `-h` or `--help` among a command's arguments (before a `--`), whatever else is wrong with them. */
function asksForHelp(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '-h' || a === '--help');
}

const CONFIG_OPTION = '  --config PATH    the configuration file (default: $PLANET_CONFIG, else config/planet.yaml)';

/**
 * parseArgs with `--config` added and errors turned into UsageError; `--help` throws
 * HelpRequested with the usage line and `details`: what the command does, then its options, one
 * per line as `  --name ARG        what it does` (`--config` is added last).
 */
export function parseCommandArgs<O extends Options>(args: string[], options: O, usage: string, details?: string) {
  if (asksForHelp(args)) throw new HelpRequested(`usage: ${usage}${details ? `\n${details}` : ''}\n${CONFIG_OPTION}`);
  try {
    return parseArgs({ args, options: { ...options, config: { type: 'string' } }, allowPositionals: true, strict: true });
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
  syncConfigFilters(db, config);
  return { config, db };
}

export function formatTime(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

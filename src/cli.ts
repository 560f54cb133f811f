// The `planet` command: parses argv, dispatches to src/commands/*, maps errors to exit statuses.
import { ConfigError } from './config.js';
import { EXIT_FAILURE, EXIT_USAGE, UsageError, processIo, type CliIo } from './commands/common.js';

type Command = (args: string[], io: CliIo) => Promise<number>;

/** Command words → loader; modules load lazily so `planet check` does not start a server. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./commands/serve.js')).serve,
  fetch: async () => (await import('./commands/fetch.js')).fetch,
  check: async () => (await import('./commands/check.js')).check,
  'feeds list': async () => (await import('./commands/feeds.js')).feedsList,
  'feeds add': async () => (await import('./commands/feeds.js')).feedsAdd,
  'feeds remove': async () => (await import('./commands/feeds.js')).feedsRemove,
  'feeds edit': async () => (await import('./commands/feeds.js')).feedsEdit,
  'opml import': async () => (await import('./commands/opml.js')).opmlImport,
  'opml export': async () => (await import('./commands/opml.js')).opmlExport,
  build: async () => (await import('./commands/build.js')).build,
  'admin create': async () => (await import('./commands/admin.js')).adminCreate,
  'admin token': async () => (await import('./commands/admin.js')).adminToken,
  backup: async () => (await import('./commands/backup.js')).backup,
};

const USAGE = `usage: planet <command> [options]   (every command takes --config PATH)

  serve [--no-fetch]                    HTTP server plus the fetch scheduler
  fetch [--feed URL_OR_ID]              one fetch pass now, with a per-feed summary
  check URL_OR_FILE [--json]            diagnose one feed without storing it
  feeds list [--json]                   subscriptions and their health
  feeds add URL [--name N] [--face URL] [--link URL] [--tag T]...
  feeds remove URL_OR_ID [--purge]      unsubscribe (--purge also deletes its entries)
  feeds edit URL_OR_ID [--name N] [--face URL] [--link URL] [--tag T]...
  opml import FILE | opml export
  build --out DIR                       static export of the whole site
  backup FILE                           consistent copy of the database, online
  admin create USER | admin token USER  admin accounts (password on stdin)`;

export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  const [first, second] = argv;
  if (!first || first === '--help' || first === '-h' || first === 'help') {
    io.out(USAGE);
    return first ? 0 : EXIT_USAGE;
  }
  const two = `${first} ${second ?? ''}`;
  const name = COMMANDS[two] ? two : COMMANDS[first] ? first : undefined;
  if (!name) {
    io.err(`planet: unknown command "${COMMANDS[two] === undefined && second && !second.startsWith('-') && Object.keys(COMMANDS).some((c) => c.startsWith(`${first} `)) ? two : first}"\n${USAGE}`);
    return EXIT_USAGE;
  }
  const rest = argv.slice(name.split(' ').length);
  try {
    const command = await COMMANDS[name]!();
    return await command(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`planet ${name}: ${err.message}`);
      return EXIT_USAGE;
    }
    if (err instanceof ConfigError) {
      io.err(err.message);
      return EXIT_USAGE;
    }
    io.err(`planet ${name}: ${(err as Error).message}`);
    return EXIT_FAILURE;
  }
}

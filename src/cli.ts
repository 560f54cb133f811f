// The `planet` command: parses argv, dispatches to src/commands/*, maps errors to exit statuses.
// `--config PATH` / `--config=PATH` and `-h` / `--help` are understood before, between and after
// the command words; every other option belongs to its command and goes after the command name.
import { ConfigError, closestName } from './config.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, HelpRequested, UsageError, processIo, type CliIo } from './commands/common.js';

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
  'lists add': async () => (await import('./commands/lists.js')).listsAdd,
  'lists list': async () => (await import('./commands/lists.js')).listsList,
  'lists remove': async () => (await import('./commands/lists.js')).listsRemove,
  build: async () => (await import('./commands/build.js')).build,
  'admin create': async () => (await import('./commands/admin.js')).adminCreate,
  'admin token': async () => (await import('./commands/admin.js')).adminToken,
  backup: async () => (await import('./commands/backup.js')).backup,
  'filters test': async () => (await import('./commands/filters.js')).filtersTest,
  why: async () => (await import('./commands/why.js')).why,
  'suggestions list': async () => (await import('./commands/suggestions.js')).suggestionsList,
  'suggestions approve': async () => (await import('./commands/suggestions.js')).suggestionsApprove,
  'suggestions reject': async () => (await import('./commands/suggestions.js')).suggestionsReject,
};

/** Words that only name a group of commands (`planet feeds list`). */
const GROUPS = new Set(Object.keys(COMMANDS).filter((c) => c.includes(' ')).map((c) => c.split(' ')[0]!));

export const USAGE = `usage: planet <command> [options]

  serve [--no-fetch]                    HTTP server plus the fetch scheduler
  fetch [--feed URL_OR_ID]... [--wait SECONDS] [--json]
                                        one fetch pass now, with a per-feed summary
  check URL_OR_FILE [--json]            diagnose one feed without storing it
  feeds list [--json]                   subscriptions and their health
  feeds add URL [--name N] [--face URL] [--link URL] [--tag T]... [--no-discover]
  feeds remove URL_OR_ID [--purge]      unsubscribe (--purge also deletes its entries)
  feeds edit URL_OR_ID [--name N] [--face URL] [--link URL] [--tag T]... [--excerpt|--no-excerpt]
             [--include RULE]... [--exclude RULE]... | [--clear-filters]
                                        change a subscription; rules re-applied to what is stored
  filters test [URL_OR_ID] [--include RULE]... [--exclude RULE]... [--json]
                                        preview filter rules over the stored posts, saving nothing
  opml import FILE | opml export
  lists add URL_OR_FILE [--tag T]...    reading list: an OPML file whose feeds are kept in sync
  lists list [--json] | lists remove URL_OR_FILE_OR_ID
  why URL [--json]                      where a post is on the planet, or why it is not
  suggestions list [--json] | suggestions approve ID | suggestions reject ID [--reason TEXT]
                                        the queue of blogs visitors suggested at /suggest
  build --out DIR                       static export of the whole site
  backup FILE                           consistent copy of the database, online
  admin create USER | admin token USER  admin accounts (password on stdin)

Every command takes --config PATH (default: $PLANET_CONFIG, else config/planet.yaml), before or
after the command name, and -h / --help. Only what a command was asked for goes to standard
output; errors and warnings go to standard error.
Exit status: 0 success, 1 operational failure (a feed that cannot be read, a busy pass), 2 bad
usage or bad configuration.`;

/** The lines of USAGE that start with `word`, for `planet feeds` without a subcommand. */
function groupUsage(word: string): string {
  return `usage:\n${USAGE.split('\n').filter((l) => l.startsWith(`  ${word} `)).map((l) => `  planet ${l.trimStart()}`).join('\n')}`;
}

interface Invocation {
  /** The command words found, e.g. ["feeds", "list"]; a known command when `command` is set. */
  words: string[];
  command?: string;
  /** The arguments after the command words, with the global options taken out. */
  rest: string[];
  config?: string;
  help: boolean;
}

/** Splits argv into global options, command words and the command's own arguments. */
export function parseInvocation(argv: string[]): Invocation {
  const inv: Invocation = { words: [], rest: [], help: false };
  const setConfig = (value: string | undefined, spelled: string) => {
    if (value === undefined || value === '' || value.startsWith('-')) throw new UsageError(`${spelled} needs a PATH (--config PATH or --config=PATH)`);
    if (inv.config !== undefined) throw new UsageError('--config given twice');
    inv.config = value;
  };
  let i = 0;
  // Before and between the command words: only global options and the words themselves.
  for (; i < argv.length && inv.command === undefined; i++) {
    const arg = argv[i]!;
    if (arg === '--config') setConfig(argv[++i], arg);
    else if (arg.startsWith('--config=')) setConfig(arg.slice('--config='.length), '--config=');
    else if (arg === '-h' || arg === '--help') inv.help = true;
    else if (arg.startsWith('-')) {
      throw new UsageError(`unknown option "${arg}" before the command; only --config and --help go there, the command's own options after it`);
    } else {
      if (arg === 'help' && inv.words.length === 0 && !inv.help) {
        inv.help = true;
        continue;
      }
      inv.words.push(arg);
      const words = inv.words.join(' ');
      if (COMMANDS[words]) inv.command = words;
      else if (inv.words.length > 1 || !GROUPS.has(arg)) {
        i++;
        break;
      }
    }
  }
  // After the command words: the command parses its options, --config among them (common.ts).
  const rest = argv.slice(i);
  if (inv.config !== undefined && rest.some((a) => a === '--config' || a.startsWith('--config='))) throw new UsageError('--config given twice');
  inv.rest = inv.config === undefined ? rest : [...rest, '--config', inv.config];
  if (inv.help) inv.rest.push('--help');
  return inv;
}

export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  let inv: Invocation;
  try {
    inv = parseInvocation(argv);
  } catch (err) {
    io.err(`planet: ${(err as Error).message}\n${USAGE}`);
    return EXIT_USAGE;
  }
  const name = inv.command;
  if (name === undefined) {
    const [first] = inv.words;
    if (first === undefined) {
      // `planet --help` asked for this; a bare `planet` is bad usage and says so where errors go.
      if (inv.help) io.out(USAGE);
      else io.err(USAGE);
      return inv.help ? EXIT_OK : EXIT_USAGE;
    }
    if (inv.words.length === 1 && GROUPS.has(first)) {
      if (inv.help) {
        io.out(groupUsage(first));
        return EXIT_OK;
      }
      const subcommands = Object.keys(COMMANDS).filter((c) => c.startsWith(`${first} `)).map((c) => c.split(' ')[1]);
      io.err(`planet ${first}: name one of ${subcommands.join(', ')}\n${groupUsage(first)}`);
      return EXIT_USAGE;
    }
    const typed = inv.words.join(' ');
    const near = closestName(typed, Object.keys(COMMANDS));
    io.err(`planet: unknown command "${typed}"${near ? ` — did you mean "${near}"?` : ''}\n${USAGE}`);
    return EXIT_USAGE;
  }
  try {
    const command = await COMMANDS[name]!();
    return await command(inv.rest, io);
  } catch (err) {
    if (err instanceof HelpRequested) {
      io.out(err.message);
      return EXIT_OK;
    }
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

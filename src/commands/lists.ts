// `planet lists add|list|remove`: reading lists, OPML files kept elsewhere (a URL or a local file)
// whose feeds are subscribed and kept in sync every pass (src/subscriptions/reading-lists.ts).
import { fetchOptionsFromConfig } from '../config.js';
import {
  addReadingList,
  findReadingListBy,
  listLocation,
  readingListsJson,
  removeReadingList,
} from '../subscriptions/reading-lists.js';
import { cliActor, readTags } from './feeds.js';
import { EXIT_FAILURE, EXIT_OK, UsageError, formatTime, openPlanet, parseCommandArgs, type CliIo } from './common.js';

export async function listsAdd(args: string[], io: CliIo): Promise<number> {
  const usage = 'planet lists add URL_OR_FILE [--tag T]...';
  const { values, positionals } = parseCommandArgs(args, { tag: { type: 'string', multiple: true } }, usage);
  if (positionals.length !== 1) throw new UsageError(`expected one URL or file\nusage: ${usage}`);
  const location = listLocation(positionals[0]!);
  if (location.kind === 'invalid') throw new UsageError(`"${positionals[0]}": ${location.reason}`);
  const tags = readTags((values.tag as string[] | undefined) ?? []);
  const { config, db } = openPlanet(values.config as string | undefined, io);
  try {
    const added = await addReadingList(db, config, cliActor(), { url: location.url, tags }, { fetch: fetchOptionsFromConfig(config), allowFiles: true });
    if (added.kind !== 'ok') {
      io.err(`planet lists add: ${(added.kind === 'duplicate' ? added.error : added).reason}; nothing added`);
      return EXIT_FAILURE;
    }
    const { list, outcome } = added;
    io.out(`added reading list #${list.id} ${list.url}: ${outcome.feeds} feeds, ${outcome.subscribed.length} subscribed now (the others already were)`);
    for (const w of list.warnings) io.out(`  left out: ${w}`);
    io.out('it is read again at every fetch pass');
    return EXIT_OK;
  } finally {
    db.close();
  }
}

export async function listsList(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' } }, 'planet lists list [--json]');
  if (positionals.length) throw new UsageError('planet lists list takes no arguments');
  const { db } = openPlanet(values.config as string | undefined, io);
  try {
    const lists = readingListsJson(db);
    if (values.json) {
      io.out(JSON.stringify(lists, null, 2));
      return EXIT_OK;
    }
    if (!lists.length) {
      io.out('no reading lists: add one with `planet lists add URL_OR_FILE`');
      return EXIT_OK;
    }
    for (const l of lists) {
      const held = l.feeds.filter((f) => f.state === 'subscribed').length;
      const declined = l.feeds.filter((f) => f.state === 'removed_by_admin').length;
      io.out(
        `#${l.id} ${l.status.padEnd(8)} ${l.url}${l.tags.length ? ` [${l.tags.join(', ')}]` : ''}  ${l.feeds.length} feeds (${held} subscribed${declined ? `, ${declined} removed by an admin` : ''}), ` +
          `last success ${formatTime(l.last_success ? Date.parse(l.last_success) : null)}${l.last_error ? `\n      last error: ${l.last_error}` : ''}`,
      );
    }
    return EXIT_OK;
  } finally {
    db.close();
  }
}

export async function listsRemove(args: string[], io: CliIo): Promise<number> {
  const usage = 'planet lists remove URL_OR_FILE_OR_ID';
  const { values, positionals } = parseCommandArgs(args, {}, usage);
  if (positionals.length !== 1) throw new UsageError(`expected one URL, file or id\nusage: ${usage}`);
  const { db } = openPlanet(values.config as string | undefined, io);
  try {
    const list = findReadingListBy(db, positionals[0]!);
    if (!list) {
      io.err(`planet lists remove: no reading list "${positionals[0]}" (see planet lists list)`);
      return EXIT_FAILURE;
    }
    const { unsubscribed } = removeReadingList(db, cliActor(), list);
    io.out(`removed reading list #${list.id} ${list.url}; ${unsubscribed.length} feeds only it held unsubscribed (their entries stay)`);
    return EXIT_OK;
  } finally {
    db.close();
  }
}

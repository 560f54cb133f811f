// `planet feeds list|add|remove|edit`: the subscription list from the command line.
import { userInfo } from 'node:os';
import { discoverSubscription, editFeed, subscribeFeed, unsubscribeFeed, urlProblem, type Actor, type FeedFields } from '../subscriptions/service.js';
import { listFeedSources } from '../db/feed-sources.js';
import { countEntriesByFeed, findFeed, listFeedAliases, listFeeds } from '../db/feeds.js';
import { describeLists, reappliedWords, setFeedFilters, validateFeedFilters } from '../subscriptions/filter-rules.js';
import { feedDisplayName, feedHealth, slugTag, type FeedHealth } from '../model.js';
import { currentSubscriptions } from '../db/websub.js';
import { pushState } from '../websub/subscriber.js';
import { EXIT_FAILURE, EXIT_OK, UsageError, formatTime, openPlanet, parseCommandArgs, type CliIo } from './common.js';
import { renderTable, type Column, type Style } from './table.js';

/** Changes made from the command line are audited like the admin UI's, under the OS user's name. */
export function cliActor(): Actor {
  let username = 'cli';
  try {
    username = userInfo().username;
  } catch {
    // no passwd entry (some containers): keep the generic name
  }
  return { username, via: 'cli' };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

type FeedRow = { id: number; status: FeedHealth; entries: number; last_success: string | null; name: string; url: string; last_error: string | null; push: string | null; websub: { hub: string; lease_expires: string | null } | null };

const STATUS_STYLE: Partial<Record<FeedHealth, Style>> = { ok: 'green', erroring: 'red', gone: 'red', inactive: 'yellow' };

/** `planet feeds list`: names are cut at 40 columns (narrower on a small terminal); a URL never is. */
const FEED_COLUMNS: Column<FeedRow>[] = [
  { header: 'ID', cell: (r) => String(r.id), align: 'right' },
  { header: 'STATUS', cell: (r) => r.status, style: (r) => STATUS_STYLE[r.status] },
  { header: 'ENTRIES', cell: (r) => String(r.entries), align: 'right' },
  { header: 'LAST SUCCESS', cell: (r) => formatTime(r.last_success ? Date.parse(r.last_success) : null) },
  { header: 'NAME', cell: (r) => r.name, max: 40, min: 12, shrinkOrder: 2 },
  { header: 'URL', cell: (r) => r.url },
  { header: 'PUSH', cell: (r) => (r.push === null ? '' : `${r.push === 'active' && r.websub?.lease_expires ? `active until ${formatTime(Date.parse(r.websub.lease_expires))}` : r.push} (${r.websub?.hub ?? '?'})`) },
  { header: 'LAST ERROR', cell: (r) => r.last_error ?? '', min: 20, shrinkOrder: 1, style: () => 'red' },
];

export async function feedsList(args: string[], io: CliIo): Promise<number> {
  const usage = 'planet feeds list [--json]';
  const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' } }, usage, 'Lists the subscriptions with their health, as a table.\n  --json           the list as JSON, with every field (tags, error codes, next fetch)');
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"\nusage: ${usage}`);
  const { config, db } = openPlanet(values.config as string | undefined, io);
  try {
    const counts = countEntriesByFeed(db);
    const sources = listFeedSources(db);
    const aliases = listFeedAliases(db);
    const subscriptions = currentSubscriptions(db);
    const now = Date.now();
    const rows = listFeeds(db).map((f) => {
      const c = counts.get(f.id);
      const sub = subscriptions.get(f.id);
      const push = pushState(sub, now);
      // A feed its hub pushes is polled only every websub.poll_hours.
      const pollAt = push === 'active' && f.lastAttemptAt !== null ? f.lastAttemptAt + config.websub.poll_hours * 3_600_000 : null;
      return {
        id: f.id,
        url: f.url,
        name: feedDisplayName(f),
        tags: f.tags,
        status: feedHealth(f, c?.latest ?? null, now, config.page.activity_threshold_days),
        last_success: iso(f.lastSuccessAt),
        last_attempt: iso(f.lastAttemptAt),
        last_error: f.errorMessage,
        error_code: f.errorCode,
        http_status: f.lastHttpStatus,
        consecutive_errors: f.errorCount,
        next_fetch: iso(pollAt !== null ? Math.max(pollAt, f.nextFetchAt ?? 0) : f.nextFetchAt),
        entries: c?.entries ?? 0,
        latest_post: iso(c?.latest ?? null),
        sources: sources.get(f.id) ?? [],
        aliases: aliases.get(f.id) ?? [],
        push,
        websub: sub
          ? { hub: sub.hub, topic: sub.topic, state: sub.state, lease_expires: iso(sub.leaseExpiresAt), last_delivery: iso(sub.lastDeliveryAt), reason: sub.reason }
          : null,
        filters: f.filters ?? { include: [], exclude: [] },
      };
    });
    if (values.json) {
      io.out(JSON.stringify(rows, null, 2));
      return EXIT_OK;
    }
    if (!rows.length) {
      io.out('no subscriptions yet: add one with `planet feeds add URL`');
      return EXIT_OK;
    }
    const color = io.isTTY === true && !io.env.NO_COLOR;
    // Columns nobody needs today are left out: no error anywhere, no feed pushed by a hub.
    const columns = FEED_COLUMNS.filter((c) => (c.header !== 'LAST ERROR' || rows.some((r) => r.last_error)) && (c.header !== 'PUSH' || rows.some((r) => r.push !== null)));
    for (const line of renderTable(rows, columns, { color, width: io.isTTY ? io.columns : undefined })) io.out(line);
    return EXIT_OK;
  } finally {
    db.close();
  }
}

const editOptions = {
  name: { type: 'string' },
  face: { type: 'string' },
  link: { type: 'string' },
  tag: { type: 'string', multiple: true },
  excerpt: { type: 'boolean' },
  'no-excerpt': { type: 'boolean' },
} as const;

const EDIT_HELP = `  --name NAME      the name shown on the planet (instead of the feed's title)
  --face URL       an avatar image ("" to remove)
  --link URL       the blog's home page, when the feed names none ("" to remove)
  --tag T          a tag (repeat for several); lowercase letters, digits, "-" or "_"
  --excerpt        show only the first part of long posts (--no-excerpt: whole posts)`;

function readEdit(values: Record<string, unknown>): FeedFields {
  const edit: FeedFields = {};
  if (values.name !== undefined) {
    const name = String(values.name).trim();
    if (!name) throw new UsageError('--name must not be empty');
    edit.name = name;
  }
  for (const key of ['face', 'link'] as const) {
    if (values[key] === undefined) continue;
    const v = String(values[key]);
    if (v === '') {
      edit[key] = null;
      continue;
    }
    const reason = urlProblem(v, true);
    if (reason) throw new UsageError(`--${key} "${v}": ${reason}`);
    edit[key] = v;
  }
  if (values.tag !== undefined) edit.tags = readTags(values.tag as string[]);
  if (values.excerpt) edit.excerpt = true;
  if (values['no-excerpt']) edit.excerpt = false;
  return edit;
}

/** `--tag T`… as tags, refusing what is not one (and suggesting what would be). */
export function readTags(values: string[]): string[] {
  return [
    ...new Set(
      values.map((t) => {
        const slug = slugTag(t);
        if (!slug || slug !== t) throw new UsageError(`--tag "${t}": tags are lowercase letters, digits, "-" or "_"${slug ? ` (did you mean "${slug}"?)` : ''}`);
        return slug;
      }),
    ),
  ];
}

export async function feedsAdd(args: string[], io: CliIo): Promise<number> {
  const usage = 'planet feeds add URL [--name NAME] [--face URL] [--link URL] [--tag T]... [--no-discover]';
  const { values, positionals } = parseCommandArgs(args, { ...editOptions, 'no-discover': { type: 'boolean' } }, usage, `Subscribes a feed; a blog's home page is resolved to the feed it advertises.\n${EDIT_HELP}\n  --no-discover    subscribe URL as given, without looking for a feed`);
  if (positionals.length !== 1) throw new UsageError(`expected one URL\nusage: ${usage}`);
  const url = positionals[0]!;
  const badScheme = urlProblem(url, true);
  if (badScheme) throw new UsageError(`"${url}": ${badScheme}`);
  const edit = readEdit(values);
  const { config, db } = openPlanet(values.config as string | undefined, io);
  try {
    let feedUrl = url;
    if (!values['no-discover']) {
      const found = await discoverSubscription(db, config, url);
      if (found.kind !== 'ok') {
        const error = found.kind === 'duplicate' ? found.error : found;
        io.err(`planet feeds add: ${error.reason}`);
        return EXIT_FAILURE;
      }
      feedUrl = found.feedUrl;
      if (feedUrl !== url) io.out(`discovered ${feedUrl}${found.title ? ` ("${found.title}")` : ''}`);
    }
    const feed = subscribeFeed(db, config, cliActor(), feedUrl, edit);
    if ('kind' in feed) {
      io.err(`planet feeds add: ${feed.reason}`);
      return EXIT_FAILURE;
    }
    io.out(`added #${feed.id} ${feed.url} — it is fetched in the next pass (or now: planet fetch --feed ${feed.id})`);
    return EXIT_OK;
  } finally {
    db.close();
  }
}

export async function feedsRemove(args: string[], io: CliIo): Promise<number> {
  const usage = 'planet feeds remove URL_OR_ID [--purge]';
  const { values, positionals } = parseCommandArgs(args, { purge: { type: 'boolean' } }, usage, 'Unsubscribes a feed; its entries stay on the planet.\n  --purge          delete its entries too');
  if (positionals.length !== 1) throw new UsageError(`expected one URL or id\nusage: ${usage}`);
  const { db } = openPlanet(values.config as string | undefined, io);
  try {
    const feed = findFeed(db, positionals[0]!);
    if (!feed || feed.status === 'removed') {
      io.err(`planet feeds remove: no subscription "${positionals[0]}" (see planet feeds list)`);
      return EXIT_FAILURE;
    }
    const lists = (listFeedSources(db).get(feed.id) ?? []).filter((s) => s.startsWith('list:')).map((s) => s.slice(5));
    unsubscribeFeed(db, cliActor(), feed.id, Boolean(values.purge));
    io.out(`removed #${feed.id} ${feedDisplayName(feed)}${values.purge ? ' and its entries' : ' (its entries stay; --purge deletes them)'}`);
    if (lists.length) io.out(`reading lists still name it (${lists.join(', ')}): they do not subscribe it again while they keep it`);
    return EXIT_OK;
  } finally {
    db.close();
  }
}

const FILTER_HELP = `  --include RULE   show only posts matching one of these rules (repeat; replaces the feed's include rules)
  --exclude RULE   hide posts matching any of these rules (repeat; replaces the feed's exclude rules)
  --clear-filters  remove the feed's own rules (the planet-wide ones still apply)
                   RULE: category:NAME, author:NAME, lang:CODE, title:WORDS, text:WORDS, title:/REGEX/i, or
                   words alone (text:); rules are re-applied at once to the posts already stored`;

export async function feedsEdit(args: string[], io: CliIo): Promise<number> {
  const usage = 'planet feeds edit URL_OR_ID [--name NAME] [--face URL] [--link URL] [--tag T]... [--excerpt|--no-excerpt] [--include RULE]... [--exclude RULE]... [--clear-filters]';
  const options = { ...editOptions, include: { type: 'string', multiple: true }, exclude: { type: 'string', multiple: true }, 'clear-filters': { type: 'boolean' } } as const;
  const { values, positionals } = parseCommandArgs(args, options, usage, `Changes a subscription.\n${EDIT_HELP}\n${FILTER_HELP}`);
  if (positionals.length !== 1) throw new UsageError(`expected one URL or id\nusage: ${usage}`);
  const edit = readEdit(values);
  const include = values.include as string[] | undefined;
  const exclude = values.exclude as string[] | undefined;
  const clear = Boolean(values['clear-filters']);
  if (clear && (include || exclude)) throw new UsageError(`--clear-filters cannot be combined with --include or --exclude\nusage: ${usage}`);
  const filtersGiven = clear || include !== undefined || exclude !== undefined;
  if (!Object.keys(edit).length && !filtersGiven) throw new UsageError(`nothing to change\nusage: ${usage}`);
  const { config, db } = openPlanet(values.config as string | undefined, io);
  try {
    const feed = findFeed(db, positionals[0]!);
    if (!feed || feed.status === 'removed') {
      io.err(`planet feeds edit: no subscription "${positionals[0]}" (see planet feeds list)`);
      return EXIT_FAILURE;
    }
    let lists: { include: string[]; exclude: string[] } | null = null;
    if (filtersGiven && !clear) {
      // An option given replaces that list; the other list stays as it is.
      lists = { include: include ?? feed.filters?.include ?? [], exclude: exclude ?? feed.filters?.exclude ?? [] };
      const check = setFeedFiltersDryRun(lists);
      if (check) throw new UsageError(`--${check.field.split('.')[1] ?? 'include'} ${check.reason}`);
    }
    const updated = Object.keys(edit).length ? editFeed(db, cliActor(), feed.id, edit)! : feed;
    if (filtersGiven) {
      const set = setFeedFilters(db, config, cliActor(), feed.id, lists);
      if (!set || set.kind === 'invalid') throw new UsageError(set ? set.reason : 'no such feed');
      io.out(`updated #${updated.id} ${feedDisplayName(set.feed)}: filter rules ${describeLists(set.feed.filters)}; ${reappliedWords(set.report)}`);
      return EXIT_OK;
    }
    io.out(`updated #${updated.id} ${feedDisplayName(updated)}`);
    return EXIT_OK;
  } finally {
    db.close();
  }
}

/** The first refused rule of `lists`, before anything is written. */
function setFeedFiltersDryRun(lists: { include: string[]; exclude: string[] }) {
  const valid = validateFeedFilters(lists);
  return valid !== null && 'kind' in valid ? valid : null;
}

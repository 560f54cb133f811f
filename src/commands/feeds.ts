// `planet feeds list|add|remove|edit`: the subscription list from the command line.
import { userInfo } from 'node:os';
import { discoverSubscription, editFeed, subscribeFeed, unsubscribeFeed, urlProblem, type Actor, type FeedFields } from '../subscriptions/service.js';
import { countEntriesByFeed, findFeed, listFeeds } from '../db/feeds.js';
import { feedDisplayName, feedHealth } from '../model.js';
import { slugTag } from '../subscriptions/opml-import.js';
import { currentSubscriptions } from '../db/websub.js';
import { pushState } from '../websub/subscriber.js';
import { EXIT_FAILURE, EXIT_OK, UsageError, formatTime, openPlanet, parseCommandArgs, type CliIo } from './common.js';

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

export async function feedsList(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, { json: { type: 'boolean' } }, 'planet feeds list [--json]');
  const { config, db } = openPlanet(values.config as string | undefined, io);
  try {
    const counts = countEntriesByFeed(db);
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
        push,
        websub: sub
          ? { hub: sub.hub, topic: sub.topic, state: sub.state, lease_expires: iso(sub.leaseExpiresAt), last_delivery: iso(sub.lastDeliveryAt), reason: sub.reason }
          : null,
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
    for (const r of rows) {
      const push = r.push === null ? '' : `, push ${r.push}${r.push === 'active' && r.websub?.lease_expires ? ` until ${formatTime(Date.parse(r.websub.lease_expires))}` : ''} (${r.websub?.hub})`;
      io.out(`#${r.id} ${r.status.padEnd(8)} ${r.name} <${r.url}>  entries ${r.entries}, last success ${formatTime(r.last_success ? Date.parse(r.last_success) : null)}${push}${r.last_error ? `\n      last error: ${r.last_error}` : ''}`);
    }
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
  if (values.tag !== undefined) {
    edit.tags = (values.tag as string[]).map((t) => {
      const slug = slugTag(t);
      if (!slug || slug !== t) throw new UsageError(`--tag "${t}": tags are lowercase letters, digits, "-" or "_"${slug ? ` (did you mean "${slug}"?)` : ''}`);
      return slug;
    });
  }
  if (values.excerpt) edit.excerpt = true;
  if (values['no-excerpt']) edit.excerpt = false;
  return edit;
}

export async function feedsAdd(args: string[], io: CliIo): Promise<number> {
  const usage = 'planet feeds add URL [--name NAME] [--face URL] [--link URL] [--tag T]... [--no-discover]';
  const { values, positionals } = parseCommandArgs(args, { ...editOptions, 'no-discover': { type: 'boolean' } }, usage);
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
  const { values, positionals } = parseCommandArgs(args, { purge: { type: 'boolean' } }, usage);
  if (positionals.length !== 1) throw new UsageError(`expected one URL or id\nusage: ${usage}`);
  const { db } = openPlanet(values.config as string | undefined, io);
  try {
    const feed = findFeed(db, positionals[0]!);
    if (!feed || feed.status === 'removed') {
      io.err(`planet feeds remove: no subscription "${positionals[0]}" (see planet feeds list)`);
      return EXIT_FAILURE;
    }
    unsubscribeFeed(db, cliActor(), feed.id, Boolean(values.purge));
    io.out(`removed #${feed.id} ${feedDisplayName(feed)}${values.purge ? ' and its entries' : ' (its entries stay; --purge deletes them)'}`);
    return EXIT_OK;
  } finally {
    db.close();
  }
}

export async function feedsEdit(args: string[], io: CliIo): Promise<number> {
  const usage = 'planet feeds edit URL_OR_ID [--name NAME] [--face URL] [--link URL] [--tag T]... [--excerpt|--no-excerpt]';
  const { values, positionals } = parseCommandArgs(args, editOptions, usage);
  if (positionals.length !== 1) throw new UsageError(`expected one URL or id\nusage: ${usage}`);
  const edit = readEdit(values);
  if (!Object.keys(edit).length) throw new UsageError(`nothing to change\nusage: ${usage}`);
  const { db } = openPlanet(values.config as string | undefined, io);
  try {
    const feed = findFeed(db, positionals[0]!);
    if (!feed || feed.status === 'removed') {
      io.err(`planet feeds edit: no subscription "${positionals[0]}" (see planet feeds list)`);
      return EXIT_FAILURE;
    }
    const updated = editFeed(db, cliActor(), feed.id, edit)!;
    io.out(`updated #${updated.id} ${feedDisplayName(updated)}`);
    return EXIT_OK;
  } finally {
    db.close();
  }
}

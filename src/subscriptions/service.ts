// What an admin can do to subscriptions, shared by the web UI and the JSON API: validate, discover,
// refuse duplicates, then change the database and write the audit record in one transaction.
import { checkFeed, type CheckReport } from '../pipeline/check.js';
import type { Config } from '../config.js';
import { recordAudit, type Actor } from '../db/audit.js';
import { getEntry, setEntryHidden } from '../db/entries.js';
import { addFeedSource, listFeedSources, type FeedSource } from '../db/feed-sources.js';
import { countEntriesByFeed, findFeedByUrl, getFeed, insertFeed, listFeedAliases, listFeeds, removeFeed, updateFeed, type FeedEdit } from '../db/feeds.js';
import type { Db } from '../db/open.js';
import { discoverFeeds } from './feed-finder.js';
import { fetchOptionsFromConfig } from '../config.js';
import { feedDisplayName, feedHealth, type Feed, type FeedHealth } from '../model.js';
import { readOpml } from './opml-import.js';
import { renderOpml } from '../syndicate/opml.js';
import { fieldError, urlProblem, type FieldError } from './refusals.js';

/** Who is acting, for the audit log. */

export { fieldError, urlProblem, type Actor, type FieldError };

/**
 * The subscription (not a removed one) that one of `urls` names: in any spelling (model.ts
 * feedUrlKey), or by an old URL the feed moved from.
 */
export function findDuplicate(db: Db, urls: string[]): Feed | undefined {
  for (const url of urls) {
    const feed = findFeedByUrl(db, url);
    if (feed && feed.status !== 'removed') return feed;
  }
  return undefined;
}

/** The source a subscription made by hand records, by the door it came through. */
export const sourceOf = (actor: Actor): FeedSource => (actor.via === 'web' ? 'admin' : actor.via);

export const duplicateError = (existing: Feed, field = 'url'): FieldError =>
  fieldError(field, `already subscribed as #${existing.id} "${feedDisplayName(existing)}" <${existing.url}>`, 'duplicate subscription');

export type Discovery =
  | { kind: 'ok'; feedUrl: string; title: string | null; candidates: string[] }
  | { kind: 'duplicate'; existing: Feed; error: FieldError }
  | FieldError;

/** Home page or feed URL → the feed to subscribe, refusing bad, private and duplicate URLs. */
export async function discoverSubscription(db: Db, config: Config, url: string, field = 'url'): Promise<Discovery> {
  const problem = urlProblem(url, config.fetch.allow_private_addresses);
  if (problem) return fieldError(field, problem);
  const before = findDuplicate(db, [url]);
  if (before) return { kind: 'duplicate', existing: before, error: duplicateError(before, field) };
  const found = await discoverFeeds(url, fetchOptionsFromConfig(config));
  if (found.kind === 'error') return fieldError(field, found.message, 'no feed found');
  // Discovery reports the URL after redirects: a feed already subscribed under its old address is caught here.
  const after = findDuplicate(db, [found.feedUrl]);
  if (after) return { kind: 'duplicate', existing: after, error: duplicateError(after, field) };
  return { kind: 'ok', feedUrl: found.feedUrl, title: found.title, candidates: found.candidates };
}

/** The `planet check` view of a feed: what subscribing would import. */
export function previewFeed(config: Config, feedUrl: string): Promise<CheckReport> {
  return checkFeed(feedUrl, fetchOptionsFromConfig(config));
}

export interface FeedFields {
  name?: string | null;
  face?: string | null;
  link?: string | null;
  tags?: string[];
  excerpt?: boolean;
}

/**
 * Subscribes `feedUrl` (already discovered); refuses a duplicate that appeared meanwhile. `source`
 * says where the subscription came from when it is not the actor's own door (an approved suggestion).
 */
export function subscribeFeed(db: Db, config: Config, actor: Actor, feedUrl: string, fields: FeedFields, field = 'url', source?: 'suggestion'): Feed | FieldError {
  const problem = urlProblem(feedUrl, config.fetch.allow_private_addresses);
  if (problem) return fieldError(field, problem);
  return db.transaction((): Feed | FieldError => {
    const existing = findDuplicate(db, [feedUrl]);
    if (existing) return duplicateError(existing, field);
    const feed = insertFeed(db, { url: feedUrl, name: fields.name ?? null, face: fields.face ?? null, link: fields.link ?? null, tags: fields.tags ?? [], excerpt: fields.excerpt ?? false });
    addFeedSource(db, feed.id, source ?? sourceOf(actor));
    recordAudit(db, {
      actor: actor.username,
      via: actor.via,
      action: 'feed.add',
      feedId: feed.id,
      summary: `subscribed to ${feed.url}${source ? ` (from a ${source})` : ''}`,
      detail: { url: feed.url, ...fields, ...(source ? { source } : {}) },
    });
    return feed;
  })();
}

const EDITABLE = ['name', 'face', 'link', 'tags', 'excerpt'] as const;

/** Applies an edit and records what changed (before → after). Undefined for an unknown id. */
export function editFeed(db: Db, actor: Actor, id: number, fields: FeedFields): Feed | undefined {
  return db.transaction(() => {
    const before = getFeed(db, id);
    if (!before || before.status === 'removed') return undefined;
    const after = updateFeed(db, id, fields satisfies FeedEdit);
    if (!after) return undefined;
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const key of EDITABLE) {
      if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) changes[key] = { from: before[key], to: after[key] };
    }
    if (Object.keys(changes).length) {
      const summary = Object.entries(changes)
        .map(([k, c]) => `${k} ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}`)
        .join('; ');
      recordAudit(db, { actor: actor.username, via: actor.via, action: 'feed.edit', feedId: id, summary: `edited #${id}: ${summary}`, detail: changes });
    }
    return after;
  })();
}

/** Unsubscribes; `purge` also deletes the entries. False for an unknown id. */
export function unsubscribeFeed(db: Db, actor: Actor, id: number, purge: boolean): boolean {
  return db.transaction(() => {
    const feed = getFeed(db, id);
    if (!feed || feed.status === 'removed') return false;
    removeFeed(db, id, { purge });
    recordAudit(db, {
      actor: actor.username,
      via: actor.via,
      action: purge ? 'feed.purge' : 'feed.remove',
      feedId: id,
      summary: `unsubscribed #${id} "${feedDisplayName(feed)}" <${feed.url}>, ${purge ? 'entries deleted' : 'entries kept'}`,
    });
    return true;
  })();
}

/** Polls a gone (410) feed again. 'not_gone' when it is not gone. */
export function reenableFeed(db: Db, actor: Actor, id: number): Feed | 'not_gone' | undefined {
  return db.transaction(() => {
    const feed = getFeed(db, id);
    if (!feed || feed.status === 'removed') return undefined;
    if (feed.status !== 'gone') return 'not_gone' as const;
    const after = updateFeed(db, id, { status: 'active' });
    recordAudit(db, { actor: actor.username, via: actor.via, action: 'feed.enable', feedId: id, summary: `re-enabled gone feed #${id} <${feed.url}>` });
    return after;
  })();
}

/** Hides or shows one entry; the refresh pipeline never touches `hidden`, so it survives refetches. */
export function setEntryVisibility(db: Db, actor: Actor, entryId: number, hidden: boolean): { feedId: number } | undefined {
  return db.transaction(() => {
    const entry = getEntry(db, entryId);
    if (!entry) return undefined;
    if (entry.hidden !== hidden) {
      setEntryHidden(db, entryId, hidden);
      recordAudit(db, {
        actor: actor.username,
        via: actor.via,
        action: hidden ? 'entry.hide' : 'entry.unhide',
        feedId: entry.feedId,
        summary: `${hidden ? 'hid' : 'unhid'} entry #${entryId} "${entry.title ?? entry.link ?? entry.entryKey}"`,
      });
    }
    return { feedId: entry.feedId };
  })();
}

/** A feed with what the admin list shows about its health, and where its subscription comes from. */
export interface FeedWithHealth {
  feed: Feed;
  health: FeedHealth;
  entryCount: number;
  latestEntryAt: number | null;
  /** `config`, `cli`, `admin`, `api`, `opml`, `suggestion`, `list:URL`. */
  sources: string[];
  /** Old URLs it moved from (or of duplicates folded into it). */
  aliases: string[];
}

interface Extras {
  counts: ReturnType<typeof countEntriesByFeed>;
  sources: Map<number, string[]>;
  aliases: Map<number, string[]>;
}

const extrasOf = (db: Db): Extras => ({ counts: countEntriesByFeed(db), sources: listFeedSources(db), aliases: listFeedAliases(db) });

export function listFeedsWithHealth(db: Db, config: Config, now: number): FeedWithHealth[] {
  const extras = extrasOf(db);
  return listFeeds(db).map((feed) => withHealth(feed, extras, config, now));
}

export function feedWithHealth(db: Db, config: Config, feed: Feed, now: number): FeedWithHealth {
  return withHealth(feed, extrasOf(db), config, now);
}

function withHealth(feed: Feed, extras: Extras, config: Config, now: number): FeedWithHealth {
  const count = extras.counts.get(feed.id);
  const latest = count?.latest ?? null;
  return {
    feed,
    health: feedHealth(feed, latest, now, config.page.activity_threshold_days),
    entryCount: count?.entries ?? 0,
    latestEntryAt: latest,
    sources: extras.sources.get(feed.id) ?? [],
    aliases: extras.aliases.get(feed.id) ?? [],
  };
}

export const MAX_OPML_BYTES = 1024 * 1024;

export interface OpmlOutlineResult {
  url: string;
  name: string | null;
  result: 'added' | 'present' | 'invalid';
  /** For present: the existing subscription; for added: the new one. */
  feedId?: number;
  reason?: string;
}

export type OpmlImport = { kind: 'ok'; outlines: OpmlOutlineResult[]; added: number; present: number; invalid: number } | FieldError;

/**
 * Subscribes an OPML file's outlines without fetching them (a list of hundreds would take
 * minutes). A malformed file changes nothing; otherwise every outline is reported as added,
 * already present (after normalization, also within the file) or invalid, in one transaction.
 */
export function importOpml(db: Db, config: Config, actor: Actor, text: string, field = 'file'): OpmlImport {
  if (Buffer.byteLength(text) > MAX_OPML_BYTES) return fieldError(field, `the file is larger than ${MAX_OPML_BYTES / 1024} KiB`, 'too large');
  const read = readOpml(text);
  if (read.kind === 'error') return fieldError(field, read.message, 'malformed OPML');
  return db.transaction((): OpmlImport => {
    const results: OpmlOutlineResult[] = [];
    for (const o of read.outlines) {
      const problem = urlProblem(o.url, config.fetch.allow_private_addresses);
      if (problem) {
        results.push({ url: o.url, name: o.name, result: 'invalid', reason: problem });
        continue;
      }
      const link = o.link && urlProblem(o.link, true) === null ? o.link : null;
      const existing = findDuplicate(db, [o.url]);
      if (existing) {
        results.push({ url: o.url, name: o.name, result: 'present', feedId: existing.id, reason: `already subscribed as #${existing.id} "${feedDisplayName(existing)}"` });
        continue;
      }
      const feed = insertFeed(db, { url: o.url, name: o.name, link, tags: o.tags });
      addFeedSource(db, feed.id, 'opml');
      results.push({ url: o.url, name: o.name, result: 'added', feedId: feed.id });
    }
    const count = (r: OpmlOutlineResult['result']) => results.filter((x) => x.result === r).length;
    const summary = { added: count('added'), present: count('present'), invalid: count('invalid') };
    recordAudit(db, {
      actor: actor.username,
      via: actor.via,
      action: 'opml.import',
      summary: `OPML import: ${summary.added} added, ${summary.present} already present, ${summary.invalid} invalid`,
      detail: results,
    });
    return { kind: 'ok', outlines: results, ...summary };
  })();
}

/** The subscriptions as OPML 2.0, as `planet opml export` prints them. */
export function exportOpml(db: Db, config: Config): string {
  const feeds = listFeeds(db);
  const modified = new Date(Math.max(0, ...feeds.map((f) => f.createdAt)));
  return renderOpml({ title: `${config.planet.name} subscriptions`, url: new URL('opml.xml', config.planet.link).href, owner: config.planet.owner, modified }, feeds);
}

// Blogs suggested by visitors (suggestions.enabled): the page is resolved to its feed and checked
// as `planet check` does — through the address guard, with tight time and size bounds — shown to the
// visitor, and queued; an admin approves (subscribes it, with the suggested name) or rejects it
// (with a reason), each decision in the audit log. Nothing is ever subscribed by a visitor alone.
import type { Config } from '../config.js';
import { recordAudit } from '../db/audit.js';
import type { Db } from '../db/open.js';
import {
  decideSuggestion,
  findPendingSuggestion,
  getSuggestion,
  insertSuggestion,
  type Suggestion,
  type SuggestionPreview,
} from '../db/suggestions.js';
import { feedDisplayName, type FetchOptions } from '../model.js';
import { fetchOptionsFromConfig } from '../config.js';
import { checkFeed } from '../pipeline/check.js';
import { discoverFeeds } from './feed-finder.js';
import { fieldError, findDuplicate, subscribeFeed, urlProblem, type Actor, type FieldError } from './service.js';

/** A suggestion reads at most this much of any one page or feed… */
export const SUGGEST_MAX_BYTES = 1024 * 1024;
/** …waits at most this long for any one of them… */
export const SUGGEST_TIMEOUT_MS = 8000;
/** …tries at most this many addresses to find the feed, within this long in all. */
export const SUGGEST_MAX_PROBES = 4;
export const SUGGEST_DEADLINE_MS = 20_000;
/** How many post titles the preview shows. */
const PREVIEW_TITLES = 5;

const MAX_NAME = 100;
const MAX_NOTE = 1000;

/** What a visitor typed. */
export interface SuggestionInput {
  url: string;
  name: string;
  note: string;
}

/** The fetch bounds of a suggestion: the config's, tightened (never looser than the planet's own). */
export function suggestionFetchOptions(config: Config): FetchOptions {
  const base = fetchOptionsFromConfig(config);
  return { ...base, timeoutMs: Math.min(base.timeoutMs, SUGGEST_TIMEOUT_MS), maxBytes: Math.min(base.maxBytes, SUGGEST_MAX_BYTES), maxRedirects: Math.min(base.maxRedirects, 3) };
}

/** The visitor's fields, trimmed and checked: a FieldError names the first bad one. */
export function validateSuggestionInput(input: Partial<SuggestionInput>): SuggestionInput | FieldError {
  const url = (input.url ?? '').trim();
  const name = (input.name ?? '').replace(/\s+/g, ' ').trim();
  const note = (input.note ?? '').trim();
  if (!url) return fieldError('url', 'give the address of the blog (its home page) or of its feed');
  if (url.length > 2048) return fieldError('url', 'at most 2048 characters');
  if (!name) return fieldError('name', 'give your name (it becomes the blog\'s name on the planet)');
  if (name.length > MAX_NAME) return fieldError('name', `at most ${MAX_NAME} characters`);
  if (note.length > MAX_NOTE) return fieldError('note', `at most ${MAX_NOTE} characters`);
  // Control characters have no place in a name or a note shown to admins (bidi controls included).
  const control = /[\p{Cc}\u202a-\u202e\u2066-\u2069]/u;
  if (control.test(name)) return fieldError('name', 'contains a control character');
  if (control.test(note.replace(/\r?\n/g, ' '))) return fieldError('note', 'contains a control character');
  return { url, name, note };
}

export type SuggestionCheck = { kind: 'ok'; input: SuggestionInput; feedUrl: string; preview: SuggestionPreview; entries: { title: string | null; link: string | null }[] } | FieldError;

/**
 * Resolves and checks a suggestion without storing anything: refused addresses, pages that are not
 * blogs, feeds already on the planet or already suggested, and feeds that cannot be read are
 * answered with the reason in words.
 */
export async function checkSuggestion(db: Db, config: Config, raw: Partial<SuggestionInput>): Promise<SuggestionCheck> {
  const input = validateSuggestionInput(raw);
  if ('kind' in input) return input;
  const problem = urlProblem(input.url, config.fetch.allow_private_addresses);
  if (problem) return fieldError('url', problem, 'address refused');
  const known = findDuplicate(db, [input.url]) ?? undefined;
  if (known) return fieldError('url', `this blog is already on the planet, as "${feedDisplayName(known)}"`, 'already subscribed');
  const options = suggestionFetchOptions(config);
  const found = await discoverFeeds(input.url, options, { maxProbes: SUGGEST_MAX_PROBES, deadlineMs: SUGGEST_DEADLINE_MS });
  if (found.kind === 'error') return fieldError('url', found.message, 'no feed found');
  const subscribed = findDuplicate(db, [found.feedUrl]);
  if (subscribed) return fieldError('url', `this blog is already on the planet, as "${feedDisplayName(subscribed)}"`, 'already subscribed');
  const pending = findPendingSuggestion(db, [found.feedUrl]);
  if (pending) return fieldError('url', 'this blog was already suggested and is waiting for an admin', 'already suggested');
  const report = await checkFeed(found.feedUrl, options);
  if (report.error) return fieldError('url', report.error.message, 'feed not readable');
  return {
    kind: 'ok',
    input,
    feedUrl: report.final_url ?? found.feedUrl,
    preview: {
      title: report.title,
      format: report.format,
      entries: report.entries.length,
      titles: report.entries.slice(0, PREVIEW_TITLES).map((e) => e.title ?? '(untitled)'),
      warnings: report.warnings.slice(0, 10),
    },
    entries: report.entries.slice(0, PREVIEW_TITLES).map((e) => ({ title: e.title, link: e.link })),
  };
}

/**
 * Checks again (the form's fields come back from the visitor's browser) and queues the suggestion.
 * `client` is the visitor's address, kept for abuse handling.
 */
export async function queueSuggestion(db: Db, config: Config, raw: Partial<SuggestionInput>, client: string | null, now = Date.now()): Promise<{ kind: 'ok'; suggestion: Suggestion } | FieldError> {
  const checked = await checkSuggestion(db, config, raw);
  if (checked.kind !== 'ok') return checked;
  return db.transaction((): { kind: 'ok'; suggestion: Suggestion } | FieldError => {
    // A second visitor may have queued the same feed while this one was being checked.
    if (findPendingSuggestion(db, [checked.feedUrl])) return fieldError('url', 'this blog was already suggested and is waiting for an admin', 'already suggested');
    const suggestion = insertSuggestion(db, { url: checked.input.url, feedUrl: checked.feedUrl, name: checked.input.name, note: checked.input.note || null, preview: checked.preview, client }, now);
    return { kind: 'ok', suggestion };
  })();
}

export type Decision = { kind: 'ok'; suggestion: Suggestion } | { kind: 'not_found' } | { kind: 'decided'; suggestion: Suggestion } | FieldError;

/** Approves a pending suggestion: subscribes its feed under the suggested name (source: suggestion). */
export function approveSuggestion(db: Db, config: Config, actor: Actor, id: number, now = Date.now()): Decision {
  return db.transaction((): Decision => {
    const s = getSuggestion(db, id);
    if (!s) return { kind: 'not_found' };
    if (s.status !== 'pending') return { kind: 'decided', suggestion: s };
    const feed = subscribeFeed(db, config, actor, s.feedUrl, { name: s.name }, 'feed_url', 'suggestion');
    if ('kind' in feed) return feed;
    decideSuggestion(db, id, { status: 'approved', by: actor.username, reason: null, feedId: feed.id }, now);
    recordAudit(db, {
      actor: actor.username,
      via: actor.via,
      action: 'suggestion.approve',
      feedId: feed.id,
      summary: `approved suggestion #${id} by "${s.name}": subscribed #${feed.id} <${feed.url}>`,
      detail: { suggestion: id, url: s.url, feed_url: s.feedUrl, name: s.name, source: 'suggestion' },
    }, now);
    return { kind: 'ok', suggestion: getSuggestion(db, id)! };
  })();
}

/** Rejects a pending suggestion, keeping it with the reason. */
export function rejectSuggestion(db: Db, actor: Actor, id: number, reason: string, now = Date.now()): Decision {
  const why = reason.replace(/\s+/g, ' ').trim();
  if (why.length > MAX_NOTE) return fieldError('reason', `at most ${MAX_NOTE} characters`);
  return db.transaction((): Decision => {
    const s = getSuggestion(db, id);
    if (!s) return { kind: 'not_found' };
    if (s.status !== 'pending') return { kind: 'decided', suggestion: s };
    decideSuggestion(db, id, { status: 'rejected', by: actor.username, reason: why || null, feedId: null }, now);
    recordAudit(db, {
      actor: actor.username,
      via: actor.via,
      action: 'suggestion.reject',
      summary: `rejected suggestion #${id} by "${s.name}" <${s.feedUrl}>${why ? `: ${why}` : ''}`,
      detail: { suggestion: id, url: s.url, feed_url: s.feedUrl, reason: why || null },
    }, now);
    return { kind: 'ok', suggestion: getSuggestion(db, id)! };
  })();
}

/** The suggestion as `planet suggestions list --json` and the API show it. */
export function suggestionJson(s: Suggestion) {
  return {
    id: s.id,
    url: s.url,
    feed_url: s.feedUrl,
    name: s.name,
    note: s.note,
    status: s.status,
    created: new Date(s.createdAt).toISOString(),
    preview: s.preview,
    decided: s.decidedAt === null ? null : new Date(s.decidedAt).toISOString(),
    decided_by: s.decidedBy,
    reason: s.reason,
    feed_id: s.feedId,
  };
}

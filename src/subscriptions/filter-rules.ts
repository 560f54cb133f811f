// Filter rules applied to what is stored: a feed's own rules set by an admin (web, API, CLI) or
// by the config file, the planet-wide rules of the config file, and their preview. A change of
// rules is re-applied at once to every stored post it concerns, without refetching, and never
// deletes: a hidden post keeps its row, with the rule that hid it. The rules themselves are
// pipeline/filters.ts; refresh.ts applies them to what it stores.
import type { Config, FeedConfig } from '../config.js';
import { recordAudit } from '../db/audit.js';
import { forEachFilterableEntry, setEntryFilters, type FilterableEntry } from '../db/entries.js';
import { configFiltersApplied, findFeedByUrl, getFeed, setConfigFiltersApplied, updateFeed } from '../db/feeds.js';
import type { Db } from '../db/open.js';
import { getPlanetState, setPlanetState } from '../db/planet-state.js';
import { feedDisplayName, type Feed, type FilterLists, type FilterScope } from '../model.js';
import { compileFilters, compileStoredFilters, decide, filterSubject, isEmptyFilters, type CompiledFilters } from '../pipeline/filters.js';
import { fieldError, type Actor, type FieldError } from './service.js';

/** What a re-application did. */
export interface ReapplyReport {
  /** Stored posts the rules were asked about. */
  entries: number;
  /** Posts whose decision changed (now hidden, or shown again). */
  changed: number;
  /** Posts hidden by a rule after it. */
  hidden: number;
}

/** The planet's rules as the config file gives them, compiled (config validation already checked them). */
export function planetFilters(config: Config): CompiledFilters {
  return compileStoredFilters(config.filters);
}

type Decided = { rule: string; scope: FilterScope } | null;

/** The decision for one stored post under the given rules. */
function decisionFor(e: FilterableEntry, planet: CompiledFilters, feed: CompiledFilters): Decided {
  const d = decide(filterSubject(e), planet, feed);
  return d.shown ? null : { rule: d.rule, scope: d.scope };
}

const sameDecision = (a: Decided, b: Decided) => (a === null ? b === null : b !== null && a.rule === b.rule && a.scope === b.scope);

/**
 * Re-decides every stored post of one feed (or of the whole planet) under the rules now stored and
 * configured, and writes the decisions that changed. The caller may hold a transaction.
 */
export function reapplyFilters(db: Db, config: Config, feedId?: number): ReapplyReport {
  const planet = planetFilters(config);
  const byFeed = new Map<number, CompiledFilters>();
  const feedRules = (id: number) => {
    let rules = byFeed.get(id);
    if (!rules) byFeed.set(id, (rules = compileStoredFilters(getFeed(db, id)?.filters ?? null)));
    return rules;
  };
  const changes: { id: number; filter: Decided }[] = [];
  let entries = 0;
  let hidden = 0;
  forEachFilterableEntry(db, feedId, (e) => {
    entries++;
    const filter = decisionFor(e, planet, feedRules(e.feedId));
    if (filter) hidden++;
    if (!sameDecision(filter, e.filter)) changes.push({ id: e.id, filter });
  });
  setEntryFilters(db, changes);
  return { entries, changed: changes.length, hidden };
}

/** One stored post as a preview shows it. */
export interface PreviewEntry {
  id: number;
  feedId: number;
  link: string | null;
  title: string | null;
  shown: boolean;
  rule: string | null;
  scope: FilterScope | null;
  /** Hidden by an admin, whatever the rules say. */
  hiddenByAdmin: boolean;
  /** The decision differs from the one stored (what saving would change). */
  changes: boolean;
}

export type PreviewRules = { feed?: FilterLists | null; planet?: FilterLists };

/**
 * What the rules would decide for each stored post of one feed (or of the planet), without saving:
 * `rules.feed` replaces that feed's own rules, `rules.planet` the planet-wide ones. Invalid rules
 * are a FieldError naming the first bad one.
 */
export function previewFilters(db: Db, config: Config, feedId: number | null, rules: PreviewRules = {}): PreviewEntry[] | FieldError {
  let planet = planetFilters(config);
  if (rules.planet) {
    const compiled = compileFilters(rules.planet);
    if (!compiled.ok) return fieldError(compiled.field, compiled.reason, 'invalid filter rule');
    planet = compiled.filters;
  }
  let override: CompiledFilters | undefined;
  if (rules.feed !== undefined) {
    const compiled = compileFilters(rules.feed);
    if (!compiled.ok) return fieldError(compiled.field, compiled.reason, 'invalid filter rule');
    override = compiled.filters;
  }
  const byFeed = new Map<number, CompiledFilters>();
  const feedRules = (id: number) => {
    if (override && id === feedId) return override;
    let r = byFeed.get(id);
    if (!r) byFeed.set(id, (r = compileStoredFilters(getFeed(db, id)?.filters ?? null)));
    return r;
  };
  const out: PreviewEntry[] = [];
  forEachFilterableEntry(db, feedId ?? undefined, (e) => {
    const filter = decisionFor(e, planet, feedRules(e.feedId));
    out.push({
      id: e.id,
      feedId: e.feedId,
      link: e.link,
      title: e.title,
      shown: filter === null,
      rule: filter?.rule ?? null,
      scope: filter?.scope ?? null,
      hiddenByAdmin: e.hidden,
      changes: !sameDecision(filter, e.filter),
    });
  });
  return out;
}

/** Rules as the API and the admin form send them: lists of strings, validated and trimmed. */
export function validateFeedFilters(lists: { include?: unknown; exclude?: unknown } | null, field = 'filters'): FilterLists | null | FieldError {
  if (lists === null) return null;
  const compiled = compileFilters(lists, field);
  if (!compiled.ok) return fieldError(compiled.field, compiled.reason, 'invalid filter rule');
  return isEmptyFilters(compiled.lists) ? null : compiled.lists;
}

export type SetFiltersResult = { kind: 'ok'; feed: Feed; report: ReapplyReport } | FieldError | undefined;

/**
 * Sets a feed's own rules (null clears them), audited, and re-applies them at once to its stored
 * posts, all in one transaction: a refused rule saves nothing. Undefined for an unknown feed.
 */
export function setFeedFilters(db: Db, config: Config, actor: Actor, feedId: number, lists: { include?: unknown; exclude?: unknown } | null): SetFiltersResult {
  const valid = validateFeedFilters(lists);
  if (valid !== null && 'kind' in valid) return valid;
  return db.transaction((): SetFiltersResult => {
    const before = getFeed(db, feedId);
    if (!before || before.status === 'removed') return undefined;
    const feed = updateFeed(db, feedId, { filters: valid })!;
    const report = reapplyFilters(db, config, feedId);
    if (JSON.stringify(before.filters) !== JSON.stringify(feed.filters)) {
      recordAudit(db, {
        actor: actor.username,
        via: actor.via,
        action: 'feed.filters',
        feedId,
        summary: `${valid ? `set the filter rules of #${feedId} "${feedDisplayName(feed)}" to ${describeLists(valid)}` : `cleared the filter rules of #${feedId} "${feedDisplayName(feed)}"`}; ${reappliedWords(report)}`,
        detail: { from: before.filters, to: feed.filters, reapplied: report },
      });
    }
    return { kind: 'ok', feed, report };
  })();
}

/** "include [category:linux], exclude [title:sponsored]" */
export function describeLists(lists: FilterLists | null): string {
  if (!lists || isEmptyFilters(lists)) return 'none';
  const part = (name: string, rules: string[]) => (rules.length ? [`${name} ${JSON.stringify(rules)}`] : []);
  return [...part('include', lists.include), ...part('exclude', lists.exclude)].join(', ');
}

export function reappliedWords(r: ReapplyReport): string {
  return `re-applied to ${r.entries} stored post${r.entries === 1 ? '' : 's'}: ${r.hidden} hidden by a rule, ${r.changed} changed`;
}

/** What syncConfigFilters changed, for the start-up log. */
export interface ConfigFiltersReport {
  /** The planet-wide rules changed in the file and were re-applied to every stored post. */
  planet: ReapplyReport | null;
  /** Feeds whose rules changed in the file, by URL. */
  feeds: { url: string; report: ReapplyReport }[];
}

const PLANET_FILTERS_KEY = 'filters';

/**
 * The config file's rules against what was last applied: planet-wide `filters:` and each listed
 * feed's `filters`. Rules that changed in the file are applied and re-applied to the stored posts
 * at once (a restart after editing the file is enough); rules that did not change leave an admin's
 * later edits of a feed's rules alone. Run after syncConfigFeeds.
 */
export function syncConfigFilters(db: Db, config: Config): ConfigFiltersReport {
  const report: ConfigFiltersReport = { planet: null, feeds: [] };
  db.transaction(() => {
    for (const f of config.feeds) {
      const feed = findFeedByUrl(db, f.url);
      if (!feed || feed.status === 'removed') continue;
      const wanted = configFeedFilters(f);
      const json = JSON.stringify(wanted);
      if (configFiltersApplied(db, feed.id) === json) continue;
      setConfigFiltersApplied(db, feed.id, json);
      if (JSON.stringify(feed.filters) === JSON.stringify(wanted)) continue;
      updateFeed(db, feed.id, { filters: wanted });
      report.feeds.push({ url: feed.url, report: reapplyFilters(db, config, feed.id) });
    }
    const planetJson = JSON.stringify({ include: config.filters.include, exclude: config.filters.exclude });
    const applied = getPlanetState(db, PLANET_FILTERS_KEY);
    // A planet that never had rules has nothing to re-apply: only a change is worth a pass over every post.
    if (applied !== planetJson && !(applied === null && isEmptyFilters(config.filters))) report.planet = reapplyFilters(db, config);
    if (applied !== planetJson) setPlanetState(db, PLANET_FILTERS_KEY, planetJson);
  })();
  return report;
}

/** A config feed's `filters`, as stored (null: none). */
export function configFeedFilters(f: FeedConfig): FilterLists | null {
  const lists = f.filters ? { include: f.filters.include.map((r) => r.trim()), exclude: f.filters.exclude.map((r) => r.trim()) } : null;
  return isEmptyFilters(lists) ? null : lists;
}

/** Rules of a feed for display: its own (possibly none) and the planet's. */
export function rulesInForce(config: Config, feed: Feed | null): { feed: FilterLists; planet: FilterLists } {
  return { feed: feed?.filters ?? { include: [], exclude: [] }, planet: { include: config.filters.include, exclude: config.filters.exclude } };
}

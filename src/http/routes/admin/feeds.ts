// The subscriptions in the admin UI: the list with health (sorted, filtered), adding one (URL →
// discovery → preview → confirm), one feed's page (edit, remove, refresh now, re-enable) and
// hiding or showing one entry.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { formFeedFields, idParam } from '../../../admin/schemas.js';
import { listAudit } from '../../../db/audit.js';
import { listFeedEntries } from '../../../db/entries.js';
import { getFeed } from '../../../db/feeds.js';
import { currentSubscriptions } from '../../../db/websub.js';
import { feedDisplayName, type FeedHealth } from '../../../model.js';
import {
  discoverSubscription,
  editFeed,
  feedWithHealth,
  listFeedsWithHealth,
  previewFeed,
  reenableFeed,
  setEntryVisibility,
  subscribeFeed,
  unsubscribeFeed,
  type FeedWithHealth,
  type FieldError,
} from '../../../subscriptions/service.js';
import { pushState } from '../../../websub/subscriber.js';
import { previewFilters, rulesInForce, setFeedFilters } from '../../../subscriptions/filter-rules.js';
import { refreshNow } from '../../../pass/refresh-now.js';
import type { ServerDeps } from '../../deps.js';
import { liveFeedParam } from '../../feed-param.js';
import { formIssue as firstIssue, formObject, formValue, formValues } from '../../plugins/forms.js';
import { adminActor as actor } from './session.js';
import type { AdminView } from './view.js';

const SORTS = ['health', 'name', 'last_success', 'errors', 'next_fetch', 'entries', 'latest'] as const;
type Sort = (typeof SORTS)[number];
const FILTERS = ['all', 'broken', 'erroring', 'gone', 'inactive', 'new', 'ok'] as const;
type Filter = (typeof FILTERS)[number];
/** Worst first: the broken feeds are what an admin comes to see. */
const SEVERITY: Record<FeedHealth, number> = { gone: 0, erroring: 1, new: 2, inactive: 3, ok: 4 };
/** The feed fields a form edits. */
const FEED_FIELDS = ['name', 'face', 'link', 'tags', 'excerpt'];

const listQuery = z.object({
  sort: z.enum(SORTS).catch('health'),
  dir: z.enum(['asc', 'desc']).catch('asc'),
  show: z.enum(FILTERS).catch('all'),
  notice: z.string().optional(),
});

function sortFeeds(rows: FeedWithHealth[], sort: Sort, dir: 'asc' | 'desc'): FeedWithHealth[] {
  const name = (r: FeedWithHealth) => feedDisplayName(r.feed).toLowerCase();
  // Missing values (never fetched, no entries) sort last in either direction.
  const num = (v: number | null) => v ?? (dir === 'asc' ? Infinity : -Infinity);
  const key: Record<Sort, (r: FeedWithHealth) => number | string> = {
    health: (r) => SEVERITY[r.health] * 1e6 - r.feed.errorCount,
    name,
    last_success: (r) => num(r.feed.lastSuccessAt),
    errors: (r) => r.feed.errorCount,
    next_fetch: (r) => num(r.feed.nextFetchAt),
    entries: (r) => r.entryCount,
    latest: (r) => num(r.latestEntryAt),
  };
  const k = key[sort];
  const sign = dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = k(a);
    const y = k(b);
    const c = x < y ? -1 : x > y ? 1 : 0;
    return c !== 0 ? c * sign : name(a).localeCompare(name(b));
  });
}

/** A textarea of rules: one per line, blank lines ignored. */
function ruleLines(text: string): string[] {
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
}

function matchesFilter(health: FeedHealth, show: Filter): boolean {
  if (show === 'all') return true;
  if (show === 'broken') return health === 'erroring' || health === 'gone';
  return health === show;
}

export const feedRoutes: FastifyPluginAsync<{ deps: ServerDeps; view: AdminView }> = async (app, { deps, view }) => {
  const { db, config } = deps;
  const now = deps.now ?? Date.now;
  const { render, message, words } = view;

  // ---- feed list ------------------------------------------------------------------------

  app.get('/', async (request, reply) => {
    const q = listQuery.parse(request.query ?? {});
    const all = listFeedsWithHealth(db, config, now());
    const counts = Object.fromEntries((['ok', 'erroring', 'gone', 'inactive', 'new'] as FeedHealth[]).map((h) => [h, all.filter((r) => r.health === h).length]));
    const rows = sortFeeds(all.filter((r) => matchesFilter(r.health, q.show)), q.sort, q.dir);
    return render(reply, request, 'feeds', { rows, total: all.length, counts, sort: q.sort, dir: q.dir, show: q.show, notice: view.notice(q.notice) });
  });

  // ---- add: URL → discovery → preview → confirm -----------------------------------------

  app.get('/feeds/new', async (request, reply) => render(reply, request, 'add', { url: '', error: null, preview: null }));

  app.post('/feeds/preview', async (request, reply) => {
    const url = (formValue(request.body, 'url') ?? '').trim();
    // "Preview the chosen feed": one of the feeds a page advertises, picked from the last preview.
    const chosen = (formValue(request.body, 'feed_url') ?? '').trim();
    const offered = formValues(request.body, 'candidate');
    const target = chosen && offered.includes(chosen) ? chosen : url;
    if (!target) return render(reply, request, 'add', { url, error: { field: 'url', reason: words.t('admin.add.required') }, preview: null }, 400);
    const found = await discoverSubscription(db, config, target);
    if (found.kind === 'duplicate') return render(reply, request, 'add', { url, error: found.error, existing: found.existing, preview: null }, 409);
    if (found.kind === 'invalid') return render(reply, request, 'add', { url, error: found, preview: null }, 400);
    const report = await previewFeed(config, found.feedUrl);
    const raw = formObject(request.body, FEED_FIELDS);
    return render(reply, request, 'add', {
      url,
      error: null,
      preview: {
        feedUrl: found.feedUrl,
        // Every feed the page advertises, so that the admin can pick another (radio buttons).
        candidates: target === chosen ? offered : found.candidates,
        report,
        fields: { name: raw.name ?? '', face: raw.face ?? '', link: raw.link ?? '', tags: raw.tags ?? '', excerpt: raw.excerpt === 'on' },
      },
    });
  });

  app.post('/feeds', async (request, reply) => {
    const feedUrl = (formValue(request.body, 'feed_url') ?? '').trim();
    const raw = formObject(request.body, FEED_FIELDS);
    const parsed = formFeedFields.safeParse(raw);
    const again = (error: FieldError, status: number) =>
      render(reply, request, 'add', {
        url: formValue(request.body, 'url') ?? feedUrl,
        error,
        preview: { feedUrl, candidates: (() => { const offered = formValues(request.body, 'candidate'); return offered.includes(feedUrl) ? offered : [feedUrl]; })(), report: null, fields: { ...raw, excerpt: raw.excerpt === 'on' } },
      }, status);
    if (!parsed.success) return again(firstIssue(parsed.error), 400);
    const added = subscribeFeed(db, config, actor(request), feedUrl, parsed.data, 'feed_url');
    if ('kind' in added) return again(added, added.error === 'duplicate subscription' ? 409 : 400);
    return reply.redirect(`/admin/feeds/${added.id}?notice=added`, 303);
  });

  // ---- one feed: details, edit, actions, entries ----------------------------------------

  const feedPage = (request: FastifyRequest, reply: FastifyReply, id: number, extra: Record<string, unknown>, status = 200) => {
    const feed = getFeed(db, id)!;
    const row = feedWithHealth(db, config, feed, now());
    const rules = rulesInForce(config, feed);
    return render(reply, request, 'feed', {
      row,
      fields: { name: feed.name ?? '', face: feed.face ?? '', link: feed.link ?? '', tags: feed.tags.join(' '), excerpt: feed.excerpt },
      rules: { include: rules.feed.include.join('\n'), exclude: rules.feed.exclude.join('\n') },
      planetRules: rules.planet,
      filterPreview: null,
      entries: listFeedEntries(db, id).slice(0, 100),
      audit: listAudit(db, { limit: 20, feedId: id }),
      // WebSub: its hub subscription, if any, with the push state `planet feeds list` shows.
      push: ((sub) => (sub ? { state: pushState(sub, now()), sub } : null))(currentSubscriptions(db).get(id)),
      error: null,
      ...extra,
    }, status);
  };
  const noFeed = (request: FastifyRequest, reply: FastifyReply) => message(reply, request, 404, 'admin.noFeed.title', 'admin.noFeed.text');

  app.get<{ Params: { id: string }; Querystring: { notice?: string; refreshed?: string; new?: string; updated?: string } }>('/feeds/:id', async (request, reply) => {
    const feed = liveFeedParam(db, request.params.id);
    if (!feed) return noFeed(request, reply);
    const q = request.query;
    const count = (v: string | undefined) => Math.max(0, Number.parseInt(v ?? '0', 10) || 0);
    const refreshed: Record<string, () => string> = {
      ok: () => words.t('admin.notice.refreshed', { new: count(q.new), updated: count(q.updated) }),
      not_modified: () => words.t('admin.notice.notModified'),
      error: () => (feed.errorMessage ? words.t('admin.notice.refreshFailed', { error: feed.errorMessage }) : words.t('admin.notice.refreshFailedBelow')),
    };
    const notice = (q.refreshed ? refreshed[q.refreshed]?.() : undefined) ?? view.notice(q.notice);
    return feedPage(request, reply, feed.id, { notice });
  });

  app.post<{ Params: { id: string } }>('/feeds/:id', async (request, reply) => {
    const feed = liveFeedParam(db, request.params.id);
    if (!feed) return noFeed(request, reply);
    const raw = formObject(request.body, FEED_FIELDS);
    const parsed = formFeedFields.safeParse(raw);
    if (!parsed.success) return feedPage(request, reply, feed.id, { error: firstIssue(parsed.error), fields: { ...raw, excerpt: raw.excerpt === 'on' } }, 400);
    editFeed(db, actor(request), feed.id, parsed.data);
    return reply.redirect(`/admin/feeds/${feed.id}?notice=saved`, 303);
  });

  // A feed's own filter rules: "Preview" re-renders the page with what the typed rules would show
  // and hide among its stored posts (nothing saved); "Save" stores them and re-applies them at once.
  app.post<{ Params: { id: string } }>('/feeds/:id/filters', async (request, reply) => {
    const feed = liveFeedParam(db, request.params.id);
    if (!feed) return noFeed(request, reply);
    const typed = { include: formValue(request.body, 'include') ?? '', exclude: formValue(request.body, 'exclude') ?? '' };
    const lists = { include: ruleLines(typed.include), exclude: ruleLines(typed.exclude) };
    const action = formValue(request.body, 'action');
    if (action === 'preview') {
      const preview = previewFilters(db, config, feed.id, { feed: lists });
      if ('kind' in preview) return feedPage(request, reply, feed.id, { rules: typed, error: preview }, 400);
      return feedPage(request, reply, feed.id, { rules: typed, filterPreview: preview });
    }
    if (action !== 'save') return feedPage(request, reply, feed.id, { rules: typed, error: { field: 'action', reason: words.t('admin.filters.chooseAction') } }, 400);
    const set = setFeedFilters(db, config, actor(request), feed.id, lists);
    if (!set) return noFeed(request, reply);
    if (set.kind === 'invalid') return feedPage(request, reply, feed.id, { rules: typed, error: set }, 400);
    return feedPage(request, reply, feed.id, { notice: words.t('admin.notice.filtersSaved', { entries: set.report.entries, hidden: set.report.hidden, changed: set.report.changed }) });
  });

  app.post<{ Params: { id: string } }>('/feeds/:id/remove', async (request, reply) => {
    const feed = liveFeedParam(db, request.params.id);
    if (!feed) return noFeed(request, reply);
    const mode = formValue(request.body, 'entries');
    if (mode !== 'keep' && mode !== 'purge') {
      return feedPage(request, reply, feed.id, { error: { field: 'entries', reason: words.t('admin.feed.chooseRemove') } }, 400);
    }
    unsubscribeFeed(db, actor(request), feed.id, mode === 'purge');
    return reply.redirect(`/admin?notice=${mode === 'purge' ? 'purged' : 'removed'}`, 303);
  });

  app.post<{ Params: { id: string } }>('/feeds/:id/refresh', async (request, reply) => {
    const feed = liveFeedParam(db, request.params.id);
    if (!feed) return noFeed(request, reply);
    const result = await refreshNow(db, config, actor(request), feed.id);
    if (result.kind === 'not_found') return noFeed(request, reply);
    if (result.kind === 'busy') return feedPage(request, reply, feed.id, { notice: words.t('admin.notice.busy', { owner: result.owner }) }, 409);
    // Redirect (POST → GET) so a reload does not fetch again; the numbers travel in the query.
    const query = result.outcome === 'ok' ? `refreshed=ok&new=${result.entriesNew}&updated=${result.entriesUpdated}` : `refreshed=${result.outcome}`;
    return reply.redirect(`/admin/feeds/${feed.id}?${query}`, 303);
  });

  app.post<{ Params: { id: string } }>('/feeds/:id/enable', async (request, reply) => {
    const feed = liveFeedParam(db, request.params.id);
    if (!feed) return noFeed(request, reply);
    const result = reenableFeed(db, actor(request), feed.id);
    if (result === 'not_gone') return feedPage(request, reply, feed.id, { error: { field: 'status', reason: words.t('admin.feed.onlyGone') } }, 400);
    return reply.redirect(`/admin/feeds/${feed.id}?notice=enabled`, 303);
  });

  for (const [action, hidden] of [['hide', true], ['unhide', false]] as const) {
    app.post<{ Params: { id: string } }>(`/entries/:id/${action}`, async (request, reply) => {
      const id = idParam.safeParse(request.params.id);
      const done = id.success ? setEntryVisibility(db, actor(request), id.data, hidden) : undefined;
      if (!done) return message(reply, request, 404, 'admin.noEntry.title', 'admin.noEntry.text');
      return reply.redirect(`/admin/feeds/${done.feedId}?notice=${hidden ? 'hidden' : 'unhidden'}#entry-${request.params.id}`, 303);
    });
  }
};

// The admin JSON API under /api: subscriptions (list, add, edit, remove, refresh), OPML in and
// out, reading lists (routes/api-lists.ts), the audit log. `Authorization: Bearer TOKEN` (from `planet admin token`) on every request.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  MAX_OPML_BYTES,
  discoverSubscription,
  editFeed,
  exportOpml,
  feedWithHealth,
  fieldError,
  importOpml,
  listFeedsWithHealth,
  reenableFeed,
  subscribeFeed,
  unsubscribeFeed,
  type Actor,
  type FieldError,
  type FeedWithHealth,
} from '../../subscriptions/service.js';
import { reappliedWords, setFeedFilters, validateFeedFilters } from '../../subscriptions/filter-rules.js';
import { sha256Hex } from '../../admin/passwords.js';
import { apiAddBody, apiPatchBody, firstIssue } from '../../admin/schemas.js';
import { findAdminByTokenHash } from '../../db/admins.js';
import { listAudit } from '../../db/audit.js';
import { getFeed } from '../../db/feeds.js';
import { refreshNow } from '../../pass/refresh-now.js';
import { feedDisplayName, feedHomeLink } from '../../model.js';
import type { ServerDeps } from '../deps.js';
import { errorHandler } from '../errors.js';
import { liveFeedParam } from '../feed-param.js';
import { apiListRoutes } from './api-lists.js';

declare module 'fastify' {
  interface FastifyRequest {
    apiActor?: Actor;
  }
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The API's view of a subscription: its settings and its health. */
export function feedJson({ feed, health, entryCount, latestEntryAt, sources, aliases }: FeedWithHealth) {
  return {
    id: feed.id,
    url: feed.url,
    display_name: feedDisplayName(feed),
    name: feed.name,
    title: feed.title,
    link: feed.link,
    site_link: feed.siteLink,
    home_link: feedHomeLink(feed),
    face: feed.face,
    tags: feed.tags,
    excerpt: feed.excerpt,
    filters: feed.filters ?? { include: [], exclude: [] },
    status: feed.status,
    health,
    last_attempt_at: iso(feed.lastAttemptAt),
    last_success_at: iso(feed.lastSuccessAt),
    last_http_status: feed.lastHttpStatus,
    last_error: feed.errorCode ? { code: feed.errorCode, message: feed.errorMessage } : null,
    consecutive_errors: feed.errorCount,
    next_fetch_at: iso(feed.nextFetchAt),
    entry_count: entryCount,
    latest_entry_at: iso(latestEntryAt),
    created_at: iso(feed.createdAt),
    sources,
    aliases,
  };
}

const send = (reply: FastifyReply, status: number, e: FieldError) => reply.status(status).send({ error: e.error, field: e.field, reason: e.reason });

export async function apiRoutes(app: FastifyInstance, { deps }: { deps: ServerDeps }): Promise<void> {
  const { db, config } = deps;
  const now = deps.now ?? Date.now;

  // OPML arrives as the raw request body; the limit makes an oversized file a 413 before it is read whole.
  app.addContentTypeParser(['text/xml', 'application/xml', 'text/x-opml', 'application/octet-stream'], { parseAs: 'string', bodyLimit: MAX_OPML_BYTES }, (_req, body, done) =>
    done(null, body),
  );

  app.decorateRequest('apiActor', undefined);
  // onRequest: an unauthenticated request is refused before its body is even read.
  app.addHook('onRequest', async (request, reply) => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer[ ]+([A-Za-z0-9_\-.~+/]+=*)\s*$/i.exec(header);
    const owner = match?.[1] ? findAdminByTokenHash(db, sha256Hex(match[1]), now()) : undefined;
    if (!owner) {
      // The same answer for no token, a malformed one and an unknown one: nothing to learn from it.
      reply.header('www-authenticate', 'Bearer realm="planet admin API"');
      return send(reply, 401, fieldError('authorization', 'a valid "Authorization: Bearer TOKEN" header is required (planet admin token USER)', 'unauthorized'));
    }
    request.apiActor = { username: owner.username, via: 'api' };
  });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });

  app.setErrorHandler(
    errorHandler('api request failed', (err, status, _request, reply) => {
      if (status >= 500) return reply.status(500).send({ error: 'internal error', field: null, reason: 'see the server log' });
      if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return send(reply, 413, fieldError('body', `larger than the ${MAX_OPML_BYTES / 1024} KiB allowed`, 'too large'));
      if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return send(reply, 415, fieldError('content-type', err.message, 'unsupported media type'));
      if (status === 400 && /JSON/i.test(err.message)) return send(reply, 400, fieldError('body', err.message, 'invalid JSON'));
      return send(reply, status, fieldError('request', err.message, status === 429 ? 'too many requests' : 'bad request'));
    }),
  );
  app.setNotFoundHandler((request, reply) => send(reply, 404, fieldError('path', `no API route ${request.method} ${request.url.split('?')[0]}`, 'not found')));

  const actor = (request: FastifyRequest) => request.apiActor!;
  const notFound = (reply: FastifyReply, id: string) => send(reply, 404, fieldError('id', `no feed with id ${JSON.stringify(id)}`, 'not found'));
  /** The numeric id of a live subscription, or undefined after answering 404. */
  const feedId = (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply): number | undefined => {
    const feed = liveFeedParam(db, request.params.id);
    if (!feed) {
      void notFound(reply, request.params.id);
      return undefined;
    }
    return feed.id;
  };

  app.get('/feeds', async () => ({ feeds: listFeedsWithHealth(db, config, now()).map(feedJson) }));

  app.get<{ Params: { id: string } }>('/feeds/:id', async (request, reply) => {
    const id = feedId(request, reply);
    if (id === undefined) return reply;
    return feedJson(feedWithHealth(db, config, getFeed(db, id)!, now()));
  });

  app.post('/feeds', async (request, reply) => {
    const body = apiAddBody.safeParse(request.body ?? {});
    if (!body.success) return send(reply, 400, firstIssue(body.error));
    const { url, ...fields } = body.data;
    const found = await discoverSubscription(db, config, url);
    if (found.kind === 'duplicate') return reply.status(409).send({ ...pick(found.error), existing: { id: found.existing.id, url: found.existing.url } });
    if (found.kind === 'invalid') return send(reply, 400, found);
    const added = subscribeFeed(db, config, actor(request), found.feedUrl, fields);
    if ('kind' in added) return send(reply, 409, added);
    return reply.status(201).header('location', `/api/feeds/${added.id}`).send(feedJson(feedWithHealth(db, config, added, now())));
  });

  app.patch<{ Params: { id: string } }>('/feeds/:id', async (request, reply) => {
    const id = feedId(request, reply);
    if (id === undefined) return reply;
    const body = apiPatchBody.safeParse(request.body ?? {});
    if (!body.success) return send(reply, 400, firstIssue(body.error));
    const { status, filters, ...fields } = body.data;
    // Rules are checked before anything is written: a refused rule saves nothing, not even the other fields.
    if (filters !== undefined) {
      const valid = validateFeedFilters(filters);
      if (valid !== null && 'kind' in valid) return send(reply, 400, valid);
    }
    if (status === 'active') {
      const enabled = reenableFeed(db, actor(request), id);
      if (enabled === 'not_gone') return send(reply, 400, fieldError('status', 'only a gone feed can be re-enabled; this one is being polled'));
    }
    let edited = editFeed(db, actor(request), id, fields);
    if (!edited) return notFound(reply, request.params.id);
    let reapplied: string | undefined;
    if (filters !== undefined) {
      const set = setFeedFilters(db, config, actor(request), id, filters);
      if (set === undefined) return notFound(reply, request.params.id);
      if (set.kind === 'invalid') return send(reply, 400, set);
      edited = set.feed;
      reapplied = reappliedWords(set.report);
    }
    return { ...feedJson(feedWithHealth(db, config, edited, now())), ...(reapplied ? { filters_reapplied: reapplied } : {}) };
  });

  app.delete<{ Params: { id: string }; Querystring: { purge?: string } }>('/feeds/:id', async (request, reply) => {
    const purgeParam = request.query.purge ?? '0';
    if (!['0', '1', 'true', 'false'].includes(purgeParam)) return send(reply, 400, fieldError('purge', 'expected 1 or 0'));
    const id = feedId(request, reply);
    if (id === undefined) return reply;
    const purge = purgeParam === '1' || purgeParam === 'true';
    unsubscribeFeed(db, actor(request), id, purge);
    return { removed: id, purged: purge };
  });

  app.post<{ Params: { id: string } }>('/feeds/:id/refresh', async (request, reply) => {
    const id = feedId(request, reply);
    if (id === undefined) return reply;
    const result = await refreshNow(db, config, actor(request), id);
    if (result.kind === 'not_found') return notFound(reply, request.params.id);
    if (result.kind === 'busy') return send(reply, 409, fieldError('id', `a fetch pass is running (${result.owner}); try again when it has finished`, 'busy'));
    return {
      outcome: result.outcome,
      message: result.message,
      entries_new: result.entriesNew,
      entries_updated: result.entriesUpdated,
      feed: feedJson(feedWithHealth(db, config, result.feed, now())),
    };
  });

  app.get('/opml', async (_request, reply) => reply.type('text/x-opml; charset=utf-8').send(exportOpml(db, config)));

  app.post('/opml', async (request, reply) => {
    if (typeof request.body !== 'string') return send(reply, 415, fieldError('content-type', 'send the OPML file as the body with Content-Type: text/xml', 'unsupported media type'));
    const result = importOpml(db, config, actor(request), request.body, 'body');
    if (result.kind === 'invalid') return send(reply, 400, result);
    return {
      added: result.added,
      present: result.present,
      invalid: result.invalid,
      outlines: result.outlines.map((o) => ({ url: o.url, name: o.name, result: o.result, feed_id: o.feedId ?? null, reason: o.reason ?? null })),
    };
  });

  await app.register(apiListRoutes, { deps });

  app.get<{ Querystring: { limit?: string; offset?: string } }>('/audit', async (request) => {
    const limit = Math.min(Math.max(Number(request.query.limit) || 100, 1), 1000);
    const offset = Math.max(Number(request.query.offset) || 0, 0);
    return {
      entries: listAudit(db, { limit, offset }).map((a) => ({
        id: a.id,
        at: iso(a.at),
        actor: a.actor,
        via: a.via,
        action: a.action,
        feed_id: a.feedId,
        summary: a.summary,
        detail: a.detail,
      })),
    };
  });
}

function pick(e: FieldError) {
  return { error: e.error, field: e.field, reason: e.reason };
}

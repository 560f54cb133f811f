// The admin web UI under /admin: login with a session cookie, the feed list with health, add
// (discovery → preview → confirm), edit, remove, refresh, hide entries, OPML, the audit log.
// Every POST but the login carries the session's CSRF token (docs/decisions/0004-admin-auth.md).
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import multipart, { type MultipartFile } from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  MAX_OPML_BYTES,
  discoverSubscription,
  editFeed,
  exportOpml,
  feedWithHealth,
  importOpml,
  listFeedsWithHealth,
  previewFeed,
  reenableFeed,
  refreshNow,
  setEntryVisibility,
  subscribeFeed,
  unsubscribeFeed,
  type Actor,
  type FeedWithHealth,
  type FieldError,
} from '../../subscriptions/service.js';
import { dummyPasswordHash, hashPassword, needsRehash, randomToken, safeEqual, sha256Hex, verifyPassword } from '../../admin/passwords.js';
import { firstIssue as firstSchemaIssue, formFeedFields, idParam } from '../../admin/schemas.js';
import {
  deleteExpiredSessions,
  deleteSession,
  findAdminByName,
  findSession,
  insertSession,
  setAdminPassword,
  touchSession,
  type AdminSession,
} from '../../db/admins.js';
import { countAudit, listAudit, recordAudit } from '../../db/audit.js';
import { listFeedEntries } from '../../db/entries.js';
import { getFeed } from '../../db/feeds.js';
import { currentSubscriptions } from '../../db/websub.js';
import { pushState } from '../../websub/subscriber.js';
import { feedDisplayName, feedHomeLink, type FeedHealth } from '../../model.js';
import { createTemplates } from '../../render/templates.js';
import { sqliteRateLimitStore } from '../rate-limit-store.js';
import type { ServerDeps } from '../deps.js';

const SESSION_COOKIE = 'planet_session';
const LOGIN_CSRF_COOKIE = 'planet_login_csrf';
/** A session ends after 12 idle hours, and after 7 days whatever happens. */
const SESSION_IDLE_MS = 12 * 3_600_000;
const SESSION_MAX_MS = 7 * 86_400_000;
/** Login attempts per 15 minutes: per client address, and per account name (known or not). */
export const LOGIN_LIMIT_PER_IP = 20;
export const LOGIN_LIMIT_PER_ACCOUNT = 10;
export const LOGIN_WINDOW_MS = 15 * 60_000;
/** `planet admin create` refuses longer names (src/commands/admin.ts). */
const MAX_USERNAME_LENGTH = 64;

// Admin pages run no script at all; images may come from any blog (faces, previews).
const ADMIN_CSP = [
  "default-src 'none'",
  "style-src 'self' 'unsafe-inline'",
  'img-src https: http: data:',
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

declare module 'fastify' {
  interface FastifyRequest {
    adminSession: AdminSession | null;
  }
  interface FastifyContextConfig {
    /** Reachable without a session (the login form). */
    adminPublic?: boolean;
  }
}

const NOTICES: Record<string, string> = {
  added: 'Subscribed. The feed is fetched in the next pass, or now with "Refresh now".',
  saved: 'Changes saved.',
  removed: 'Unsubscribed; its entries stay on the planet.',
  purged: 'Unsubscribed and its entries deleted.',
  enabled: 'Re-enabled: the feed is polled again from the next pass.',
  hidden: 'Entry hidden.',
  unhidden: 'Entry shown again.',
  'logged-out': 'Logged out.',
};

const SORTS = ['health', 'name', 'last_success', 'errors', 'next_fetch', 'entries', 'latest'] as const;
type Sort = (typeof SORTS)[number];
const FILTERS = ['all', 'broken', 'erroring', 'gone', 'inactive', 'new', 'ok'] as const;
type Filter = (typeof FILTERS)[number];
/** Worst first: the broken feeds are what an admin comes to see. */
const SEVERITY: Record<FeedHealth, number> = { gone: 0, erroring: 1, new: 2, inactive: 3, ok: 4 };

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

function matchesFilter(health: FeedHealth, show: Filter): boolean {
  if (show === 'all') return true;
  if (show === 'broken') return health === 'erroring' || health === 'gone';
  return health === show;
}

/** A form field as a string, whether it came URL-encoded or as a multipart field. */
function formValue(body: unknown, name: string): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const v = (body as Record<string, unknown>)[name];
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && 'value' in v && typeof (v as { value: unknown }).value === 'string') return (v as { value: string }).value;
  return undefined;
}

function formObject(body: unknown, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = formValue(body, n);
    if (v !== undefined) out[n] = v;
  }
  return out;
}

/** A form has one tags field: "tags.2" (the third tag) is reported against it. */
function firstIssue(error: z.ZodError): FieldError {
  const issue = firstSchemaIssue(error);
  const [field, index] = issue.field.split('.');
  return index === undefined ? issue : { ...issue, field: field!, reason: `tag ${Number(index) + 1}: ${issue.reason}` };
}

const safeNext = (next: string | undefined) => (next && /^\/admin(\/[^/\\]|\/?$|\?)/.test(next) && !next.includes('//') ? next : '/admin');

export async function adminRoutes(app: FastifyInstance, { deps }: { deps: ServerDeps }): Promise<void> {
  const { db, config } = deps;
  const now = deps.now ?? Date.now;
  const templates = createTemplates(config.views);

  // Registered here, not app-wide, unless another part of the app already did.
  if (!app.hasRequestDecorator('cookies')) await app.register(cookie);
  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) await app.register(formbody, { bodyLimit: 64 * 1024 });
  if (!app.hasContentTypeParser('multipart/form-data')) {
    await app.register(multipart, { attachFieldsToBody: true, limits: { fileSize: MAX_OPML_BYTES, files: 1, fields: 10, fieldSize: 64 * 1024 } });
  }
  // Counters in SQLite: every server process on the database shares them, and a restart keeps them.
  // createRateLimit() limiters count in the store registered here (the plugin makes each a child of it),
  // so a registration elsewhere in the app first would put the login limits back in its store.
  if (!app.hasDecorator('createRateLimit')) await app.register(rateLimit, { global: false, store: sqliteRateLimitStore(db, now) });

  // createRateLimit, not rateLimit(): two limits on one route must both count.
  const perIp = app.createRateLimit({ max: LOGIN_LIMIT_PER_IP, timeWindow: LOGIN_WINDOW_MS, keyGenerator: (req: FastifyRequest) => `admin-login-ip:${req.ip}` });
  const perAccount = app.createRateLimit({
    max: LOGIN_LIMIT_PER_ACCOUNT,
    timeWindow: LOGIN_WINDOW_MS,
    // Cut at the longest possible account name: the key is stored, and the body may hold 64 KiB.
    keyGenerator: (req: FastifyRequest) => `admin-login-user:${(formValue(req.body, 'username') ?? '').trim().toLowerCase().slice(0, MAX_USERNAME_LENGTH)}`,
  });

  const secureCookies = (request: FastifyRequest) => request.protocol === 'https';
  const iso = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString());
  const helpers = {
    time: (ms: number | null) => (ms === null ? '—' : new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC'),
    iso,
    ago: (ms: number | null) => {
      if (ms === null) return 'never';
      const s = Math.round((now() - ms) / 1000);
      const abs = Math.abs(s);
      const text = abs < 90 ? `${abs} s` : abs < 5400 ? `${Math.round(abs / 60)} min` : abs < 129_600 ? `${Math.round(abs / 3600)} h` : `${Math.round(abs / 86_400)} days`;
      return s >= 0 ? `${text} ago` : `in ${text}`;
    },
    /** A healthy feed is due from its last fetch on: it is fetched at the next scheduled pass. */
    next: (ms: number | null) => (ms === null || ms <= now() ? 'next pass' : `in ${helpers.ago(ms).replace(/^in /, '')}`),
    name: feedDisplayName,
    home: feedHomeLink,
  };

  const render = (reply: FastifyReply, request: FastifyRequest, view: string, data: Record<string, unknown>, status = 200) => {
    const session = request.adminSession;
    const html = templates.render(`admin/${view}`, {
      planet: config.planet,
      admin: session ? { username: session.username } : null,
      csrf: session?.csrfToken ?? '',
      notice: null,
      h: helpers,
      ...data,
    });
    return reply.status(status).type('text/html; charset=utf-8').send(html);
  };
  const message = (reply: FastifyReply, request: FastifyRequest, status: number, title: string, text: string) =>
    render(reply, request, 'message', { title, text }, status);

  app.decorateRequest('adminSession', null);

  app.addHook('onRequest', async (request) => {
    const id = request.cookies[SESSION_COOKIE];
    if (!id) return;
    const session = findSession(db, sha256Hex(id), now());
    if (!session) return;
    // Sliding expiry, written at most once a minute, never past the absolute lifetime.
    const expiresAt = Math.min(now() + SESSION_IDLE_MS, session.createdAt + SESSION_MAX_MS);
    if (expiresAt - session.expiresAt > 60_000) touchSession(db, session.idHash, expiresAt, now());
    request.adminSession = session;
  });

  app.addHook('onSend', async (_request, reply) => {
    reply.header('content-security-policy', ADMIN_CSP);
    reply.header('cache-control', 'no-store');
  });

  // After the body is parsed (preHandler), so a token in a form field can be read.
  app.addHook('preHandler', async (request, reply) => {
    if (request.routeOptions.config?.adminPublic) return;
    const session = request.adminSession;
    if (!session) {
      if (request.method === 'GET' || request.method === 'HEAD') {
        return reply.redirect(`/admin/login?next=${encodeURIComponent(request.url)}`, 303);
      }
      return message(reply, request, 403, 'Not logged in', 'Your session has ended. Log in again and repeat the change.');
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      const token = formValue(request.body, '_csrf') ?? '';
      if (!token || !safeEqual(token, session.csrfToken)) {
        request.log.warn({ admin: session.username, url: request.url }, 'admin: request without a valid CSRF token refused');
        return message(reply, request, 403, 'Request refused', 'The form was missing its security token or it did not match your session. Reload the page and try again.');
      }
    }
  });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, request, reply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err }, 'admin request failed');
      return message(reply, request, 500, 'Something went wrong', 'The error was logged. Nothing you sent was lost on purpose, but check whether the change was made.');
    }
    if (status === 429) {
      return message(reply, request, 429, 'Too many attempts', err.message);
    }
    if (status === 413 || err.code === 'FST_REQ_FILE_TOO_LARGE') {
      return message(reply, request, 413, 'File too large', `Uploads are limited to ${MAX_OPML_BYTES / 1024} KiB. Nothing was imported.`);
    }
    return message(reply, request, status, 'Bad request', err.message);
  });
  app.setNotFoundHandler((request, reply) => message(reply, request, 404, 'Not found', `There is no admin page at ${request.url.split('?')[0]}.`));

  const actor = (request: FastifyRequest): Actor => ({ username: request.adminSession!.username, via: 'web' });

  // ---- login / logout -------------------------------------------------------------------

  const loginForm = (request: FastifyRequest, reply: FastifyReply, status: number, error: string | null, username = '') => {
    // Login CSRF (an attacker logging the victim into the attacker's account): double-submit cookie.
    const token = randomToken();
    reply.setCookie(LOGIN_CSRF_COOKIE, token, { path: '/admin/login', httpOnly: true, sameSite: 'lax', secure: secureCookies(request), maxAge: 3600 });
    const query = (request.query ?? {}) as { next?: string; notice?: string };
    const next = safeNext(query.next ?? formValue(request.body, 'next'));
    return render(reply, request, 'login', { error, username, loginCsrf: token, next, notice: query.notice ? NOTICES[query.notice] ?? null : null }, status);
  };

  app.get('/login', { config: { adminPublic: true } }, async (request, reply) => {
    if (request.adminSession) return reply.redirect('/admin', 303);
    return loginForm(request, reply, 200, null);
  });

  app.post('/login', { config: { adminPublic: true } }, async (request, reply) => {
    const cookieToken = request.cookies[LOGIN_CSRF_COOKIE] ?? '';
    const formToken = formValue(request.body, '_csrf') ?? '';
    if (!cookieToken || !formToken || !safeEqual(cookieToken, formToken)) {
      return loginForm(request, reply, 403, 'The login form expired or was not sent from this site. Please try again.');
    }
    for (const limiter of [perIp, perAccount]) {
      const limit = await limiter(request);
      if (!limit.isAllowed && limit.isExceeded) {
        reply.header('retry-after', String(limit.ttlInSeconds));
        return message(reply, request, 429, 'Too many login attempts', `Too many login attempts. Try again in ${Math.ceil(limit.ttlInSeconds / 60)} minutes.`);
      }
    }
    const username = (formValue(request.body, 'username') ?? '').trim();
    const password = formValue(request.body, 'password') ?? '';
    // No account has an empty name or password: no need to spend a hash to say so.
    if (!username || !password) return loginForm(request, reply, 400, 'Enter your user name and password.', username);
    const admin = username && username.length <= MAX_USERNAME_LENGTH ? findAdminByName(db, username) : undefined;
    // An unknown user costs one scrypt too, so timing does not reveal which accounts exist.
    const ok = (await verifyPassword(password, admin?.passwordHash ?? (await dummyPasswordHash()))) && admin !== undefined;
    if (!ok || !admin) {
      request.log.info({ username_length: username.length, ip: request.ip }, 'admin: failed login');
      return loginForm(request, reply, 401, 'Wrong user name or password.', username);
    }
    if (needsRehash(admin.passwordHash)) setAdminPassword(db, admin.id, await hashPassword(password), { endSessions: false });
    // A fresh random id at every login: a session id planted before login is worthless (fixation).
    const sessionId = randomToken();
    const at = now();
    db.transaction(() => {
      deleteExpiredSessions(db, at);
      insertSession(
        db,
        {
          idHash: sha256Hex(sessionId),
          adminId: admin.id,
          csrfToken: randomToken(),
          expiresAt: at + SESSION_IDLE_MS,
          ip: request.ip,
          userAgent: (request.headers['user-agent'] ?? '').slice(0, 300) || null,
        },
        at,
      );
      recordAudit(db, { actor: admin.username, via: 'web', action: 'session.login', summary: `logged in from ${request.ip}` }, at);
    })();
    reply.clearCookie(LOGIN_CSRF_COOKIE, { path: '/admin/login' });
    reply.setCookie(SESSION_COOKIE, sessionId, { path: '/admin', httpOnly: true, sameSite: 'lax', secure: secureCookies(request), maxAge: SESSION_MAX_MS / 1000 });
    return reply.redirect(safeNext(formValue(request.body, 'next')), 303);
  });

  app.post('/logout', async (request, reply) => {
    const session = request.adminSession!;
    db.transaction(() => {
      deleteSession(db, session.idHash);
      recordAudit(db, { actor: session.username, via: 'web', action: 'session.logout', summary: 'logged out' });
    })();
    reply.clearCookie(SESSION_COOKIE, { path: '/admin' });
    return reply.redirect('/admin/login?notice=logged-out', 303);
  });

  // ---- feed list ------------------------------------------------------------------------

  app.get('/', async (request, reply) => {
    const q = listQuery.parse(request.query ?? {});
    const all = listFeedsWithHealth(db, config, now());
    const counts = Object.fromEntries((['ok', 'erroring', 'gone', 'inactive', 'new'] as FeedHealth[]).map((h) => [h, all.filter((r) => r.health === h).length]));
    const rows = sortFeeds(all.filter((r) => matchesFilter(r.health, q.show)), q.sort, q.dir);
    return render(reply, request, 'feeds', { rows, total: all.length, counts, sort: q.sort, dir: q.dir, show: q.show, notice: q.notice ? NOTICES[q.notice] ?? null : null });
  });

  // ---- add: URL → discovery → preview → confirm -----------------------------------------

  app.get('/feeds/new', async (request, reply) => render(reply, request, 'add', { url: '', error: null, preview: null }));

  app.post('/feeds/preview', async (request, reply) => {
    const url = (formValue(request.body, 'url') ?? '').trim();
    if (!url) return render(reply, request, 'add', { url, error: { field: 'url', reason: 'required' }, preview: null }, 400);
    const found = await discoverSubscription(db, config, url);
    if (found.kind === 'duplicate') return render(reply, request, 'add', { url, error: found.error, existing: found.existing, preview: null }, 409);
    if (found.kind === 'invalid') return render(reply, request, 'add', { url, error: found, preview: null }, 400);
    const report = await previewFeed(config, found.feedUrl);
    return render(reply, request, 'add', {
      url,
      error: null,
      preview: { feedUrl: found.feedUrl, candidates: found.candidates, report, fields: { name: '', face: '', link: '', tags: '', excerpt: false } },
    });
  });

  app.post('/feeds', async (request, reply) => {
    const feedUrl = (formValue(request.body, 'feed_url') ?? '').trim();
    const raw = formObject(request.body, ['name', 'face', 'link', 'tags', 'excerpt']);
    const parsed = formFeedFields.safeParse(raw);
    const again = (error: FieldError, status: number) =>
      render(reply, request, 'add', {
        url: formValue(request.body, 'url') ?? feedUrl,
        error,
        preview: { feedUrl, candidates: [feedUrl], report: null, fields: { ...raw, excerpt: raw.excerpt === 'on' } },
      }, status);
    if (!parsed.success) return again(firstIssue(parsed.error), 400);
    const added = subscribeFeed(db, config, actor(request), feedUrl, parsed.data, 'feed_url');
    if ('kind' in added) return again(added, added.error === 'duplicate subscription' ? 409 : 400);
    return reply.redirect(`/admin/feeds/${added.id}?notice=added`, 303);
  });

  // ---- one feed: details, edit, actions, entries ----------------------------------------

  const liveFeed = (idText: string) => {
    const id = idParam.safeParse(idText);
    const feed = id.success ? getFeed(db, id.data) : undefined;
    return feed && feed.status !== 'removed' ? feed : undefined;
  };
  const feedPage = (request: FastifyRequest, reply: FastifyReply, id: number, extra: Record<string, unknown>, status = 200) => {
    const feed = getFeed(db, id)!;
    const row = feedWithHealth(db, config, feed, now());
    return render(reply, request, 'feed', {
      row,
      fields: { name: feed.name ?? '', face: feed.face ?? '', link: feed.link ?? '', tags: feed.tags.join(' '), excerpt: feed.excerpt },
      entries: listFeedEntries(db, id).slice(0, 100),
      audit: listAudit(db, { limit: 20, feedId: id }),
      // WebSub: its hub subscription, if any, with the push state `planet feeds list` shows.
      push: ((sub) => (sub ? { state: pushState(sub, now()), sub } : null))(currentSubscriptions(db).get(id)),
      error: null,
      ...extra,
    }, status);
  };
  const noFeed = (request: FastifyRequest, reply: FastifyReply) => message(reply, request, 404, 'No such feed', 'That subscription does not exist (any more).');

  app.get<{ Params: { id: string }; Querystring: { notice?: string; refreshed?: string; new?: string; updated?: string } }>('/feeds/:id', async (request, reply) => {
    const feed = liveFeed(request.params.id);
    if (!feed) return noFeed(request, reply);
    const q = request.query;
    const count = (v: string | undefined) => Math.max(0, Number.parseInt(v ?? '0', 10) || 0);
    const refreshed: Record<string, string> = {
      ok: `Refreshed: ${count(q.new)} new, ${count(q.updated)} updated entries.`,
      not_modified: 'Refreshed: not modified since the last fetch.',
      error: `Refresh failed: ${feed.errorMessage ?? 'see the last error below'}`,
    };
    const notice = (q.refreshed ? refreshed[q.refreshed] : undefined) ?? (q.notice ? NOTICES[q.notice] : undefined) ?? null;
    return feedPage(request, reply, feed.id, { notice });
  });

  app.post<{ Params: { id: string } }>('/feeds/:id', async (request, reply) => {
    const feed = liveFeed(request.params.id);
    if (!feed) return noFeed(request, reply);
    const raw = formObject(request.body, ['name', 'face', 'link', 'tags', 'excerpt']);
    const parsed = formFeedFields.safeParse(raw);
    if (!parsed.success) return feedPage(request, reply, feed.id, { error: firstIssue(parsed.error), fields: { ...raw, excerpt: raw.excerpt === 'on' } }, 400);
    editFeed(db, actor(request), feed.id, parsed.data);
    return reply.redirect(`/admin/feeds/${feed.id}?notice=saved`, 303);
  });

  app.post<{ Params: { id: string } }>('/feeds/:id/remove', async (request, reply) => {
    const feed = liveFeed(request.params.id);
    if (!feed) return noFeed(request, reply);
    const mode = formValue(request.body, 'entries');
    if (mode !== 'keep' && mode !== 'purge') {
      return feedPage(request, reply, feed.id, { error: { field: 'entries', reason: 'choose whether to keep or delete its entries' } }, 400);
    }
    unsubscribeFeed(db, actor(request), feed.id, mode === 'purge');
    return reply.redirect(`/admin?notice=${mode === 'purge' ? 'purged' : 'removed'}`, 303);
  });

  app.post<{ Params: { id: string } }>('/feeds/:id/refresh', async (request, reply) => {
    const feed = liveFeed(request.params.id);
    if (!feed) return noFeed(request, reply);
    const result = await refreshNow(db, config, actor(request), feed.id);
    if (result.kind === 'not_found') return noFeed(request, reply);
    if (result.kind === 'busy') return feedPage(request, reply, feed.id, { notice: `A fetch pass is running (${result.owner}); try again in a moment.` }, 409);
    // Redirect (POST → GET) so a reload does not fetch again; the numbers travel in the query.
    const query = result.outcome === 'ok' ? `refreshed=ok&new=${result.entriesNew}&updated=${result.entriesUpdated}` : `refreshed=${result.outcome}`;
    return reply.redirect(`/admin/feeds/${feed.id}?${query}`, 303);
  });

  app.post<{ Params: { id: string } }>('/feeds/:id/enable', async (request, reply) => {
    const feed = liveFeed(request.params.id);
    if (!feed) return noFeed(request, reply);
    const result = reenableFeed(db, actor(request), feed.id);
    if (result === 'not_gone') return feedPage(request, reply, feed.id, { error: { field: 'status', reason: 'only a gone feed can be re-enabled' } }, 400);
    return reply.redirect(`/admin/feeds/${feed.id}?notice=enabled`, 303);
  });

  for (const [action, hidden] of [['hide', true], ['unhide', false]] as const) {
    app.post<{ Params: { id: string } }>(`/entries/:id/${action}`, async (request, reply) => {
      const id = idParam.safeParse(request.params.id);
      const done = id.success ? setEntryVisibility(db, actor(request), id.data, hidden) : undefined;
      if (!done) return message(reply, request, 404, 'No such entry', 'That entry does not exist (any more).');
      return reply.redirect(`/admin/feeds/${done.feedId}?notice=${hidden ? 'hidden' : 'unhidden'}#entry-${request.params.id}`, 303);
    });
  }

  // ---- OPML -----------------------------------------------------------------------------

  app.get('/opml', async (request, reply) => render(reply, request, 'opml', { result: null, error: null, maxKib: MAX_OPML_BYTES / 1024 }));

  app.post('/opml', async (request, reply) => {
    const file = (request.body as { file?: MultipartFile } | undefined)?.file;
    if (!file || typeof file.toBuffer !== 'function') {
      return render(reply, request, 'opml', { result: null, error: { field: 'file', reason: 'choose an OPML file to upload' }, maxKib: MAX_OPML_BYTES / 1024 }, 400);
    }
    const text = (await file.toBuffer()).toString('utf8');
    const result = importOpml(db, config, actor(request), text);
    if (result.kind === 'invalid') return render(reply, request, 'opml', { result: null, error: result, maxKib: MAX_OPML_BYTES / 1024 }, 400);
    return render(reply, request, 'opml', { result, error: null, maxKib: MAX_OPML_BYTES / 1024 });
  });

  app.get('/opml.xml', async (_request, reply) =>
    reply.type('text/x-opml; charset=utf-8').header('content-disposition', 'attachment; filename="subscriptions.opml"').send(exportOpml(db, config)),
  );

  // ---- audit log ------------------------------------------------------------------------

  app.get<{ Querystring: { page?: string } }>('/audit', async (request, reply) => {
    const perPage = 100;
    const page = Math.max(1, Number.parseInt(request.query.page ?? '1', 10) || 1);
    const total = countAudit(db);
    return render(reply, request, 'audit', { entries: listAudit(db, { limit: perPage, offset: (page - 1) * perPage }), page, pages: Math.max(1, Math.ceil(total / perPage)) });
  });
}

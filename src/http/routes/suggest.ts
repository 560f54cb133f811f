// GET/POST /suggest (suggestions.enabled): a visitor proposes a blog; the planet checks it
// (subscriptions/suggestions.ts), shows what it would bring in, and queues it for an admin.
// The form carries a CSRF token (double-submit: a cookie and a field that must match) and the
// checks are rate-limited per client: each one costs the planet a few bounded fetches.
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { randomToken, safeEqual } from '../../admin/passwords.js';
import { renderSuggestPage, type SuggestPageInput } from '../../render/why.js';
import type { ReaderSite } from '../../site/reader-site.js';
import { checkSuggestion, queueSuggestion } from '../../subscriptions/suggestions.js';
import type { ServerDeps } from '../deps.js';
import { cookies } from '../plugins/cookie.js';
import { formObject, formValue } from '../plugins/forms.js';

const CSRF_COOKIE = 'planet_suggest';
/** Checks (each a few bounded fetches) one client may ask for in an hour. */
export const SUGGEST_LIMIT_PER_HOUR = 10;

export async function suggestRoutes(app: FastifyInstance, { deps, site, headers }: { deps: ServerDeps; site: ReaderSite; headers: Readonly<Record<string, string>> }): Promise<void> {
  const { db, config } = deps;
  await app.register(cookies);
  await app.register(formbody, { bodyLimit: 16 * 1024 });
  const limit = app.createRateLimit({ max: SUGGEST_LIMIT_PER_HOUR, timeWindow: 3_600_000, keyGenerator: (req: FastifyRequest) => `suggest-ip:${req.ip}` });

  const page = (request: FastifyRequest, reply: FastifyReply, status: number, input: Omit<SuggestPageInput, 'csrf'>) => {
    // A fresh token with every form: the cookie and the hidden field must match on the next POST.
    const token = randomToken();
    reply.setCookie(CSRF_COOKIE, token, { path: '/suggest', httpOnly: true, sameSite: 'strict', secure: request.protocol === 'https', maxAge: 3600 });
    return reply.code(status).headers(headers).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(renderSuggestPage(site.templates, site.info, { ...input, csrf: token }));
  };
  const empty = { url: '', name: '', note: '' };

  app.get('/suggest', { helmet: false }, async (request, reply) => page(request, reply, 200, { step: 'form', fields: empty, error: null, preview: null }));

  app.post('/suggest', { helmet: false }, async (request, reply) => {
    const fields = { ...empty, ...formObject(request.body, ['url', 'name', 'note']) };
    const cookieToken = request.cookies[CSRF_COOKIE] ?? '';
    const formToken = formValue(request.body, '_csrf') ?? '';
    if (!cookieToken || !formToken || !safeEqual(cookieToken, formToken)) {
      return page(request, reply, 403, { step: 'form', fields, preview: null, error: { field: 'form', reason: 'the form expired or was not sent from this site; check the blog again' } });
    }
    const allowed = await limit(request);
    if (!allowed.isAllowed && allowed.isExceeded) {
      reply.header('retry-after', String(allowed.ttlInSeconds));
      return page(request, reply, 429, { step: 'form', fields, preview: null, error: { field: 'form', reason: `too many suggestions from your address; try again in ${Math.ceil(allowed.ttlInSeconds / 60)} minutes` } });
    }
    if (formValue(request.body, 'step') === 'send') {
      const queued = await queueSuggestion(db, config, fields, request.ip);
      if (queued.kind !== 'ok') return page(request, reply, 400, { step: 'form', fields, preview: null, error: queued });
      request.log.info({ suggestion_id: queued.suggestion.id, feed_url: queued.suggestion.feedUrl }, 'suggest: a blog was suggested');
      return page(request, reply, 200, { step: 'thanks', fields: empty, error: null, preview: null });
    }
    const checked = await checkSuggestion(db, config, fields);
    if (checked.kind !== 'ok') return page(request, reply, 400, { step: 'form', fields, preview: null, error: checked });
    return page(request, reply, 200, {
      step: 'preview',
      fields: checked.input,
      error: null,
      preview: { feedUrl: checked.feedUrl, title: checked.preview.title, format: checked.preview.format, entries: checked.preview.entries, posts: checked.entries, warnings: checked.preview.warnings },
    });
  });
}

// The admin web UI under /admin: login with a session cookie, the feed list with health, add
// (discovery → preview → confirm), edit, remove, refresh, hide entries, OPML, reading lists, the audit log.
// Every POST but the login carries the session's CSRF token (docs/decisions/0004-admin-auth.md).
// This scope registers what the admin pages share (cookies, form bodies, the session check, their
// headers and error pages), then one module per area of routes.
import type { FastifyInstance } from 'fastify';
import { MAX_OPML_BYTES } from '../../../subscriptions/service.js';
import type { ServerDeps } from '../../deps.js';
import { errorHandler } from '../../errors.js';
import { cookies } from '../../plugins/cookie.js';
import { forms } from '../../plugins/forms.js';
import { auditRoutes } from './audit.js';
import { feedRoutes } from './feeds.js';
import { listRoutes } from './lists.js';
import { loginRoutes } from './login.js';
import { opmlRoutes } from './opml.js';
import { adminSessions } from './session.js';
import { suggestionRoutes } from './suggestions.js';
import { createAdminView } from './view.js';

// Admin pages run no script at all; styles only from the one stylesheet; images may come from any
// blog (faces, previews). connect-src 'self': tools reading the page from inside it (Lighthouse
// fetches /robots.txt so) are not refused, as on the reader pages.
const ADMIN_CSP = [
  "default-src 'none'",
  "style-src 'self'",
  "connect-src 'self'",
  'img-src https: http: data:',
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export async function adminRoutes(app: FastifyInstance, { deps }: { deps: ServerDeps }): Promise<void> {
  const view = createAdminView(deps);
  const { message } = view;

  await app.register(cookies);
  await app.register(forms);
  await app.register(adminSessions, { deps, view });

  app.addHook('onSend', async (_request, reply) => {
    reply.header('content-security-policy', ADMIN_CSP);
    reply.header('cache-control', 'no-store');
  });

  app.setErrorHandler(
    errorHandler('admin request failed', (err, status, request, reply) => {
      if (status >= 500) {
        return message(reply, request, 500, 'admin.error.title', 'admin.error.text');
      }
      if (status === 429) return message(reply, request, 429, 'admin.tooMany.title', 'admin.tooMany.text');
      if (status === 413 || err.code === 'FST_REQ_FILE_TOO_LARGE') {
        return message(reply, request, 413, 'admin.tooLarge.title', { key: 'admin.tooLarge.text', values: { kib: MAX_OPML_BYTES / 1024 } });
      }
      // Fastify's own words for a malformed request (its message names what was wrong).
      return message(reply, request, status, 'admin.badRequest.title', { key: 'admin.badRequest.text', values: { reason: err.message } });
    }),
  );
  app.setNotFoundHandler((request, reply) => message(reply, request, 404, 'admin.notFound.title', { key: 'admin.notFound.text', values: { path: request.url.split('?')[0]! } }));

  await app.register(loginRoutes, { deps, view });
  await app.register(feedRoutes, { deps, view });
  await app.register(opmlRoutes, { deps, view });
  await app.register(listRoutes, { deps, view });
  await app.register(auditRoutes, { deps, view });
  await app.register(suggestionRoutes, { deps, view });
}

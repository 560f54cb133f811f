// The admin session: a random id in an httpOnly cookie, its hash and CSRF token in SQLite
// (docs/decisions/0004-admin-auth.md). This plugin finds the session of each request, sends
// anyone without one to the login form, and refuses every POST without the session's CSRF token.
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { randomToken, safeEqual, sha256Hex } from '../../../admin/passwords.js';
import { deleteExpiredSessions, deleteSession, findSession, insertSession, touchSession, type AdminSession } from '../../../db/admins.js';
import { recordAudit } from '../../../db/audit.js';
import type { Db } from '../../../db/open.js';
import type { Actor } from '../../../subscriptions/service.js';
import type { ServerDeps } from '../../deps.js';
import { formValue } from '../../plugins/forms.js';
import type { AdminView } from './view.js';

const SESSION_COOKIE = 'planet_session';
/** A session ends after 12 idle hours, and after 7 days whatever happens. */
const SESSION_IDLE_MS = 12 * 3_600_000;
const SESSION_MAX_MS = 7 * 86_400_000;

declare module 'fastify' {
  interface FastifyRequest {
    adminSession: AdminSession | null;
  }
  interface FastifyContextConfig {
    /** Reachable without a session (the login form). */
    adminPublic?: boolean;
  }
}

/** Cookies are Secure when the request came over https (directly or per trust_proxy). */
export const secureCookies = (request: FastifyRequest) => request.protocol === 'https';

/** The logged-in admin, for the audit log. Only in routes behind the session check. */
export const adminActor = (request: FastifyRequest): Actor => ({ username: request.adminSession!.username, via: 'web' });

export const adminSessions = fp<{ deps: ServerDeps; view: AdminView }>(
  async (app, { deps, view }) => {
    const { db } = deps;
    const now = deps.now ?? Date.now;

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

    // After the body is parsed (preHandler), so a token in a form field can be read.
    app.addHook('preHandler', async (request, reply) => {
      if (request.routeOptions.config?.adminPublic) return;
      const session = request.adminSession;
      if (!session) {
        if (request.method === 'GET' || request.method === 'HEAD') {
          return reply.redirect(`/admin/login?next=${encodeURIComponent(request.url)}`, 303);
        }
        return view.message(reply, request, 403, 'admin.notLoggedIn.title', 'admin.notLoggedIn.text', [{ href: '/admin/login', label: 'admin.login.submit' }]);
      }
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        const token = formValue(request.body, '_csrf') ?? '';
        if (!token || !safeEqual(token, session.csrfToken)) {
          request.log.warn({ admin: session.username, url: request.url }, 'admin: request without a valid CSRF token refused');
          return view.message(reply, request, 403, 'admin.refused.title', 'admin.refused.text');
        }
      }
    });
  },
  { name: 'planet-admin-sessions', dependencies: ['planet-cookies', 'planet-forms'] },
);

/**
 * A new session for `admin`, logged in the audit log, and its cookie. A fresh random id at every
 * login: a session id planted before login is worthless (fixation).
 */
export function startSession(db: Db, request: FastifyRequest, reply: FastifyReply, admin: { id: number; username: string }, at: number): void {
  const sessionId = randomToken();
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
  reply.setCookie(SESSION_COOKIE, sessionId, { path: '/admin', httpOnly: true, sameSite: 'lax', secure: secureCookies(request), maxAge: SESSION_MAX_MS / 1000 });
}

/** Ends the request's session (logout), in the audit log, and clears its cookie. */
export function endSession(db: Db, request: FastifyRequest, reply: FastifyReply): void {
  const session = request.adminSession!;
  db.transaction(() => {
    deleteSession(db, session.idHash);
    recordAudit(db, { actor: session.username, via: 'web', action: 'session.logout', summary: 'logged out' });
  })();
  reply.clearCookie(SESSION_COOKIE, { path: '/admin' });
}

// /admin/login and /admin/logout: the login form (double-submit CSRF token), two rate limits,
// a password check that costs the same for unknown names, and the session it starts.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { dummyPasswordHash, hashPassword, needsRehash, randomToken, safeEqual, verifyPassword } from '../../../admin/passwords.js';
import { findAdminByName, setAdminPassword } from '../../../db/admins.js';
import type { ServerDeps } from '../../deps.js';
import { formValue } from '../../plugins/forms.js';
import { endSession, secureCookies, startSession } from './session.js';
import { NOTICES, type AdminView } from './view.js';

const LOGIN_CSRF_COOKIE = 'planet_login_csrf';
/** Login attempts per 15 minutes: per client address, and per account name (known or not). */
export const LOGIN_LIMIT_PER_IP = 20;
export const LOGIN_LIMIT_PER_ACCOUNT = 10;
export const LOGIN_WINDOW_MS = 15 * 60_000;
/** `planet admin create` refuses longer names (src/commands/admin.ts). */
const MAX_USERNAME_LENGTH = 64;

/** Where to go after logging in: an /admin page, never another site (open redirect). */
const safeNext = (next: string | undefined) => (next && /^\/admin(\/[^/\\]|\/?$|\?)/.test(next) && !next.includes('//') ? next : '/admin');

export const loginRoutes: FastifyPluginAsync<{ deps: ServerDeps; view: AdminView }> = async (app, { deps, view }) => {
  const { db } = deps;
  const now = deps.now ?? Date.now;
  const { render, message } = view;

  // createRateLimit, not rateLimit(): two limits on one route must both count.
  const perIp = app.createRateLimit({ max: LOGIN_LIMIT_PER_IP, timeWindow: LOGIN_WINDOW_MS, keyGenerator: (req: FastifyRequest) => `admin-login-ip:${req.ip}` });
  const perAccount = app.createRateLimit({
    max: LOGIN_LIMIT_PER_ACCOUNT,
    timeWindow: LOGIN_WINDOW_MS,
    // Cut at the longest possible account name: the key is stored, and the body may hold 64 KiB.
    keyGenerator: (req: FastifyRequest) => `admin-login-user:${(formValue(req.body, 'username') ?? '').trim().toLowerCase().slice(0, MAX_USERNAME_LENGTH)}`,
  });

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
    startSession(db, request, reply, admin, now());
    reply.clearCookie(LOGIN_CSRF_COOKIE, { path: '/admin/login' });
    return reply.redirect(safeNext(formValue(request.body, 'next')), 303);
  });

  app.post('/logout', async (request, reply) => {
    endSession(db, request, reply);
    return reply.redirect('/admin/login?notice=logged-out', 303);
  });
};

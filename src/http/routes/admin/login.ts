// /admin/login and /admin/logout: the login form (double-submit CSRF token), two limits on failed
// logins (per address, per account; a correct login clears its account's), a password check that
// costs the same for unknown names, and the session it starts.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { dummyPasswordHash, hashPassword, needsRehash, randomToken, safeEqual, verifyPassword } from '../../../admin/passwords.js';
import { findAdminByName, setAdminPassword } from '../../../db/admins.js';
import type { ServerDeps } from '../../deps.js';
import { formValue } from '../../plugins/forms.js';
import { createFailureLimit } from '../../plugins/rate-limit.js';
import { endSession, secureCookies, startSession } from './session.js';
import type { AdminView } from './view.js';

const LOGIN_CSRF_COOKIE = 'planet_login_csrf';
/** Failed logins per 15 minutes: per client address, and per account name (known or not). Correct ones never count. */
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
  const { render, words } = view;

  const perIp = createFailureLimit(db, { max: LOGIN_LIMIT_PER_IP, windowMs: LOGIN_WINDOW_MS, now });
  const perAccount = createFailureLimit(db, { max: LOGIN_LIMIT_PER_ACCOUNT, windowMs: LOGIN_WINDOW_MS, now });
  const ipKey = (req: FastifyRequest) => `admin-login-ip:${req.ip}`;
  // Cut at the longest possible account name: the key is stored, and the body may hold 64 KiB.
  const accountKey = (req: FastifyRequest) => `admin-login-user:${(formValue(req.body, 'username') ?? '').trim().toLowerCase().slice(0, MAX_USERNAME_LENGTH)}`;

  /** The lockout page: when to try again (in the planet's zone, and in minutes), and a way home. */
  const lockedOut = (request: FastifyRequest, reply: FastifyReply, retryAfterMs: number) => {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    reply.header('retry-after', String(seconds));
    return view.message(
      reply,
      request,
      429,
      'admin.locked.title',
      { key: 'admin.locked.text', values: { time: words.dates.time(now() + seconds * 1000), minutes: Math.ceil(seconds / 60) } },
      [
        { href: '/', label: 'admin.locked.home' },
        { href: '/admin/login', label: 'admin.locked.again', secondary: true },
      ],
    );
  };

  const loginForm = (request: FastifyRequest, reply: FastifyReply, status: number, error: string | null, username = '') => {
    // Login CSRF (an attacker logging the victim into the attacker's account): double-submit cookie.
    const token = randomToken();
    reply.setCookie(LOGIN_CSRF_COOKIE, token, { path: '/admin/login', httpOnly: true, sameSite: 'lax', secure: secureCookies(request), maxAge: 3600 });
    const query = (request.query ?? {}) as { next?: string; notice?: string };
    const next = safeNext(query.next ?? formValue(request.body, 'next'));
    return render(reply, request, 'login', { error, username, loginCsrf: token, next, notice: view.notice(query.notice) }, status);
  };

  app.get('/login', { config: { adminPublic: true } }, async (request, reply) => {
    if (request.adminSession) return reply.redirect('/admin', 303);
    return loginForm(request, reply, 200, null);
  });

  app.post('/login', { config: { adminPublic: true } }, async (request, reply) => {
    const cookieToken = request.cookies[LOGIN_CSRF_COOKIE] ?? '';
    const formToken = formValue(request.body, '_csrf') ?? '';
    if (!cookieToken || !formToken || !safeEqual(cookieToken, formToken)) {
      return loginForm(request, reply, 403, words.t('admin.login.expired'));
    }
    // Checked before the password: a locked key is refused without spending a hash, right or wrong.
    const ip = ipKey(request);
    const account = accountKey(request);
    for (const [limit, key] of [[perIp, ip], [perAccount, account]] as const) {
      const state = limit.check(key);
      if (state.locked) return lockedOut(request, reply, state.retryAfterMs);
    }
    const failed = (status: number, error: string, username: string) => {
      perIp.fail(ip);
      perAccount.fail(account);
      return loginForm(request, reply, status, error, username);
    };
    const username = (formValue(request.body, 'username') ?? '').trim();
    const password = formValue(request.body, 'password') ?? '';
    // No account has an empty name or password: no need to spend a hash to say so.
    if (!username || !password) return failed(400, words.t('admin.login.missing'), username);
    const admin = username && username.length <= MAX_USERNAME_LENGTH ? findAdminByName(db, username) : undefined;
    // An unknown user costs one scrypt too, so timing does not reveal which accounts exist.
    const ok = (await verifyPassword(password, admin?.passwordHash ?? (await dummyPasswordHash()))) && admin !== undefined;
    if (!ok || !admin) {
      request.log.info({ username_length: username.length, ip: request.ip }, 'admin: failed login');
      return failed(401, words.t('admin.login.wrong'), username);
    }
    // The account's failures are forgotten; the address keeps its own (a correct login to one's own
    // account must not reset the budget of an address guessing at others).
    perAccount.clear(account);
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

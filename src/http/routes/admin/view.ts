// How every admin page is rendered: the views/admin/ templates with the planet, the logged-in
// admin, the session's CSRF token and the time helpers; message() for one-paragraph answers.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { countPendingSuggestions } from '../../../db/suggestions.js';
import { feedDisplayName, feedHomeLink } from '../../../model.js';
import { createTemplates } from '../../../render/templates.js';
import type { ServerDeps } from '../../deps.js';

/** What `?notice=…` says after a redirect. */
export const NOTICES: Record<string, string> = {
  added: 'Subscribed. The feed is fetched in the next pass, or now with "Refresh now".',
  saved: 'Changes saved.',
  removed: 'Unsubscribed; its entries stay on the planet.',
  purged: 'Unsubscribed and its entries deleted.',
  enabled: 'Re-enabled: the feed is polled again from the next pass.',
  hidden: 'Entry hidden.',
  unhidden: 'Entry shown again.',
  'logged-out': 'Logged out.',
};

export interface AdminView {
  render(reply: FastifyReply, request: FastifyRequest, view: string, data: Record<string, unknown>, status?: number): FastifyReply;
  message(reply: FastifyReply, request: FastifyRequest, status: number, title: string, text: string): FastifyReply;
}

export function createAdminView({ config, db, now: clock }: ServerDeps): AdminView {
  const now = clock ?? Date.now;
  const templates = createTemplates(config.views);
  const helpers = {
    time: (ms: number | null) => (ms === null ? '—' : new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC'),
    iso: (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString()),
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

  const render: AdminView['render'] = (reply, request, view, data, status = 200) => {
    const session = request.adminSession;
    const html = templates.render(`admin/${view}`, {
      planet: config.planet,
      admin: session ? { username: session.username } : null,
      csrf: session?.csrfToken ?? '',
      notice: null,
      // The queue of suggested blogs, in the menu where visitors can suggest them.
      pendingSuggestions: session && config.suggestions.enabled ? countPendingSuggestions(db) : null,
      h: helpers,
      ...data,
    });
    return reply.status(status).type('text/html; charset=utf-8').send(html);
  };
  return {
    render,
    message: (reply, request, status, title, text) => render(reply, request, 'message', { title, text }, status),
  };
}

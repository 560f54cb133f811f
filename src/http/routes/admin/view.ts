// How every admin page is rendered: the views/admin/ templates with the planet, the logged-in
// admin, the session's CSRF token, the planet's words (planet.language) and the helpers that show
// times in the planet's zone in words ("3 hours ago", the exact time on hover); message() for
// one-paragraph answers. The stylesheet is the reader pages' own (assets/planet.css).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { countPendingSuggestions } from '../../../db/suggestions.js';
import type { AuditVia } from '../../../db/audit.js';
import type { MessageKey } from '../../../i18n/catalogs.js';
import { createWords, type MessageValues, type Words } from '../../../i18n/words.js';
import { feedDisplayName, feedHomeLink, type FeedHealth, type FeedStatus } from '../../../model.js';
import { createTemplates } from '../../../render/templates.js';
import { escapeHtml } from '../../../render/text.js';
import { loadAssets } from '../../../site/assets.js';
import type { ServerDeps } from '../../deps.js';

/** What `?notice=…` says after a redirect. */
export const NOTICES: Record<string, MessageKey> = {
  added: 'admin.notice.added',
  saved: 'admin.notice.saved',
  removed: 'admin.notice.removed',
  purged: 'admin.notice.purged',
  enabled: 'admin.notice.enabled',
  hidden: 'admin.notice.hidden',
  unhidden: 'admin.notice.unhidden',
  'logged-out': 'admin.notice.loggedOut',
  'list-removed': 'admin.notice.listRemoved',
};

/** A link under a message's paragraph. */
export interface MessageLink {
  href: string;
  label: MessageKey;
  secondary?: boolean;
}

export interface MessageText {
  key: MessageKey;
  values?: MessageValues;
}

export interface AdminView {
  words: Words;
  render(reply: FastifyReply, request: FastifyRequest, view: string, data: Record<string, unknown>, status?: number): FastifyReply;
  /** A page of one paragraph: its title and text from the catalog, and where to go from there (default: the feed list). */
  message(reply: FastifyReply, request: FastifyRequest, status: number, title: MessageKey, text: MessageKey | MessageText, links?: MessageLink[]): FastifyReply;
  /** `?notice=` as text, or null for an unknown one. */
  notice(name: string | undefined): string | null;
}

const HEALTH: Record<FeedHealth, MessageKey> = { ok: 'admin.health.ok', erroring: 'admin.health.erroring', gone: 'admin.health.gone', inactive: 'admin.health.inactive', new: 'admin.health.new' };
const STATUS: Record<FeedStatus, MessageKey> = { active: 'admin.status.active', gone: 'admin.status.gone', removed: 'admin.status.removed' };
const VIA: Record<AuditVia, MessageKey> = { web: 'admin.via.web', api: 'admin.via.api', cli: 'admin.via.cli' };
const SOURCES: Record<string, MessageKey> = {
  config: 'admin.source.config',
  cli: 'admin.source.cli',
  admin: 'admin.source.admin',
  api: 'admin.source.api',
  opml: 'admin.source.opml',
  suggestion: 'admin.source.suggestion',
};
const PUSH: Record<string, MessageKey> = { pending: 'admin.push.pending', active: 'admin.push.active', denied: 'admin.push.denied' };
const LIST_STATUS: Record<string, MessageKey> = { new: 'admin.health.new', ok: 'admin.health.ok', erroring: 'admin.health.erroring' };
const LIST_FEED_STATE: Record<string, MessageKey> = { subscribed: 'admin.lists.subscribed', removed_by_admin: 'admin.lists.removedByAdmin', not_subscribed: 'admin.lists.notSubscribed' };
const OUTLINE: Record<string, MessageKey> = { added: 'admin.opml.added', present: 'admin.opml.present', invalid: 'admin.opml.invalidOutline' };
const FIELDS: Record<string, MessageKey> = {
  url: 'admin.field.url',
  feed_url: 'admin.field.url',
  name: 'admin.field.name',
  face: 'admin.field.face',
  link: 'admin.field.link',
  tags: 'admin.field.tags',
  excerpt: 'admin.field.excerpt',
  entries: 'admin.field.entries',
  status: 'admin.feed.status',
  file: 'admin.opml.file',
};

/** The helpers views call as `it.h.*`: words for the values the admin pages show. */
export function adminHelpers(words: Words, now: () => number) {
  const { t, dates } = words;
  const iso = (ms: number) => new Date(ms).toISOString();
  /** `<time>` saying when, in words, with the exact time in the planet's zone on hover. */
  const when = (ms: number | null): string => {
    if (ms === null) return escapeHtml(t('admin.never'));
    return `<time datetime="${iso(ms)}" title="${escapeHtml(dates.full(ms))}">${escapeHtml(words.relative(ms, now()))}</time>`;
  };
  return {
    when,
    /** A date an ISO string names (a feed's own dates, in a preview), as when() shows it. */
    whenIso: (value: string | null | undefined) => {
      const ms = value ? Date.parse(value) : NaN;
      return Number.isNaN(ms) ? escapeHtml(value ?? t('admin.add.noDate')) : when(ms);
    },
    /** The day, short ("13 Jan 2015"), with the exact time on hover. */
    day: (ms: number | null) => (ms === null ? '—' : `<time datetime="${iso(ms)}" title="${escapeHtml(dates.full(ms))}">${escapeHtml(dates.short(ms))}</time>`),
    /** A healthy feed is due from its last fetch on: it is fetched at the next scheduled pass. */
    next: (ms: number | null) => (ms === null || ms <= now() ? escapeHtml(t('admin.nextPass')) : when(ms)),
    name: feedDisplayName,
    home: feedHomeLink,
    escape: escapeHtml,
    health: (h: FeedHealth) => t(HEALTH[h]),
    status: (s: FeedStatus) => t(STATUS[s]),
    via: (v: AuditVia) => (VIA[v] ? t(VIA[v]) : v),
    source: (s: string) => (s.startsWith('list:') ? t('admin.source.list', { url: s.slice(5) }) : SOURCES[s] ? t(SOURCES[s]) : s),
    push: (state: string | null) => (state && PUSH[state] ? t(PUSH[state]) : t('admin.push.off')),
    listStatus: (s: string) => (LIST_STATUS[s] ? t(LIST_STATUS[s]) : s),
    listFeedState: (s: string) => (LIST_FEED_STATE[s] ? t(LIST_FEED_STATE[s]) : s),
    outline: (r: string) => (OUTLINE[r] ? t(OUTLINE[r]) : r),
    /** A form field as its label says it; a field no form names is shown as sent. */
    field: (name: string) => (FIELDS[name] ? t(FIELDS[name]) : name),
  };
}

export function createAdminView({ config, db, now: clock }: ServerDeps): AdminView {
  const now = clock ?? Date.now;
  const templates = createTemplates(config.views);
  const words = createWords(config.planet.language, config.planet.timezone);
  const h = adminHelpers(words, now);
  // The reader pages' stylesheet, by its stamp: a changed one is fetched again despite its max-age.
  const css = `/assets/planet.css?v=${loadAssets().stamp}`;

  const render: AdminView['render'] = (reply, request, view, data, status = 200) => {
    const session = request.adminSession;
    const html = templates.render(`admin/${view}`, {
      planet: config.planet,
      admin: session ? { username: session.username } : null,
      csrf: session?.csrfToken ?? '',
      notice: null,
      nav: null,
      lang: words.lang,
      css,
      t: words.t,
      html: words.html,
      raw: words.raw,
      h,
      // The queue of suggested blogs, in the menu where visitors can suggest them.
      pendingSuggestions: session && config.suggestions.enabled ? countPendingSuggestions(db) : null,
      ...data,
    });
    return reply.status(status).type('text/html; charset=utf-8').send(html);
  };
  return {
    words,
    render,
    message: (reply, request, status, title, text, links) => {
      const body = typeof text === 'string' ? words.t(text) : words.t(text.key, text.values);
      const shown = (links ?? [{ href: '/admin', label: 'admin.message.back' }]).map((l) => ({ href: l.href, label: words.t(l.label), secondary: l.secondary ?? false }));
      return render(reply, request, 'message', { title: words.t(title), text: body, links: shown }, status);
    },
    notice: (name) => (name && NOTICES[name] ? words.t(NOTICES[name]) : null),
  };
}

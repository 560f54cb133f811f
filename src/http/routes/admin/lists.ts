// The admin UI's reading lists under /admin/lists: every list with its state and its feeds, add
// (read at once, refused when it cannot be read), remove. Registered inside the admin routes
// (routes/admin/index.ts), so the session, CSRF check, headers and error pages are theirs.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { formListFields, idParam } from '../../../admin/schemas.js';
import { getReadingList, listReadingListFeeds, listReadingLists } from '../../../db/reading-lists.js';
import { fetchOptionsFromConfig } from '../../../config.js';
import { addReadingList, listFeedState, listStatus, removeReadingList } from '../../../subscriptions/reading-lists.js';
import type { FieldError } from '../../../subscriptions/refusals.js';
import type { ServerDeps } from '../../deps.js';
import { formIssue, formObject } from '../../plugins/forms.js';
import { adminActor } from './session.js';
import type { AdminView } from './view.js';

export const listRoutes: FastifyPluginAsync<{ deps: ServerDeps; view: AdminView }> = async (app, { deps, view: kit }) => {
  const { db, config } = deps;
  const now = deps.now ?? Date.now;

  const page = (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown>, status = 200) => {
    const lists = listReadingLists(db).map((list) => ({
      list,
      status: listStatus(list),
      feeds: listReadingListFeeds(db, list.id).map((row) => ({ row, state: listFeedState(row) })),
    }));
    return kit.render(reply, request, 'lists', { lists, error: null, fields: { url: '', tags: '' }, added: null, ...extra }, status);
  };

  app.get<{ Querystring: { notice?: string } }>('/lists', async (request, reply) =>
    page(request, reply, { notice: kit.notice(request.query.notice) }),
  );

  app.post('/lists', async (request, reply) => {
    const raw = formObject(request.body, ['url', 'tags']);
    const again = (error: FieldError, status: number, existing?: number) => page(request, reply, { error, existing, fields: { url: raw.url ?? '', tags: raw.tags ?? '' } }, status);
    const parsed = formListFields.safeParse(raw);
    if (!parsed.success) return again(formIssue(parsed.error), 400);
    const added = await addReadingList(db, config, adminActor(request), parsed.data, { fetch: fetchOptionsFromConfig(config), allowFiles: false, now });
    if (added.kind === 'duplicate') return again(added.error, 409, added.existing.id);
    if (added.kind === 'invalid') return again(added, 400);
    const { list, outcome } = added;
    return page(request, reply, {
      notice: kit.words.t('admin.notice.listAdded', { feeds: outcome.feeds, subscribed: outcome.subscribed.length }),
      added: list.id,
    });
  });

  app.post<{ Params: { id: string } }>('/lists/:id/remove', async (request, reply) => {
    const id = idParam.safeParse(request.params.id);
    const list = id.success ? getReadingList(db, id.data) : undefined;
    if (!list) return kit.message(reply, request, 404, 'admin.noList.title', 'admin.noList.text');
    removeReadingList(db, adminActor(request), list, now());
    return reply.redirect('/admin/lists?notice=list-removed', 303);
  });
};

// The admin UI's reading lists under /admin/lists: every list with its state and its feeds, add
// (read at once, refused when it cannot be read), remove. Registered inside the admin routes
// (routes/admin.ts), so the session, CSRF check, headers and error pages are theirs.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { formListFields, idParam } from '../../admin/schemas.js';
import { getReadingList, listReadingListFeeds, listReadingLists } from '../../db/reading-lists.js';
import { fetchOptionsFromConfig } from '../../pass/run-pass.js';
import { addReadingList, listFeedState, listStatus, removeReadingList } from '../../subscriptions/reading-lists.js';
import type { FieldError } from '../../subscriptions/refusals.js';
import type { Actor } from '../../subscriptions/service.js';
import type { ServerDeps } from '../deps.js';

/** What the admin routes lend their modules: rendering in the admin layout, the acting admin, form fields. */
export interface AdminPageKit {
  render(reply: FastifyReply, request: FastifyRequest, view: string, data: Record<string, unknown>, status?: number): FastifyReply;
  message(reply: FastifyReply, request: FastifyRequest, status: number, title: string, text: string): FastifyReply;
  actor(request: FastifyRequest): Actor;
  formObject(body: unknown, names: string[]): Record<string, string>;
  /** A form validation failure as the field at fault. */
  firstIssue(error: z.ZodError): FieldError;
}

const NOTICES: Record<string, string> = {
  'list-removed': 'Reading list removed. The feeds only it held are unsubscribed; their entries stay on the planet.',
};

export async function adminListRoutes(app: FastifyInstance, { deps, kit }: { deps: ServerDeps; kit: AdminPageKit }): Promise<void> {
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
    page(request, reply, { notice: request.query.notice ? (NOTICES[request.query.notice] ?? null) : null }),
  );

  app.post('/lists', async (request, reply) => {
    const raw = kit.formObject(request.body, ['url', 'tags']);
    const again = (error: FieldError, status: number, existing?: number) => page(request, reply, { error, existing, fields: { url: raw.url ?? '', tags: raw.tags ?? '' } }, status);
    const parsed = formListFields.safeParse(raw);
    if (!parsed.success) return again(kit.firstIssue(parsed.error), 400);
    const added = await addReadingList(db, config, kit.actor(request), parsed.data, { fetch: fetchOptionsFromConfig(config), allowFiles: false, now });
    if (added.kind === 'duplicate') return again(added.error, 409, added.existing.id);
    if (added.kind === 'invalid') return again(added, 400);
    const { list, outcome } = added;
    return page(request, reply, {
      notice: `Reading list added: ${outcome.feeds} feeds, ${outcome.subscribed.length} of them subscribed now (the others already were). It is read again at every fetch pass.`,
      added: list.id,
    });
  });

  app.post<{ Params: { id: string } }>('/lists/:id/remove', async (request, reply) => {
    const id = idParam.safeParse(request.params.id);
    const list = id.success ? getReadingList(db, id.data) : undefined;
    if (!list) return kit.message(reply, request, 404, 'No such reading list', 'That reading list does not exist (any more).');
    removeReadingList(db, kit.actor(request), list, now());
    return reply.redirect('/admin/lists?notice=list-removed', 303);
  });
}

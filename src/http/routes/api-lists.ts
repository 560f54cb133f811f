// The admin JSON API's reading lists under /api/lists: list, add (read at once), remove. Registered
// inside the API's routes (routes/api.ts), so the same Bearer token check and errors apply.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { apiListBody, firstIssue, idParam } from '../../admin/schemas.js';
import { getReadingList } from '../../db/reading-lists.js';
import { fetchOptionsFromConfig } from '../../config.js';
import { addReadingList, findReadingListBy, readingListJson, readingListsJson, removeReadingList } from '../../subscriptions/reading-lists.js';
import { fieldError, type FieldError } from '../../subscriptions/refusals.js';
import type { ServerDeps } from '../deps.js';

const send = (reply: FastifyReply, status: number, e: FieldError) => reply.status(status).send({ error: e.error, field: e.field, reason: e.reason });

export async function apiListRoutes(app: FastifyInstance, { deps }: { deps: ServerDeps }): Promise<void> {
  const { db, config } = deps;
  const now = deps.now ?? Date.now;
  const notFound = (reply: FastifyReply, field: string, value: string) => send(reply, 404, fieldError(field, `no reading list ${JSON.stringify(value)}`, 'not found'));

  app.get('/lists', async () => ({ lists: readingListsJson(db) }));

  app.get<{ Params: { id: string } }>('/lists/:id', async (request, reply) => {
    const id = idParam.safeParse(request.params.id);
    const list = id.success ? getReadingList(db, id.data) : undefined;
    return list ? readingListJson(db, list) : notFound(reply, 'id', request.params.id);
  });

  app.post('/lists', async (request, reply) => {
    const body = apiListBody.safeParse(request.body ?? {});
    if (!body.success) return send(reply, 400, firstIssue(body.error));
    const added = await addReadingList(db, config, request.apiActor!, { url: body.data.url, tags: body.data.tags ?? [] }, { fetch: fetchOptionsFromConfig(config), allowFiles: false, now });
    if (added.kind === 'duplicate') return reply.status(409).send({ error: added.error.error, field: added.error.field, reason: added.error.reason, existing: { id: added.existing.id, url: added.existing.url } });
    if (added.kind === 'invalid') return send(reply, 400, added);
    return reply.status(201).header('location', `/api/lists/${added.list.id}`).send({ ...readingListJson(db, added.list), subscribed: added.outcome.subscribed });
  });

  const remove = (reply: FastifyReply, field: string, value: string, list = findReadingListBy(db, value)) => {
    if (!list) return notFound(reply, field, value);
    const { unsubscribed } = removeReadingList(db, reply.request.apiActor!, list, now());
    return { removed: list.id, url: list.url, unsubscribed };
  };

  app.delete<{ Params: { id: string } }>('/lists/:id', async (request, reply) => {
    const id = idParam.safeParse(request.params.id);
    if (!id.success) return send(reply, 400, fieldError('id', 'a reading list id (positive integer)'));
    return remove(reply, 'id', request.params.id, getReadingList(db, id.data));
  });

  // By URL, as `planet lists remove URL` names it: DELETE /api/lists?url=…
  app.delete<{ Querystring: { url?: string } }>('/lists', async (request, reply) => {
    const url = request.query.url;
    if (typeof url !== 'string' || !url.trim()) return send(reply, 400, fieldError('url', 'required: DELETE /api/lists/ID or /api/lists?url=URL'));
    return remove(reply, 'url', url.trim());
  });
}

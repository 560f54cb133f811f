// The queue of blogs suggested by visitors (/suggest): approve (subscribes the feed with the
// suggested name) or reject with a reason; each decision is in the audit log.
import type { FastifyPluginAsync } from 'fastify';
import { idParam } from '../../../admin/schemas.js';
import { listSuggestions } from '../../../db/suggestions.js';
import type { MessageKey } from '../../../i18n/catalogs.js';
import { approveSuggestion, rejectSuggestion, type Decision } from '../../../subscriptions/suggestions.js';
import type { ServerDeps } from '../../deps.js';
import { formValue } from '../../plugins/forms.js';
import { adminActor as actor } from './session.js';
import type { AdminView } from './view.js';

const NOTICES: Record<string, MessageKey> = {
  approved: 'admin.notice.suggestionApproved',
  rejected: 'admin.notice.suggestionRejected',
};

export const suggestionRoutes: FastifyPluginAsync<{ deps: ServerDeps; view: AdminView }> = async (app, { deps, view }) => {
  const { db, config } = deps;
  const { render, message, words } = view;

  const queue = (request: Parameters<AdminView['render']>[1], reply: Parameters<AdminView['render']>[0], extra: Record<string, unknown> = {}, status = 200) => {
    const all = listSuggestions(db);
    return render(reply, request, 'suggestions', { pending: all.filter((s) => s.status === 'pending'), decided: all.filter((s) => s.status !== 'pending').slice(0, 50), enabled: config.suggestions.enabled, error: null, ...extra }, status);
  };

  app.get<{ Querystring: { notice?: string } }>('/suggestions', async (request, reply) => queue(request, reply, { notice: request.query.notice ? (NOTICES[request.query.notice] ? words.t(NOTICES[request.query.notice]!) : null) : null }));

  const answer = (request: Parameters<AdminView['render']>[1], reply: Parameters<AdminView['render']>[0], result: Decision, done: string) => {
    if (result.kind === 'ok') return reply.redirect(`/admin/suggestions?notice=${done}`, 303);
    if (result.kind === 'not_found') return message(reply, request, 404, 'admin.noSuggestion.title', 'admin.noSuggestion.text');
    if (result.kind === 'decided') return queue(request, reply, { error: { field: 'id', reason: words.t(result.suggestion.status === 'approved' ? 'admin.suggestions.alreadyApproved' : 'admin.suggestions.alreadyRejected', { id: result.suggestion.id }) } }, 409);
    return queue(request, reply, { error: result }, 400);
  };

  app.post<{ Params: { id: string } }>('/suggestions/:id/approve', async (request, reply) => {
    const id = idParam.safeParse(request.params.id);
    if (!id.success) return message(reply, request, 404, 'admin.noSuggestion.title', 'admin.noSuggestion.text');
    return answer(request, reply, approveSuggestion(db, config, actor(request), id.data), 'approved');
  });

  app.post<{ Params: { id: string } }>('/suggestions/:id/reject', async (request, reply) => {
    const id = idParam.safeParse(request.params.id);
    if (!id.success) return message(reply, request, 404, 'admin.noSuggestion.title', 'admin.noSuggestion.text');
    return answer(request, reply, rejectSuggestion(db, actor(request), id.data, formValue(request.body, 'reason') ?? ''), 'rejected');
  });
};

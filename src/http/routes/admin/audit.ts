// /admin/audit: the audit log, newest first, a hundred records a page.
import type { FastifyPluginAsync } from 'fastify';
import { countAudit, listAudit } from '../../../db/audit.js';
import type { ServerDeps } from '../../deps.js';
import type { AdminView } from './view.js';

const PER_PAGE = 100;

export const auditRoutes: FastifyPluginAsync<{ deps: ServerDeps; view: AdminView }> = async (app, { deps, view }) => {
  const { db } = deps;

  app.get<{ Querystring: { page?: string } }>('/audit', async (request, reply) => {
    const page = Math.max(1, Number.parseInt(request.query.page ?? '1', 10) || 1);
    const total = countAudit(db);
    return view.render(reply, request, 'audit', { entries: listAudit(db, { limit: PER_PAGE, offset: (page - 1) * PER_PAGE }), page, pages: Math.max(1, Math.ceil(total / PER_PAGE)) });
  });
};

// Reader routes. For now the latest entries as a plain list; the planet page replaces it.
import type { FastifyInstance } from 'fastify';
import { listLatestEntries } from '../../db/entries.js';
import type { ServerDeps } from '../server.js';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function readerRoutes(app: FastifyInstance, { deps }: { deps: ServerDeps }): Promise<void> {
  app.get('/', async (_request, reply) => {
    const entries = listLatestEntries(deps.db, deps.config.page.items_per_page);
    const items = entries
      .map((e) => `<li><a href="${escapeHtml(e.link ?? '#')}">${escapeHtml(e.title ?? '(untitled)')}</a> ${new Date(e.sortAt).toISOString()}</li>`)
      .join('\n');
    return reply
      .type('text/html; charset=utf-8')
      .send(`<!doctype html><html lang="en"><title>${escapeHtml(deps.config.planet.name)}</title><ul>${items}</ul></html>`);
  });
}

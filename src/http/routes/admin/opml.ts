// /admin/opml: upload an OPML file (all or nothing), and download the subscriptions as OPML.
import type { MultipartFile } from '@fastify/multipart';
import type { FastifyPluginAsync } from 'fastify';
import { MAX_OPML_BYTES, exportOpml, importOpml } from '../../../subscriptions/service.js';
import type { ServerDeps } from '../../deps.js';
import { adminActor } from './session.js';
import type { AdminView } from './view.js';

export const opmlRoutes: FastifyPluginAsync<{ deps: ServerDeps; view: AdminView }> = async (app, { deps, view }) => {
  const { db, config } = deps;
  const { render } = view;
  const maxKib = MAX_OPML_BYTES / 1024;

  app.get('/opml', async (request, reply) => render(reply, request, 'opml', { result: null, error: null, maxKib }));

  app.post('/opml', async (request, reply) => {
    const file = (request.body as { file?: MultipartFile } | undefined)?.file;
    if (!file || typeof file.toBuffer !== 'function') {
      return render(reply, request, 'opml', { result: null, error: { field: 'file', reason: view.words.t('admin.opml.chooseFile') }, maxKib }, 400);
    }
    const text = (await file.toBuffer()).toString('utf8');
    const result = importOpml(db, config, adminActor(request), text);
    if (result.kind === 'invalid') return render(reply, request, 'opml', { result: null, error: result, maxKib }, 400);
    return render(reply, request, 'opml', { result, error: null, maxKib });
  });

  app.get('/opml.xml', async (_request, reply) =>
    reply.type('text/x-opml; charset=utf-8').header('content-disposition', 'attachment; filename="subscriptions.opml"').send(exportOpml(db, config)),
  );
};

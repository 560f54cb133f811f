// buildServer(deps): the Fastify app, routes registered, not listening (main.ts / tests decide that).
import helmet from '@fastify/helmet';
import Fastify, { type FastifyInstance } from 'fastify';
import { createMetrics } from '../ops/metrics.js';
import type { ServerDeps } from './deps.js';
import { createFastPath, fastPathServerFactory } from './fast-path.js';
import { adminRoutes } from './routes/admin.js';
import { apiRoutes } from './routes/api.js';
import { metricsRoutes } from './routes/metrics.js';
import { opsRoutes } from './routes/ops.js';
import { readerRoutes } from './routes/reader.js';
import { websubRoutes } from './routes/websub.js';

export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  deps = { ...deps, metrics: deps.metrics ?? createMetrics() };
  // Cached reader documents are answered by the server's listener before Fastify sees the request.
  const fastPath = deps.fastPath === false ? undefined : createFastPath();
  const app = Fastify({
    logger: deps.logger ?? false,
    trustProxy: deps.config.server.trust_proxy,
    ...(fastPath && { serverFactory: fastPathServerFactory(fastPath) }),
  });

  // Bugs and database faults: log them, hide the details of a 5xx from the client.
  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, request, reply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err }, 'request failed');
      return reply.status(status).send({ error: 'internal error' });
    }
    return reply.status(status).send({ error: err.message });
  });

  // Security headers for every response. CSP is set per route instead (the reader pages and
  // /admin need different policies), so helmet's own is off. The reader routes send the same
  // headers from ready objects instead (routes/reader.ts, SECURITY_HEADERS).
  await app.register(helmet, { contentSecurityPolicy: false });
  // An admin edit or an API call changed what readers see: the fast path's next answer must show it.
  if (fastPath) {
    app.addHook('onResponse', async (request) => {
      if (request.method !== 'GET' && request.method !== 'HEAD') fastPath.afterWrite?.();
    });
  }
  await app.register(metricsRoutes, { deps });
  await app.register(opsRoutes, { deps });
  await app.register(readerRoutes, { deps, fastPath });
  await app.register(adminRoutes, { deps, prefix: '/admin' });
  await app.register(apiRoutes, { deps, prefix: '/api' });
  // WebSub callbacks; a delivery stored after its answer must show on the fast path at once too.
  await app.register(websubRoutes, { deps, prefix: '/websub', afterWrite: () => fastPath?.afterWrite?.() });
  return app;
}

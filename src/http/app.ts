// buildServer(deps): the Fastify app, routes registered, not listening (main.ts / tests decide that).
import helmet from '@fastify/helmet';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { logRequest } from '../ops/logging.js';
import { createMetrics } from '../ops/metrics.js';
import type { ServerDeps } from './deps.js';
import { createFastPath, fastPathServerFactory } from './fast-path.js';
import { errorHandler } from './errors.js';
import { rateLimits } from './plugins/rate-limit.js';
import { adminRoutes } from './routes/admin/index.js';
import { apiRoutes } from './routes/api.js';
import { metricsRoutes } from './routes/metrics.js';
import { opsRoutes } from './routes/ops.js';
import { readerRoutes } from './routes/reader.js';
import { websubRoutes } from './routes/websub.js';

/**
 * Fastify logs each request twice (received, then completed) and a 404 a third time; the planet
 * logs it once when answered, with the fields the fast path writes (ops/logging.ts logRequest).
 * request.log carries reqId, which ties that line to a `request failed` line of the same request.
 */
class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override routeNotFound(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) {
      request.log.error({ req: { method: request.method, url: request.url }, res: { statusCode: reply.statusCode }, responseTime: reply.elapsedTime, err: error }, 'request errored');
    } else {
      logRequest(request.log, request.method, request.url, reply.statusCode, reply.elapsedTime);
    }
  }
}

export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  deps = { ...deps, metrics: deps.metrics ?? createMetrics() };
  // Cached reader documents are answered by the server's listener before Fastify sees the request.
  const fastPath = deps.fastPath === false ? undefined : createFastPath();
  const app = Fastify({
    logger: deps.logger ?? false,
    logController: new OneLinePerRequest(),
    trustProxy: deps.config.server.trust_proxy,
    ...(fastPath && { serverFactory: fastPathServerFactory(fastPath) }),
  });

  // Bugs and database faults: log them, hide the details of a 5xx from the client.
  app.setErrorHandler(
    errorHandler('request failed', (err, status, _request, reply) => reply.status(status).send({ error: status >= 500 ? 'internal error' : err.message })),
  );

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
  // Shared plugins, registered once for every area (cookies and form bodies are the admin scope's own).
  await app.register(rateLimits, { deps });
  await app.register(metricsRoutes, { deps });
  await app.register(opsRoutes, { deps });
  await app.register(readerRoutes, { deps, fastPath });
  await app.register(adminRoutes, { deps, prefix: '/admin' });
  await app.register(apiRoutes, { deps, prefix: '/api' });
  // WebSub callbacks; a delivery stored after its answer must show on the fast path at once too.
  await app.register(websubRoutes, { deps, prefix: '/websub', afterWrite: () => fastPath?.afterWrite?.() });
  return app;
}

// buildServer(deps): the Fastify app, routes registered, not listening (main.ts / tests decide that).
import helmet from '@fastify/helmet';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Config } from '../config.js';
import type { Db } from '../db/open.js';
import { createMetrics, type Metrics, type MetricsSnapshot } from '../metrics.js';
import { createFastPath, fastPathServerFactory } from './fast-path.js';
import { adminRoutes } from './routes/admin.js';
import { apiRoutes } from './routes/api.js';
import { metricsRoutes } from './routes/metrics.js';
import { opsRoutes } from './routes/ops.js';
import { readerRoutes } from './routes/reader.js';

export interface ServerDeps {
  db: Db;
  config: Config;
  /** Fastify logger option: false in tests, pino options in serve. */
  logger?: FastifyServerOptions['logger'];
  /** Current time; tests pin it. */
  now?: () => number;
  /** Counters for /metrics; one per app (main.ts shares it with the scheduler). Created when absent. */
  metrics?: Metrics;
  /** In an HTTP worker of `server.workers` (cluster.ts): the other processes' metrics, which /metrics adds up. */
  metricsPeers?: () => Promise<MetricsSnapshot[]>;
  /** Answer cached reader documents ahead of Fastify (fast-path.ts); default true. false: every request goes through Fastify. */
  fastPath?: boolean;
}

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
  return app;
}

// GET /metrics in Prometheus text format, and the hook that counts every HTTP request by route.
import type { FastifyInstance } from 'fastify';
import { CONTENT_TYPE, createMetrics } from '../../ops/metrics.js';
import type { ServerDeps } from '../deps.js';

export async function metricsRoutes(app: FastifyInstance, { deps }: { deps: ServerDeps }): Promise<void> {
  const metrics = deps.metrics ?? createMetrics();

  // Labelled by route pattern (/page/:n), never the raw URL, so a crawler cannot blow up the series.
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeRequest(route, request.method, reply.statusCode, reply.elapsedTime / 1000);
  });

  app.get('/metrics', async (request, reply) => {
    let all = metrics;
    if (deps.metricsPeers) {
      try {
        all = metrics.withPeers(await deps.metricsPeers());
      } catch (err) {
        // This process's counters alone would look like a counter reset: fail this scrape instead.
        request.log.error({ err }, 'metrics: could not collect the other server processes');
        return reply.status(503).header('cache-control', 'no-store').send({ error: 'metrics of the other server processes are unavailable' });
      }
    }
    let text: string;
    try {
      text = all.render(deps.db, (deps.now ?? Date.now)());
    } catch {
      // The database may be locked out or gone; the in-memory counters are still worth scraping.
      text = all.render();
    }
    return reply.header('content-type', CONTENT_TYPE).header('cache-control', 'no-store').send(text);
  });
}

// The onResponse hook must see every route, not only this plugin's: skip Fastify's encapsulation
// the way fastify-plugin does, without the extra dependency.
(metricsRoutes as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;

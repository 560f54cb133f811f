// GET /metrics in Prometheus text format, and the hook that counts every HTTP request by route.
import type { FastifyInstance } from 'fastify';
import { CONTENT_TYPE, createMetrics, databaseGauges } from '../../ops/metrics.js';
import type { ServerDeps } from '../deps.js';

export async function metricsRoutes(app: FastifyInstance, { deps }: { deps: ServerDeps }): Promise<void> {
  const metrics = deps.metrics ?? createMetrics();
  const database = databaseGauges(deps.db, deps.now);

  // Labelled by route pattern (/page/:n), never the raw URL, so a crawler cannot blow up the series.
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeRequest(route, request.method, reply.statusCode, reply.elapsedTime / 1000);
  });

  app.get('/metrics', async (request, reply) => {
    let text: string;
    if (deps.clusterMetrics) {
      try {
        text = await deps.clusterMetrics();
      } catch (err) {
        // This process's counters alone would look like a counter reset: fail this scrape instead.
        request.log.error({ err }, 'metrics: could not collect the other server processes');
        return reply.status(503).header('cache-control', 'no-store').send({ error: 'metrics of the other server processes are unavailable' });
      }
    } else {
      text = await metrics.render();
    }
    try {
      text += await database.metrics();
    } catch (err) {
      // The database may be locked out or gone; the in-memory counters are still worth scraping.
      request.log.warn({ err }, 'metrics: the database gauges could not be read');
    }
    return reply.header('content-type', CONTENT_TYPE).header('cache-control', 'no-store').send(text);
  });
}

// The onResponse hook must see every route, not only this plugin's: skip Fastify's encapsulation
// the way fastify-plugin does, without the extra dependency.
(metricsRoutes as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;

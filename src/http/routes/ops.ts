// Operational routes: /healthz (liveness and readiness).
import type { FastifyInstance } from 'fastify';
import { latestVersion, schemaVersion } from '../../db/migrate.js';
import { VERSION } from '../../version.js';
import type { ServerDeps } from '../server.js';

export async function opsRoutes(app: FastifyInstance, { deps }: { deps: ServerDeps }): Promise<void> {
  const now = deps.now ?? Date.now;
  app.get('/healthz', async (_request, reply) => {
    let database: 'ok' | 'unreachable' = 'ok';
    let schema = -1;
    let lastPass: { started_at: number; finished_at: number | null } | undefined;
    try {
      schema = schemaVersion(deps.db);
      lastPass = deps.db
        .prepare<[], { started_at: number; finished_at: number | null }>(
          'SELECT started_at, finished_at FROM fetch_passes WHERE finished_at IS NOT NULL ORDER BY id DESC LIMIT 1',
        )
        .get();
    } catch {
      database = 'unreachable';
    }
    const migrationsCurrent = schema === latestVersion();
    const ready = database === 'ok' && migrationsCurrent;
    return reply.status(ready ? 200 : 503).send({
      status: ready ? 'ok' : 'unavailable',
      version: VERSION,
      database,
      schema_version: schema,
      migrations_current: migrationsCurrent,
      last_pass_finished_at: lastPass?.finished_at ? new Date(lastPass.finished_at).toISOString() : null,
      last_pass_age_seconds: lastPass?.finished_at ? Math.round((now() - lastPass.finished_at) / 1000) : null,
    });
  });
}

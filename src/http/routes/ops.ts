// Operational routes: /healthz (liveness and readiness) for load balancers, Docker and monitoring.
// 200 while the database answers and its schema is current; 503 otherwise. Fetch health is
// reported but never makes the server unready: a planet with broken feeds still serves its pages.
import type { FastifyInstance } from 'fastify';
import { runningPass, type LockHolder } from '../../db/locks.js';
import { latestVersion, schemaVersion } from '../../db/migrate.js';
import { lastFinishedPass, type FinishedPass } from '../../db/passes.js';
import { VERSION } from '../../version.js';
import type { ServerDeps } from '../deps.js';

const iso = (ms: number) => new Date(ms).toISOString();

export async function opsRoutes(app: FastifyInstance, { deps }: { deps: ServerDeps }): Promise<void> {
  const now = deps.now ?? Date.now;
  const startedAt = now();
  const latest = latestVersion();

  app.get('/healthz', async (_request, reply) => {
    let database: 'ok' | 'unreachable' = 'ok';
    let databaseError: string | undefined;
    let schema = -1;
    let lastPass: FinishedPass | undefined;
    let pass: LockHolder | undefined;
    const t = now();
    try {
      schema = schemaVersion(deps.db);
      lastPass = lastFinishedPass(deps.db);
      pass = runningPass(deps.db, t);
    } catch (err) {
      database = 'unreachable';
      databaseError = (err as Error).message;
    }
    const migrationsCurrent = schema === latest;
    const ready = database === 'ok' && migrationsCurrent;
    return reply
      .status(ready ? 200 : 503)
      .header('cache-control', 'no-store')
      .send({
        status: ready ? 'ok' : 'unavailable',
        version: VERSION,
        uptime_seconds: Math.round((t - startedAt) / 1000),
        database,
        ...(databaseError ? { database_error: databaseError } : {}),
        schema_version: schema,
        latest_schema_version: latest,
        migrations_current: migrationsCurrent,
        last_pass_finished_at: lastPass ? iso(lastPass.finishedAt) : null,
        last_pass_age_seconds: lastPass ? Math.round((t - lastPass.finishedAt) / 1000) : null,
        last_pass: lastPass
          ? {
              started_at: iso(lastPass.startedAt),
              duration_ms: lastPass.finishedAt - lastPass.startedAt,
              feeds: lastPass.feedsTotal,
              feeds_error: lastPass.feedsError,
              entries_new: lastPass.entriesNew,
            }
          : null,
        // Fresh heartbeat and, on this host, a live process: a kill -9 leaves a row that does not count.
        pass_running: pass ? { owner: pass.owner, since: iso(pass.since) } : null,
      });
  });
}

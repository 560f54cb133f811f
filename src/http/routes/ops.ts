// Operational routes: /healthz (liveness and readiness) for load balancers, Docker and monitoring.
// 200 while the database answers and its schema is current; 503 otherwise. Fetch health is
// reported but never makes the server unready: a planet with broken feeds still serves its pages.
import type { FastifyInstance } from 'fastify';
import { latestVersion, schemaVersion } from '../../db/migrate.js';
import { VERSION } from '../../version.js';
import type { ServerDeps } from '../deps.js';

/** Same threshold the fetch pass uses: a lock without a heartbeat for a minute is abandoned. */
const LOCK_STALE_MS = 60_000;

interface PassRow {
  started_at: number;
  finished_at: number;
  feeds_total: number;
  feeds_error: number;
  entries_new: number;
}

interface LockRow {
  owner: string;
  acquired_at: number;
  heartbeat_at: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

export async function opsRoutes(app: FastifyInstance, { deps }: { deps: ServerDeps }): Promise<void> {
  const now = deps.now ?? Date.now;
  const startedAt = now();
  const latest = latestVersion();

  app.get('/healthz', async (_request, reply) => {
    let database: 'ok' | 'unreachable' = 'ok';
    let databaseError: string | undefined;
    let schema = -1;
    let lastPass: PassRow | undefined;
    let lock: LockRow | undefined;
    try {
      schema = schemaVersion(deps.db);
      lastPass = deps.db
        .prepare<[], PassRow>(
          `SELECT started_at, finished_at, feeds_total, feeds_error, entries_new
           FROM fetch_passes WHERE finished_at IS NOT NULL ORDER BY finished_at DESC LIMIT 1`,
        )
        .get();
      lock = deps.db.prepare<[], LockRow>(`SELECT owner, acquired_at, heartbeat_at FROM locks WHERE name = 'fetch-pass'`).get();
    } catch (err) {
      database = 'unreachable';
      databaseError = (err as Error).message;
    }
    const t = now();
    const migrationsCurrent = schema === latest;
    const ready = database === 'ok' && migrationsCurrent;
    const passRunning = lock !== undefined && t - lock.heartbeat_at < LOCK_STALE_MS;
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
        last_pass_finished_at: lastPass ? iso(lastPass.finished_at) : null,
        last_pass_age_seconds: lastPass ? Math.round((t - lastPass.finished_at) / 1000) : null,
        last_pass: lastPass
          ? {
              started_at: iso(lastPass.started_at),
              duration_ms: lastPass.finished_at - lastPass.started_at,
              feeds: lastPass.feeds_total,
              feeds_error: lastPass.feeds_error,
              entries_new: lastPass.entries_new,
            }
          : null,
        pass_running: passRunning && lock ? { owner: lock.owner, since: iso(lock.acquired_at) } : null,
      });
  });
}

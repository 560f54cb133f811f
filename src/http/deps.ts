// What the HTTP app is built from: its own module, so routes and plugins import it without
// importing the app that registers them.
import type { FastifyServerOptions } from 'fastify';
import type { Config } from '../config.js';
import type { Db } from '../db/open.js';
import type { Metrics } from '../ops/metrics.js';

export interface ServerDeps {
  db: Db;
  config: Config;
  /** Fastify logger option: false in tests, pino options in serve. */
  logger?: FastifyServerOptions['logger'];
  /** Current time; tests pin it. */
  now?: () => number;
  /** Counters for /metrics; one per app (main.ts shares it with the scheduler). Created when absent. */
  metrics?: Metrics;
  /**
   * In an HTTP worker of `server.workers` (cluster.ts): every server process's figures summed, as
   * exposition text, asked of the primary. Rejects when it cannot be asked (/metrics is then 503).
   */
  clusterMetrics?: () => Promise<string>;
  /** Answer cached reader documents ahead of Fastify (fast-path.ts); default true. false: every request goes through Fastify. */
  fastPath?: boolean;
}

// Composition root for `planet serve`: loadConfig → openDb → migrate → buildServer → listen → startScheduler.
import type { FastifyInstance } from 'fastify';
import { databasePath, type Config } from './config.js';
import { openDb, type Db } from './db/open.js';
import { buildServer } from './http/server.js';
import { serverLogger } from './logging.js';
import { createMetrics } from './metrics.js';
import { childProcessRunner } from './fetch-child.js';
import { startScheduler, type Scheduler } from './scheduler.js';
import { syncConfigFeeds } from './subscriptions.js';

export interface Planet {
  app: FastifyInstance;
  db: Db;
  scheduler: Scheduler | null;
  /** The address the server listens on, e.g. http://127.0.0.1:8080 */
  address: string;
  /** Stops accepting, lets the running pass stop between feeds, closes the database. */
  close(): Promise<void>;
}

export interface StartOptions {
  fetch: boolean;
  /** The config file the server was started with; fetch passes then run as child processes. */
  configPath?: string;
}

export async function startPlanet(config: Config, options: StartOptions): Promise<Planet> {
  const db = openDb(databasePath(config));
  const logger = serverLogger(process.env.LOG_LEVEL ?? 'info');
  const metrics = createMetrics();
  const app = await buildServer({ db, config, logger, metrics });
  const sync = syncConfigFeeds(db, config.feeds);
  if (sync.added.length) app.log.info({ feeds: sync.added }, 'subscribed feeds listed in the config file');
  if (sync.skippedRemoved.length) app.log.info({ feeds: sync.skippedRemoved }, 'config lists feeds an admin removed; left removed');

  const scheduler = options.fetch ? startScheduler(db, config, {
        logger: app.log,
        runAtStart: true,
        onFeedDone: (o) => metrics.observeFetch(o),
        runner: options.configPath === undefined ? undefined : childProcessRunner(options.configPath),
      }) : null;
  const address = await app.listen({ host: config.server.host, port: config.server.port });

  let closing: Promise<void> | null = null;
  return {
    app,
    db,
    scheduler,
    address,
    close() {
      closing ??= (async () => {
        await app.close();
        await scheduler?.stop();
        db.close();
      })();
      return closing;
    },
  };
}

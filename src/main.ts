// Composition root for `planet serve`: loadConfig → openDb → migrate → buildServer → listen → startScheduler.
// With `server.workers` > 1 (cluster.ts) the primary syncs the feeds and schedules passes, and each
// HTTP worker builds and listens on the shared port.
import pino from 'pino';
import { startWorkers, joinWorkerPool } from './http/cluster.js';
import { databasePath, type Config } from './config.js';
import { limitPageCache, openDb, type Db } from './db/open.js';
import { buildServer } from './http/app.js';
import { serverLogger, type LogFormat, type Logger } from './ops/logging.js';
import { createMetrics } from './ops/metrics.js';
import { childProcessRunner, type PassRunner } from './pass/child-process.js';
import { runFetchPass } from './pass/run-pass.js';
import { startScheduler, type Scheduler } from './pass/scheduler.js';
import { recordHubRequests } from './websub/hub-context.js';
import { syncConfigFeeds, syncConfigReadingLists } from './subscriptions/config-seed.js';
import { reappliedWords, syncConfigFilters } from './subscriptions/filter-rules.js';

export interface Planet {
  log: Logger;
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
  /**
   * How this process serves: `single` (the default) is the whole server; `primary` forks
   * `server.workers` HTTP workers and does the rest; `worker` is one of those (no feed sync, no
   * scheduler: the primary does both; /metrics adds up every process).
   */
  role?: 'single' | 'primary' | 'worker';
  /** JSON lines (the default) or one readable line per event for a terminal (ops/logging.ts). */
  logFormat?: LogFormat;
}

function logFeedSync(log: Logger, sync: ReturnType<typeof syncConfigFeeds>, lists: ReturnType<typeof syncConfigReadingLists>): void {
  if (sync.added.length) log.info({ feeds: sync.added }, 'subscribed feeds listed in the config file');
  if (sync.skippedRemoved.length) log.info({ feeds: sync.skippedRemoved }, 'config lists feeds an admin removed; left removed');
  if (lists.added.length) log.info({ reading_lists: lists.added }, 'added reading lists named in the config file (read in the next pass)');
  if (lists.skippedRemoved.length) log.info({ reading_lists: lists.skippedRemoved }, 'config names reading lists an admin removed; left removed');
}

/** WebSub: the pass's hub requests and the pushes it stored, logged and counted in this process. */
function withWebsubReport(runner: PassRunner, log: Logger, metrics: ReturnType<typeof createMetrics>): PassRunner {
  return (o) =>
    runner(o).then((report) => {
      if (report.kind === 'ran' && report.websub) {
        recordHubRequests(report.websub.hub_requests, { logger: log, metrics });
        for (const d of report.websub.deliveries) {
          metrics.websubDeliveries.inc({ outcome: d.outcome });
          log[d.outcome === 'stored' ? 'info' : 'warn'](d, d.error ?? 'websub: delivery stored by the pass');
        }
      }
      return report;
    });
}

function logFiltersSync(log: Logger, sync: ReturnType<typeof syncConfigFilters>): void {
  if (sync.planet) log.info({ entries: sync.planet.entries, changed: sync.planet.changed, hidden: sync.planet.hidden }, `planet-wide filter rules changed in the config file; ${reappliedWords(sync.planet)}`);
  for (const f of sync.feeds) log.info({ feed_url: f.url, entries: f.report.entries, changed: f.report.changed, hidden: f.report.hidden }, `filter rules of a feed changed in the config file; ${reappliedWords(f.report)}`);
}

export async function startPlanet(config: Config, options: StartOptions): Promise<Planet> {
  const role = options.role ?? 'single';
  const db = openDb(databasePath(config));
  limitPageCache(db);
  const logOptions = serverLogger(process.env.LOG_LEVEL ?? 'info', 1, {
    format: options.logFormat,
    color: process.stdout.isTTY === true && !process.env.NO_COLOR,
    showPid: role !== 'single',
  });
  const metrics = createMetrics();

  let log: Logger;
  let listen: () => Promise<string>;
  let stopServing: () => Promise<void>;
  if (role === 'primary') {
    const logger = pino({ level: logOptions.level }, logOptions.stream);
    log = logger;
    let pool: Awaited<ReturnType<typeof startWorkers>> | undefined;
    listen = async () => (pool = await startWorkers(config.server.workers, { logger, metrics })).address;
    stopServing = async () => {
      await pool?.close();
      logger.flush();
    };
  } else {
    const app = await buildServer({ db, config, logger: logOptions, metrics, clusterMetrics: role === 'worker' ? joinWorkerPool(metrics) : undefined });
    log = app.log;
    listen = () => app.listen({ host: config.server.host, port: config.server.port });
    stopServing = () => app.close();
  }

  if (role !== 'worker') {
    logFeedSync(log, syncConfigFeeds(db, config.feeds), syncConfigReadingLists(db, config.reading_lists));
    logFiltersSync(log, syncConfigFilters(db, config));
  }
  let address: string;
  try {
    address = await listen();
  } catch (err) {
    db.close();
    throw err;
  }
  // After listening: the pass at start subscribes at WebSub hubs, which verify on our callbacks at once.
  const scheduler =
    options.fetch && role !== 'worker'
      ? startScheduler(db, config, {
          logger: log,
          runAtStart: true,
          onFeedDone: (o) => metrics.observeFetch(o),
          runner: withWebsubReport(
            options.configPath === undefined ? (o) => runFetchPass(db, config, o) : childProcessRunner(options.configPath),
            log,
            metrics,
          ),
        })
      : null;

  let closing: Promise<void> | null = null;
  return {
    log,
    db,
    scheduler,
    address,
    close() {
      closing ??= (async () => {
        await stopServing();
        await scheduler?.stop();
        db.close();
      })();
      return closing;
    },
  };
}

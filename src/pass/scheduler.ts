// The built-in scheduler: a fetch pass on `fetch.schedule` (node-cron), never two at once —
// node-cron's noOverlap within this process, the pass lock against other processes.
import { schedule, type ScheduledTask } from 'node-cron';
import type { Config } from '../config.js';
import type { Db } from '../db/open.js';
import type { PassRunner } from './child-process.js';
import type { Logger } from '../ops/logging.js';
import { runFetchPass, type PassReport } from './run-pass.js';
import type { RefreshOutcome } from '../pipeline/refresh.js';

export interface Scheduler {
  /** Stops scheduling, aborts the running pass between feeds and waits for it. */
  stop(): Promise<void>;
}

export interface SchedulerOptions {
  logger: Logger;
  onFeedDone?: (outcome: RefreshOutcome) => void;
  /** Start a pass immediately (serve does, so a fresh install fills up without waiting). */
  runAtStart?: boolean;
  /** How a pass runs: in this process by default; `planet serve` runs it in a child process. */
  runner?: PassRunner;
}

export function startScheduler(db: Db, config: Config, options: SchedulerOptions): Scheduler {
  const abort = new AbortController();
  const runner: PassRunner = options.runner ?? ((o) => runFetchPass(db, config, o));
  let running: Promise<PassReport> | null = null;

  // The pass at start and the first scheduled one can meet: the second joins the first.
  const pass = () => {
    if (running) return running;
    running = runner({ signal: abort.signal, logger: options.logger, onFeedDone: options.onFeedDone })
      .then((report) => {
        if (report.kind === 'busy') options.logger.info({ owner: report.owner }, 'fetch pass skipped: another process is fetching');
        else options.logger.info({ pass_id: report.passId, feeds: report.feeds.length, duration_ms: report.finishedAt - report.startedAt }, 'fetch pass finished');
        return report;
      })
      .catch((err: unknown) => {
        options.logger.error({ err }, 'fetch pass failed');
        throw err;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };

  const task: ScheduledTask = schedule(
    config.fetch.schedule,
    async () => {
      await pass().catch(() => undefined);
    },
    { noOverlap: true, timezone: config.planet.timezone, name: 'fetch-pass' },
  );
  if (options.runAtStart) void pass().catch(() => undefined);

  return {
    async stop() {
      await task.stop();
      abort.abort();
      await running?.catch(() => undefined);
      await task.destroy();
    },
  };
}

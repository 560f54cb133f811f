// `planet serve [--no-fetch]`: the HTTP server plus the fetch scheduler, until SIGTERM / SIGINT.
// With `server.workers` > 1 this process is the primary and forks HTTP workers that run this same
// command (cluster.ts); each of them stops on SIGTERM as a one-process server does.
import cluster from 'node:cluster';
import { loadConfig } from '../config.js';
import { languageWarning } from '../i18n/catalogs.js';
import { startPlanet } from '../main.js';
import { logFormat } from '../ops/logging.js';
import { EXIT_FAILURE, EXIT_OK, UsageError, parseCommandArgs, type CliIo } from './common.js';

const USAGE = 'planet serve [--no-fetch] [--config PATH]';
const DETAILS = `Serves the planet and fetches on fetch.schedule until SIGTERM or Ctrl-C. Logs go to stdout: one
readable line per event on a terminal, JSON lines otherwise (LOG_FORMAT=json or pretty decides
instead; LOG_LEVEL sets the level, info by default).
  --no-fetch       serve only; run passes with planet fetch (cron, a systemd timer)`;

export async function serve(args: string[], io: CliIo): Promise<number> {
  try {
    return await serveUntilStopped(args, io);
  } finally {
    // A worker's IPC channel to its primary would keep it alive once it has stopped, or failed to
    // start. (A worker whose primary is gone exits at once: node:cluster sees to that.)
    if (cluster.isWorker && process.connected) cluster.worker!.disconnect();
  }
}

async function serveUntilStopped(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, { 'no-fetch': { type: 'boolean' } }, USAGE, DETAILS);
  const format = logFormat(io.env, process.stdout.isTTY === true);
  if (format === undefined) throw new UsageError(`LOG_FORMAT must be json or pretty (or unset: JSON unless stdout is a terminal), got "${io.env.LOG_FORMAT}"`);
  const config = loadConfig({ path: values.config as string | undefined, env: io.env });
  const role = cluster.isWorker ? 'worker' : config.server.workers > 1 ? 'primary' : 'single';
  const planet = await startPlanet(config, { fetch: !values['no-fetch'], configPath: config.configPath, role, logFormat: format });
  if (role !== 'worker') {
    const unknownLanguage = languageWarning(config.planet.language);
    if (unknownLanguage) io.err(`planet: warning: ${unknownLanguage}`);
    const workers = role === 'primary' ? ` with ${config.server.workers} HTTP workers` : '';
    io.err(`planet: serving ${config.planet.name} at ${planet.address}${workers}${values['no-fetch'] ? ' (fetching off)' : ''}`);
  }
  let failed = false;
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      planet.log.info({ signal }, 'shutting down');
      // Feeds in flight finish within fetch.timeout_seconds; should one not, exiting is still safe
      // (each feed is stored in one transaction), so a stuck shutdown never outlives its deadline.
      setTimeout(() => {
        planet.log.error({ signal }, 'shutdown timed out; exiting');
        process.exit(EXIT_FAILURE);
      }, (config.fetch.timeout_seconds + 10) * 1000).unref();
      planet.close().then(resolve, (err: unknown) => {
        planet.log.error({ err }, 'shutdown failed');
        failed = true;
        resolve();
      });
    };
    // `on`, not `once`: systemd (KillMode=control-group) and Ctrl-C signal every process of the
    // service, and then the primary asks its workers to stop too; a second signal must not kill.
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  return failed ? EXIT_FAILURE : EXIT_OK;
}

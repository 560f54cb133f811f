// `planet serve [--no-fetch]`: the HTTP server plus the fetch scheduler, until SIGTERM / SIGINT.
import { loadConfig } from '../config.js';
import { startPlanet } from '../main.js';
import { EXIT_FAILURE, EXIT_OK, parseCommandArgs, type CliIo } from './common.js';

export async function serve(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, { 'no-fetch': { type: 'boolean' } }, 'planet serve [--no-fetch] [--config PATH]');
  const config = loadConfig({ path: values.config as string | undefined, env: io.env });
  const planet = await startPlanet(config, { fetch: !values['no-fetch'], configPath: config.configPath });
  io.err(`planet: serving ${config.planet.name} at ${planet.address}${values['no-fetch'] ? ' (fetching off)' : ''}`);
  let failed = false;
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      planet.app.log.info({ signal }, 'shutting down');
      // Feeds in flight finish within fetch.timeout_seconds; should one not, exiting is still safe
      // (each feed is stored in one transaction), so a stuck shutdown never outlives its deadline.
      setTimeout(() => {
        planet.app.log.error({ signal }, 'shutdown timed out; exiting');
        process.exit(EXIT_FAILURE);
      }, (config.fetch.timeout_seconds + 10) * 1000).unref();
      planet.close().then(resolve, (err: unknown) => {
        planet.app.log.error({ err }, 'shutdown failed');
        failed = true;
        resolve();
      });
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  return failed ? EXIT_FAILURE : EXIT_OK;
}

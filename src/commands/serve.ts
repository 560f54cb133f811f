// `planet serve [--no-fetch]`: the HTTP server plus the fetch scheduler, until SIGTERM / SIGINT.
import { loadConfig } from '../config.js';
import { startPlanet } from '../main.js';
import { EXIT_OK, parseCommandArgs, type CliIo } from './common.js';

export async function serve(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, { 'no-fetch': { type: 'boolean' } }, 'planet serve [--no-fetch] [--config PATH]');
  const config = loadConfig({ path: values.config as string | undefined, env: io.env });
  const planet = await startPlanet(config, { fetch: !values['no-fetch'] });
  io.err(`planet: serving ${config.planet.name} at ${planet.address}${values['no-fetch'] ? ' (fetching off)' : ''}`);
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      planet.app.log.info({ signal }, 'shutting down');
      planet.close().then(resolve, (err: unknown) => {
        planet.app.log.error({ err }, 'shutdown failed');
        resolve();
      });
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  return EXIT_OK;
}

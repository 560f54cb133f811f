// `planet opml import FILE` / `planet opml export`: bulk subscribe, or print the list as OPML 2.0.
import { readFile } from 'node:fs/promises';
import { listFeeds } from '../db/feeds.js';
import { importOpml } from '../subscriptions/service.js';
import { cliActor } from './feeds.js';
import { renderOpml } from '../syndicate/opml.js';
import { EXIT_FAILURE, EXIT_OK, UsageError, openPlanet, parseCommandArgs, type CliIo } from './common.js';
import { importSummary } from './wording.js';

export async function opmlImport(args: string[], io: CliIo): Promise<number> {
  const usage = 'planet opml import FILE';
  const { values, positionals } = parseCommandArgs(args, {}, usage, 'Subscribes every feed of an OPML file; a malformed file subscribes nothing.');
  if (positionals.length !== 1) throw new UsageError(`expected one file\nusage: ${usage}`);
  let text: string;
  try {
    text = await readFile(positionals[0]!, 'utf8');
  } catch (err) {
    io.err(`planet opml import: cannot read ${positionals[0]}: ${(err as Error).message}`);
    return EXIT_FAILURE;
  }
  const { config, db } = openPlanet(values.config as string | undefined, io);
  try {
    const report = importOpml(db, config, cliActor(), text);
    if (report.kind === 'invalid') {
      // All or nothing: a malformed file subscribes nothing.
      io.err(`planet opml import: ${report.reason}; nothing imported`);
      return EXIT_FAILURE;
    }
    for (const o of report.outlines) {
      io.out(`${o.result.padEnd(8)} ${o.url}${o.result === 'added' ? '' : `: ${o.reason}`}`);
    }
    io.out(importSummary(report));
    return EXIT_OK;
  } finally {
    db.close();
  }
}

export async function opmlExport(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {}, 'planet opml export', 'Prints the subscriptions as OPML 2.0 on standard output.');
  if (positionals.length) throw new UsageError('planet opml export takes no arguments (it prints to standard output)');
  const { config, db } = openPlanet(values.config as string | undefined, io);
  try {
    const feeds = listFeeds(db);
    const modified = new Date(Math.max(0, ...feeds.map((f) => f.createdAt)));
    io.out(renderOpml({ title: `${config.planet.name} subscriptions`, url: new URL('opml.xml', config.planet.link).href, owner: config.planet.owner, modified }, feeds));
    return EXIT_OK;
  } finally {
    db.close();
  }
}

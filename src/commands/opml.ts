// `planet opml import FILE` / `planet opml export`: bulk subscribe, or print the list as OPML 2.0.
import { readFile } from 'node:fs/promises';
import { listFeeds } from '../db/feeds.js';
import { readOpml } from '../opml.js';
import { importOutlines } from '../subscriptions.js';
import { renderOpml } from '../syndicate/opml.js';
import { EXIT_FAILURE, EXIT_OK, UsageError, openPlanet, parseCommandArgs, type CliIo } from './common.js';

export async function opmlImport(args: string[], io: CliIo): Promise<number> {
  const usage = 'planet opml import FILE';
  const { values, positionals } = parseCommandArgs(args, {}, usage);
  if (positionals.length !== 1) throw new UsageError(`expected one file\nusage: ${usage}`);
  let text: string;
  try {
    text = await readFile(positionals[0]!, 'utf8');
  } catch (err) {
    io.err(`planet opml import: cannot read ${positionals[0]}: ${(err as Error).message}`);
    return EXIT_FAILURE;
  }
  const read = readOpml(text);
  if (read.kind === 'error') {
    // All or nothing: a malformed file subscribes nothing.
    io.err(`planet opml import: ${read.message}; nothing imported`);
    return EXIT_FAILURE;
  }
  const { db } = openPlanet(values.config as string | undefined, io);
  try {
    const report = importOutlines(db, read.outlines);
    for (const a of report.added) io.out(`added    #${a.id} ${a.url}`);
    for (const p of report.present) io.out(`present  #${p.id} ${p.url}`);
    for (const i of report.invalid) io.out(`invalid  ${i.url}: ${i.reason}`);
    io.out(`${report.added.length} added, ${report.present.length} already present, ${report.invalid.length} invalid`);
    return EXIT_OK;
  } finally {
    db.close();
  }
}

export async function opmlExport(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {}, 'planet opml export');
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

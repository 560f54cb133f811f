// `planet build --out DIR`: the whole reader side as static files (pages, per-blog and per-tag
// pages, merged feeds, OPML, assets), byte for byte what `planet serve` answers for the same data.
// "/page/2" is written as page/2.html; links are relative, so the copy works from any sub-path
// (a web server maps extensionless paths with e.g. try_files $uri $uri.html). See docs/decisions/0003.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { limitPageCache } from '../db/open.js';
import { languageWarning } from '../i18n/catalogs.js';
import { createReaderSite } from '../site/reader-site.js';
import { EXIT_OK, openPlanet, parseCommandArgs, UsageError, type CliIo } from './common.js';
import { buildSummary } from './wording.js';

const USAGE = 'planet build --out DIR [--config PATH]';

/** File that holds a site path: "/" → index.html, "/page/2" → page/2.html, "/atom.xml" → atom.xml. */
export function fileForPath(sitePath: string): string {
  if (sitePath === '/') return 'index.html';
  const rel = sitePath.replace(/^\//, '');
  return /\.(xml|json|css|svg|js|ico|txt)$/.test(rel) ? rel : `${rel}.html`;
}

export async function build(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { out: { type: 'string', short: 'o' } }, USAGE, 'Writes the whole reader side as static files, for any web server or CDN.\n  -o, --out DIR    where to write it (replaced as a whole once complete)');
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"\nusage: ${USAGE}`);
  const out = values.out as string | undefined;
  if (!out) throw new UsageError(`--out DIR is required\nusage: ${USAGE}`);

  const { db, config } = openPlanet(values.config as string | undefined, io);
  const unknownLanguage = languageWarning(config.planet.language);
  if (unknownLanguage) io.err(`planet build: warning: ${unknownLanguage}`);
  limitPageCache(db);
  try {
    const started = Date.now();
    const now = Date.now();
    // Every document is rendered once and written: caching them would hold the whole site in memory.
    const site = createReaderSite({ db, config, now: () => now, cacheSize: 0, staticExport: true });
    // Written next to the target and swapped in at the end: a web server serving `out` never
    // sees half a site.
    const target = path.resolve(out);
    const staging = `${target}.tmp-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    let files = 0;
    const write = (file: string, body: Buffer) => {
      const full = path.join(staging, file);
      mkdirSync(path.dirname(full), { recursive: true });
      writeFileSync(full, body);
      files++;
    };
    // One read transaction: every page sees the same data even while the fetcher writes.
    db.transaction(() => {
      for (const sitePath of site.paths()) {
        const doc = site.get(sitePath);
        if (doc.status === 200) write(fileForPath(sitePath), doc.body);
      }
      write('search.html', site.search('', 1).body);
      write('404.html', site.notFound('/404').body);
    })();
    const old = `${target}.old-${process.pid}`;
    let hadOld = false;
    try {
      renameSync(target, old);
      hadOld = true;
    } catch {
      // no previous build
    }
    renameSync(staging, target);
    if (hadOld) rmSync(old, { recursive: true, force: true });
    io.out(buildSummary(files, target, Date.now() - started));
    return EXIT_OK;
  } finally {
    db.close();
  }
}

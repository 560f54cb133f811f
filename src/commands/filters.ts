// `planet filters test [URL_OR_ID] [--include RULE]… [--exclude RULE]… [--json]`: what rules would
// decide for each stored post of one feed (or of the whole planet), without saving anything.
import { findFeed } from '../db/feeds.js';
import { previewFilters } from '../subscriptions/filter-rules.js';
import { EXIT_FAILURE, EXIT_OK, UsageError, openPlanet, parseCommandArgs, type CliIo } from './common.js';
import { renderTable, type Column } from './table.js';

const USAGE = 'planet filters test [URL_OR_ID] [--include RULE]... [--exclude RULE]... [--json]';
const DETAILS = `Previews filter rules over the posts already stored, without saving: each post shown or hidden
and the rule that decided. With a feed (URL or id), its posts under the rules given (else its
own), with the planet-wide ones; without, every post under the planet-wide rules given (else those
of the config file), each feed keeping its own.
  --include RULE   an include rule to try (repeat)
  --exclude RULE   an exclude rule to try (repeat)
  --json           { feed, entries: [ { link, title, shown, rule, scope } ] } on stdout`;

interface Row {
  link: string | null;
  title: string | null;
  shown: boolean;
  rule: string | null;
  scope: 'planet' | 'feed' | null;
  hidden_by_admin: boolean;
}

const COLUMNS: Column<Row>[] = [
  { header: 'SHOWN', cell: (r) => (r.shown ? 'shown' : 'hidden'), style: (r) => (r.shown ? 'green' : 'yellow') },
  { header: 'RULE', cell: (r) => (r.rule ? `${r.rule} (${r.scope})` : ''), max: 50, min: 12, shrinkOrder: 1 },
  { header: 'TITLE', cell: (r) => `${r.title ?? '(untitled)'}${r.hidden_by_admin ? ' [hidden by an admin]' : ''}`, max: 60, min: 12, shrinkOrder: 2 },
  { header: 'LINK', cell: (r) => r.link ?? '' },
];

export async function filtersTest(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    { include: { type: 'string', multiple: true }, exclude: { type: 'string', multiple: true }, json: { type: 'boolean' } },
    USAGE,
    DETAILS,
  );
  if (positionals.length > 1) throw new UsageError(`expected at most one feed (URL or id)\nusage: ${USAGE}`);
  const include = values.include as string[] | undefined;
  const exclude = values.exclude as string[] | undefined;
  const tried = include || exclude ? { include: include ?? [], exclude: exclude ?? [] } : undefined;
  const { config, db } = openPlanet(values.config as string | undefined, io);
  try {
    let feed = null;
    if (positionals[0] !== undefined) {
      feed = findFeed(db, positionals[0]) ?? null;
      if (!feed || feed.status === 'removed') {
        io.err(`planet filters test: no subscription "${positionals[0]}" (see planet feeds list)`);
        return EXIT_FAILURE;
      }
    }
    const preview = previewFilters(db, config, feed?.id ?? null, feed ? (tried ? { feed: tried } : {}) : tried ? { planet: tried } : {});
    if ('kind' in preview) throw new UsageError(`--${preview.field.split('.')[1] ?? 'include'} ${preview.reason}`);
    const rows: Row[] = preview.map((p) => ({ link: p.link, title: p.title, shown: p.shown, rule: p.rule, scope: p.scope, hidden_by_admin: p.hiddenByAdmin }));
    if (values.json) {
      io.out(JSON.stringify({ feed: feed ? { id: feed.id, url: feed.url } : null, entries: rows }, null, 2));
      return EXIT_OK;
    }
    if (!rows.length) {
      io.out(feed ? `no stored posts of #${feed.id} yet: fetch it first (planet fetch --feed ${feed.id})` : 'no stored posts yet: run planet fetch first');
      return EXIT_OK;
    }
    const color = io.isTTY === true && !io.env.NO_COLOR;
    for (const line of renderTable(rows, COLUMNS, { color, width: io.isTTY ? io.columns : undefined })) io.out(line);
    const hidden = rows.filter((r) => !r.shown).length;
    io.err(`planet filters test: ${rows.length - hidden} shown, ${hidden} hidden; nothing was saved`);
    return EXIT_OK;
  } finally {
    db.close();
  }
}

// `planet suggestions list [--json]` / `approve ID` / `reject ID [--reason TEXT]`: the queue of
// blogs suggested by visitors through /suggest, decided from the command line (audited as the CLI).
import { listSuggestions } from '../db/suggestions.js';
import { approveSuggestion, rejectSuggestion, suggestionJson, type Decision } from '../subscriptions/suggestions.js';
import { EXIT_FAILURE, EXIT_OK, UsageError, formatTime, openPlanet, parseCommandArgs, type CliIo } from './common.js';
import { cliActor } from './feeds.js';
import { renderTable, type Column } from './table.js';

type Row = ReturnType<typeof suggestionJson>;

const COLUMNS: Column<Row>[] = [
  { header: 'ID', cell: (r) => String(r.id), align: 'right' },
  { header: 'STATUS', cell: (r) => r.status, style: (r) => (r.status === 'pending' ? 'yellow' : r.status === 'approved' ? 'green' : 'dim') },
  { header: 'CREATED', cell: (r) => formatTime(Date.parse(r.created)) },
  { header: 'NAME', cell: (r) => r.name, max: 30, min: 10, shrinkOrder: 2 },
  { header: 'FEED', cell: (r) => r.feed_url },
  { header: 'NOTE', cell: (r) => r.reason ?? r.note ?? '', max: 40, min: 10, shrinkOrder: 1 },
];

export async function suggestionsList(args: string[], io: CliIo): Promise<number> {
  const usage = 'planet suggestions list [--json]';
  const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' } }, usage, 'Lists the blogs suggested by visitors: waiting ones first.\n  --json           [ { id, url, feed_url, name, note, status, created } ] on stdout');
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"\nusage: ${usage}`);
  const { db } = openPlanet(values.config as string | undefined, io);
  try {
    const rows = listSuggestions(db).map(suggestionJson);
    if (values.json) {
      io.out(JSON.stringify(rows, null, 2));
      return EXIT_OK;
    }
    if (!rows.length) {
      io.out('no suggestions yet (visitors suggest blogs at /suggest when suggestions.enabled is true)');
      return EXIT_OK;
    }
    const color = io.isTTY === true && !io.env.NO_COLOR;
    for (const line of renderTable(rows, COLUMNS, { color, width: io.isTTY ? io.columns : undefined })) io.out(line);
    return EXIT_OK;
  } finally {
    db.close();
  }
}

function suggestionId(positionals: string[], usage: string): number {
  if (positionals.length !== 1 || !/^[1-9]\d{0,15}$/.test(positionals[0]!)) throw new UsageError(`expected one suggestion id (a number, see planet suggestions list)\nusage: ${usage}`);
  return Number(positionals[0]);
}

function report(result: Decision, id: number, verb: string, io: CliIo): number {
  if (result.kind === 'ok') {
    const s = result.suggestion;
    io.out(verb === 'approve' ? `approved #${id}: subscribed #${s.feedId} ${s.feedUrl} as "${s.name}" — it is fetched in the next pass` : `rejected #${id} (${s.feedUrl})${s.reason ? `: ${s.reason}` : ''}`);
    return EXIT_OK;
  }
  if (result.kind === 'not_found') io.err(`planet suggestions ${verb}: no suggestion #${id} (see planet suggestions list)`);
  else if (result.kind === 'decided') io.err(`planet suggestions ${verb}: suggestion #${id} was already ${result.suggestion.status}`);
  else io.err(`planet suggestions ${verb}: ${result.reason}`);
  return EXIT_FAILURE;
}

export async function suggestionsApprove(args: string[], io: CliIo): Promise<number> {
  const usage = 'planet suggestions approve ID';
  const { values, positionals } = parseCommandArgs(args, {}, usage, 'Subscribes a suggested blog under the name its suggester gave.');
  const id = suggestionId(positionals, usage);
  const { config, db } = openPlanet(values.config as string | undefined, io);
  try {
    return report(approveSuggestion(db, config, cliActor(), id), id, 'approve', io);
  } finally {
    db.close();
  }
}

export async function suggestionsReject(args: string[], io: CliIo): Promise<number> {
  const usage = 'planet suggestions reject ID [--reason TEXT]';
  const { values, positionals } = parseCommandArgs(args, { reason: { type: 'string' } }, usage, 'Rejects a suggested blog; the suggestion is kept, with the reason.\n  --reason TEXT    why (kept with the suggestion and in the audit log)');
  const id = suggestionId(positionals, usage);
  const { db } = openPlanet(values.config as string | undefined, io);
  try {
    return report(rejectSuggestion(db, cliActor(), id, (values.reason as string | undefined) ?? ''), id, 'reject', io);
  } finally {
    db.close();
  }
}

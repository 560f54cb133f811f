// `planet check URL_OR_FILE [--json]`: one feed through the pipeline, stored nowhere.
// The report is what was asked for and goes to stdout; a feed that cannot be read is an error, so
// its report goes to stderr (exit 1). Warnings and errors always reach stderr, with --json too.
import { checkFeed, type CheckReport } from '../pipeline/check.js';
import { loadConfig } from '../config.js';
import { fetchOptionsFromConfig } from '../config.js';
import { EXIT_FAILURE, EXIT_OK, UsageError, parseCommandArgs, type CliIo } from './common.js';
import { bytes } from './wording.js';

const USAGE = 'planet check URL_OR_FILE [--json] [--config PATH]';
const DETAILS = `Reads one feed (an http(s) URL or a local file) as a fetch pass would, and stores nothing:
the report on stdout, its warnings on stderr; a feed that cannot be read is reported on stderr
(exit 1).
  --json           the report as JSON on stdout, also for a feed that cannot be read`;

export async function check(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' } }, USAGE, DETAILS);
  if (positionals.length !== 1) throw new UsageError(`expected one URL or file\nusage: ${USAGE}`);
  const config = loadConfig({ path: values.config, env: io.env });
  const report = await checkFeed(positionals[0]!, fetchOptionsFromConfig(config));
  if (values.json) {
    io.out(JSON.stringify(report, null, 2));
    for (const w of report.warnings) io.err(`planet check: warning: ${w}`);
    if (report.error) io.err(`planet check: ${report.error.code}: ${report.error.message}`);
    return report.error ? EXIT_FAILURE : EXIT_OK;
  }
  printReport(report, io);
  return report.error ? EXIT_FAILURE : EXIT_OK;
}

function printReport(report: CheckReport, io: CliIo): void {
  const print = report.error ? io.err : io.out;
  const line = (k: string, v: unknown, to = print) => to(`${k.padEnd(14)} ${v ?? '-'}`);
  line('url', report.url);
  line('status', report.status);
  for (const r of report.redirects) line('redirect', `${r.status} ${r.from} → ${r.to}`);
  line('final url', report.final_url);
  line('content type', report.content_type);
  line('encoding', report.encoding);
  line('format', report.format);
  line('title', report.title);
  line('link', report.link);
  if (report.updated ?? report.published) line('updated', report.updated ?? report.published);
  for (const w of report.warnings) line('warning', w, io.err);
  if (report.error) {
    line('error', `${report.error.code}: ${report.error.message}`);
    for (const a of report.error.alternates ?? []) line('advertises', a);
    return;
  }
  line('entries', report.entries.length);
  for (const e of report.entries) {
    io.out(
      `\n  ${e.title ?? '(untitled)'}\n    id        ${e.id}\n    link      ${e.link ?? '-'}\n    author    ${e.author ?? '-'}\n` +
        `    published ${e.published ?? '-'}   updated ${e.updated ?? '-'}\n    content   ${bytes(Buffer.byteLength(e.content_html ?? e.summary_html ?? ''))} of sanitized HTML` +
        e.enclosures.map((x) => `\n    enclosure ${x.url} (${[x.type, x.length !== null ? bytes(x.length) : null].filter(Boolean).join(', ') || 'type and size unknown'})`).join(''),
    );
  }
}

// `planet check URL_OR_FILE [--json]`: one feed through the pipeline, stored nowhere.
import { checkFeed } from '../pipeline/check.js';
import { loadConfig } from '../config.js';
import { fetchOptionsFromConfig } from '../pass/run-pass.js';
import { EXIT_FAILURE, EXIT_OK, UsageError, parseCommandArgs, type CliIo } from './common.js';

const USAGE = 'planet check URL_OR_FILE [--json] [--config PATH]';

export async function check(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' } }, USAGE);
  if (positionals.length !== 1) throw new UsageError(`expected one URL or file\nusage: ${USAGE}`);
  const config = loadConfig({ path: values.config as string | undefined, env: io.env });
  const report = await checkFeed(positionals[0]!, fetchOptionsFromConfig(config));
  if (values.json) {
    io.out(JSON.stringify(report, null, 2));
    return report.error ? EXIT_FAILURE : EXIT_OK;
  }
  const line = (k: string, v: unknown) => io.out(`${k.padEnd(14)} ${v ?? '-'}`);
  line('url', report.url);
  line('status', report.status);
  for (const r of report.redirects) line('redirect', `${r.status} ${r.from} → ${r.to}`);
  line('final url', report.final_url);
  line('content type', report.content_type);
  line('encoding', report.encoding);
  line('format', report.format);
  line('title', report.title);
  line('link', report.link);
  for (const w of report.warnings) line('warning', w);
  if (report.error) {
    line('error', `${report.error.code}: ${report.error.message}`);
    for (const a of report.error.alternates ?? []) line('advertises', a);
    return EXIT_FAILURE;
  }
  line('entries', report.entries.length);
  for (const e of report.entries) {
    io.out(`\n  ${e.title ?? '(untitled)'}\n    id        ${e.id}\n    link      ${e.link ?? '-'}\n    author    ${e.author ?? '-'}\n    published ${e.published ?? '-'}   updated ${e.updated ?? '-'}\n    content   ${(e.content_html ?? e.summary_html ?? '').length} bytes of sanitized HTML`);
  }
  return EXIT_OK;
}

// `planet fetch [--feed URL_OR_ID]… [--wait SECONDS]`: one fetch pass now, with a per-feed summary.
// Exits 0 when the pass ran (feed errors are recorded on the feeds, not fatal), 1 when another
// pass held the lock for longer than --wait.
import { findFeed } from '../db/feeds.js';
import { runFetchPass, type PassReport } from '../pass/run-pass.js';
import { feedDisplayName } from '../model.js';
import { collectOldGenerationSooner, holdYoungGeneration } from '../ops/heap.js';
import { EXIT_FAILURE, EXIT_OK, UsageError, openPlanet, parseCommandArgs, formatTime, type CliIo } from './common.js';
import { passSummary } from './wording.js';

const USAGE = 'planet fetch [--feed URL_OR_ID]... [--wait SECONDS] [--json] [--config PATH]';

export async function fetch(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    { feed: { type: 'string', multiple: true }, wait: { type: 'string' }, json: { type: 'boolean' } },
    USAGE,
    `Runs one fetch pass now and prints a line per feed; feed errors are recorded, not fatal.
  --feed URL_OR_ID fetch only this feed (repeat for several)
  --wait SECONDS   if another pass is running, wait this long for it to end (else exit 1)
  --json           the pass report as JSON`,
  );
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"\nusage: ${USAGE}`);
  const waitSeconds = values.wait === undefined ? 0 : Number(values.wait);
  if (!Number.isFinite(waitSeconds) || waitSeconds < 0) throw new UsageError(`--wait takes a number of seconds, got "${String(values.wait)}"`);

  // This process exists for the pass: a young generation the size module loading left it, not
  // the 32 MB V8 would grow it to while the pass allocates, and an old one collected sooner.
  holdYoungGeneration();
  collectOldGenerationSooner();
  const { config, db } = openPlanet(values.config as string | undefined, io);
  try {
    let feedIds: number[] | undefined;
    if (values.feed) {
      feedIds = [];
      for (const ref of values.feed as string[]) {
        const feed = findFeed(db, ref);
        if (!feed) {
          io.err(`planet fetch: no subscription "${ref}" (see planet feeds list)`);
          return EXIT_FAILURE;
        }
        feedIds.push(feed.id);
      }
    }

    // SIGTERM / SIGINT (planet serve stopping, systemd, Ctrl-C): finish the feeds in flight, start
    // no more, report what ran. Each feed is one transaction, so even a second signal is safe.
    const abort = new AbortController();
    const stop = () => abort.abort();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    const deadline = Date.now() + waitSeconds * 1000;
    let report: PassReport = await runFetchPass(db, config, { feedIds, signal: abort.signal });
    while (report.kind === 'busy' && Date.now() < deadline && !abort.signal.aborted) {
      await new Promise((r) => setTimeout(r, 500));
      report = await runFetchPass(db, config, { feedIds, signal: abort.signal });
    }
    process.removeListener('SIGTERM', stop);
    process.removeListener('SIGINT', stop);
    if (report.kind === 'busy') {
      if (values.json) io.out(JSON.stringify({ busy: true, owner: report.owner, since: new Date(report.since).toISOString() }));
      io.err(`planet fetch: another fetch pass is running (${report.owner}, since ${formatTime(report.since)}); not starting a second one. Use --wait SECONDS to wait for it.`);
      return EXIT_FAILURE;
    }

    if (values.json) {
      const usage = process.resourceUsage();
      io.out(
        JSON.stringify(
          {
            pass_id: report.passId,
            started_at: new Date(report.startedAt).toISOString(),
            finished_at: new Date(report.finishedAt).toISOString(),
            expired: report.expired,
            aborted: report.aborted,
            // For capacity planning (and the benchmark): this process's peak memory, CPU time (all
            // threads) and where the time went.
            peak_rss_bytes: usage.maxRSS * 1024,
            cpu_ms: { user: Math.round(usage.userCPUTime / 1000), system: Math.round(usage.systemCPUTime / 1000) },
            stages_ms: sumStages(report.feeds),
            lists: report.lists,
            feeds: report.feeds.map(({ stages: _stages, ...o }) => o),
            websub: report.websub,
          },
          null,
          2,
        ),
      );
      return EXIT_OK;
    }
    for (const l of report.lists) {
      const detail =
        l.outcome === 'error'
          ? `${l.error_code}: ${l.error_message} (its last good state is kept)`
          : `${l.outcome === 'ok' ? 'read' : 'not modified'}, ${l.feeds} feeds; ${l.subscribed.length} subscribed, ${l.unsubscribed.length} unsubscribed`;
      io.out(`${`list ${l.outcome}`.padEnd(12)} ${l.list_url} — ${detail}`);
    }
    const names = new Map(report.feeds.map((o) => [o.feed_id, o.feed_url]));
    for (const o of [...report.feeds].sort((a, b) => a.feed_id - b.feed_id)) {
      const feed = findFeed(db, String(o.feed_id));
      const name = feed ? feedDisplayName(feed) : names.get(o.feed_id);
      const detail =
        o.outcome === 'ok'
          ? `${o.entries_new} new, ${o.entries_updated} updated`
          : o.outcome === 'not_modified'
            ? 'not modified'
            : `${o.error_code}: ${o.error_message}`;
      io.out(`${o.outcome.padEnd(12)} #${o.feed_id} ${name} — ${detail} (${o.duration_ms} ms)${o.moved_to ? ` [moved to ${o.moved_to}]` : ''}`);
    }
    for (const d of report.websub?.deliveries ?? []) {
      io.out(`${'pushed'.padEnd(12)} #${d.feed_id ?? '-'} — ${d.outcome === 'stored' ? `${d.entries_new} new, ${d.entries_updated} updated` : `${d.outcome}: ${d.error}`} (waited ${d.waited_ms} ms for the lock)`);
    }
    for (const r of report.websub?.hub_requests ?? []) {
      io.out(`${`hub ${r.mode}`.padEnd(12)} ${r.topic} at ${r.hub} — ${r.outcome === 'ok' ? `accepted (HTTP ${r.http_status})` : r.error}`);
    }
    const outcomes = (k: string) => report.feeds.filter((o) => o.outcome === k).length;
    io.out(
      passSummary({
        passId: report.passId,
        feeds: report.feeds.length,
        ok: outcomes('ok'),
        notModified: outcomes('not_modified'),
        errors: outcomes('error'),
        newEntries: report.feeds.reduce((n, o) => n + o.entries_new, 0),
        expired: report.expired,
        ms: report.finishedAt - report.startedAt,
      }),
    );
    return EXIT_OK;
  } finally {
    db.close();
  }
}

/** Stage times summed over feeds (fetch, parse and sanitize overlap across concurrent feeds). */
function sumStages(feeds: { stages: Record<'fetch' | 'parse' | 'sanitize' | 'store', number> }[]) {
  const total = { fetch: 0, parse: 0, sanitize: 0, store: 0 };
  for (const { stages } of feeds) for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += stages[k];
  for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] = Math.round(total[k]);
  return total;
}

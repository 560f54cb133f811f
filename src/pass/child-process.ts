// Runs a fetch pass as a child `planet fetch --json` process, so that `planet serve` keeps
// answering pages while a pass parses, sanitizes and writes thousands of entries: the work runs
// on the other core instead of blocking the server's event loop (measured: p99 of / during an
// in-process 5,000-entry pass was 4.35 s). The pass's memory is returned when the child exits.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PassOptions, PassReport, WebsubPassReport } from './run-pass.js';
import type { RefreshOutcome } from '../pipeline/refresh.js';
import { logListOutcome, type ListRefreshOutcome } from '../subscriptions/reading-lists.js';

/** bin/planet.js, from src/pass and dist/pass alike (both two levels below the project root). */
const PLANET_BIN = fileURLToPath(new URL('../../bin/planet.js', import.meta.url));

/**
 * The node flags of a pass's child: one V8 helper thread, as the `planet` command has, but not the
 * server's 1 MB semi-spaces (bin/planet.js's first line, decision 0028). The child is started
 * apart from the server, so it can have the heap a pass wants: the main thread's young generation
 * stays at the 16 MB it has once its modules are loaded (ops/heap.ts). Measured on cold passes
 * over 1,000 feeds: 0.95–1.00× the code before this work, 135–148 MB at the peak, where the
 * command's flags took 1.21× and 122–131 MB (docs/decisions/0027-cpu-pool.md).
 */
export const PASS_NODE_FLAGS: readonly string[] = ['--v8-pool-size=1'];

/** What `planet fetch --json` prints: the pass report without per-stage timings. */
export interface FetchJson {
  busy?: boolean;
  owner?: string;
  since?: string;
  pass_id?: number;
  started_at?: string;
  finished_at?: string;
  expired?: number;
  aborted?: boolean;
  feeds?: Omit<RefreshOutcome, 'stages'>[];
  lists?: ListRefreshOutcome[];
  websub?: WebsubPassReport;
}

export type PassRunner = (options: Pick<PassOptions, 'feedIds' | 'signal' | 'onFeedDone' | 'logger'>) => Promise<PassReport>;

/**
 * A PassRunner that spawns `planet fetch --json --config <configPath>` with PASS_NODE_FLAGS,
 * whatever flags the server was started with. The child inherits the environment, so PLANET_DB
 * and the other overrides apply to it as they do to the server.
 */
export function childProcessRunner(configPath: string): PassRunner {
  return ({ feedIds, signal, onFeedDone, logger }) =>
    new Promise<PassReport>((resolve, reject) => {
      const args = [...PASS_NODE_FLAGS, PLANET_BIN, 'fetch', '--json'];
      // A missing default config file means "all defaults"; an explicit --config must exist.
      if (existsSync(configPath)) args.push('--config', configPath);
      for (const id of feedIds ?? []) args.push('--feed', String(id));
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const onAbort = () => child.kill('SIGTERM'); // the child stops between feeds and reports
      signal?.addEventListener('abort', onAbort, { once: true });
      child.once('error', reject);
      child.once('close', (code) => {
        signal?.removeEventListener('abort', onAbort);
        let report: FetchJson;
        try {
          report = JSON.parse(stdout) as FetchJson;
        } catch {
          reject(new Error(stderr.trim().split('\n').at(-1) || `planet fetch exited with status ${code}`));
          return;
        }
        if (report.busy) {
          resolve({ kind: 'busy', owner: report.owner ?? 'unknown', since: Date.parse(report.since ?? '') || Date.now() });
          return;
        }
        const lists = report.lists ?? [];
        for (const l of lists) logListOutcome(logger, l);
        const feeds = (report.feeds ?? []).map((o): RefreshOutcome => ({ ...o, stages: { fetch: 0, parse: 0, sanitize: 0, store: 0 } }));
        for (const o of feeds) {
          logger?.[o.outcome === 'error' ? 'warn' : 'info'](
            { feed_id: o.feed_id, feed_url: o.feed_url, outcome: o.outcome, error_code: o.error_code, http_status: o.http_status, duration_ms: o.duration_ms, entries_new: o.entries_new, entries_updated: o.entries_updated },
            o.error_message ?? 'feed refreshed',
          );
          onFeedDone?.(o);
        }
        resolve({
          kind: 'ran',
          passId: report.pass_id ?? 0,
          startedAt: Date.parse(report.started_at ?? ''),
          finishedAt: Date.parse(report.finished_at ?? ''),
          feeds,
          lists,
          expired: report.expired ?? 0,
          aborted: report.aborted ?? false,
          websub: report.websub,
        });
      });
    });
}


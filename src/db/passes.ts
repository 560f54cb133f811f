// The fetch_passes table: one row per fetch pass, for /healthz, /metrics and "updated N minutes ago".
import type { Db } from './open.js';
import { statement } from './statements.js';

/** What a finished pass did, written on its row. */
export interface PassTotals {
  finishedAt: number;
  feedsTotal: number;
  feedsOk: number;
  feedsNotModified: number;
  feedsError: number;
  entriesNew: number;
  entriesUpdated: number;
}

export interface FinishedPass {
  startedAt: number;
  finishedAt: number;
  feedsTotal: number;
  feedsError: number;
  entriesNew: number;
}

/** Records a pass as started; its row stays unfinished if the pass is killed. Returns its id. */
export function startPass(db: Db, startedAt: number): number {
  return Number(statement<[number]>(db, 'INSERT INTO fetch_passes (started_at) VALUES (?)').run(startedAt).lastInsertRowid);
}

export function finishPass(db: Db, passId: number, totals: PassTotals): void {
  statement(
    db,
    `UPDATE fetch_passes SET finished_at = @finishedAt, feeds_total = @feedsTotal, feeds_ok = @feedsOk,
       feeds_not_modified = @feedsNotModified, feeds_error = @feedsError, entries_new = @entriesNew,
       entries_updated = @entriesUpdated
     WHERE id = @passId`,
  ).run({ ...totals, passId });
}

/** The pass that finished last (by any process); a running or killed pass has no finished_at. */
export function lastFinishedPass(db: Db): FinishedPass | undefined {
  const row = statement<[], { started_at: number; finished_at: number; feeds_total: number; feeds_error: number; entries_new: number }>(
    db,
    `SELECT started_at, finished_at, feeds_total, feeds_error, entries_new
     FROM fetch_passes WHERE finished_at IS NOT NULL ORDER BY finished_at DESC LIMIT 1`,
  ).get();
  return row && { startedAt: row.started_at, finishedAt: row.finished_at, feedsTotal: row.feeds_total, feedsError: row.feeds_error, entriesNew: row.entries_new };
}

// The audit_log table: who changed what, when, through which door (web, api, cli).
import type { Db } from './open.js';

export type AuditVia = 'web' | 'api' | 'cli';

/** Who made a change, and through which door: what every audit line records. */
export interface Actor {
  username: string;
  via: AuditVia;
}

export interface AuditRecord {
  actor: string;
  via: AuditVia;
  action: string;
  feedId?: number | null;
  summary: string;
  detail?: unknown;
}

export interface AuditEntry extends Required<Omit<AuditRecord, 'detail'>> {
  id: number;
  at: number;
  detail: unknown;
}

/** Call inside the same transaction as the change it records, so neither exists without the other. */
export function recordAudit(db: Db, record: AuditRecord, now = Date.now()): void {
  db.prepare('INSERT INTO audit_log (at, actor, via, action, feed_id, summary, detail) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
    now,
    record.actor,
    record.via,
    record.action,
    record.feedId ?? null,
    record.summary,
    record.detail === undefined ? null : JSON.stringify(record.detail),
  );
}

export function listAudit(db: Db, options: { limit: number; offset?: number; feedId?: number }): AuditEntry[] {
  const where = options.feedId === undefined ? '' : 'WHERE feed_id = @feedId';
  return db
    .prepare<Record<string, unknown>, { id: number; at: number; actor: string; via: AuditVia; action: string; feed_id: number | null; summary: string; detail: string | null }>(
      `SELECT * FROM audit_log ${where} ORDER BY at DESC, id DESC LIMIT @limit OFFSET @offset`,
    )
    .all({ limit: options.limit, offset: options.offset ?? 0, ...(options.feedId === undefined ? {} : { feedId: options.feedId }) })
    .map((r) => ({
      id: r.id,
      at: r.at,
      actor: r.actor,
      via: r.via,
      action: r.action,
      feedId: r.feed_id,
      summary: r.summary,
      detail: r.detail === null ? null : (JSON.parse(r.detail) as unknown),
    }));
}

export function countAudit(db: Db): number {
  return (db.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n;
}

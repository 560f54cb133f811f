// The suggestions table (migration 0010): blogs proposed by visitors, waiting for an admin.
import type { Db } from './open.js';
import { statement } from './statements.js';

export type SuggestionStatus = 'pending' | 'approved' | 'rejected';

export interface SuggestionPreview {
  title: string | null;
  format: string | null;
  entries: number;
  /** The first few post titles, as the check read them. */
  titles: string[];
  warnings: string[];
}

export interface Suggestion {
  id: number;
  url: string;
  feedUrl: string;
  name: string;
  note: string | null;
  preview: SuggestionPreview;
  status: SuggestionStatus;
  createdAt: number;
  client: string | null;
  decidedAt: number | null;
  decidedBy: string | null;
  reason: string | null;
  feedId: number | null;
}

interface Row {
  id: number;
  url: string;
  feed_url: string;
  name: string;
  note: string | null;
  preview: string;
  status: string;
  created_at: number;
  client: string | null;
  decided_at: number | null;
  decided_by: string | null;
  reason: string | null;
  feed_id: number | null;
}

function toSuggestion(r: Row): Suggestion {
  return {
    id: r.id,
    url: r.url,
    feedUrl: r.feed_url,
    name: r.name,
    note: r.note,
    preview: JSON.parse(r.preview) as SuggestionPreview,
    status: r.status as SuggestionStatus,
    createdAt: r.created_at,
    client: r.client,
    decidedAt: r.decided_at,
    decidedBy: r.decided_by,
    reason: r.reason,
    feedId: r.feed_id,
  };
}

export interface NewSuggestion {
  url: string;
  feedUrl: string;
  name: string;
  note: string | null;
  preview: SuggestionPreview;
  client: string | null;
}

export function insertSuggestion(db: Db, s: NewSuggestion, now: number): Suggestion {
  const { lastInsertRowid } = statement(db, 'INSERT INTO suggestions (url, feed_url, name, note, preview, client, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
    s.url,
    s.feedUrl,
    s.name,
    s.note,
    JSON.stringify(s.preview),
    s.client,
    now,
  );
  return getSuggestion(db, Number(lastInsertRowid))!;
}

export function getSuggestion(db: Db, id: number): Suggestion | undefined {
  const row = statement<[number], Row>(db, 'SELECT * FROM suggestions WHERE id = ?').get(id);
  return row && toSuggestion(row);
}

/** Pending first (oldest first: the queue), then the decided ones, newest first. */
export function listSuggestions(db: Db, status?: SuggestionStatus): Suggestion[] {
  const where = status ? 'WHERE status = ?' : '';
  return db
    .prepare<unknown[], Row>(`SELECT * FROM suggestions ${where} ORDER BY status != 'pending', CASE WHEN status = 'pending' THEN created_at END ASC, coalesce(decided_at, created_at) DESC, id DESC`)
    .all(...(status ? [status] : []))
    .map(toSuggestion);
}

/** A pending suggestion of one of these feed URLs, if any (a second visitor suggesting the same blog). */
export function findPendingSuggestion(db: Db, feedUrls: string[]): Suggestion | undefined {
  for (const url of feedUrls) {
    const row = statement<[string], Row>(db, "SELECT * FROM suggestions WHERE feed_url = ? AND status = 'pending' ORDER BY id LIMIT 1").get(url);
    if (row) return toSuggestion(row);
  }
  return undefined;
}

export function countPendingSuggestions(db: Db): number {
  return statement<[], number>(db, "SELECT count(*) FROM suggestions WHERE status = 'pending'").pluck().get()!;
}

/** Records an admin's decision on a pending suggestion; false when it was not pending. */
export function decideSuggestion(db: Db, id: number, d: { status: 'approved' | 'rejected'; by: string; reason: string | null; feedId: number | null }, now: number): boolean {
  return (
    statement(db, "UPDATE suggestions SET status = ?, decided_by = ?, reason = ?, feed_id = ?, decided_at = ? WHERE id = ? AND status = 'pending'").run(d.status, d.by, d.reason, d.feedId, now, id).changes > 0
  );
}

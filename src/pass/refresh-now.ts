// "Refresh now" (the admin UI's button, POST /api/feeds/ID/refresh): one fetch pass over just one
// feed, refused while another pass holds the writer lock, and audited like every admin change.
import type { Config } from '../config.js';
import { recordAudit, type Actor } from '../db/audit.js';
import { getFeed } from '../db/feeds.js';
import type { Db } from '../db/open.js';
import type { Feed } from '../model.js';
import { runFetchPass } from './run-pass.js';

export type RefreshResult =
  | { kind: 'ran'; feed: Feed; outcome: 'ok' | 'not_modified' | 'error'; message: string | null; entriesNew: number; entriesUpdated: number }
  | { kind: 'busy'; owner: string }
  | { kind: 'not_found' };

/** "Refresh now": one fetch pass over just this feed (refused while another pass runs). */
export async function refreshNow(db: Db, config: Config, actor: Actor, id: number): Promise<RefreshResult> {
  const feed = getFeed(db, id);
  if (!feed || feed.status === 'removed') return { kind: 'not_found' };
  const pass = await runFetchPass(db, config, { feedIds: [id] });
  if (pass.kind === 'busy') return { kind: 'busy', owner: pass.owner };
  const outcome = pass.feeds[0];
  recordAudit(db, {
    actor: actor.username,
    via: actor.via,
    action: 'feed.refresh',
    feedId: id,
    summary: `refreshed #${id}: ${outcome?.outcome ?? 'skipped'}${outcome?.error_message ? ` (${outcome.error_message})` : ''}`,
  });
  return {
    kind: 'ran',
    feed: getFeed(db, id) ?? feed,
    outcome: outcome?.outcome ?? 'error',
    message: outcome?.error_message ?? null,
    entriesNew: outcome?.entries_new ?? 0,
    entriesUpdated: outcome?.entries_updated ?? 0,
  };
}

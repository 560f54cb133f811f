// The locks table: named cross-process locks with a heartbeat (decision 0011). The fetch pass
// holds PASS_LOCK while it writes; "is a pass running?" is answered here and nowhere else.
import { hostname } from 'node:os';
import type { Db } from './open.js';
import { statement } from './statements.js';

/** The lock a fetch pass holds, from `planet serve`'s scheduler or a `planet fetch`. */
export const PASS_LOCK = 'fetch-pass';
/** A holder that has not written a heartbeat for this long is considered abandoned. */
export const LOCK_STALE_MS = 60_000;

interface LockRow {
  owner: string;
  acquired_at: number;
  heartbeat_at: number;
}

/** Who holds a live lock, and since when. */
export interface LockHolder {
  /** "<hostname>:<pid>" */
  owner: string;
  since: number;
}

export type LockResult = { kind: 'acquired' } | { kind: 'busy'; owner: string; since: number };

function lockRow(db: Db, name: string): LockRow | undefined {
  return statement<[string], LockRow>(db, 'SELECT owner, acquired_at, heartbeat_at FROM locks WHERE name = ?').get(name);
}

/**
 * Whether the process named by `owner` may still be running. On another machine only the heartbeat
 * can tell; on this one a process that no longer exists (kill -9) is dead at once.
 */
function isOwnerAlive(owner: string): boolean {
  const [host, pid] = owner.split(':');
  if (host !== hostname()) return true;
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A lock row is live when its heartbeat is fresh and, on this host, its process exists. */
function isLive(row: LockRow, now: number): boolean {
  return now - row.heartbeat_at < LOCK_STALE_MS && isOwnerAlive(row.owner);
}

/** The live holder of the lock `name`, if any. */
export function lockHolder(db: Db, name: string, now: number): LockHolder | undefined {
  const row = lockRow(db, name);
  return row && isLive(row, now) ? { owner: row.owner, since: row.acquired_at } : undefined;
}

/** The live holder of the pass lock: what /healthz shows as `pass_running`. */
export function runningPass(db: Db, now: number): LockHolder | undefined {
  return lockHolder(db, PASS_LOCK, now);
}

/**
 * Whether a fetch pass is writing now: /healthz, the planet_fetch_pass_running gauge and the site's
 * "rebuild at most every 2 s during a pass" all ask this. A row left by a kill -9 does not count.
 */
export function isPassRunning(db: Db, now: number): boolean {
  return runningPass(db, now) !== undefined;
}

/** Takes the named lock unless a live holder other than `owner` has it. */
export function acquireLock(db: Db, name: string, owner: string, now: number): LockResult {
  return db
    .transaction((): LockResult => {
      const held = lockRow(db, name);
      if (held && held.owner !== owner && isLive(held, now)) return { kind: 'busy', owner: held.owner, since: held.acquired_at };
      statement(db, 'INSERT OR REPLACE INTO locks (name, owner, acquired_at, heartbeat_at) VALUES (?, ?, ?, ?)').run(name, owner, now, now);
      return { kind: 'acquired' };
    })
    .immediate();
}

/** The holder's heartbeat: written every 10 s by the pass, long before LOCK_STALE_MS. */
export function touchLock(db: Db, name: string, owner: string, now: number): void {
  statement(db, 'UPDATE locks SET heartbeat_at = ? WHERE name = ? AND owner = ?').run(now, name, owner);
}

export function releaseLock(db: Db, name: string, owner: string): void {
  statement(db, 'DELETE FROM locks WHERE name = ? AND owner = ?').run(name, owner);
}

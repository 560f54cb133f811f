// The locks table on a fresh database with the real migrations: the one definition of "a pass is
// running" (fresh heartbeat and, on this host, a live process) and the pass lock that shares it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock, isPassRunning, LOCK_STALE_MS, PASS_LOCK, releaseLock, runningPass, touchLock } from '../../src/db/locks.js';
import { openDb, type Db } from '../../src/db/open.js';

const T0 = 1_700_000_000_000;

let dir: string;
let db: Db;
const children: ChildProcess[] = [];
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'planet-locks-'));
  db = openDb(path.join(dir, 'planet.db'));
});
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A real process on this host that stays up until killed. */
async function liveProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(child);
  await new Promise<void>((resolve, reject) => child.once('spawn', resolve).once('error', reject));
  return child;
}

/** The pid of a real process on this host that has exited (as after a kill -9). */
async function deadPid(): Promise<number> {
  const child = await liveProcess();
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  return child.pid!;
}

const here = (pid: number) => `${hostname()}:${pid}`;

describe('isPassRunning', () => {
  it('is false when nobody holds the pass lock', () => {
    expect(isPassRunning(db, T0)).toBe(false);
    expect(runningPass(db, T0)).toBeUndefined();
  });

  it('is true for a live holder on this host, with who and since when', async () => {
    const holder = await liveProcess();
    acquireLock(db, PASS_LOCK, here(holder.pid!), T0);
    expect(isPassRunning(db, T0 + 5_000)).toBe(true);
    expect(runningPass(db, T0 + 5_000)).toEqual({ owner: here(holder.pid!), since: T0 });
  });

  it('is false once the holder on this host has died, however fresh its heartbeat (kill -9)', async () => {
    const holder = await liveProcess();
    acquireLock(db, PASS_LOCK, here(holder.pid!), T0);
    expect(isPassRunning(db, T0 + 1)).toBe(true);
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    holder.kill('SIGKILL');
    await exited;
    expect(isPassRunning(db, T0 + 1)).toBe(false);
  });

  it('is false for a dead pid even when the row was never touched after acquiring', async () => {
    acquireLock(db, PASS_LOCK, here(await deadPid()), T0);
    expect(isPassRunning(db, T0)).toBe(false);
  });

  it.each([
    { scenario: 'a heartbeat just written', age: 0, running: true },
    { scenario: 'a heartbeat one millisecond short of stale', age: LOCK_STALE_MS - 1, running: true },
    { scenario: 'a heartbeat exactly LOCK_STALE_MS old', age: LOCK_STALE_MS, running: false },
    { scenario: 'a heartbeat ten minutes old', age: 600_000, running: false },
  ])('for a holder on another host (only the heartbeat can tell): $scenario → $running', ({ age, running }) => {
    acquireLock(db, PASS_LOCK, 'elsewhere.example:4242', T0);
    expect(isPassRunning(db, T0 + age)).toBe(running);
  });

  it('counts from the last heartbeat, not from when the lock was taken', () => {
    acquireLock(db, PASS_LOCK, 'elsewhere.example:4242', T0);
    touchLock(db, PASS_LOCK, 'elsewhere.example:4242', T0 + 50_000);
    expect(isPassRunning(db, T0 + 100_000)).toBe(true);
    expect(runningPass(db, T0 + 100_000)).toEqual({ owner: 'elsewhere.example:4242', since: T0 });
  });

  it('only the pass lock counts', () => {
    acquireLock(db, 'something-else', 'elsewhere.example:4242', T0);
    expect(isPassRunning(db, T0)).toBe(false);
  });

  it('is false after the holder releases the lock', () => {
    acquireLock(db, PASS_LOCK, 'elsewhere.example:4242', T0);
    releaseLock(db, PASS_LOCK, 'elsewhere.example:4242');
    expect(isPassRunning(db, T0)).toBe(false);
  });
});

describe('acquireLock agrees with isPassRunning', () => {
  it('is busy while a live holder runs, and takes over from a dead or stale one', async () => {
    const holder = await liveProcess();
    acquireLock(db, PASS_LOCK, here(holder.pid!), T0);
    expect(acquireLock(db, PASS_LOCK, here(process.pid), T0 + 1)).toEqual({ kind: 'busy', owner: here(holder.pid!), since: T0 });

    releaseLock(db, PASS_LOCK, here(holder.pid!));
    acquireLock(db, PASS_LOCK, here(await deadPid()), T0);
    expect(isPassRunning(db, T0 + 1)).toBe(false);
    expect(acquireLock(db, PASS_LOCK, here(process.pid), T0 + 1)).toEqual({ kind: 'acquired' });

    releaseLock(db, PASS_LOCK, here(process.pid));
    acquireLock(db, PASS_LOCK, 'elsewhere.example:4242', T0);
    expect(isPassRunning(db, T0 + LOCK_STALE_MS)).toBe(false);
    expect(acquireLock(db, PASS_LOCK, here(process.pid), T0 + LOCK_STALE_MS)).toEqual({ kind: 'acquired' });
    expect(runningPass(db, T0 + LOCK_STALE_MS)).toEqual({ owner: here(process.pid), since: T0 + LOCK_STALE_MS });
  });

  it('lets the holder take its own lock again', () => {
    acquireLock(db, PASS_LOCK, here(process.pid), T0);
    expect(acquireLock(db, PASS_LOCK, here(process.pid), T0 + 1)).toEqual({ kind: 'acquired' });
  });
});

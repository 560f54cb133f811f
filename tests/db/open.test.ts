// openDb's settings and limitPageCache on a real database file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { limitPageCache, openDb, type Db } from '../../src/db/open.js';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'planet-open-'));
  db = openDb(path.join(dir, 'planet.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('openDb', () => {
  it('opens in WAL mode with foreign keys on and a busy timeout', () => {
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(10000);
  });
});

describe('limitPageCache', () => {
  it('sets the page cache in KiB and puts the previous size back', () => {
    const before = db.pragma('cache_size', { simple: true });
    expect(before).toBe(-16000); // better-sqlite3's default: 16 MB
    const restore = limitPageCache(db, 2000);
    expect(db.pragma('cache_size', { simple: true })).toBe(-2000);
    restore();
    expect(db.pragma('cache_size', { simple: true })).toBe(before);
  });
});

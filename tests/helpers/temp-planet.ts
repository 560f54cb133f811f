// Shared by the operations tests: a fresh migrated database file in a temp directory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig, type Config } from '../../src/config.js';
import { openDb, type Db } from '../../src/db/open.js';

export interface TempPlanet {
  dir: string;
  dbPath: string;
  db: Db;
  config: Config;
  cleanup(): void;
}

export function tempPlanet(overrides: Record<string, unknown> = {}): TempPlanet {
  const dir = mkdtempSync(path.join(tmpdir(), 'planet-ops-'));
  const dbPath = path.join(dir, 'planet.db');
  const db = openDb(dbPath);
  const config = parseConfig({ database: dbPath, ...overrides });
  return {
    dir,
    dbPath,
    db,
    config,
    cleanup() {
      if (db.open) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

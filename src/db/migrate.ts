// Applies migrations/NNNN_description.sql in order, one transaction per file.
// The schema version is PRAGMA user_version; a landed migration is never edited.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import { foldDuplicateFeeds } from './feed-merge.js';

// src/db/ and dist/db/ both sit two levels below the project root.
export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((name) => ({ version: Number(name.slice(0, 4)), name, sql: readFileSync(path.join(dir, name), 'utf8') }));
}

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Latest version the code knows; /healthz compares it with schemaVersion(). */
export function latestVersion(dir = MIGRATIONS_DIR): number {
  return listMigrations(dir).at(-1)?.version ?? 0;
}

export type CodeStep = (db: Database.Database) => void;

/**
 * What a migration needs that SQL cannot say, by file name: run right after that file's SQL, in
 * its transaction. Folding duplicate subscriptions needs model.ts feedUrlKey(), the one URL
 * normalisation (docs/decisions/0024-feed-identity.md).
 */
export const CODE_STEPS: Record<string, CodeStep> = {
  '0005_create_feed_aliases_sources_reading_lists.sql': foldDuplicateFeeds,
};

/** Applies pending migrations; returns the names applied. */
export function migrate(db: Database.Database, dir = MIGRATIONS_DIR, steps: Record<string, CodeStep> = CODE_STEPS): string[] {
  const applied: string[] = [];
  for (const m of listMigrations(dir)) {
    if (m.version <= schemaVersion(db)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      steps[m.name]?.(db);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
    applied.push(m.name);
  }
  return applied;
}

// The planet_state table (migration 0008): small facts about the planet as a whole, such as the
// planet-wide filter rules last applied to the stored entries.
import type { Db } from './open.js';
import { statement } from './statements.js';

export function getPlanetState(db: Db, key: string): string | null {
  return statement<[string], { value: string }>(db, 'SELECT value FROM planet_state WHERE key = ?').get(key)?.value ?? null;
}

export function setPlanetState(db: Db, key: string, value: string): void {
  statement(db, 'INSERT INTO planet_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
}

// The stylesheet, the optional script and the icons in assets/, read once at start, and their
// cache-busting stamp (pages link `planet.css?v=STAMP` and `planet.js?v=STAMP`, so a changed file is
// fetched again despite its long max-age).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** assets/ at the project root (src/site and dist/site are two levels below). */
export const ASSETS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../assets');

export interface Assets {
  files: Map<string, Buffer>;
  stamp: string;
}

export function loadAssets(dir = ASSETS_DIR): Assets {
  const files = new Map<string, Buffer>();
  for (const name of readdirSync(dir)) files.set(name, readFileSync(path.join(dir, name)));
  const hash = createHash('sha1');
  for (const name of ['planet.css', 'planet.js']) hash.update(files.get(name) ?? '');
  const stamp = hash.digest('hex').slice(0, 10);
  return { files, stamp };
}

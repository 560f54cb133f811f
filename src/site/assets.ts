// The stylesheet and icons in assets/, read once at start, and the stylesheet's cache-busting stamp
// (pages link `planet.css?v=STAMP`, so a changed stylesheet is fetched again despite its long max-age).
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
  const stamp = createHash('sha1')
    .update(files.get('planet.css') ?? '')
    .digest('hex')
    .slice(0, 10);
  return { files, stamp };
}

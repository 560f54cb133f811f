// Seeds the serving bench's planet (1,000 feeds × 20 entries) into DB with the code of the checkout
// at ROOT: its own schema and its own seedServeBench, so an older build serves a database it made.
// Run by bench/serve-against.ts: node --import tsx bench/seed-serve.ts ROOT DB
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [root, dbPath] = process.argv.slice(2);
if (!root || !dbPath) throw new Error('usage: node --import tsx bench/seed-serve.ts CHECKOUT DB');
const from = (file: string) => pathToFileURL(path.join(path.resolve(root), file)).href;
const { openDb } = (await import(from('src/db/open.ts'))) as typeof import('../src/db/open.js');
const { seedServeBench } = (await import(from('bench/serve.ts'))) as typeof import('./serve.js');
const db = openDb(dbPath);
seedServeBench(db);
db.close();

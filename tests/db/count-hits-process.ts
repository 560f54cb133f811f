// Run by rate-limits.test.ts as a separate process (node --import tsx): counts hits on one key
// from its own connection, starting at an agreed moment, and prints the counts it got back.
import { openDb } from '../../src/db/open.js';
import { countRateLimitHit } from '../../src/db/rate-limits.js';

const [file, key, hits, startAt] = process.argv.slice(2);
const db = openDb(file!, { migrate: false });
// Busy-wait to the start line so the processes really overlap.
while (Date.now() < Number(startAt)) {}
const counts: number[] = [];
for (let i = 0; i < Number(hits); i++) counts.push(countRateLimitHit(db, key!, 3_600_000, Date.now()).current);
db.close();
process.stdout.write(JSON.stringify(counts));

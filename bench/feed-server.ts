// A local feed host for the benchmarks, run as its own process so its memory and CPU are not
// counted as the fetcher's. Serves /feed/N (N < FEEDS) in rotating formats with ETag /
// If-None-Match; POST /generation/G switches every feed to generation G (changed content).
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { FORMATS, generateEntries, renderFeed } from './feed-gen.js';

const FEEDS = Number(process.env.FEEDS ?? 1000);
const ENTRIES = Number(process.env.ENTRIES ?? 20);

let generation = 0;
let cache = new Map<number, { body: Buffer; type: string; etag: string }>();

function feed(i: number) {
  let f = cache.get(i);
  if (!f) {
    const base = `http://blog${i}.example`;
    const { body, type } = renderFeed(FORMATS[i % FORMATS.length]!, `Blog ${i}`, base, generateEntries(i, ENTRIES, base, generation));
    const bytes = Buffer.from(body);
    f = { body: bytes, type, etag: `"${createHash('sha1').update(bytes).digest('hex').slice(0, 16)}"` };
    cache.set(i, f);
  }
  return f;
}

const server = createServer((req, res) => {
  const gen = /^\/generation\/(\d+)$/.exec(req.url ?? '');
  if (req.method === 'POST' && gen) {
    generation = Number(gen[1]);
    cache = new Map();
    res.end('ok');
    return;
  }
  const m = /^\/feed\/(\d+)$/.exec(req.url ?? '');
  const i = m ? Number(m[1]) : -1;
  if (i < 0 || i >= FEEDS) {
    res.statusCode = 404;
    res.end();
    return;
  }
  const f = feed(i);
  if (req.headers['if-none-match'] === f.etag) {
    res.writeHead(304, { etag: f.etag });
    res.end();
    return;
  }
  res.writeHead(200, { 'content-type': `${f.type}; charset=utf-8`, etag: f.etag, 'content-length': f.body.length });
  res.end(f.body);
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') process.stdout.write(`${address.port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));

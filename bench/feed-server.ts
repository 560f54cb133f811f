// A local feed host for the benchmarks, run as its own process so its memory and CPU are not
// counted as the fetcher's: routes over the tests' one feed server (tests/helpers/feed-server.ts).
// Serves /feed/N (N < FEEDS) in rotating formats with ETag / If-None-Match; POST
// /generation?to=G switches every feed to generation G (changed content). Prints its port.
import { createHash } from 'node:crypto';
import { FORMATS, generateEntries, renderFeed } from '../tests/helpers/feed-gen.js';
import { serveFeed, startFeedServer, type RouteHandler } from '../tests/helpers/feed-server.js';

const FEEDS = Number(process.env.FEEDS ?? 1000);
const ENTRIES = Number(process.env.ENTRIES ?? 20);

let generation = 0;
let cache = new Map<number, RouteHandler>();

/** Feed i of the current generation, rendered once and kept until the generation changes. */
function feed(i: number): RouteHandler {
  let handler = cache.get(i);
  if (!handler) {
    const base = `http://blog${i}.example`;
    const { body, type } = renderFeed(FORMATS[i % FORMATS.length]!, `Blog ${i}`, base, generateEntries(i, ENTRIES, base, generation));
    const bytes = Buffer.from(body);
    handler = serveFeed(bytes, { contentType: `${type}; charset=utf-8`, etag: `"${createHash('sha1').update(bytes).digest('hex').slice(0, 16)}"` });
    cache.set(i, handler);
  }
  return handler;
}

// Hundreds of passes of a thousand requests: keep no record of them.
const server = await startFeedServer({}, { recordRequests: false });
for (let i = 0; i < FEEDS; i++) server.route(`/feed/${i}`, (req, res) => feed(i)(req, res));
server.route('/generation', (req, res) => {
  const to = new URL(req.url ?? '/', server.origin).searchParams.get('to') ?? '';
  if (req.method !== 'POST' || !/^\d+$/.test(to)) {
    res.writeHead(400).end('POST /generation?to=G');
    return;
  }
  generation = Number(to);
  cache = new Map();
  res.end('ok');
});

process.stdout.write(`${server.port}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));

// A local feed host for the operations tests and the bench: N RSS feeds whose content can be
// advanced (one new item per feed, one edited title) and whose responses can be slowed down.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FeedServer {
  port: number;
  feedUrls: string[];
  /** Publishes one new item in every feed and edits the title of its first item. */
  advance(): void;
  /** Items ever published across all feeds: what a complete fetch must have stored. */
  totalItems(): number;
  /** The current title of every item, keyed "feedIndex/guid". */
  titles(): Map<string, string>;
  requests: number;
  delayMs: number;
  /** Called on every request (tests time their kills by it). */
  onRequest?: (count: number) => void;
  close(): Promise<void>;
}

export interface FeedServerOptions {
  feeds: number;
  itemsPerFeed: number;
  delayMs?: number;
  /** Bytes of filler per item body, to make passes write more. */
  bodyBytes?: number;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export async function startFeedServer(options: FeedServerOptions): Promise<FeedServer> {
  let round = 0;
  const counts = Array.from({ length: options.feeds }, () => options.itemsPerFeed);
  const filler = 'lorem ipsum dolor sit amet '.repeat(Math.ceil((options.bodyBytes ?? 200) / 27));
  const base = Date.UTC(2026, 0, 1);
  const title = (feed: number, item: number) => (item === 0 ? `Feed ${feed} item 0 (edit ${round})` : `Feed ${feed} item ${item}`);

  const render = (feed: number) => {
    const n = counts[feed]!;
    let items = '';
    for (let i = n - 1; i >= 0; i--) {
      items += `<item><guid isPermaLink="false">f${feed}-i${i}</guid><title>${esc(title(feed, i))}</title>` +
        `<link>http://blog${feed}.test/posts/${i}</link><pubDate>${new Date(base + i * 3_600_000).toUTCString()}</pubDate>` +
        `<description>${esc(`<p>${filler} ${feed}/${i}/${i === 0 ? round : 0}</p>`)}</description></item>`;
    }
    return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Blog ${feed}</title>` +
      `<link>http://blog${feed}.test/</link><description>fixture</description>${items}</channel></rss>`;
  };

  const state: FeedServer = {
    port: 0,
    feedUrls: [],
    requests: 0,
    delayMs: options.delayMs ?? 0,
    advance() {
      round++;
      for (let f = 0; f < counts.length; f++) counts[f]! += 1;
    },
    totalItems: () => counts.reduce((a, b) => a + b, 0),
    titles() {
      const out = new Map<string, string>();
      counts.forEach((n, f) => {
        for (let i = 0; i < n; i++) out.set(`f${f}-i${i}`, title(f, i));
      });
      return out;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const server: Server = createServer((req, res) => {
    state.requests++;
    state.onRequest?.(state.requests);
    const m = /^\/feed\/(\d+)\.xml$/.exec(req.url ?? '');
    const feed = m ? Number(m[1]) : -1;
    if (feed < 0 || feed >= counts.length) {
      res.writeHead(404).end();
      return;
    }
    const send = () => {
      const body = render(feed);
      const etag = `"${feed}-${round}"`;
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, { etag }).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', etag }).end(body);
    };
    if (state.delayMs > 0) setTimeout(send, state.delayMs);
    else send();
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as AddressInfo).port;
  state.feedUrls = counts.map((_, f) => `http://127.0.0.1:${state.port}/feed/${f}.xml`);
  return state;
}

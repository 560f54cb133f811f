// N RSS feeds for the operations tests, as routes over the one feed server (feed-server.ts):
// their content can be advanced (one new item per feed, one edited title) and their responses
// slowed down. Each answers with an ETag and a 304 to If-None-Match.
import { renderFeed, type GeneratedEntry } from './feed-gen.js';
import { startFeedServer, type FeedServer } from './feed-server.js';

export interface PlanetFeeds {
  /** The server underneath: requestCount, onRequest (tests time their kills by it), origin. */
  server: FeedServer;
  feedUrls: string[];
  /** Publishes one new item in every feed and edits the title of its first item. */
  advance(): void;
  /** Items ever published across all feeds: what a complete fetch must have stored. */
  totalItems(): number;
  /** The current title of every item, keyed by its guid "f{feed}-i{item}". */
  titles(): Map<string, string>;
  /** Delay before each feed answers, read at every request. */
  delayMs: number;
  close(): Promise<void>;
}

export interface PlanetFeedsOptions {
  feeds: number;
  itemsPerFeed: number;
  delayMs?: number;
  /** Bytes of filler per item body, to make passes write more. */
  bodyBytes?: number;
}

export async function startPlanetFeeds(options: PlanetFeedsOptions): Promise<PlanetFeeds> {
  let round = 0;
  const counts = Array.from({ length: options.feeds }, () => options.itemsPerFeed);
  const filler = 'lorem ipsum dolor sit amet '.repeat(Math.ceil((options.bodyBytes ?? 200) / 27));
  const start = Date.UTC(2026, 0, 1);
  const title = (feed: number, item: number) => (item === 0 ? `Feed ${feed} item 0 (edit ${round})` : `Feed ${feed} item ${item}`);

  /** Newest first, as feeds list them. */
  const entries = (feed: number): GeneratedEntry[] =>
    Array.from({ length: counts[feed]! }, (_, i) => ({
      id: `f${feed}-i${i}`,
      link: `http://blog${feed}.test/posts/${i}`,
      title: title(feed, i),
      date: new Date(start + i * 3_600_000),
      html: `<p>${filler} ${feed}/${i}/${i === 0 ? round : 0}</p>`,
    })).reverse();

  const server = await startFeedServer();
  const feeds: PlanetFeeds = {
    server,
    feedUrls: counts.map((_, f) => server.url(`/feed/${f}.xml`)),
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
    close: () => server.close(),
  };

  counts.forEach((_, feed) =>
    server.route(`/feed/${feed}.xml`, (req, res) => {
      const send = () => {
        const etag = `"${feed}-${round}"`;
        if (req.headers['if-none-match'] === etag) {
          res.writeHead(304, { etag }).end();
          return;
        }
        const { body, type } = renderFeed('rss', `Blog ${feed}`, `http://blog${feed}.test`, entries(feed));
        res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, etag }).end(body);
      };
      if (feeds.delayMs <= 0) return send();
      const timer = setTimeout(send, feeds.delayMs);
      // A client that gives up (a killed fetch) or close() ends the wait.
      res.on('close', () => clearTimeout(timer));
    }),
  );
  return feeds;
}

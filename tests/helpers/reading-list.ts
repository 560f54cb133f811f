// Reading-list fixtures: small blogs numbered 1, 2, 3… on the test feed server (/feedN.xml, one
// post each) and OPML 2.0 lists of them, nested in folders when asked, served with an ETag.
import { serveFeed, startFeedServer, type FeedServer, type RouteHandler } from './feed-server.js';

export const blogRss = (n: number) =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>Blog ${n}</title><link>http://blog${n}.test/</link><description>d</description>` +
  `<item><guid>b${n}-1</guid><link>http://blog${n}.test/1</link><title>Post ${n}</title></item></channel></rss>`;

/** A feed server with blogs 1…count at /feedN.xml (ETag "fN"). */
export async function startBlogsServer(count = 6): Promise<FeedServer> {
  const server = await startFeedServer();
  for (let n = 1; n <= count; n++) server.route(`/feed${n}.xml`, serveFeed(blogRss(n), { contentType: 'application/rss+xml', etag: `"f${n}"` }));
  return server;
}

/**
 * An OPML list of blogs on `server`: items are [blog number, folder or null]. A folder becomes an
 * outline holding the blogs' outlines (and an empty sub-folder, which lists nothing).
 */
export function opmlList(server: FeedServer, items: [number, string | null][], title = 'Community blogs'): string {
  const outline = (n: number) => `<outline text="Blog ${n}" title="Blog ${n}" type="rss" xmlUrl="${server.url(`/feed${n}.xml`)}" htmlUrl="http://blog${n}.test/"/>`;
  const folders = new Map<string | null, number[]>();
  for (const [n, folder] of items) folders.set(folder, [...(folders.get(folder) ?? []), n]);
  const body = [...folders]
    .map(([folder, ns]) => (folder ? `<outline text="${folder}"><outline text="Empty folder"></outline>${ns.map(outline).join('')}</outline>` : ns.map(outline).join('')))
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><opml version="2.0"><head><title>${title}</title></head><body>${body}</body></opml>`;
}

let version = 0;
/** Serves a list with a fresh ETag each time it is edited (and 304 to a request that has it). */
export function serveList(text: string): RouteHandler & { etag: string } {
  const etag = `"list-v${++version}"`;
  return Object.assign(serveFeed(text, { contentType: 'text/x-opml; charset=utf-8', etag }), { etag });
}

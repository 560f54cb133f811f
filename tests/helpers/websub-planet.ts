// What the WebSub tests and the bench share: Atom documents that advertise a hub, a free port (a
// callback base must be known before `planet serve` starts), and a config file for it.
import { writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';

export interface FixtureEntry {
  id: string;
  title: string;
  /** Unix ms. */
  at: number;
  content?: string;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

/** An Atom 1.0 feed naming its topic (rel="self") and, when given, its hub (rel="hub"). */
export function atomFeed(o: { topic: string; hub?: string; title: string; entries: FixtureEntry[] }): string {
  const entries = o.entries
    .map(
      (e) =>
        `<entry><id>${esc(e.id)}</id><title>${esc(e.title)}</title><link href="${esc(`${o.topic.replace(/\/[^/]*$/, '')}/posts/${encodeURIComponent(e.id)}`)}"/>` +
        `<updated>${new Date(e.at).toISOString()}</updated><published>${new Date(e.at).toISOString()}</published>` +
        `<author><name>Author of ${esc(o.title)}</name></author><content type="html">${esc(e.content ?? `<p>${e.title}</p>`)}</content></entry>`,
    )
    .join('\n');
  return (
    `<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>${esc(o.title)}</title><id>${esc(o.topic)}</id>` +
    `<updated>${new Date(Math.max(0, ...o.entries.map((e) => e.at))).toISOString()}</updated>` +
    `<link rel="alternate" href="${esc(o.topic.replace(/\/[^/]*$/, '/'))}"/><link rel="self" href="${esc(o.topic)}"/>` +
    `${o.hub ? `<link rel="hub" href="${esc(o.hub)}"/>` : ''}\n${entries}\n</feed>\n`
  );
}

/** A TCP port free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface WebsubConfigOptions {
  dbPath: string;
  port: number;
  feeds: Array<{ url: string; tags?: string[] }>;
  /** websub.hub: the planet publishes to it. */
  hub?: string;
  /** websub.callback_base (default: the server's own address). null: not a subscriber. */
  callbackBase?: string | null;
  pollHours?: number;
  workers?: number;
  maxBytes?: number;
  schedule?: string;
}

/** A config for `planet serve` on 127.0.0.1:port with WebSub on; private addresses allowed (the hub and feeds are loopback). */
export function writeWebsubConfig(file: string, o: WebsubConfigOptions): string {
  const base = `http://127.0.0.1:${o.port}`;
  const callbackBase = o.callbackBase === undefined ? base : o.callbackBase;
  const websub = [
    ...(o.hub ? [`hub: ${JSON.stringify(o.hub)}`] : []),
    ...(callbackBase ? [`callback_base: ${JSON.stringify(callbackBase)}`] : []),
    `poll_hours: ${o.pollHours ?? 24}`,
  ];
  const lines = [
    `planet: { name: "WebSub planet", link: ${JSON.stringify(`${base}/`)} }`,
    `database: ${JSON.stringify(o.dbPath)}`,
    `server: { host: 127.0.0.1, port: ${o.port}, workers: ${o.workers ?? 1} }`,
    `fetch: { allow_private_addresses: true, new_feed_items: 1000, timeout_seconds: 10, max_bytes: ${o.maxBytes ?? 5242880}, schedule: ${JSON.stringify(o.schedule ?? '0 0 1 1 *')} }`,
    'retention: { keep_days: 100000, keep_per_feed: 100000 }',
    `websub: { ${websub.join(', ')} }`,
    'feeds:',
    ...o.feeds.map((f) => `  - { url: ${JSON.stringify(f.url)}, tags: ${JSON.stringify(f.tags ?? [])} }`),
  ];
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

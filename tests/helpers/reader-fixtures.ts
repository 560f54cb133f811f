// Test data for the reader side: a real SQLite file in a temp dir, real migrations, seeded through
// src/db (feeds) and plain SQL (entries, as refresh stores them: already sanitized).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig, type Config } from '../../src/config.js';
import { insertFeed, recordFetchSuccess, type NewFeed } from '../../src/db/feeds.js';
import { openDb, type Db } from '../../src/db/open.js';

export const NOW = Date.UTC(2015, 0, 13, 18, 30); // Tuesday 13 January 2015, 18:30 UTC

export interface TestPlanet {
  db: Db;
  config: Config;
  dir: string;
  cleanup(): void;
}

export function createTestPlanet(configOverrides: Record<string, unknown> = {}): TestPlanet {
  const dir = mkdtempSync(path.join(tmpdir(), 'planet-reader-'));
  const dbPath = path.join(dir, 'planet.db');
  const config = parseConfig({
    planet: { name: 'Planet Test', link: 'https://planet.example.org/', description: 'Posts from test blogs', timezone: 'UTC' },
    database: dbPath,
    ...configOverrides,
  });
  const db = openDb(dbPath);
  return { db, config, dir, cleanup: () => { db.close(); rmSync(dir, { recursive: true, force: true }); } };
}

export function addFeed(db: Db, feed: NewFeed & { title?: string; siteLink?: string; fetchedAt?: number }): number {
  const f = insertFeed(db, feed, NOW - 86_400_000 * 30);
  db.prepare('UPDATE feeds SET title = ?, site_link = ? WHERE id = ?').run(feed.title ?? null, feed.siteLink ?? null, f.id);
  if (feed.fetchedAt !== undefined) {
    recordFetchSuccess(db, f.id, { at: feed.fetchedAt, httpStatus: 200, etag: null, lastModified: null, nextFetchAt: feed.fetchedAt + 1_800_000 });
  }
  return f.id;
}

export interface TestEntry {
  guid?: string | null;
  link?: string | null;
  title?: string | null;
  author?: string | null;
  content?: string | null;
  summary?: string | null;
  at: number;
  hidden?: boolean;
}

let serial = 0;
export function addEntry(db: Db, feedId: number, e: TestEntry): number {
  serial++;
  const key = e.guid ? `guid:${e.guid}` : e.link ? `link:${e.link}` : `hash:${serial}`;
  const r = db
    .prepare(
      `INSERT INTO entries (feed_id, entry_key, guid, link, title, author, content_html, summary_html, content_hash,
         published_at, updated_at, first_seen_at, sort_at, hidden)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)`,
    )
    .run(feedId, key, e.guid ?? null, e.link ?? null, e.title ?? null, e.author ?? null, e.content ?? null, e.summary ?? null, `h${serial}`, e.at, e.at, e.at, e.hidden ? 1 : 0);
  return Number(r.lastInsertRowid);
}

/** Two blogs, a tag, five posts over two days, one broken feed, one hidden post. */
export function seedSmallPlanet(db: Db): { alice: number; bob: number; broken: number } {
  const alice = addFeed(db, { url: 'https://alice.example.org/feed.xml', name: 'Alice Liddell', tags: ['linux'], siteLink: 'https://alice.example.org/', fetchedAt: NOW - 12 * 60_000 });
  const bob = addFeed(db, { url: 'https://bob.example.net/atom.xml', title: 'Bob’s Blog', siteLink: 'https://bob.example.net/', face: 'https://bob.example.net/face.png', fetchedAt: NOW - 20 * 60_000 });
  const broken = addFeed(db, { url: 'https://broken.example.com/rss', name: 'Broken Blog' });
  db.prepare("UPDATE feeds SET error_code = 'http_status', error_message = 'fetch: HTTP 500', error_count = 3 WHERE id = ?").run(broken);
  addEntry(db, alice, { guid: 'https://alice.example.org/?p=1', link: 'https://alice.example.org/first', title: 'First post', author: 'Alice', content: '<p>Hello <b>world</b>, penguins &amp; kernels.</p>', at: Date.UTC(2015, 0, 12, 9, 0) });
  addEntry(db, bob, { guid: 'g1', link: 'https://bob.example.net/2015/hello', title: 'Bob says <hi> & bye', author: null, content: '<p>Plain words about databases.</p>', at: Date.UTC(2015, 0, 12, 15, 0) });
  addEntry(db, alice, { guid: 'tag:alice.example.org,2015:2', link: 'https://alice.example.org/second', title: 'Second post', author: 'Alice', content: '<p>More about penguins.</p>', at: Date.UTC(2015, 0, 13, 8, 0) });
  addEntry(db, alice, { guid: null, link: 'https://alice.example.org/third', title: 'Third post', author: 'Alice', summary: '<p>Summary only.</p>', at: Date.UTC(2015, 0, 13, 10, 0) });
  addEntry(db, bob, { guid: 'g2', link: 'https://bob.example.net/2015/secret', title: 'Hidden post', content: '<p>secret</p>', at: Date.UTC(2015, 0, 13, 11, 0), hidden: true });
  addEntry(db, bob, { guid: 'g3', link: 'https://bob.example.net/2015/latest', title: 'Latest from Bob', content: '<p>Newest one, with a <a href="https://example.com/" rel="nofollow noopener noreferrer">link</a>.</p>', at: Date.UTC(2015, 0, 13, 12, 0) });
  return { alice, bob, broken };
}

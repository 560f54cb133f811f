// Duplicate subscriptions folded into one: migration 0005 on a database built with the schema
// before it (the same blog subscribed under spellings of one URL, and once removed), and the
// pass that finds two subscriptions to be one blog when one redirects permanently onto the other.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { listFeedSources } from '../../src/db/feed-sources.js';
import { findFeedByUrl, listFeedAliases, listFeeds } from '../../src/db/feeds.js';
import { MIGRATIONS_DIR, listMigrations, migrate, schemaVersion } from '../../src/db/migrate.js';
import { openDb } from '../../src/db/open.js';
import { runFetchPass } from '../../src/pass/run-pass.js';
import { redirectTo, serveFeed, startFeedServer, type FeedServer } from '../helpers/feed-server.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'planet-merge-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A database file at schema version 4, the one before aliases, built by the real migrations 0001–0004. */
function schema4Database(file: string): Database.Database {
  const old = path.join(dir, 'migrations-0004');
  mkdirSync(old);
  for (const m of listMigrations().filter((m) => m.version <= 4)) copyFileSync(path.join(MIGRATIONS_DIR, m.name), path.join(old, m.name));
  const db = new Database(file);
  db.pragma('foreign_keys = ON');
  migrate(db, old);
  expect(schemaVersion(db)).toBe(4);
  return db;
}

interface OldEntry {
  key: string;
  link?: string;
  title?: string;
  hidden?: 1;
  expired?: 1;
  duplicateOf?: number;
}

function insertOld(db: Database.Database, feed: { id: number; url: string; name?: string; face?: string; status?: string; tags?: string[]; created?: number }, entries: (OldEntry & { id: number })[]) {
  db.prepare('INSERT INTO feeds (id, url, name, face, status, created_at, has_fetched) VALUES (?, ?, ?, ?, ?, ?, 1)').run(
    feed.id, feed.url, feed.name ?? null, feed.face ?? null, feed.status ?? 'active', feed.created ?? 1000 + feed.id);
  for (const t of feed.tags ?? []) db.prepare('INSERT INTO feed_tags (feed_id, tag) VALUES (?, ?)').run(feed.id, t);
  for (const e of entries) {
    db.prepare(
      `INSERT INTO entries (id, feed_id, entry_key, link, title, content_html, content_hash, first_seen_at, sort_at, hidden, expired, duplicate_of)
       VALUES (?, ?, ?, ?, ?, ?, 'h', ?, ?, ?, ?, ?)`,
    ).run(e.id, feed.id, e.key, e.link ?? null, e.title ?? e.key, e.expired ? null : `<p>${e.key}</p>`, 5000 + e.id, 5000 + e.id, e.hidden ?? 0, e.expired ?? 0, e.duplicateOf ?? null);
  }
}

describe('migration 0005 folds the duplicates an existing database holds', () => {
  it('keeps every entry once, tombstones and hidden flags, tags and admin edits, in one feed', () => {
    const file = path.join(dir, 'planet.db');
    const old = schema4Database(file);
    // The blog, subscribed first, renamed by an admin.
    insertOld(old, { id: 1, url: 'https://blog.example/feed.xml', name: 'Ada (named by the admin)', tags: ['maths'] }, [
      { id: 11, key: 'guid:g1', link: 'https://blog.example/1' },
      { id: 12, key: 'guid:g2', link: 'https://blog.example/2', hidden: 1 },
      { id: 13, key: 'guid:g3', link: 'https://blog.example/3', expired: 1 },
    ]);
    // The same blog under another spelling: one post shared by key, one by permalink only, its own post and tombstone.
    insertOld(old, { id: 2, url: 'HTTP://BLOG.example//feed.xml?', face: 'https://blog.example/ada.png', tags: ['engines'] }, [
      { id: 21, key: 'guid:g1', link: 'https://blog.example/1', duplicateOf: 11 },
      { id: 22, key: 'link:https://blog.example/2', link: 'https://blog.example/2', duplicateOf: 12 },
      { id: 23, key: 'guid:g4', link: 'https://blog.example/4' },
      { id: 24, key: 'guid:g5', link: 'https://blog.example/5', expired: 1 },
    ]);
    // Removed (entries kept) under a third spelling, with a post only it had.
    insertOld(old, { id: 3, url: 'http://blog.example:80/feed.xml#top', status: 'removed' }, [{ id: 31, key: 'guid:g6', link: 'https://blog.example/6' }]);
    // Another blog, showing once a post that the second spelling also had (its copy points there).
    insertOld(old, { id: 4, url: 'https://other.example/feed' }, [{ id: 41, key: 'guid:x', link: 'https://blog.example/4', duplicateOf: 23 }]);
    old.prepare("INSERT INTO audit_log (at, actor, via, action, feed_id, summary) VALUES (1, 'alice', 'web', 'feed.add', 1, 'subscribed')").run();
    old.prepare("INSERT INTO audit_log (at, actor, via, action, feed_id, summary) VALUES (2, 'alice', 'cli', 'feed.edit', 2, 'edited')").run();
    old.prepare("INSERT INTO removed_feeds (url, removed_at) VALUES ('HTTPS://Gone.example/feed', 3)").run();
    old.close();

    const db = openDb(file);
    try {
      expect(schemaVersion(db)).toBeGreaterThanOrEqual(6);
      expect(listFeeds(db).map((f) => [f.id, f.url, f.status])).toEqual([
        [1, 'https://blog.example/feed.xml', 'active'],
        [4, 'https://other.example/feed', 'active'],
      ]);
      expect(findFeedByUrl(db, 'https://blog.example/feed.xml')).toMatchObject({ name: 'Ada (named by the admin)', face: 'https://blog.example/ada.png', tags: ['engines', 'maths'] });
      const entries = db.prepare('SELECT id, feed_id, entry_key, link, hidden, expired, duplicate_of FROM entries ORDER BY id').all();
      expect(entries).toEqual([
        { id: 11, feed_id: 1, entry_key: 'guid:g1', link: 'https://blog.example/1', hidden: 0, expired: 0, duplicate_of: null },
        { id: 12, feed_id: 1, entry_key: 'guid:g2', link: 'https://blog.example/2', hidden: 1, expired: 0, duplicate_of: null },
        { id: 13, feed_id: 1, entry_key: 'guid:g3', link: 'https://blog.example/3', hidden: 0, expired: 1, duplicate_of: null },
        { id: 23, feed_id: 1, entry_key: 'guid:g4', link: 'https://blog.example/4', hidden: 0, expired: 0, duplicate_of: null },
        { id: 24, feed_id: 1, entry_key: 'guid:g5', link: 'https://blog.example/5', hidden: 0, expired: 1, duplicate_of: null },
        { id: 31, feed_id: 1, entry_key: 'guid:g6', link: 'https://blog.example/6', hidden: 0, expired: 0, duplicate_of: null },
        { id: 41, feed_id: 4, entry_key: 'guid:x', link: 'https://blog.example/4', hidden: 0, expired: 0, duplicate_of: 23 },
      ]);
      // Sources from the audit log (#1 added in the admin UI), the config seed for those without a record
      // (#2, folded into #1, and #4); the history of #2 follows it into #1.
      expect(listFeedSources(db)).toEqual(new Map([[1, ['config', 'admin']], [4, ['config']]]));
      expect(db.prepare('SELECT feed_id FROM audit_log ORDER BY id').all()).toEqual([{ feed_id: 1 }, { feed_id: 1 }]);
      // Spellings of the feed's own URL need no alias: they find it by its key.
      expect(listFeedAliases(db).size).toBe(0);
      for (const spelling of ['HTTP://BLOG.example//feed.xml?', 'http://blog.example:80/feed.xml#top']) expect(findFeedByUrl(db, spelling)?.id).toBe(1);
      expect(db.prepare('SELECT url_key FROM removed_feeds').all()).toEqual([{ url_key: 'http://gone.example/feed' }]);
      // From now on the database refuses a second subscription under any spelling.
      expect(() => db.prepare("INSERT INTO feeds (url, url_key, created_at) VALUES ('http://blog.example/feed.xml', 'http://blog.example/feed.xml', 1)").run()).toThrow(/UNIQUE/);
    } finally {
      db.close();
    }
  });

  it('leaves a database without duplicates as it was', () => {
    const file = path.join(dir, 'planet.db');
    const old = schema4Database(file);
    insertOld(old, { id: 1, url: 'https://a.example/feed' }, [{ id: 1, key: 'guid:1' }]);
    insertOld(old, { id: 2, url: 'https://b.example/feed' }, [{ id: 2, key: 'guid:1' }]);
    old.close();
    const db = openDb(file);
    expect(listFeeds(db).map((f) => f.id)).toEqual([1, 2]);
    expect(db.prepare('SELECT count(*) AS n FROM entries').get()).toEqual({ n: 2 });
    db.close();
  });
});

describe('a pass finds two subscriptions to be one blog', () => {
  let server: FeedServer;
  const rss = (items: string[]) =>
    `<?xml version="1.0"?><rss version="2.0"><channel><title>Blog</title><link>http://blog.test/</link><description>d</description>${items
      .map((i) => `<item><guid>${i}</guid><link>http://blog.test/${i}</link><title>${i}</title></item>`)
      .join('')}</channel></rss>`;
  beforeAll(async () => {
    server = await startFeedServer({ '/new.xml': serveFeed(rss(['p1', 'p2', 'p3']), { contentType: 'application/rss+xml' }), '/old.xml': redirectTo('/new.xml', 301) });
  });
  afterAll(() => server.close());

  it('subscribed under its old and its new URL before aliases existed: one feed after the next pass', async () => {
    const file = path.join(dir, 'planet.db');
    const old = schema4Database(file);
    // What the bug left behind: the subscription moved to /new.xml, then the config file added /old.xml again.
    insertOld(old, { id: 1, url: server.url('/new.xml'), name: 'Blog', tags: ['a'] }, [
      { id: 11, key: 'guid:p1', link: 'http://blog.test/p1' },
      { id: 12, key: 'guid:p2', link: 'http://blog.test/p2' },
    ]);
    insertOld(old, { id: 2, url: server.url('/old.xml'), tags: ['b'] }, [{ id: 21, key: 'guid:p1', link: 'http://blog.test/p1', duplicateOf: 11 }]);
    old.close();

    const db = openDb(file);
    try {
      expect(listFeeds(db)).toHaveLength(2); // different URLs: the migration cannot know yet
      const config = parseConfig({ database: file, fetch: { allow_private_addresses: true, timeout_seconds: 5 } });
      const pass = await runFetchPass(db, config);
      expect(pass.kind === 'ran' && pass.feeds.find((o) => o.feed_id === 2)).toMatchObject({ moved_to: server.url('/new.xml'), merge_into: 1 });
      expect(listFeeds(db).map((f) => [f.id, f.url, f.tags])).toEqual([[1, server.url('/new.xml'), ['a', 'b']]]);
      expect(listFeedAliases(db)).toEqual(new Map([[1, [server.url('/old.xml')]]]));
      expect(db.prepare('SELECT entry_key FROM entries ORDER BY entry_key').all()).toEqual([{ entry_key: 'guid:p1' }, { entry_key: 'guid:p2' }, { entry_key: 'guid:p3' }]);
      expect(findFeedByUrl(db, server.url('/old.xml'))?.id).toBe(1);
      // The next pass: one feed fetched, nothing new.
      const again = await runFetchPass(db, config);
      expect(again.kind === 'ran' && again.feeds.map((o) => o.feed_id)).toEqual([1]);
    } finally {
      db.close();
    }
  });
});

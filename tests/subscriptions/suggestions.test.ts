// Suggested blogs against real servers on 127.0.0.1 and a real SQLite file: discovery and the check
// bounded in time and size and behind the address guard, the queue, approval (subscribes with the
// suggested name) and rejection (with a reason), each decision audited; `planet suggestions`.
import type { ServerResponse } from 'node:http';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import type { CliIo } from '../../src/commands/common.js';
import { parseConfig, type Config } from '../../src/config.js';
import { getFeed, insertFeed } from '../../src/db/feeds.js';
import { listSuggestions } from '../../src/db/suggestions.js';
import { approveSuggestion, checkSuggestion, queueSuggestion, rejectSuggestion, SUGGEST_MAX_PROBES } from '../../src/subscriptions/suggestions.js';
import { fixture } from '../helpers/admin.js';
import { serveFeed, stallBeforeHeaders, startFeedServer, type FeedServer } from '../helpers/feed-server.js';
import { tempPlanet, type TempPlanet } from '../helpers/temp-planet.js';

const ADMIN = { username: 'alice', via: 'web' as const };


/** 50 MB of HTML, streamed (never held in memory), with an honest Content-Length. */
function fiftyMegabytes(_req: unknown, res: ServerResponse): void {
  const total = 50 * 1000 * 1000;
  const chunk = Buffer.alloc(64 * 1024, 'a');
  res.writeHead(200, { 'content-type': 'text/html', 'content-length': total });
  let sent = 0;
  const pump = () => {
    while (sent < total && !res.destroyed) {
      const n = Math.min(chunk.length, total - sent);
      sent += n;
      if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void res.once('drain', pump);
    }
    if (!res.destroyed) res.end();
  };
  pump();
}

let blog: FeedServer;
beforeAll(async () => {
  blog = await startFeedServer({
    '/': serveFeed(fixture('blog-home.html'), { contentType: 'text/html; charset=utf-8' }),
    '/blog/feed.xml': serveFeed(fixture('blog-feed.xml'), { contentType: 'application/rss+xml' }),
    '/huge': fiftyMegabytes,
    '/stall': stallBeforeHeaders(),
    '/many': serveFeed(
      `<!doctype html><html><head>${Array.from({ length: 12 }, (_, i) => `<link rel="alternate" type="application/rss+xml" href="/missing-${i}.xml">`).join('')}</head><body>x</body></html>`,
      { contentType: 'text/html' },
    ),
  });
});
afterAll(async () => {
  await blog.close();
});

let planet: TempPlanet;
let config: Config;
beforeEach(() => {
  planet = tempPlanet();
  config = parseConfig({ database: planet.dbPath, fetch: { allow_private_addresses: true, timeout_seconds: 2 }, suggestions: { enabled: true } });
});
afterEach(() => planet.cleanup());

const input = (url: string) => ({ url, name: 'Ada Lovelace', note: 'My workshop blog.' });

describe('checking a suggestion', () => {
  it('resolves a home page to its feed and shows what would be imported, storing nothing', async () => {
    const checked = await checkSuggestion(planet.db, config, input(blog.url('/')));
    expect(checked).toMatchObject({
      kind: 'ok',
      feedUrl: blog.url('/blog/feed.xml'),
      preview: { title: "Ada's Workshop", format: 'rss', entries: 3, titles: ['Third post: a new bench supply', 'Second post: spam that slipped in', 'First post'] },
    });
    expect(listSuggestions(planet.db)).toEqual([]);
  });

  it.each([
    ['loopback', 'http://127.0.0.1:PORT/'],
    ['a private network', 'http://10.1.2.3/'],
    ['IPv6 loopback', 'http://[::1]:PORT/'],
    ['the cloud metadata address', 'http://169.254.169.254/latest/'],
    ['localhost by name', 'http://localhost:PORT/'],
  ])('refuses %s without sending it a request', async (_name, url) => {
    const guarded = parseConfig({ database: planet.dbPath, suggestions: { enabled: true } });
    const before = blog.requestCount;
    const checked = await checkSuggestion(planet.db, guarded, input(url.replace('PORT', String(blog.port))));
    expect(checked).toMatchObject({ kind: 'invalid', field: 'url', error: 'address refused' });
    if (checked.kind === 'invalid') expect(checked.reason).toMatch(/loopback|private|link-local|reserved/);
    expect(blog.requestCount).toBe(before);
  });

  it('bounds a 50 MB page to 1 MiB and says so', async () => {
    const checked = await checkSuggestion(planet.db, config, input(blog.url('/huge')));
    expect(checked).toEqual({ kind: 'invalid', error: 'no feed found', field: 'url', reason: 'fetch: response larger than 1 MiB' });
  });

  it('bounds a page that never answers by the fetch timeout', async () => {
    const checked = await checkSuggestion(planet.db, config, input(blog.url('/stall')));
    expect(checked).toMatchObject({ kind: 'invalid', field: 'url', reason: 'fetch: timed out after 2 s' });
  });

  it(`tries at most ${SUGGEST_MAX_PROBES} addresses to find the feed`, async () => {
    const before = blog.requestCount;
    const checked = await checkSuggestion(planet.db, config, input(blog.url('/many')));
    expect(checked).toMatchObject({ kind: 'invalid', reason: `discovery: no feed found in the ${SUGGEST_MAX_PROBES} addresses tried (at most ${SUGGEST_MAX_PROBES}); give the feed's own URL` });
    expect(blog.requestCount - before).toBe(SUGGEST_MAX_PROBES);
  });

  it.each([
    ['no address', { url: ' ', name: 'Ada', note: '' }, 'url', /give the address of the blog/],
    ['no name', { url: 'https://x.example/', name: '  ', note: '' }, 'name', /give your name/],
    ['a name too long', { url: 'https://x.example/', name: 'A'.repeat(101), note: '' }, 'name', /at most 100 characters/],
    ['a control character in the name', { url: 'https://x.example/', name: 'Ada\u0007', note: '' }, 'name', /control character/],
    ['a note too long', { url: 'https://x.example/', name: 'Ada', note: 'x'.repeat(1001) }, 'note', /at most 1000 characters/],
    ['not a web address', { url: 'javascript:alert(1)', name: 'Ada', note: '' }, 'url', /unsupported scheme "javascript"/],
  ])('refuses %s with the field', async (_name, raw, field, reason) => {
    const checked = await checkSuggestion(planet.db, config, raw);
    expect(checked).toMatchObject({ kind: 'invalid', field });
    if (checked.kind === 'invalid') expect(checked.reason).toMatch(reason);
  });

  it('refuses a blog already on the planet, and one already waiting', async () => {
    insertFeed(planet.db, { url: blog.url('/blog/feed.xml'), name: 'Ada' });
    expect(await checkSuggestion(planet.db, config, input(blog.url('/')))).toMatchObject({ error: 'already subscribed', reason: 'this blog is already on the planet, as "Ada"' });
    planet.db.prepare('DELETE FROM feeds').run();
    expect((await queueSuggestion(planet.db, config, input(blog.url('/')), '192.0.2.1')).kind).toBe('ok');
    expect(await checkSuggestion(planet.db, config, input(blog.url('/blog/feed.xml')))).toMatchObject({ error: 'already suggested' });
  });
});

describe('the queue and the decisions', () => {
  it('approval subscribes the feed with the suggested name, from a suggestion, audited', async () => {
    const queued = await queueSuggestion(planet.db, config, input(blog.url('/')), '192.0.2.1');
    if (queued.kind !== 'ok') throw new Error(queued.reason);
    expect(queued.suggestion).toMatchObject({ status: 'pending', url: blog.url('/'), feedUrl: blog.url('/blog/feed.xml'), name: 'Ada Lovelace', note: 'My workshop blog.', client: '192.0.2.1' });
    const approved = approveSuggestion(planet.db, config, ADMIN, queued.suggestion.id);
    if (approved.kind !== 'ok') throw new Error(JSON.stringify(approved));
    expect(approved.suggestion).toMatchObject({ status: 'approved', decidedBy: 'alice' });
    expect(getFeed(planet.db, approved.suggestion.feedId!)).toMatchObject({ url: blog.url('/blog/feed.xml'), name: 'Ada Lovelace' });
    const audit = planet.db.prepare('SELECT action, summary, detail FROM audit_log ORDER BY id').all() as { action: string; summary: string; detail: string }[];
    expect(audit.map((a) => a.action)).toEqual(['feed.add', 'suggestion.approve']);
    expect(JSON.parse(audit[0]!.detail)).toMatchObject({ name: 'Ada Lovelace', source: 'suggestion' });
    expect(audit[1]!.summary).toBe(`approved suggestion #${queued.suggestion.id} by "Ada Lovelace": subscribed #${approved.suggestion.feedId} <${blog.url('/blog/feed.xml')}>`);
    // Decided once: a second decision is refused, nothing else written.
    expect(approveSuggestion(planet.db, config, ADMIN, queued.suggestion.id)).toMatchObject({ kind: 'decided' });
    expect(rejectSuggestion(planet.db, ADMIN, queued.suggestion.id, 'no')).toMatchObject({ kind: 'decided' });
    expect((planet.db.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n).toBe(2);
  });

  it('rejection keeps the suggestion with the reason, audited, and subscribes nothing', async () => {
    const queued = await queueSuggestion(planet.db, config, input(blog.url('/')), null);
    if (queued.kind !== 'ok') throw new Error(queued.reason);
    const rejected = rejectSuggestion(planet.db, ADMIN, queued.suggestion.id, '  Not about our community.  ');
    expect(rejected).toMatchObject({ kind: 'ok', suggestion: { status: 'rejected', reason: 'Not about our community.' } });
    expect((planet.db.prepare('SELECT count(*) AS n FROM feeds').get() as { n: number }).n).toBe(0);
    expect((planet.db.prepare("SELECT summary FROM audit_log WHERE action = 'suggestion.reject'").get() as { summary: string }).summary).toBe(
      `rejected suggestion #${queued.suggestion.id} by "Ada Lovelace" <${blog.url('/blog/feed.xml')}>: Not about our community.`,
    );
    expect(approveSuggestion(planet.db, config, ADMIN, 999)).toEqual({ kind: 'not_found' });
  });
});

describe('planet suggestions', () => {
  it('lists (--json, the contract\'s keys), approves and rejects', async () => {
    const configPath = path.join(planet.dir, 'planet.yaml');
    writeFileSync(configPath, `database: ${planet.dbPath}\nfetch:\n  allow_private_addresses: true\nsuggestions:\n  enabled: true\n`);
    const run = async (...argv: string[]) => {
      let out = '';
      let err = '';
      const io: CliIo = { out: (t) => void (out += `${t}\n`), err: (t) => void (err += `${t}\n`), readStdin: async () => '', env: {} };
      return { code: await runCli([...argv, '--config', configPath], io), out, err };
    };
    const a = await queueSuggestion(planet.db, config, input(blog.url('/')), null);
    const b = await queueSuggestion(planet.db, config, { url: 'http://127.0.0.1:1/', name: 'x', note: '' }, null);
    expect(b.kind).toBe('invalid');
    if (a.kind !== 'ok') throw new Error('not queued');
    const list = await run('suggestions', 'list', '--json');
    expect(list.code).toBe(0);
    const rows = JSON.parse(list.out) as Record<string, unknown>[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: a.suggestion.id, url: blog.url('/'), feed_url: blog.url('/blog/feed.xml'), name: 'Ada Lovelace', note: 'My workshop blog.', status: 'pending', created: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect((await run('suggestions', 'list')).out).toMatch(/^ID\s+STATUS\s+CREATED\s+NAME\s+FEED\s+NOTE\n\s*1\s+pending\s+/);

    const approved = await run('suggestions', 'approve', String(a.suggestion.id));
    expect(approved).toMatchObject({ code: 0, out: expect.stringMatching(/^approved #1: subscribed #1 http:\/\/127\.0\.0\.1:\d+\/blog\/feed\.xml as "Ada Lovelace"/) });
    expect(await run('suggestions', 'reject', '1', '--reason', 'late')).toMatchObject({ code: 1, err: 'planet suggestions reject: suggestion #1 was already approved\n' });
    expect(await run('suggestions', 'approve', '7')).toMatchObject({ code: 1, err: 'planet suggestions approve: no suggestion #7 (see planet suggestions list)\n' });
    expect((await run('suggestions', 'approve', 'x')).code).toBe(2);
    expect(JSON.parse((await run('feeds', 'list', '--json')).out)[0]).toMatchObject({ name: 'Ada Lovelace' });
  });
});



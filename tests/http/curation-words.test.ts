// The words curation brought in, in the planet's language: the admin's queue of suggested blogs, a
// feed's filter editor with its preview and notices, and a post's enclosure line ("MP3-Audio, 25 MB"),
// rendered by the real server for a German planet (and the enclosure line in Japanese and French):
// each says its translated words and none of the English ones it used to.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWords } from '../../src/i18n/words.js';
import { enclosureViews } from '../../src/render/enclosures.js';
import { queueSuggestion } from '../../src/subscriptions/suggestions.js';
import { serveFeed, startFeedServer, type FeedServer } from '../helpers/feed-server.js';
import { createAdmin, createToken, login, startAdminTestPlanet, startBlog, type Session, type TestPlanet } from '../helpers/admin.js';

const FEEDS = fileURLToPath(new URL('../fixtures/feeds/', import.meta.url));

let blog: FeedServer;
let pod: FeedServer;
let planet: TestPlanet;
let admin: Session;
let token: string;

beforeAll(async () => {
  blog = await startBlog();
  pod = await startFeedServer({ '/pod.xml': serveFeed(readFileSync(FEEDS + 'rss-enclosures.xml'), { contentType: 'application/rss+xml' }) });
  planet = await startAdminTestPlanet({ planet: { language: 'de', timezone: 'Europe/Berlin' }, suggestions: { enabled: true } });
  await createAdmin(planet.db);
  admin = await login(planet.app, planet.db);
  token = createToken(planet.db);
});
afterAll(async () => {
  await planet.close();
  await blog.close();
  await pod.close();
});

const api = (method: 'POST', url: string, body?: unknown) =>
  planet.app.inject({ method, url, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: JSON.stringify(body ?? {}) });

/** What a reader sees of a page: its text without tags, scripts and the attributes' values. */
const textOf = (html: string) => html.replace(/<(script|style)[\s\S]*?<\/\1>/g, ' ').replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ');

/** English the suggestion queue, the filter editor and the enclosure line said before their words were in the catalogs. */
const ENGLISH = [
  'Suggested blogs', 'Waiting', 'No suggestion is waiting', 'suggested', 'The check read', 'Approve', 'subscribe as', 'Reason for rejecting', 'Reject',
  'Decided', 'Decision', 'approved by', 'the feed', 'Approved:', 'already approved',
  'Filter rules', 'One rule per line', 'whole words', 'Planet-wide', 'Include:', 'Exclude:', 'Preview', 'Save', 'shown', 'hidden', 'not saved',
  'Would be', 'Because of', 'no rule hides it', "this feed's rule", 're-applied', 'stored posts', 'choose',
  'MP3 audio', 'PDF document', 'video', 'bytes',
];
const english = (html: string) => ENGLISH.filter((w) => textOf(html).includes(w));

describe('a German planet', () => {
  it("the suggestion queue: waiting, approved, decided, and a second decision refused, all in German", async () => {
    const queued = await queueSuggestion(planet.db, planet.config, { url: blog.url('/'), name: 'Ada Lovelace', note: 'Lötet gern.' }, null);
    expect(queued.kind).toBe('ok');
    const queue = await admin.get('/admin/suggestions');
    expect(queue.statusCode).toBe(200);
    expect(queue.body).toContain('<h1>Vorgeschlagene Blogs</h1>');
    expect(queue.body).toContain('<h2>Offen (1)</h2>');
    expect(queue.body).toContain('Geprüft: „Ada&#39;s Workshop“, rss mit 3 Beiträgen.');
    expect(queue.body).toContain('Annehmen: als „Ada Lovelace“ abonnieren');
    expect(queue.body).toContain('Grund der Ablehnung (wird beim Vorschlag gespeichert)');
    expect(queue.body).toMatch(/<span class="muted">vorgeschlagen <time datetime="[^"]+" title="[^"]+">[^<]+<\/time><\/span>/);
    expect(english(queue.body)).toEqual([]);

    expect((await admin.post('/admin/suggestions/1/approve')).headers.location).toBe('/admin/suggestions?notice=approved');
    const after = await admin.get('/admin/suggestions?notice=approved');
    expect(after.body).toContain('Angenommen: Das Blog ist abonniert und wird beim nächsten Abruf gelesen.');
    expect(after.body).toContain('Es wartet kein Vorschlag.');
    expect(after.body).toMatch(/angenommen von alice <time [^>]+>[^<]+<\/time> · <a href="\/admin\/feeds\/1">zum Feed<\/a>/);
    expect(english(after.body)).toEqual([]);

    const again = await admin.post('/admin/suggestions/1/reject', { reason: 'zu spät' });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('Vorschlag #1 wurde bereits angenommen');
    expect(english(again.body)).toEqual([]);
  });

  it('the filter editor: its help, a preview, a refused action and the saved notice, all in German', async () => {
    expect((await api('POST', '/api/feeds/1/refresh')).json()).toMatchObject({ outcome: 'ok', entries_new: 3 });
    const page = await admin.get('/admin/feeds/1');
    expect(page.body).toContain('<h2 id="filters">Filterregeln</h2>');
    expect(page.body).toContain('Eine Regel pro Zeile: <code>category:NAME</code>, <code>author:NAME</code>');
    expect(page.body).toContain('<label for="exclude">Ausschließen: Beiträge ausblenden, die eine dieser Regeln treffen</label>');
    expect(english(page.body)).toEqual([]);

    const preview = await admin.post('/admin/feeds/1/filters', { include: '', exclude: 'text:cheap watches', action: 'preview' });
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain('<h3>Vorschau: 2 angezeigt, 1 ausgeblendet (nicht gespeichert)</h3>');
    expect(preview.body).toContain('<th>Wäre</th><th>Beitrag</th><th>Wegen</th>');
    expect(preview.body).toContain('<span class="muted">(Regel dieses Feeds)</span>');
    expect(preview.body).toContain('<span class="muted">keine Regel blendet ihn aus</span>');
    expect(english(preview.body.replace(/<textarea[\s\S]*?<\/textarea>|<code>[^<]*<\/code>|<td>[^<]*(post|Post)[^<]*<\/td>/g, ''))).toEqual([]);

    const refused = await admin.post('/admin/feeds/1/filters', { include: '', exclude: '', action: 'delete' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('wählen Sie „Vorschau“ oder „Speichern“');

    const saved = await admin.post('/admin/feeds/1/filters', { include: '', exclude: 'text:cheap watches', action: 'save' });
    expect(saved.statusCode).toBe(200);
    expect(saved.body).toContain('Filterregeln gespeichert und erneut angewendet auf 3 gespeicherte Beiträge: 1 durch eine Regel ausgeblendet, 1 geändert.');
  });

  it('a post’s enclosures: type and size in German words', async () => {
    const added = await api('POST', '/api/feeds', { url: pod.url('/pod.xml') });
    expect(added.statusCode, added.body).toBe(201);
    const id = (added.json() as { id: number }).id;
    expect((await api('POST', `/api/feeds/${id}/refresh`)).json()).toMatchObject({ outcome: 'ok' });
    const html = (await planet.app.inject({ method: 'GET', url: `/feed/${id}` })).body;
    expect(html).toContain('<a href="https://pod.example.net/ep1.mp3" rel="nofollow noopener noreferrer">Episode one audio</a> <span class="details">(MP3-Audio, 25 MB)</span>');
    expect(html).toContain('<span class="details">(PDF-Dokument, 51 kB)</span>');
    const details = [...html.matchAll(/<span class="details">\(([^)]*)\)<\/span>/g)].map((m) => m[1]!);
    expect(details.length).toBeGreaterThan(1);
    expect(details.filter((d) => /audio|video|document|file|bytes/.test(d))).toEqual([]);
  });
});

describe('an enclosure line in other languages', () => {
  const files = [
    { url: 'https://pod.example.net/ep1.mp3', type: 'audio/mpeg', length: 24986239, title: null },
    { url: 'https://pod.example.net/talk.webm', type: 'video/webm', length: 7340032, title: null },
    { url: 'https://pod.example.net/slides.key', type: null, length: 999, title: null },
  ];
  it.each([
    ['ja', ['MP3 音声、25 MB', 'WebM 動画、7.3 MB', 'KEY ファイル、999 バイト']],
    // French (CLDR) puts a no-break space between a number and its unit: narrow before a symbol, full before a word.
    ['fr', ['audio MP3, 25\u202fMo', 'vidéo WebM, 7,3\u202fMo', 'fichier KEY, 999\u00a0octets']],
    ['de', ['MP3-Audio, 25 MB', 'WebM-Video, 7,3 MB', 'KEY-Datei, 999 Byte']],
    ['en', ['MP3 audio, 25 MB', 'WebM video, 7.3 MB', 'KEY file, 999 bytes']],
  ])('%s', (language, expected) => {
    expect(enclosureViews(files, createWords(language, 'UTC')).map((v) => v.details)).toEqual(expected);
  });
});

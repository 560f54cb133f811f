// `planet build` writes exactly the bytes the server answers, at paths a static server can map.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { build, fileForPath } from '../../src/commands/build.js';
import type { CliIo } from '../../src/commands/common.js';
import { buildServer } from '../../src/http/app.js';
import { stringify } from 'yaml';
import { createTestPlanet, NOW, seedSmallPlanet, type TestPlanet } from '../helpers/reader-fixtures.js';

let planet: TestPlanet;
let out: string;
let configPath: string;
const lines: string[] = [];
const io: CliIo = { out: (t) => void lines.push(t), err: (t) => void lines.push(t), readStdin: async () => '', env: {} };

/** A link to a page only `planet serve` answers (/why, /suggest), with what wraps it on the page. */
const LIVE_LINK = /href="[^"]*(?:why|suggest)[^"]*"/;
const withoutLiveLinks = (html: string) =>
  html.replace(/ *<p class="site-links">.*?<\/p>\n?/g, '').replace(/ <a href="[^"]*why\?url=[^"]*">[^<]*<\/a>/g, '');

function walk(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? walk(full, `${prefix}${name}/`) : [`${prefix}${name}`];
  });
}

beforeAll(async () => {
  planet = createTestPlanet({ page: { items_per_page: 2 } });
  seedSmallPlanet(planet.db);
  configPath = path.join(planet.dir, 'planet.yaml');
  writeFileSync(configPath, stringify({ ...planet.config, feeds: [] }));
  out = path.join(mkdtempSync(path.join(tmpdir(), 'planet-build-')), 'site');
  vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
  expect(await build(['--out', out, '--config', configPath], io)).toBe(0);
  vi.useRealTimers();
});
afterAll(() => {
  planet.cleanup();
  rmSync(path.dirname(out), { recursive: true, force: true });
});

describe('planet build', () => {
  it('writes every page, feed, OPML and asset', () => {
    expect(walk(out).sort()).toEqual(
      [
        '404.html', 'assets/favicon.ico', 'assets/favicon.svg', 'assets/planet.css', 'assets/planet.js', 'atom.xml', 'favicon.ico', 'robots.txt', 'feed.json', 'feed/1.html', 'feed/1/page/2.html', 'feed/2.html',
        'feed/3.html', 'index.html', 'opml.xml', 'page/2.html', 'page/3.html', 'rss.xml', 'search.html', 'tag/linux.html',
        'tag/linux/atom.xml', 'tag/linux/feed.json', 'tag/linux/page/2.html', 'tag/linux/rss.xml',
      ].sort(),
    );
    expect(lines.join('\n')).toMatch(/build: wrote 24 files/);
  });

  it('is byte-identical to what the server serves for the same data and time, but for links to live-only pages', async () => {
    const app = await buildServer({ db: planet.db, config: planet.config, now: () => NOW });
    const files = walk(out).filter((f) => f !== '404.html' && f !== 'search.html');
    let pages = 0;
    for (const file of files) {
      const sitePath = file === 'index.html' ? '/' : `/${file.replace(/\.html$/, '')}`;
      expect(fileForPath(sitePath)).toBe(file);
      const res = await app.inject(sitePath);
      expect(res.statusCode, sitePath).toBe(200);
      const written = readFileSync(path.join(out, file));
      if (!file.endsWith('.html')) {
        expect(res.rawPayload.equals(written), sitePath).toBe(true);
        continue;
      }
      // A static copy cannot answer /why (nor /suggest): the server links to it, the copy does not.
      pages++;
      expect(res.body, sitePath).toMatch(LIVE_LINK);
      expect(written.toString('utf8'), sitePath).not.toMatch(LIVE_LINK);
      expect(withoutLiveLinks(res.body), sitePath).toBe(written.toString('utf8'));
    }
    expect(pages).toBeGreaterThan(5);
    expect(withoutLiveLinks((await app.inject('/search')).body)).toBe(readFileSync(path.join(out, 'search.html'), 'utf8'));
    await app.close();
  });

  it('links relatively, so the copy works from any sub-path', () => {
    const page2 = readFileSync(path.join(out, 'tag/linux/page/2.html'), 'utf8');
    expect(page2).toContain('href="../../../assets/planet.css?v=');
    expect(page2).toContain('<a rel="prev" href="../../../tag/linux">');
    const hrefs = [...readFileSync(path.join(out, 'index.html'), 'utf8').matchAll(/(?:href|src|action)="([^"]+)"/g)].map((m) => m[1]!);
    // No root-relative link anywhere: it would escape the sub-path.
    expect(hrefs.filter((h) => h.startsWith('/'))).toEqual([]);
    for (const h of hrefs.filter((h) => !/^(https?:|data:|#)/.test(h))) {
      const target = new URL(h, 'https://cdn.example/sub/dir/').pathname.replace(/^\/sub\/dir\//, '');
      const file = target === '' ? 'index.html' : fileForPath(`/${target}`);
      expect(walk(out), h).toContain(file);
    }
  });

  it('replaces a previous build in one step', async () => {
    writeFileSync(path.join(out, 'stale.html'), 'old');
    expect(await build(['--out', out, '--config', configPath], io)).toBe(0);
    expect(walk(out)).not.toContain('stale.html');
  });

  it('needs --out', async () => {
    await expect(build(['--config', configPath], io)).rejects.toThrow(/--out DIR is required/);
  });
});

describe('planet build in the planet’s language', () => {
  it('writes the same bytes as the server in German, and warns of a language without a catalog', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'planet-build-lang-'));
    try {
      for (const language of ['de', 'nl']) {
        const config = { ...planet.config, planet: { ...planet.config.planet, language }, feeds: [] };
        const file = path.join(dir, `${language}.yaml`);
        writeFileSync(file, stringify(config));
        const said: string[] = [];
        const site = path.join(dir, language);
        vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
        expect(await build(['--out', site, '--config', file], { ...io, err: (t) => void said.push(t) })).toBe(0);
        vi.useRealTimers();
        const app = await buildServer({ db: planet.db, config: { ...planet.config, planet: { ...planet.config.planet, language } }, now: () => NOW });
        const served = await app.inject('/');
        await app.close();
        expect(readFileSync(path.join(site, 'index.html'), 'utf8')).toBe(withoutLiveLinks(served.body));
        if (language === 'de') {
          expect(served.body).toContain('<html lang="de"');
          expect(served.body).toContain('Neueste Beiträge');
          expect(said.join('\n')).not.toContain('warning');
        } else {
          expect(served.body).toContain('<html lang="en"');
          expect(said.join('\n')).toContain('planet build: warning: i18n: planet.language "nl" has no message catalog (there are de, en, es, fr, ja, pt)');
        }
      }
    } finally {
      vi.useRealTimers();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// End to end, for everyone: the showcase planet (tests/helpers/showcase-planet.ts: the built
// `planet serve` after a real fetch) in Debian's headless Chromium. Every reader and admin page has
// no axe-core violation (WCAG 2.1 AA and best practices) in light and dark, is no wider than a
// 320, 390 or 768 px viewport, and shows a focus ring on every link and control reached by Tab;
// the optional script shows times in the reader's zone and moves between posts with j / k; the
// page is complete without it. One browser, one login, each page loaded once per viewport.
import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.js';
import { SEARCH_QUERY, SHOWCASE_ADMIN, startShowcase, type Showcase } from '../helpers/showcase-planet.js';

let showcase: Showcase;
let browser: Browser;
/** The admin's logged-in session, shared by every admin page check. */
let adminState: Awaited<ReturnType<BrowserContext['storageState']>>;

const readerPages = () => ['/', '/page/2', `/search?q=${encodeURIComponent(SEARCH_QUERY)}`, '/search?q=', `/feed/${showcase.feeds.ada}`, `/feed/${showcase.feeds.grace}`, `/tag/${showcase.tag}`, '/no/such/page', '/why', `/why?url=${encodeURIComponent(`${showcase.feedServer.origin}/ada.xml`)}`, '/suggest'];
const adminPages = () => ['/admin', '/admin?show=broken', `/admin/feeds/${showcase.feeds.grace}`, `/admin/feeds/${showcase.feeds.broken}`, '/admin/opml', '/admin/lists', '/admin/audit', '/admin/suggestions'];

beforeAll(async () => {
  showcase = await startShowcase();
  browser = await launchChromium();
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${showcase.url}/admin/login`);
  await page.fill('#username', SHOWCASE_ADMIN.username);
  await page.fill('#password', SHOWCASE_ADMIN.password);
  await Promise.all([page.waitForURL((u) => u.pathname === '/admin'), page.click('main button[type=submit]')]);
  adminState = await context.storageState();
  await context.close();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await showcase?.close();
});

async function withPage<T>(options: { width?: number; colorScheme?: 'light' | 'dark'; admin?: boolean; javaScriptEnabled?: boolean; timezoneId?: string }, fn: (page: Page) => Promise<T>): Promise<T> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: 900 },
    colorScheme: options.colorScheme ?? 'light',
    javaScriptEnabled: options.javaScriptEnabled ?? true,
    timezoneId: options.timezoneId ?? 'Europe/Berlin',
    storageState: options.admin ? adminState : undefined,
  });
  try {
    return await fn(await context.newPage());
  } finally {
    await context.close();
  }
}

/** The add-feed page after a preview of a blog home page that advertises two feeds. */
async function openAddPreview(page: Page) {
  await page.goto(`${showcase.url}/admin/feeds/new`);
  await page.fill('#url', `${showcase.feedServer.origin}/workshop/`);
  await Promise.all([page.waitForURL((u) => u.pathname === '/admin/feeds/preview'), page.click('main form[action="/admin/feeds/preview"] button[type=submit]')]);
}

const violationsOf = async (page: Page) =>
  (await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze()).violations.map(
    (v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`,
  );

describe('accessibility (axe-core, WCAG 2.1 AA and best practices)', () => {
  for (const colorScheme of ['light', 'dark'] as const) {
    it(`finds nothing on any reader page, ${colorScheme}`, { timeout: 120_000 }, async () => {
      await withPage({ colorScheme }, async (page) => {
        const found: Record<string, string[]> = {};
        for (const p of readerPages()) {
          await page.goto(showcase.url + p);
          // Folded posts open too: what a reader reads after "Read more" is checked as well.
          await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
          const v = await violationsOf(page);
          if (v.length) found[p] = v;
        }
        expect(found).toEqual({});
      });
    });

    it(`finds nothing on any admin page, ${colorScheme}`, { timeout: 120_000 }, async () => {
      const found: Record<string, string[]> = {};
      await withPage({ colorScheme }, async (page) => {
        await page.goto(`${showcase.url}/admin/login`);
        const v = await violationsOf(page);
        if (v.length) found['/admin/login'] = v;
      });
      await withPage({ colorScheme, admin: true }, async (page) => {
        for (const p of adminPages()) {
          await page.goto(showcase.url + p);
          const v = await violationsOf(page);
          if (v.length) found[p] = v;
        }
        await openAddPreview(page);
        const v = await violationsOf(page);
        if (v.length) found['/admin/feeds/preview'] = v;
      });
      expect(found).toEqual({});
    });
  }
});

describe('phones and tablets', () => {
  it('has no page wider than the viewport at 320, 390 and 768 px', { timeout: 180_000 }, async () => {
    const tooWide: string[] = [];
    for (const width of [320, 390, 768]) {
      const measure = async (page: Page, p: string) => {
        const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
        if (scrollWidth > width) tooWide.push(`${p} at ${width} px: ${scrollWidth} px`);
      };
      await withPage({ width }, async (page) => {
        for (const p of [...readerPages(), '/admin/login']) {
          await page.goto(showcase.url + p);
          await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
          await measure(page, p);
        }
      });
      await withPage({ width, admin: true }, async (page) => {
        for (const p of adminPages()) {
          await page.goto(showcase.url + p);
          await measure(page, p);
        }
        await openAddPreview(page);
        await measure(page, '/admin/feeds/preview');
      });
    }
    expect(tooWide).toEqual([]);
  });

  it('keeps an ISO-looking date and an "inactive" badge on one line', async () => {
    await withPage({ width: 320 }, async (page) => {
      await page.goto(showcase.url);
      // Each badge sits on the line of the link before it (a no-break space, white-space: nowrap).
      const badges = await page.$$eval('.subscriptions .status', (els) =>
        els.map((el) => {
          const r = el.getBoundingClientRect();
          const prev = (el.previousElementSibling as HTMLElement).getBoundingClientRect();
          return { lines: Math.round(r.height / parseFloat(getComputedStyle(el).lineHeight || '20')), sameLine: Math.abs(prev.bottom - r.bottom) < 4 };
        }),
      );
      expect(badges.length).toBeGreaterThanOrEqual(2);
      for (const b of badges) expect(b).toEqual({ lines: 1, sameLine: true });
    });
  });
});

describe('keyboard', () => {
  /** Tabs through the whole page; returns the elements whose focus showed no ring (outline or box-shadow). */
  async function tabWithoutRing(page: Page, limit = 400): Promise<string[]> {
    const missing: string[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < limit; i++) {
      await page.keyboard.press('Tab');
      const info = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return null;
        const s = getComputedStyle(el);
        const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || (s.boxShadow !== 'none' && s.boxShadow !== '');
        const path = [];
        for (let n: Element | null = el; n && n !== document.body; n = n.parentElement) path.unshift(n.tagName.toLowerCase() + (n.id ? `#${n.id}` : ''));
        return { key: `${path.join('>')}|${el.textContent?.trim().slice(0, 30)}|${el.getAttribute('href') ?? ''}`, ring };
      });
      if (!info || seen.has(info.key)) break;
      seen.add(info.key);
      if (!info.ring) missing.push(info.key);
    }
    expect(seen.size).toBeGreaterThan(5);
    return missing;
  }

  it('shows a focus ring on every link and control of a reader page and the admin pages', { timeout: 180_000 }, async () => {
    const missing: Record<string, string[]> = {};
    await withPage({}, async (page) => {
      for (const p of ['/', `/search?q=${encodeURIComponent(SEARCH_QUERY)}`]) {
        await page.goto(showcase.url + p);
        const m = await tabWithoutRing(page);
        if (m.length) missing[p] = m;
      }
    });
    await withPage({ admin: true, colorScheme: 'dark' }, async (page) => {
      for (const p of ['/admin', `/admin/feeds/${showcase.feeds.grace}`]) {
        await page.goto(showcase.url + p);
        const m = await tabWithoutRing(page);
        if (m.length) missing[p] = m;
      }
      await openAddPreview(page);
      const m = await tabWithoutRing(page);
      if (m.length) missing['/admin/feeds/preview'] = m;
    });
    expect(missing).toEqual({});
  });

  it('reaches a scrolling code block by keyboard', async () => {
    await withPage({ width: 390 }, async (page) => {
      await page.goto(`${showcase.url}/feed/${showcase.feeds.ada}`);
      const pre = page.locator('article pre').first();
      expect(await pre.getAttribute('tabindex')).toBe('0');
      expect(await pre.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
      await pre.focus();
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('End');
      // Chromium scrolls by keyboard smoothly: the block moves over the next frames, not at once.
      await pre.evaluate((el) => new Promise((resolve) => {
        const until = performance.now() + 2000;
        const check = () => (el.scrollLeft > 0 || performance.now() > until ? resolve(undefined) : requestAnimationFrame(check));
        check();
      }));
      expect(await pre.evaluate((el) => el.scrollLeft)).toBeGreaterThan(0);
    });
  });

  it('moves to the next and previous post with j and k, visibly, but not while typing', async () => {
    await withPage({}, async (page) => {
      await page.goto(showcase.url);
      expect(await page.isVisible('.site-footer .keys')).toBe(true);
      const focusedPost = () => page.evaluate(() => Array.from(document.querySelectorAll('article.entry')).indexOf(document.activeElement as Element));
      await page.keyboard.press('j');
      expect(await focusedPost()).toBe(0);
      await page.keyboard.press('j');
      await page.keyboard.press('j');
      expect(await focusedPost()).toBe(2);
      const ring = await page.evaluate(() => {
        const s = getComputedStyle(document.activeElement!);
        return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
      });
      expect(ring).toBe(true);
      // The post is scrolled to the top of the window.
      expect(await page.evaluate(() => Math.round(document.activeElement!.getBoundingClientRect().top))).toBeLessThan(40);
      await page.keyboard.press('k');
      expect(await focusedPost()).toBe(1);
      await page.focus('#q');
      await page.keyboard.type('jk');
      expect(await page.inputValue('#q')).toBe('jk');
      expect(await focusedPost()).toBe(-1);
    });
  });
});

describe('the optional script', () => {
  it('shows a post’s time in the reader’s zone, the planet’s in its title', async () => {
    const planetTime = await withPage({ javaScriptEnabled: false }, async (page) => {
      await page.goto(showcase.url);
      const t = page.locator('.entry-meta time').first();
      // Without the script the page is complete: every time says the planet's zone.
      expect(await t.textContent()).toMatch(/^\d{1,2}:\d\d CES?T$/);
      expect(await page.isVisible('.site-footer .keys')).toBe(false);
      return { text: await t.textContent(), iso: await t.getAttribute('datetime') };
    });
    await withPage({ timezoneId: 'America/New_York' }, async (page) => {
      await page.goto(showcase.url);
      const t = page.locator(`.entry-meta time[datetime="${planetTime.iso}"]`).first();
      const text = (await t.textContent())!;
      expect(text).toMatch(/GMT-[45]|E[SD]T/);
      expect(text).not.toBe(planetTime.text);
      expect(await t.getAttribute('title')).toContain(planetTime.text!);
    });
    // A reader in the planet's own zone sees the planet's times unchanged.
    await withPage({ timezoneId: 'Europe/Berlin' }, async (page) => {
      await page.goto(showcase.url);
      expect(await page.locator(`.entry-meta time[datetime="${planetTime.iso}"]`).first().textContent()).toBe(planetTime.text);
    });
  });
});

describe('faces and the admin UI', () => {
  it('crops a configured face that is not square into its fixed box', async () => {
    await withPage({}, async (page) => {
      await page.goto(`${showcase.url}/feed/${showcase.feeds.grace}`);
      const img = page.locator('.face img.photo').first();
      await img.evaluate((el: HTMLImageElement) => (el.complete ? null : new Promise((r) => el.addEventListener('load', r))));
      const box = await img.evaluate((el: HTMLImageElement) => ({ w: el.getBoundingClientRect().width, h: el.getBoundingClientRect().height, fit: getComputedStyle(el).objectFit, natural: el.naturalWidth / el.naturalHeight }));
      expect(box).toEqual({ w: 48, h: 48, fit: 'cover', natural: 2 });
    });
  });

  it('offers each advertised feed as a choice, previews the chosen one, and shows times in words', async () => {
    await withPage({ admin: true, width: 320 }, async (page) => {
      await openAddPreview(page);
      const choices = page.locator('#preview input[type=radio][name=feed_url]');
      expect(await choices.count()).toBe(2);
      await choices.nth(1).check();
      await Promise.all([page.waitForURL((u) => u.pathname === '/admin/feeds/preview'), page.click('#preview button[formaction="/admin/feeds/preview"]')]);
      expect(await page.locator('#preview input[type=radio][name=feed_url]:checked').getAttribute('value')).toBe(`${showcase.feedServer.origin}/workshop/atom.xml`);
      // Nothing of the preview is cut off: its box is as tall as its content.
      expect(await page.locator('#preview').evaluate((el) => el.scrollHeight <= el.clientHeight + 1 && el.scrollWidth <= el.clientWidth + 1)).toBe(true);
      await page.goto(`${showcase.url}/admin`);
      const when = page.locator('#feeds td time').first();
      expect(await when.textContent()).toMatch(/ago|just now|minute|hour/);
      expect(await when.getAttribute('title')).toMatch(/\d{4} at \d{1,2}:\d\d CES?T$/);
    });
  });
});

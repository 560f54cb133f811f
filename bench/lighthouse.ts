// `npm run lighthouse`: Lighthouse 12.2.3 (the newest that runs on Node 20) over Debian's chromium
// on the pages issue 12 names — /, /page/2, /search?q=…, /feed/ID, /tag/T and /admin/login — as a
// phone (Lighthouse's mobile emulation and throttling) and as a desktop, against the showcase planet
// (tests/helpers/showcase-planet.ts). Prints one row per page and form factor, and fails (exit 1)
// below the targets: accessibility, best practices and SEO 100 (SEO not on /admin pages, which are
// noindex on purpose), performance ≥ 95. Scores vary with the machine's load: run it alone, under
// `flock /tmp/planet-bench.lock`. RUNS=N takes the median of N runs per row (default 1); LH_REPORTS=DIR
// keeps each run's JSON report there;
// LH_PAGES=/,/search runs only those pages.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse, { desktopConfig } from 'lighthouse';
import { SEARCH_QUERY, startShowcase } from '../tests/helpers/showcase-planet.js';

const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'] as const;
type Category = (typeof CATEGORIES)[number];
const RUNS = Math.max(1, Number(process.env.RUNS ?? 1));

const showcase = await startShowcase({ language: process.env.PLANET_LANGUAGE ?? 'en' });
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
  chromeFlags: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
let failed = false;
try {
  const all = ['/', '/page/2', `/search?q=${encodeURIComponent(SEARCH_QUERY)}`, `/feed/${showcase.feeds.ada}`, `/tag/${showcase.tag}`, '/admin/login'];
  // LH_PAGES=/,/admin/login: only those (a page is named by its path before any "?").
  const only = process.env.LH_PAGES?.split(',');
  const pages = only ? all.filter((p) => only.includes(p.split('?')[0]!)) : all;
  console.log(`Lighthouse 12.2.3, ${RUNS} run(s) per row (median), Debian chromium, showcase planet at ${showcase.url}\n`);
  console.log('| page | form factor | performance | accessibility | best practices | SEO | below target |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const page of pages) {
    for (const formFactor of ['mobile', 'desktop'] as const) {
      const runs: Record<Category, number>[] = [];
      const problems = new Set<string>();
      for (let i = 0; i < RUNS; i++) {
        const result = await lighthouse(
          showcase.url + page,
          { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: [...CATEGORIES] },
          formFactor === 'desktop' ? desktopConfig : undefined,
        );
        if (!result) throw new Error(`lighthouse: no result for ${page}`);
        const { categories, audits, runtimeError } = result.lhr;
        if (runtimeError) problems.add(`runtime error ${runtimeError.code}`);
        if (process.env.LH_REPORTS) writeFileSync(path.join(process.env.LH_REPORTS, `${page.replace(/[^a-z0-9]+/gi, '_')}-${formFactor}-${i}.json`), result.report as string);
        runs.push(Object.fromEntries(CATEGORIES.map((c) => [c, Math.round((categories[c]?.score ?? 0) * 100)])) as Record<Category, number>);
        // What cost points, by audit id, for the row's last column.
        for (const c of CATEGORIES) {
          if (c === 'performance') continue;
          for (const ref of categories[c]?.auditRefs ?? []) {
            const audit = audits[ref.id];
            if (ref.weight > 0 && audit && audit.score !== null && audit.score < 1) problems.add(ref.id);
          }
        }
      }
      const median = (c: Category) => runs.map((r) => r[c]).sort((a, b) => a - b)[Math.floor(runs.length / 2)]!;
      const admin = page.startsWith('/admin');
      const below = CATEGORIES.filter((c) => (c === 'performance' ? median(c) < 95 : c === 'seo' && admin ? false : median(c) < 100));
      if (below.length) failed = true;
      if (admin) problems.delete('is-crawlable');
      const shown = page.startsWith('/search') ? '/search?q=…' : page;
      console.log(`| ${shown} | ${formFactor} | ${CATEGORIES.map((c) => (c === 'seo' && admin ? `${median(c)} (noindex)` : median(c))).join(' | ')} | ${[...below, ...problems].join(', ') || '—'} |`);
    }
  }
} finally {
  await chrome.kill();
  await showcase.close();
}
process.exit(failed ? 1 : 0);

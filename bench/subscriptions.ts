// Subscriptions benchmark: what it costs to recognise a feed already subscribed. N outlines
// imported (importOpml, as `planet opml import` does) into an empty planet, then the same N again
// under other spellings, every one "already present"; then a reading list of N outlines added
// (read and subscribed at once) and read again unchanged. No network: nothing is fetched.
// Baseline in the same run and process: the compiled build before aliases (BASELINE: a built
// checkout of an earlier version), whose duplicate check scanned every subscription for each outline.
// Figures are CPU time (user + system) of the call, which other load on the machine barely moves.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = path.resolve(import.meta.dirname, '..');

export interface SubscriptionsBenchOptions {
  outlines: number;
  rounds: number;
  log: (s: string) => void;
  baselineDir?: string;
}

interface Build {
  openDb(file: string): { close(): void; prepare(sql: string): { run(): unknown } };
  parseConfig(raw: unknown): unknown;
  importOpml(db: unknown, config: unknown, actor: unknown, text: string): { kind: string; added?: number; present?: number };
  addReadingList?(db: unknown, config: unknown, actor: unknown, input: unknown, options: unknown): Promise<{ kind: string }>;
  refreshReadingLists?(db: unknown, options: unknown): Promise<unknown[]>;
  fetchOptionsFromConfig(config: unknown): unknown;
}

/** A compiled build's modules; the first path that exists (the baseline predates the folder layout). */
async function loadBuild(root: string): Promise<Build | null> {
  const mod = async (...candidates: string[]) => {
    const found = candidates.map((p) => path.join(root, 'dist', p)).find((p) => existsSync(p));
    return found ? import(pathToFileURL(found).href) : undefined;
  };
  const [open, config, service, pass, lists] = await Promise.all([
    mod('db/open.js'),
    mod('config.js'),
    mod('subscriptions/service.js', 'admin/feed-admin.js'),
    mod('pass/run-pass.js', 'fetch-pass.js'),
    mod('subscriptions/reading-lists.js'),
  ]);
  if (!open || !config || !service || !pass) return null;
  return { openDb: open.openDb, parseConfig: config.parseConfig, importOpml: service.importOpml, fetchOptionsFromConfig: config.fetchOptionsFromConfig ?? pass.fetchOptionsFromConfig, ...lists };
}

const opml = (n: number, spell: (i: number) => string) =>
  `<?xml version="1.0"?><opml version="2.0"><head><title>bench</title></head><body>${Array.from({ length: n }, (_, i) => `<outline text="Blog ${i}" type="rss" xmlUrl="${spell(i)}"/>`).join('')}</body></opml>`;

/** CPU seconds (user + system) spent in `work`. */
async function cpu(work: () => unknown): Promise<number> {
  const before = process.cpuUsage();
  await work();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1e6;
}

export async function benchSubscriptions(o: SubscriptionsBenchOptions): Promise<void> {
  const baselineRoot = o.baselineDir ?? process.env.BASELINE;
  const builds: [string, Build | null][] = [
    ['this build', await loadBuild(ROOT)],
    ['baseline', baselineRoot ? await loadBuild(baselineRoot) : null],
  ];
  const dir = mkdtempSync(path.join(tmpdir(), 'planet-bench-subs-'));
  const actor = { username: 'bench', via: 'cli' };
  try {
    const first = opml(o.outlines, (i) => `https://blog${i}.example/feed.xml`);
    // The same feeds, spelled otherwise in ways the baseline recognised too (capitals, http, a fragment).
    const again = opml(o.outlines, (i) => `HTTP://BLOG${i}.EXAMPLE/feed.xml#top`);
    const listFile = path.join(dir, 'list.opml');
    writeFileSync(listFile, opml(o.outlines, (i) => `https://list${i}.example/feed.xml`));
    const totals = new Map<string, Record<string, number[]>>();
    for (let round = 0; round < o.rounds; round++) {
      for (const [name, build] of builds) {
        if (!build) continue;
        const r = totals.get(name) ?? {};
        const record = (k: string, v: number) => (r[k] = [...(r[k] ?? []), v]);
        const file = path.join(dir, `${name.replace(' ', '-')}-${round}.db`);
        const db = build.openDb(file);
        const config = build.parseConfig({ database: file });
        let report: { kind: string; added?: number; present?: number } = { kind: '' };
        record('import', await cpu(() => (report = build.importOpml(db, config, actor, first))));
        if (report.added !== o.outlines) throw new Error(`${name}: ${report.added} of ${o.outlines} added`);
        record('import again', await cpu(() => (report = build.importOpml(db, config, actor, again))));
        if (report.present !== o.outlines) throw new Error(`${name}: ${report.present} of ${o.outlines} recognised as present`);
        if (build.addReadingList && build.refreshReadingLists) {
          const fetch = build.fetchOptionsFromConfig(config);
          record('reading list: add and subscribe', await cpu(() => build.addReadingList!(db, config, actor, { url: listFile, tags: [] }, { fetch, allowFiles: true })));
          db.prepare('UPDATE reading_lists SET next_fetch_at = NULL, etag = NULL').run();
          record('reading list: read again, unchanged', await cpu(() => build.refreshReadingLists!(db, { fetch, concurrency: 8 })));
        }
        db.close();
        totals.set(name, r);
      }
    }
    const median = (xs: number[] | undefined) => (xs ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]! : undefined);
    const ours = totals.get('this build')!;
    const base = totals.get('baseline');
    o.log(`${o.outlines} outlines, median of ${o.rounds} rounds, CPU seconds`);
    o.log('| step | this build | baseline | ratio |');
    o.log('| --- | ---: | ---: | ---: |');
    for (const step of Object.keys(ours)) {
      const a = median(ours[step])!;
      const b = median(base?.[step]);
      o.log(`| ${step} | ${a.toFixed(3)} | ${b === undefined ? '—' : b.toFixed(3)} | ${b === undefined ? '' : `${(a / b).toFixed(3)}×`} |`);
    }
    if (!base) o.log(baselineRoot ? `(no baseline: ${baselineRoot}/dist not found)` : '(no baseline: set BASELINE to a built checkout of an earlier version)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Measures the OPML reader (docs/decisions/0014-opml-reader.md) against feedsmith's parseOpml,
// the library it replaced, in the same run: read time of generated lists, and how many copies
// of a real list with one piece of markup broken each one refuses (an import must be all or
// nothing). Run: npx tsx bench/opml.ts
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseOpml } from 'feedsmith';
import { readOpml } from '../src/subscriptions/opml-import.js';

const FIXTURE = fileURLToPath(new URL('../tests/fixtures/admin/subscriptions.opml', import.meta.url));

/** Whether a reader accepted the text (feedsmith throws on what it cannot read). */
const candidates: [string, (text: string) => boolean][] = [
  ['readOpml (htmlparser2 tokenizer)', (t) => readOpml(t).kind === 'ok'],
  ['feedsmith 3.0.1 parseOpml', (t) => {
    try {
      parseOpml(t);
      return true;
    } catch {
      return false;
    }
  }],
];

const list = (outlines: number) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0"><head><title>Big</title></head><body>\n${Array.from(
    { length: outlines },
    (_, i) => `<outline text="Folder ${i % 20}"><outline type="rss" text="Blog ${i} &amp; co" xmlUrl="https://b${i}.example/feed?a=1&amp;b=2" htmlUrl="https://b${i}.example/" category="c${i % 7}"/></outline>`,
  ).join('\n')}\n</body></opml>\n`;
const inputs: [string, string][] = [
  ['1 MiB list (the import limit)', list(6_000)],
  ['100 outlines', list(100)],
  ['100,000 nested outlines', `<opml version="2.0"><body>${'<outline text="x">'.repeat(100_000)}${'</outline>'.repeat(100_000)}</body></opml>`],
  ['one outline, 50,000 attributes', `<opml version="2.0"><body><outline ${Array.from({ length: 50_000 }, (_, i) => `a${i}="v"`).join(' ')} xmlUrl="https://x.example/f"/></body></opml>`],
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

for (const [label, text] of inputs) {
  const times = candidates.map(() => [] as number[]);
  // Alternate the candidates so a noisy moment hits both.
  for (let round = 0; round < 7; round++) {
    candidates.forEach(([, read], i) => {
      const t = performance.now();
      read(text);
      times[i]!.push(performance.now() - t);
    });
  }
  const [ours, theirs] = times.map(median) as [number, number];
  const [oursRead, theirsRead] = candidates.map(([, read]) => (read(text) ? 'read' : 'refused'));
  console.log(`${label} (${(text.length / 1024).toFixed(0)} KiB): readOpml ${ours.toFixed(1)} ms (${oursRead}), feedsmith ${theirs.toFixed(1)} ms (${theirsRead}), ratio ${(ours / theirs).toFixed(2)}`);
}

// One piece of markup broken at a time: each end tag, start tag, "<", ">" or quote removed, or
// the file cut before any "<" (the XML declaration left alone: its quotes carry no outline).
const fixture = readFileSync(FIXTURE, 'utf8');
const from = fixture.indexOf('<opml');
const broken: string[] = [];
for (const m of fixture.matchAll(/<\/[^>]+>|<[a-z][^>]*[^/]>|[<>"]/g)) if (m.index! >= from) broken.push(fixture.slice(0, m.index) + fixture.slice(m.index! + m[0].length));
for (const m of fixture.matchAll(/</g)) if (m.index! > from) broken.push(fixture.slice(0, m.index));
for (const [name, read] of candidates) {
  const refused = broken.filter((t) => !read(t)).length;
  console.log(`${name}: refuses ${refused} of ${broken.length} broken copies of subscriptions.opml`);
}

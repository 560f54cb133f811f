// Deterministic synthetic feeds for the tests and the benchmarks: RSS 2.0, Atom 1.0 and JSON
// Feed in turn, each entry a realistic 1–5 KB HTML body (paragraphs, links, an image, code, a list).
// Here, not in bench/, so tests never import the bench; the bench imports this.

/** Small seeded PRNG (mulberry32) so every run serves the same bytes. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = 'planet kernel release patch driver conference talk rust python debian package upstream maintainer build test memory scheduler network filesystem security update community meeting review design'.split(' ');

function sentence(r: () => number, n: number): string {
  return Array.from({ length: n }, () => WORDS[Math.floor(r() * WORDS.length)]).join(' ');
}

export function entryHtml(r: () => number, targetBytes: number): string {
  let html = '';
  let i = 0;
  while (html.length < targetBytes) {
    switch (i++ % 5) {
      case 0: html += `<p>${sentence(r, 30)} <a href="/post/${Math.floor(r() * 1e6)}">${sentence(r, 3)}</a> ${sentence(r, 20)}.</p>\n`; break;
      case 1: html += `<p><img src="images/${Math.floor(r() * 1e4)}.png" alt="${sentence(r, 3)}" width="640" height="480"> ${sentence(r, 25)}</p>\n`; break;
      case 2: html += `<pre><code>for (let i = 0; i &lt; ${Math.floor(r() * 100)}; i++) { run(i); }</code></pre>\n`; break;
      case 3: html += `<ul><li>${sentence(r, 6)}</li><li>${sentence(r, 8)}</li><li><em>${sentence(r, 4)}</em></li></ul>\n`; break;
      default: html += `<blockquote><p>${sentence(r, 18)}</p></blockquote>\n`;
    }
  }
  return html;
}

export interface GeneratedEntry {
  id: string;
  link: string;
  title: string;
  author?: string;
  date: Date;
  html: string;
}

/** Entries of feed `feedIndex`; `generation` changes a few bodies and adds a new post (soak). */
export function generateEntries(feedIndex: number, count: number, base: string, generation = 0): GeneratedEntry[] {
  const r = rng(feedIndex * 7919 + 1);
  const start = Date.UTC(2026, 0, 1) + feedIndex * 60_000;
  const entries: GeneratedEntry[] = [];
  for (let k = 0; k < count; k++) {
    const n = k + generation; // each generation shifts the window by one new post
    const size = 1000 + Math.floor(r() * 4000);
    entries.push({
      id: `${base}/posts/${n}`,
      link: `${base}/posts/${n}.html`,
      title: `Post ${n} of blog ${feedIndex}: ${sentence(r, 4)}`,
      author: `Author ${feedIndex}`,
      date: new Date(start + n * 3_600_000),
      html: entryHtml(r, size) + (generation && k % 5 === 0 ? `<p>edited in generation ${generation}</p>` : ''),
    });
  }
  return entries.reverse();
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const isUrl = (id: string) => /^https?:\/\//.test(id);

/** A feed document of `entries` in `format`; an RSS guid that is not a URL says isPermaLink="false". */
export function renderFeed(format: 'rss' | 'atom' | 'json', title: string, base: string, entries: GeneratedEntry[]): { body: string; type: string } {
  if (format === 'json') {
    return {
      type: 'application/feed+json',
      body: JSON.stringify({
        version: 'https://jsonfeed.org/version/1.1', title, home_page_url: `${base}/`,
        items: entries.map((e) => ({ id: e.id, url: e.link, title: e.title, content_html: e.html, date_published: e.date.toISOString(), ...(e.author !== undefined && { authors: [{ name: e.author }] }) })),
      }),
    };
  }
  if (format === 'atom') {
    return {
      type: 'application/atom+xml',
      body: `<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>${esc(title)}</title><link href="${base}/"/><id>${base}/</id><updated>${entries[0]?.date.toISOString()}</updated>\n${entries
        .map((e) => `<entry><id>${e.id}</id><title>${esc(e.title)}</title><link href="${e.link}"/>${e.author !== undefined ? `<author><name>${esc(e.author)}</name></author>` : ''}<published>${e.date.toISOString()}</published><updated>${e.date.toISOString()}</updated><content type="html">${esc(e.html)}</content></entry>`)
        .join('\n')}</feed>`,
    };
  }
  return {
    type: 'application/rss+xml',
    body: `<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>${esc(title)}</title><link>${base}/</link><description>bench</description>\n${entries
      .map((e) => `<item><guid${isUrl(e.id) ? '' : ' isPermaLink="false"'}>${e.id}</guid><title>${esc(e.title)}</title><link>${e.link}</link>${e.author !== undefined ? `<dc:creator>${esc(e.author)}</dc:creator>` : ''}<pubDate>${e.date.toUTCString()}</pubDate><description><![CDATA[${e.html}]]></description></item>`)
      .join('\n')}</channel></rss>`,
  };
}

export const FORMATS = ['rss', 'atom', 'json'] as const;

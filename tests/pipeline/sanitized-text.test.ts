// sanitizedHtmlToText and sanitizedHtmlToSearchText are regex shortcuts that are only valid on
// sanitizeContent's output: there, the first must agree with the parsing htmlToText, and the
// second must give the search index the words htmlToText's text gives it, for ordinary and
// hostile input alike.
import { afterEach, describe, expect, it } from 'vitest';
import { entryHtml, rng } from '../helpers/feed-gen.js';
import { tempPlanet, type TempPlanet } from '../helpers/temp-planet.js';
import { htmlToText, sanitizeContent, sanitizedHtmlToSearchText, sanitizedHtmlToText } from '../../src/pipeline/sanitize.js';

const hostile = [
  '<p title="a>b">x &gt; y</p>',
  '<a href="/x?a=1&b=2">link & <b>bold</b></a>',
  '<img alt="<script>" src="/a.png">after',
  '<p>"quoted" &amp;amp; &lt;tag&gt; &#60;numeric&#62; &nbsp;nbsp</p>',
  '<scr<script>ipt>alert(1)</script>text',
  '<svg><text>svg text</text></svg><math>m</math>kept',
  '<pre>  spaced\n\n  lines </pre><ul><li>one</li><li>two</li></ul>',
  '<table><tr><td>a</td><td>b</td></tr></table>',
  '<!-- comment --><p>after comment</p><![CDATA[ x ]]>',
  'plain text with\ttabs and 日本語 and emoji 🙂',
];

describe('sanitizedHtmlToText', () => {
  it.each(hostile)('agrees with htmlToText on sanitized %j', (input) => {
    const safe = sanitizeContent(input, 'https://blog.example/post');
    expect(sanitizedHtmlToText(safe)).toBe(htmlToText(safe));
  });

  it('agrees with htmlToText on 500 generated posts', () => {
    const r = rng(42);
    for (let i = 0; i < 500; i++) {
      const safe = sanitizeContent(entryHtml(r, 500 + Math.floor(r() * 3000)), 'https://blog.example/post');
      expect(sanitizedHtmlToText(safe)).toBe(htmlToText(safe));
    }
  });
});

describe('sanitizedHtmlToSearchText', () => {
  let planet: TempPlanet | undefined;
  afterEach(() => planet?.cleanup());

  /**
   * Indexes each post twice in the planet's own search table (its tokenizer), as htmlToText's text
   * and as sanitizedHtmlToSearchText's, and reads back every word the index holds for each:
   * where, and at which position.
   */
  function indexedWords(posts: string[]): { parsed: string[]; searchText: string[] } {
    planet = tempPlanet();
    const { db } = planet;
    const insert = db.prepare('INSERT INTO entries_search (rowid, title, author, body) VALUES (?, ?, ?, ?)');
    db.transaction(() => {
      posts.forEach((safe, i) => {
        insert.run(2 * i + 1, '', '', htmlToText(safe));
        insert.run(2 * i + 2, '', '', sanitizedHtmlToSearchText(safe));
      });
    })();
    db.exec('CREATE VIRTUAL TABLE temp.search_words USING fts5vocab(main, entries_search, instance)');
    const rows = db.prepare<[], { term: string; doc: number; col: string; offset: number }>('SELECT term, doc, col, offset FROM temp.search_words').all();
    const words = (odd: number) =>
      rows
        .filter((r) => r.doc % 2 === odd)
        .map((r) => `${Math.floor((r.doc - 1) / 2)} ${r.col} ${r.offset} ${r.term}`)
        .sort();
    return { parsed: words(1), searchText: words(0) };
  }

  it('gives the index the same words at the same positions as htmlToText, on hostile input', () => {
    const { parsed, searchText } = indexedWords(hostile.map((input) => sanitizeContent(input, 'https://blog.example/post')));
    expect(parsed.length).toBeGreaterThan(25);
    expect(searchText).toEqual(parsed);
  });

  it('gives the index the same words at the same positions as htmlToText, on 300 generated posts', () => {
    const r = rng(7);
    const posts = Array.from({ length: 300 }, () => sanitizeContent(entryHtml(r, 500 + Math.floor(r() * 3000)), 'https://blog.example/post'));
    const { parsed, searchText } = indexedWords(posts);
    expect(parsed.length).toBeGreaterThan(10_000);
    expect(searchText).toEqual(parsed);
  });

  it('leaves no markup and no entity in what it indexes, only the text between', () => {
    const safe = sanitizeContent('<p title="a>b">x &gt; y &amp; "z"</p><a href="/q?a=1&b=2">link</a>', 'https://blog.example/post');
    // Quotes in text are written as they are (sanitizeContent escapes them in attributes only).
    expect(sanitizedHtmlToSearchText(safe).split(/\s+/).filter(Boolean)).toEqual(['x', 'y', '"z"', 'link']);
  });
});

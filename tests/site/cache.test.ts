// The server's document cache: bounded by every representation's bytes, least recently used out
// first, the "updated N minutes ago" phrase spliced in as the minute changes.
import { describe, expect, it } from 'vitest';
import { createDocCache } from '../../src/site/cache.js';
import { encodedBody, HTML, makeDoc } from '../../src/site/doc.js';
import { AGO_PLACEHOLDER } from '../../src/render/pages.js';
import { createWords } from '../../src/i18n/words.js';

const ago = createWords('en', 'UTC').ago;

const MIN = 60_000;
const T0 = Date.UTC(2015, 0, 13, 18, 0);
/** A page as documents.ts renders it: the placeholder in its sidebar, after the posts. */
const page = (text: string, size = 0) => makeDoc(200, HTML, `<main>${text}${'x'.repeat(size)}</main><aside>Updated ${AGO_PLACEHOLDER}</aside>`, T0);

describe('document cache', () => {
  it('swaps in the phrase as minutes pass, keeping the bytes around it; a new hour or version is a miss', () => {
    const cache = createDocCache({ maxDocs: 10, maxBytes: 1 << 20 }, ago);
    const sent = cache.store('/', 1, T0 - 5 * MIN, T0, page('hello'));
    expect(sent.body.toString()).toBe('<main>hello</main><aside>Updated 5 minutes ago</aside>');
    expect(cache.lookup('/', 1, T0 - 5 * MIN, T0 + 10_000)).toBe(sent);
    const later = cache.lookup('/', 1, T0 - 5 * MIN, T0 + 2 * MIN)!;
    expect(later.body.toString()).toBe('<main>hello</main><aside>Updated 7 minutes ago</aside>');
    expect(later.etag).not.toBe(sent.etag);
    // Longer and shorter phrases splice at the same place.
    expect(cache.lookup('/', 1, T0 - 5 * MIN, T0 + 55 * MIN)!.body.toString()).toBe('<main>hello</main><aside>Updated 1 hour ago</aside>');
    expect(cache.lookup('/', 1, T0 - 5 * MIN, T0 + 58 * MIN)!.body.toString()).toBe('<main>hello</main><aside>Updated 1 hour ago</aside>');
    expect(cache.lookup('/', 1, T0 - 5 * MIN, T0 + 61 * MIN)).toBeUndefined();
    expect(cache.lookup('/', 2, T0 - 5 * MIN, T0 + MIN)).toBeUndefined();
  });

  it('makes the phrase once a second, and a hit in that second is the same document', () => {
    let made = 0;
    const counting = (then: number, now: number) => (made++, ago(then, now));
    const cache = createDocCache({ maxDocs: 10, maxBytes: 1 << 20 }, counting);
    cache.store('/', 1, T0 - 5 * MIN, T0, page('hello'));
    cache.store('/feeds', 1, T0 - 5 * MIN, T0 + 200, page('feeds'));
    expect(made).toBe(1);
    const first = cache.lookup('/', 1, T0 - 5 * MIN, T0 + 2 * MIN)!;
    for (let ms = 1; ms < 1000; ms += 37) expect(cache.lookup('/', 1, T0 - 5 * MIN, T0 + 2 * MIN + ms)).toBe(first);
    expect(cache.lookup('/feeds', 1, T0 - 5 * MIN, T0 + 2 * MIN + 999)!.body.toString()).toBe('<main>feeds</main><aside>Updated 7 minutes ago</aside>');
    expect(made).toBe(2);
    // The next second asks again; a new update time at once.
    expect(cache.lookup('/', 1, T0 - 5 * MIN, T0 + 2 * MIN + 1000)).toBe(first);
    expect(made).toBe(3);
    expect(cache.lookup('/', 1, T0 - MIN, T0 + 2 * MIN + 1000)!.body.toString()).toBe('<main>hello</main><aside>Updated 3 minutes ago</aside>');
    expect(made).toBe(4);
  });

  it('splices the phrase in the planet’s language', () => {
    const cache = createDocCache({ maxDocs: 10, maxBytes: 1 << 20 }, createWords('de', 'Europe/Berlin').ago);
    const sent = cache.store('/', 1, T0 - 5 * MIN, T0, page('hallo'));
    expect(sent.body.toString()).toBe('<main>hallo</main><aside>Updated vor 5 Minuten</aside>');
    expect(cache.lookup('/', 1, T0 - 5 * MIN, T0 + 3 * MIN)!.body.toString()).toBe('<main>hallo</main><aside>Updated vor 8 Minuten</aside>');
  });

  it('splices the sidebar’s phrase when a post quotes the placeholder', () => {
    const cache = createDocCache({ maxDocs: 10, maxBytes: 1 << 20 }, ago);
    const sent = cache.store('/', 1, T0 - MIN, T0, page(`quoting ${AGO_PLACEHOLDER}`));
    expect(sent.body.toString()).toBe(`<main>quoting ${AGO_PLACEHOLDER}</main><aside>Updated 1 minute ago</aside>`);
  });

  it('counts compressed forms in its byte bound and lets the least recently used go first', () => {
    const size = 40_000;
    const cache = createDocCache({ maxDocs: 100, maxBytes: 2 * size + 30_000 }, ago);
    const a = cache.store('/a', 1, T0, T0, page('a', size));
    cache.store('/b', 1, T0, T0, page('b', size));
    // Incompressible gzip/br of /a would not fit with three identity bodies; plain ones do.
    expect(cache.lookup('/a', 1, T0, T0)).toBe(a);
    cache.store('/c', 1, T0, T0, makeDoc(200, 'text/plain', 'c'.repeat(100), T0));
    expect(cache.lookup('/b', 1, T0, T0)).toBeDefined();
    a.gzip = Buffer.alloc(25_000);
    a.br = Buffer.alloc(25_000);
    cache.lookup('/b', 1, T0, T0);
    // Storing /d needs room: /a (least recently used, and 90 KB with its compressed forms) goes.
    cache.store('/d', 1, T0, T0, page('d', 10));
    expect(cache.lookup('/a', 1, T0, T0)).toBeUndefined();
    expect(cache.lookup('/b', 1, T0, T0)).toBeDefined();
    expect(cache.lookup('/c', 1, T0, T0)).toBeDefined();
    expect(cache.lookup('/d', 1, T0, T0)).toBeDefined();
    expect(encodedBody(cache.lookup('/d', 1, T0, T0)!, 'gzip').length).toBeGreaterThan(0);
  });

  it('keeps use order when hits repeat on the newest entry', () => {
    const cache = createDocCache({ maxDocs: 2, maxBytes: 1 << 20 }, ago);
    cache.store('/a', 1, T0, T0, page('a'));
    cache.store('/b', 1, T0, T0, page('b'));
    // /b is the newest: hits on it leave the order alone; a hit on /a makes /a the newest.
    cache.lookup('/b', 1, T0, T0);
    cache.lookup('/a', 1, T0, T0);
    cache.lookup('/a', 1, T0, T0);
    cache.store('/c', 1, T0, T0, page('c'));
    expect(cache.lookup('/b', 1, T0, T0)).toBeUndefined();
    expect(cache.lookup('/a', 1, T0, T0)).toBeDefined();
    // Now /a is newest again and /c the oldest: /c goes next.
    cache.store('/d', 1, T0, T0, page('d'));
    expect(cache.lookup('/c', 1, T0, T0)).toBeUndefined();
    expect(cache.lookup('/a', 1, T0, T0)).toBeDefined();
    expect(cache.lookup('/d', 1, T0, T0)).toBeDefined();
  });

  it('keeps nothing with maxDocs 0 (planet build)', () => {
    const cache = createDocCache({ maxDocs: 0, maxBytes: 1 << 20 }, ago);
    expect(cache.store('/', 1, T0, T0, page('x')).body.toString()).toContain('Updated just now');
    expect(cache.lookup('/', 1, T0, T0)).toBeUndefined();
  });
});

// Each post's own categories and language as the parser reads them (PRODUCT.md "Categories and
// languages"), one fixture per format and case (tests/fixtures/feeds/categories-*, language-*).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { NormalizedFeed } from '../../src/model.js';
import { decodeBody } from '../../src/pipeline/decode.js';
import { languageTag } from '../../src/pipeline/parse/entry.js';
import { parseFeed } from '../../src/pipeline/parse/index.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/feeds/', import.meta.url));

function feedOf(name: string): NormalizedFeed {
  const decoded = decodeBody(readFileSync(FIXTURES + name), null);
  if (decoded.kind !== 'ok') throw new Error(decoded.message);
  const result = parseFeed(decoded.text, 'https://feeds.example.net/feed');
  if (result.kind !== 'ok') throw new Error(result.message);
  return result.feed;
}

describe('categories', () => {
  it.each([
    [
      'RSS category with its domain as the scheme, dc:subject, repeats (any case) and empty ones dropped, whitespace collapsed',
      'categories-rss.xml',
      0,
      [
        { term: 'Linux', scheme: 'https://kat.example.org/tags?kind=topic&x=1', label: null },
        { term: 'linux', scheme: null, label: null },
        { term: 'Free Software', scheme: null, label: null },
        { term: 'Kernel', scheme: null, label: null },
      ],
    ],
    [
      'Atom category term, scheme and label; a category without a term is dropped',
      'categories-atom.xml',
      0,
      [
        { term: 'linux', scheme: 'https://cat.example.net/tags/', label: 'Linux & compagnie' },
        { term: 'debian', scheme: null, label: null },
      ],
    ],
    ['Atom category in a right-to-left script', 'categories-atom.xml', 1, [{ term: 'عربي', scheme: null, label: null }]],
    ['an entry without categories', 'categories-atom.xml', 2, []],
    [
      'JSON Feed tags: strings only, repeats in another case dropped',
      'categories-jsonfeed.json',
      0,
      [
        { term: 'rust', scheme: null, label: null },
        { term: 'programación', scheme: null, label: null },
      ],
    ],
    ['RSS 1.0 dc:subject', 'language-dc-rdf.xml', 0, [{ term: 'uutiset', scheme: null, label: null }]],
  ])('%s', (_name, fixture, index, categories) => {
    expect(feedOf(fixture).entries[index]!.categories).toEqual(categories);
  });

  it('keeps at most 50 categories of one entry, each at most 200 characters', () => {
    const many = Array.from({ length: 80 }, (_, i) => `<category>tag${i}</category>`).join('');
    const long = `<category>${'x'.repeat(500)}</category>`;
    const result = parseFeed(`<rss version="2.0"><channel><title>t</title><item><title>a</title>${long}${many}</item></channel></rss>`, 'https://x.example/');
    if (result.kind !== 'ok') throw new Error(result.message);
    const categories = result.feed.entries[0]!.categories;
    expect(categories).toHaveLength(50);
    expect(categories[0]!.term).toHaveLength(200);
  });
});

describe('language', () => {
  it.each([
    ["RSS: the channel's <language>, canonicalized (de_at → de-AT)", 'categories-rss.xml', 0, 'de-AT', 'de-AT'],
    ['RSS: an item xml:lang overrides the channel', 'categories-rss.xml', 1, 'en-GB', 'de-AT'],
    ["Atom: the feed's xml:lang, inherited by an entry", 'categories-atom.xml', 0, 'fr', 'fr'],
    ["Atom: an entry's own xml:lang", 'categories-atom.xml', 1, 'ar', 'fr'],
    ["Atom: the content's xml:lang is the most precise", 'categories-atom.xml', 2, 'nl', 'fr'],
    ['Atom: an empty xml:lang says "unknown"', 'categories-atom.xml', 3, null, 'fr'],
    ["JSON Feed: the feed's language", 'categories-jsonfeed.json', 0, 'es', 'es'],
    ["JSON Feed: an item's own language", 'categories-jsonfeed.json', 1, 'en-US', 'es'],
    ["JSON Feed: an invalid item language falls back to the feed's", 'categories-jsonfeed.json', 2, 'es', 'es'],
    ['RSS 1.0: dc:language of the channel', 'language-dc-rdf.xml', 0, 'fi', 'fi'],
    ['a feed that declares no language', 'rss2-basic.xml', 0, null, null],
  ])('%s', (_name, fixture, index, entryLanguage, feedLanguage) => {
    const feed = feedOf(fixture);
    expect(feed.language).toBe(feedLanguage);
    expect(feed.entries[index]!.language).toBe(entryLanguage);
  });

  it.each([
    ['en', 'en'],
    ['EN-us', 'en-US'],
    ['pt_BR', 'pt-BR'],
    ['zh-hant-tw', 'zh-Hant-TW'],
    [' de ', 'de'],
    ['', null],
    ['english please', null],
    ['x'.repeat(40), null],
    ['12-34', null],
  ])('languageTag(%j) is %j', (raw, tag) => {
    expect(languageTag(raw)).toBe(tag);
  });
});

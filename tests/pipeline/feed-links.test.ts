// findFeedLinks: <link rel="alternate"> feed discovery on HTML pages.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findFeedLinks } from '../../src/pipeline/feed-links.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/feeds/', import.meta.url));
const BASE = 'https://blog.example.org/2020/hello.html';

describe('findFeedLinks', () => {
  it.each([
    [
      'fixture page: relative and absolute, deduplicated, in document order',
      readFileSync(FIXTURES + 'html-page-with-alternates.html', 'utf8'),
      ['https://blog.example.org/feed.xml', 'https://jo.example.org/atom.xml', 'https://blog.example.org/2020/feed.json', 'https://jo.example.org/feed.xml'],
    ],
    ['page without alternates', readFileSync(FIXTURES + 'html-page-no-alternates.html', 'utf8'), []],
    [
      'every feed type',
      ['application/rss+xml', 'application/atom+xml', 'application/feed+json', 'application/json', 'application/rss', 'application/xml', 'text/xml']
        .map((t, i) => `<link rel="alternate" type="${t}" href="/f${i}">`)
        .join(''),
      ['/f0', '/f1', '/f2', '/f3', '/f4', '/f5', '/f6'].map((p) => `https://blog.example.org${p}`),
    ],
    ['non-feed alternates ignored (hreflang, text/html)', '<link rel="alternate" hreflang="fr" href="/fr/"><link rel="alternate" type="text/html" href="/m/">', []],
    ['stylesheets and icons ignored', '<link rel="stylesheet" type="text/css" href="/s.css"><link rel="icon" href="/i.png">', []],
    ['uppercase names, extra rel tokens, type parameters', '<LINK REL="Alternate feed" TYPE="Application/RSS+XML; charset=utf-8" HREF="/rss">', ['https://blog.example.org/rss']],
    ['entity in href decoded', '<link rel="alternate" type="application/atom+xml" href="/feed?a=1&amp;b=2">', ['https://blog.example.org/feed?a=1&b=2']],
    ['<base href> applies even to earlier links', '<link rel="alternate" type="application/rss+xml" href="rss.xml"><base href="https://cdn.example.net/site/">', ['https://cdn.example.net/site/rss.xml']],
    ['missing href ignored', '<link rel="alternate" type="application/rss+xml">', []],
    ['protocol-relative href', '<link rel="alternate" type="application/rss+xml" href="//feeds.example.com/x">', ['https://feeds.example.com/x']],
    ['links in the body count too (some themes put them there)', '<body><link rel="alternate" type="application/atom+xml" href="/late.atom"></body>', ['https://blog.example.org/late.atom']],
  ])('%s', (_name, html, expected) => {
    expect(findFeedLinks(html, BASE)).toEqual(expected);
  });

  // A page read from a local file has no URL to resolve against (planet check page.html).
  it.each([
    ['relative hrefs stay as written', '<link rel="alternate" type="application/rss+xml" href="/feed.xml"><link rel="alternate" type="application/atom+xml" href="atom.xml">', ['/feed.xml', 'atom.xml']],
    ['absolute hrefs stay absolute', '<link rel="alternate" type="application/rss+xml" href="https://jo.example.org/rss">', ['https://jo.example.org/rss']],
    ["the page's own absolute <base> still applies", '<base href="https://cdn.example.net/site/"><link rel="alternate" type="application/rss+xml" href="rss.xml">', ['https://cdn.example.net/site/rss.xml']],
  ])('without a base URL: %s', (_name, html, expected) => {
    expect(findFeedLinks(html, null)).toEqual(expected);
  });
});

// model.ts: the one tag rule (what the config, the forms, OPML categories and /tag/… paths accept)
// and feedUrlKey, the one URL normalisation that makes spellings of a feed URL one subscription.
import { describe, expect, it } from 'vitest';
import { TAG, TAG_PATTERN, feedUrlKey, slugTag } from '../src/model.js';

describe('TAG', () => {
  it.each([
    ['linux', true],
    ['open-source', true],
    ['c_plus_plus', true],
    ['9front', true],
    ['a'.repeat(40), true],
    ['a'.repeat(41), false],
    ['-leading-dash', false],
    ['Upper', false],
    ['two words', false],
    ['', false],
  ])('%j is a tag: %s', (text, ok) => {
    expect(TAG.test(text)).toBe(ok);
  });

  it('embeds unanchored in a path pattern', () => {
    expect(new RegExp(`^/tag/(${TAG_PATTERN})$`).exec('/tag/rust')?.[1]).toBe('rust');
    expect(new RegExp(`^/tag/(${TAG_PATTERN})$`).exec('/tag/Rust')).toBeNull();
  });
});

describe('slugTag', () => {
  it.each([
    ['Open Source', 'open-source'],
    ['  Linux  ', 'linux'],
    ['Café Society', 'cafe-society'],
    ['snake_case name', 'snake-case-name'],
    ['C++ & Rust!', 'c-rust'],
    ['x'.repeat(60), 'x'.repeat(40)],
    ['!!!', null],
    ['-', null],
  ])('%j → %j', (input, slug) => {
    expect(slugTag(input)).toBe(slug);
  });
});

describe('feedUrlKey', () => {
  it.each([
    ['scheme and host case', 'HTTP://Blog.Example.ORG/Feed.xml', 'http://blog.example.org/Feed.xml'],
    ['the default port of http', 'http://blog.example:80/feed', 'http://blog.example/feed'],
    ['the default port of https', 'https://blog.example:443/feed', 'http://blog.example/feed'],
    ['https and http are one blog', 'https://blog.example/feed', 'http://blog.example/feed'],
    ['an empty query', 'http://blog.example/feed?', 'http://blog.example/feed'],
    ['an empty fragment', 'http://blog.example/feed#', 'http://blog.example/feed'],
    ['a fragment (never sent to the server)', 'http://blog.example/feed#top', 'http://blog.example/feed'],
    ['repeated slashes in the path', 'http://blog.example//blog///feed.xml', 'http://blog.example/blog/feed.xml'],
    ['surrounding blanks', '  http://blog.example/feed\n', 'http://blog.example/feed'],
    ['everything at once', 'HTTPS://BLOG.example:443//feed.xml?#', 'http://blog.example/feed.xml'],
  ])('ignores %s', (_case, url, key) => {
    expect(feedUrlKey(url)).toBe(key);
  });

  it.each([
    ['a non-empty query', 'http://blog.example/feed?format=rss', 'http://blog.example/feed'],
    ['a path that differs by a trailing slash', 'http://blog.example/feed/', 'http://blog.example/feed'],
    ['the case of the path', 'http://blog.example/Feed', 'http://blog.example/feed'],
    ['a port that is not the default', 'http://blog.example:8080/feed', 'http://blog.example/feed'],
    ['http on port 443 apart from https', 'http://blog.example:443/feed', 'https://blog.example/feed'],
    ['another host', 'http://www.blog.example/feed', 'http://blog.example/feed'],
  ])('keeps %s', (_case, a, b) => {
    expect(feedUrlKey(a)).not.toBe(feedUrlKey(b));
  });

  it('leaves what is not a URL as it is (trimmed), so it can never equal a URL\'s key', () => {
    expect(feedUrlKey(' feed.xml ')).toBe('feed.xml');
  });
});

// WebSub discovery (§4): rel="hub" / rel="self" from Link headers first, then the document.
import { describe, expect, it } from 'vitest';
import { discoverHubLinks, linkHeaderHubLinks } from '../../src/pipeline/hub-links.js';
import { parseFeed } from '../../src/pipeline/parse/index.js';

const FEED = 'https://blog.example/feed.xml';

describe('linkHeaderHubLinks', () => {
  it.each([
    ['hub and self', '<https://hub.example/>; rel="hub", <https://blog.example/feed.xml>; rel="self"', ['https://hub.example/'], FEED],
    ['unquoted rel, relative URLs', '</hub>; rel=hub, </canonical.xml>; rel=self', ['https://blog.example/hub'], 'https://blog.example/canonical.xml'],
    ['one link with both relations', '<https://x.example/>; rel="hub self"', ['https://x.example/'], 'https://x.example/'],
    ['several hubs, in order, no repeats', '<https://h1.example/>; rel="hub", <https://h2.example/>; rel="hub", <https://h1.example/>; rel="hub"', ['https://h1.example/', 'https://h2.example/'], null],
    ['relation case', '<https://hub.example/>; rel="HUB"', ['https://hub.example/'], null],
    ['a non-http hub ignored', '<mailto:hub@example.org>; rel="hub"', [], null],
    ['other relations only', '<https://blog.example/page/2>; rel="next"', [], null],
    ['a malformed header', '<<<>>>; ;;', [], null],
    ['no header', null, [], null],
  ])('%s', (_case, header, hubs, self) => {
    expect(linkHeaderHubLinks(header, FEED)).toEqual({ hubs, self });
  });
});

describe('discoverHubLinks', () => {
  it('takes the headers first, then the document, and the headers\' self', () => {
    const found = discoverHubLinks('<https://h1.example/>; rel="hub", <https://blog.example/canonical>; rel="self"', { hubs: ['https://h2.example/', 'https://h1.example/'], self: 'https://blog.example/doc-self' }, FEED);
    expect(found).toEqual({ hubs: ['https://h1.example/', 'https://h2.example/'], self: 'https://blog.example/canonical' });
  });

  it('falls back on the document, and names no topic when neither does', () => {
    expect(discoverHubLinks(null, { hubs: ['https://h.example/'], self: null }, FEED)).toEqual({ hubs: ['https://h.example/'], self: null });
  });

  it('is null when nothing names a hub (a self alone is not enough)', () => {
    expect(discoverHubLinks('<https://blog.example/x>; rel="self"', { hubs: [], self: FEED }, FEED)).toBeNull();
    expect(discoverHubLinks(null, undefined, FEED)).toBeNull();
  });
});

describe('parseFeed: hub and self in the document', () => {
  const parsed = (text: string) => {
    const r = parseFeed(text, FEED);
    if (r.kind !== 'ok') throw new Error(r.message);
    return r.feed;
  };

  it.each([
    [
      'Atom 1.0',
      `<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><link rel="hub" href="https://hub.example/"/><link rel="self" href="/feed.xml"/><link href="https://blog.example/"/></feed>`,
      { hubs: ['https://hub.example/'], self: FEED },
    ],
    [
      'RSS 2.0 with atom:link',
      `<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>t</title><link>https://blog.example/</link><atom:link rel="hub" href="https://pubsubhubbub.example/"/><atom:link rel="self" type="application/rss+xml" href="https://blog.example/feed.xml"/></channel></rss>`,
      { hubs: ['https://pubsubhubbub.example/'], self: FEED },
    ],
    [
      'RSS 2.0 with the atom prefix undeclared',
      `<rss version="2.0"><channel><title>t</title><atom:link rel="hub" href="https://hub.example/"/></channel></rss>`,
      { hubs: ['https://hub.example/'], self: null },
    ],
    [
      'JSON Feed 1.1 hubs and feed_url',
      JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 't', feed_url: 'https://blog.example/feed.json', hubs: [{ type: 'WebSub', url: 'https://hub.example/' }, { type: 'rssCloud' }], items: [] }),
      { hubs: ['https://hub.example/'], self: 'https://blog.example/feed.json' },
    ],
  ])('%s', (_case, text, websub) => {
    expect(parsed(text).websub).toEqual(websub);
  });

  it('leaves the field out when the document names neither', () => {
    expect(parsed('<rss version="2.0"><channel><title>t</title><link>https://blog.example/</link></channel></rss>').websub).toBeUndefined();
  });

  it('does not take an entry\'s links for the feed\'s', () => {
    const feed = parsed(`<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><id>1</id><title>e</title><link rel="hub" href="https://not-a-hub.example/"/></entry></feed>`);
    expect(feed.websub).toBeUndefined();
  });
});

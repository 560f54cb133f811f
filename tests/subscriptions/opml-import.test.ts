// readOpml: subscription lists in. Folders and categories become tags; a file with any fault in
// its markup, or a DTD, is refused whole with a message naming the fault and where it is.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readOpml, type OpmlReadResult } from '../../src/subscriptions/opml-import.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/admin/${name}`, import.meta.url), 'utf8');
const opml = (body: string, head = '<head><title>Blogs</title></head>') => `<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">${head}<body>${body}</body></opml>\n`;
const ok = (r: OpmlReadResult) => {
  if (r.kind !== 'ok') throw new Error(`expected a list, got: ${r.message}`);
  return r;
};
const feed = (url: string, extra = '') => `<outline type="rss" text="T" xmlUrl="${url}"${extra}/>`;

describe('readOpml: what a list holds', () => {
  it('reads the title, each feed with its name and home page, in file order', () => {
    const r = ok(readOpml(fixture('subscriptions.opml')));
    expect(r.title).toBe('Our blogs');
    expect(r.outlines.map((o) => [o.url, o.name, o.link, o.tags])).toEqual([
      ['https://bob.example.net/feed.xml', "Bob's blog", 'https://bob.example.net/', ['linux']],
      ['HTTPS://BOB.example.net:443/feed.xml#top', 'Bob again, other case', null, ['linux']],
      ['https://carol.example.com/atom.xml', 'Carol', null, ['hardware']],
      ['javascript:alert(1)', 'Scripted', null, []],
      ['feed.xml', 'Not a URL', null, []],
      ['FEED_URL', 'Ada (already subscribed)', null, []],
    ]);
  });

  it('tags a feed with every folder above it, outermost first', () => {
    const r = ok(readOpml(opml(`<outline text="Tech"><outline title="Open Source"><outline text="Kernel">${feed('https://a.example/feed')}</outline></outline></outline>${feed('https://b.example/feed')}`)));
    expect(r.outlines.map((o) => [o.url, o.tags])).toEqual([
      ['https://a.example/feed', ['tech', 'open-source', 'kernel']],
      ['https://b.example/feed', []],
    ]);
  });

  it.each([
    ['one category', 'hardware', ['hardware']],
    ['comma-separated categories', 'Rust, Go ,Python', ['rust', 'go', 'python']],
    ['category paths', '/Tech/Open Source,/Tech/Kernel', ['tech', 'open-source', 'kernel']],
    ['categories repeating the folder', 'linux,Linux', ['linux']],
    ['a category with nothing usable', '!!!', []],
  ])('adds %s to the folder tags', (_case, category, tags) => {
    const r = ok(readOpml(opml(`<outline text="Linux">${feed('https://a.example/feed', ` category="${category}"`)}</outline>`)));
    expect(r.outlines[0]!.tags).toEqual(['linux', ...tags].filter((t, i, all) => all.indexOf(t) === i));
  });

  it('names a feed by its title, else its text; an empty one has no name', () => {
    const r = ok(readOpml(opml('<outline text="Text" title="Title" xmlUrl="https://a.example/1"/><outline text="Text only" xmlUrl="https://a.example/2"/><outline title="" text=" " xmlUrl="https://a.example/3"/>')));
    expect(r.outlines.map((o) => o.name)).toEqual(['Title', 'Text only', null]);
  });

  it('treats an outline with an empty xmlUrl as a folder', () => {
    const r = ok(readOpml(opml(`<outline text="Folder" xmlUrl=" ">${feed('https://a.example/feed')}</outline>`)));
    expect(r.outlines).toEqual([{ url: 'https://a.example/feed', name: 'T', link: null, tags: ['folder'] }]);
  });

  it('matches element and attribute names in any case, and trims values', () => {
    const r = ok(readOpml('<OPML version="2.0"><HEAD><TITLE> Shouty </TITLE></HEAD><BODY><OUTLINE TEXT="A" XMLURL="  https://a.example/feed " HTMLURL="https://a.example/"/></BODY></OPML>'));
    expect(r).toEqual({ kind: 'ok', title: 'Shouty', outlines: [{ url: 'https://a.example/feed', name: 'A', link: 'https://a.example/', tags: [] }] });
  });

  it('decodes entities and character references, keeps a lone "&", reads CDATA as it is', () => {
    const r = ok(readOpml(opml(feed('https://a.example/feed?a=1&amp;b=2&c=3', ' title="Caf&eacute; &#8212; Fish &amp; Chips &"'), '<head><title><![CDATA[A <b> & B]]> &amp; C</title></head>')));
    expect(r.title).toBe('A <b> & B & C');
    expect(r.outlines[0]).toMatchObject({ url: 'https://a.example/feed?a=1&b=2&c=3', name: 'Café — Fish & Chips &' });
  });

  it('reads only outlines under <body>, skipping comments, processing instructions and other elements', () => {
    const r = ok(readOpml(`\uFEFF<?xml version="1.0"?><!-- exported --><opml version="1.0"><head><title>T</title>${feed('https://head.example/feed')}</head><body><?app x?><!-- a --><extension><outline xmlUrl="https://ext.example/feed"/></extension>${feed('https://a.example/feed')}</body></opml>`));
    expect(r.outlines.map((o) => o.url)).toEqual(['https://a.example/feed']);
  });

  it('accepts a list without a head or a body', () => {
    expect(readOpml('<opml version="2.0"><body/></opml>')).toEqual({ kind: 'ok', title: null, outlines: [] });
    expect(readOpml('<opml version="2.0"><head><title>Empty</title></head></opml>')).toEqual({ kind: 'ok', title: 'Empty', outlines: [] });
  });
});

describe('readOpml: refused whole', () => {
  it.each([
    ['a feed', fixture('blog-feed.xml'), 'opml: not an OPML document (no <opml> element)'],
    ['an empty file', '', 'opml: not an OPML document (no <opml> element)'],
    ['OPML inside another root', '<export><opml version="2.0"><body/></opml></export>', 'opml: not an OPML document (the root element is <export>)'],
    ['a DOCTYPE with entities', '<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaa">]><opml version="2.0"><body><outline xmlUrl="https://x.example/&a;"/></body></opml>', 'opml: the file declares a DTD or entities, which OPML never needs'],
    ['a bare DOCTYPE', '<!DOCTYPE opml><opml version="2.0"><body/></opml>', 'opml: the file declares a DTD or entities, which OPML never needs'],
  ])('%s', (_case, text, message) => {
    expect(readOpml(text)).toEqual({ kind: 'error', message });
  });

  it.each([
    ['an outline never closed (the malformed fixture)', fixture('malformed.opml'), '</body> where <outline> (line 5, column 5) should be closed (line 7, column 3)'],
    ['a misspelt end tag', opml('<outline text="A"><outline xmlUrl="https://a.example/feed"/></outlin>'), '</outlin> where <outline>'],
    ['end tags in the wrong order', opml('<outline text="A"><outline text="B"></body></outline></outline>'), '</body> where <outline>'],
    ['an end tag in another case', opml('<outline text="A"></OUTLINE>'), '</OUTLINE> where <outline>'],
    ['an end tag with nothing to close', `${opml(feed('https://a.example/feed'))}</opml>`, '</opml> has no element to close'],
    ['the root never closed', '<opml version="2.0"><body><outline xmlUrl="https://a.example/feed"/></body>', '<opml> is never closed (line 1, column 1)'],
    ['a file cut inside a start tag', '<opml version="2.0"><body><outline text="A" xmlUrl="https://a.example/feed"', 'the file ends inside the <outline> start tag (line 1, column 27)'],
    // htmlparser2 skips to the next ">" after an end tag's name: here it would swallow the next outline.
    ['an end tag without its ">"', opml(`<outline text="A">${feed('https://a.example/1')}</outline\n${feed('https://a.example/2')}`), 'the end tag </outline> is malformed (line 2, column'],
    ['a space after "</"', opml('<outline text="A"></ outline>'), 'the end tag </outline> is malformed'],
    ['a "<" that starts no tag', opml(`${feed('https://a.example/feed')} < `), 'a "<" that starts no tag'],
    ['an empty end tag', opml(`<outline text="A"></>`), 'a "<" that starts no tag'],
    ['an attribute without quotes', opml('<outline text=A xmlUrl="https://a.example/feed"/>'), 'attribute "text" of <outline> has no quoted value'],
    ['an attribute without a value', opml('<outline text xmlUrl="https://a.example/feed"/>'), 'attribute "text" of <outline> has no quoted value'],
    ['an attribute given twice', opml('<outline text="A" text="B" xmlUrl="https://a.example/feed"/>'), 'attribute "text" is given twice in <outline>'],
    ['an invalid element name', opml('<1outline xmlUrl="https://a.example/feed"/>'), '<1outline> is not a valid element name'],
    ['text before the root', `junk${opml('')}`, 'text "junk" outside the root element (line 1, column 1)'],
    ['text after the root', `${opml('')}trailing words`, 'text "trailing words" outside the root element'],
    ['a second root', `${opml('')}<opml version="2.0"/>`, 'a second root element <opml> after <opml>'],
    ['another declaration', opml('<!ELEMENT outline ANY>'), 'a declaration, which OPML never needs'],
    ['an outline that lost its "<"', opml(`${feed('https://a.example/1')}\n  outline text="B" xmlUrl="https://a.example/2"/>`), 'text "outline text=\\"B\\" xmlUrl=\\"https://a.examp…" in <body>, where only outlines belong (line 3, column 3)'],
    ['words inside a folder', opml('<outline text="Folder">some words</outline>'), 'text "some words" in <outline>, where only outlines belong'],
    ['elements nested 1,001 deep', `<opml><body>${'<outline text="x">'.repeat(1001)}${'</outline>'.repeat(1001)}</body></opml>`, 'elements nested more than 1000 deep'],
  ])('%s', (_case, text, message) => {
    const r = readOpml(text);
    expect(r.kind).toBe('error');
    expect(r.kind === 'error' && r.message).toContain(message);
    expect(r.kind === 'error' && r.message).toMatch(/^opml: (not well-formed XML|not a list of outlines): /);
  });

  // Whatever single piece of markup goes missing, the file is refused rather than half read.
  it('refuses the fixture with any one end tag, start tag, "<", ">" or quote removed, or cut before any tag', () => {
    const text = fixture('subscriptions.opml');
    const cuts: string[] = [];
    for (const m of text.matchAll(/<\/[^>]+>|<[a-z][^>]*[^/]>|[<>"]/g)) {
      // The XML declaration's own quotes are not markup the list depends on.
      if (m.index! < text.indexOf('<opml')) continue;
      cuts.push(text.slice(0, m.index) + text.slice(m.index! + m[0].length));
    }
    for (const m of text.matchAll(/</g)) if (m.index! > text.indexOf('<opml')) cuts.push(text.slice(0, m.index));
    expect(cuts.length).toBeGreaterThan(60);
    const accepted = cuts.filter((c) => readOpml(c).kind === 'ok');
    expect(accepted).toEqual([]);
  });
});

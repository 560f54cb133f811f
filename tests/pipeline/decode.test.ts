// decodeBody: which encoding wins (BOM, HTTP charset, prolog, meta) and what the text becomes.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { charsetFromContentType, decodeBody } from '../../src/pipeline/decode.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/feeds/', import.meta.url));
const xml = (encoding: string, body: string) => `<?xml version="1.0" encoding="${encoding}"?><rss><channel><title>${body}</title></channel></rss>`;
const title = (text: string) => /<title>(.*?)<\/title>/.exec(text)?.[1];

describe('decodeBody picks the encoding', () => {
  it.each([
    ['Latin-1 fixture via its prolog', 'latin1-prolog.xml', null, 'windows-1252', 'Café Größe'],
    ['windows-1252 smart quotes (0x92 → ’)', 'windows-1252-smart-quotes.xml', null, 'windows-1252', 'It’s “quoted” – €5'],
    ['Shift_JIS prolog', 'shift-jis.xml', null, 'shift_jis', '日本語のブログ'],
    ['UTF-8 bytes despite an ISO-8859-1 prolog', 'utf8-labelled-latin1.xml', null, 'utf-8', 'Café — “UTF-8” really'],
    ['Latin-1 bytes despite a UTF-8 prolog', 'latin1-labelled-utf8.xml', null, 'windows-1252', 'Café mislabelled'],
    ['UTF-16LE BOM', 'utf16-bom.xml', null, 'utf-16le', 'Ünïcode ☃ sixteen'],
    ['HTTP charset beats the prolog', 'shift-jis.xml', 'text/xml; charset=Shift_JIS', 'shift_jis', '日本語のブログ'],
    ['unknown HTTP charset falls back to the prolog', 'latin1-prolog.xml', 'text/xml; charset=x-made-up', 'windows-1252', 'Café Größe'],
    ['HTTP utf-8 on Latin-1 bytes falls back to the prolog', 'latin1-prolog.xml', 'application/rss+xml; charset=utf-8', 'windows-1252', 'Café Größe'],
  ])('%s', (_name, fixture, contentType, encoding, expected) => {
    const result = decodeBody(readFileSync(FIXTURES + fixture), contentType);
    expect(result).toMatchObject({ kind: 'ok', encoding });
    if (result.kind === 'ok') expect(title(result.text)).toBe(expected);
  });

  it.each([
    ['UTF-8 BOM is stripped', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml('utf-8', 'é'))]), null, 'utf-8', 'é'],
    ['UTF-8 BOM beats a Latin-1 charset', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml('iso-8859-1', 'é'))]), 'text/xml; charset=iso-8859-1', 'utf-8', 'é'],
    ['UTF-16BE BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(xml('utf-16', 'Ω'), 'utf16-be')]), null, 'utf-16be', 'Ω'],
    ['UTF-16LE without a BOM, sniffed from "<?xml"', iconv.encode(xml('utf-16', 'Ω'), 'utf16le'), null, 'utf-16le', 'Ω'],
    ['quoted HTTP charset', iconv.encode(xml('utf-8', 'Größe'), 'latin1'), 'text/xml; charset="ISO-8859-1"', 'windows-1252', 'Größe'],
    ['single-quoted HTTP charset', iconv.encode(xml('utf-8', '日本'), 'shift_jis'), "text/xml; charset='shift_jis'", 'shift_jis', '日本'],
    ['latin1 label decodes as windows-1252 (0x80 → €)', Buffer.from([...Buffer.from('<?xml version="1.0" encoding="latin1"?><title>'), 0x80, ...Buffer.from('</title>')]), null, 'windows-1252', '€'],
    ['US-ASCII label decodes as windows-1252', Buffer.from([...Buffer.from('<?xml version="1.0" encoding="us-ascii"?><title>'), 0x93, 0x94, ...Buffer.from('</title>')]), null, 'windows-1252', '“”'],
    ['"UTF-16" prolog on a file re-saved as UTF-8', Buffer.from(xml('UTF-16', 'naïve')), null, 'utf-8', 'naïve'],
    ['HTML meta charset', iconv.encode('<html><head><meta charset="windows-1252"><title>It’s</title></head></html>', 'windows-1252'), 'text/html', 'windows-1252', 'It’s'],
    ['HTML http-equiv charset', iconv.encode('<html><head><meta http-equiv="Content-Type" content="text/html; charset=shift_jis"><title>日本</title></head></html>', 'shift_jis'), null, 'shift_jis', '日本'],
    ['no label, valid UTF-8', Buffer.from('<title>Ünïcode</title>'), null, 'utf-8', 'Ünïcode'],
    ['no label, not UTF-8 → windows-1252', Buffer.from([...Buffer.from('<title>caf'), 0xe9, ...Buffer.from('</title>')]), null, 'windows-1252', 'café'],
    ['unknown label everywhere, not UTF-8 → windows-1252', Buffer.from([...Buffer.from('<?xml version="1.0" encoding="klingon"?><title>caf'), 0xe9, ...Buffer.from('</title>')]), 'text/xml; charset=klingon', 'windows-1252', 'café'],
    ['ASCII-only body keeps its declared label', Buffer.from(xml('ISO-8859-15', 'plain')), null, 'iso-8859-15', 'plain'],
  ])('%s', (_name, body, contentType, encoding, expected) => {
    const result = decodeBody(body, contentType);
    expect(result).toMatchObject({ kind: 'ok', encoding });
    if (result.kind === 'ok') {
      expect(title(result.text)).toBe(expected);
      expect(result.text.startsWith('\uFEFF')).toBe(false);
    }
  });

  it('empty body decodes to empty text', () => {
    expect(decodeBody(Buffer.alloc(0), null)).toEqual({ kind: 'ok', text: '', encoding: 'utf-8' });
  });
});

describe('charsetFromContentType', () => {
  it.each([
    ['unquoted', 'text/xml; charset=UTF-8', 'UTF-8'],
    ['quoted', 'text/xml; charset="iso-8859-1"', 'iso-8859-1'],
    ['spaces around =', 'application/rss+xml ; charset = windows-1252', 'windows-1252'],
    ['after another parameter', 'text/xml; q=1; charset=shift_jis', 'shift_jis'],
    ['absent', 'application/atom+xml', null],
    ['no header', null, null],
  ])('%s', (_name, header, expected) => {
    expect(charsetFromContentType(header)).toBe(expected);
  });
});

// Turns a fetched body into text: picks the character encoding from the BOM, the HTTP
// charset, then the document's own declaration, and decodes it with iconv-lite.
import { isAscii, isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';

export type DecodeResult = { kind: 'ok'; text: string; encoding: string } | { kind: 'error'; message: string };

// Labels that browsers (WHATWG Encoding) treat as windows-1252: feeds labelled
// ISO-8859-1 routinely contain 0x80–0x9F "smart quotes", which only windows-1252 maps
// to ’ “ ” –; ISO-8859-1 would turn them into invisible C1 controls.
const WINDOWS_1252_ALIASES = new Set([
  'iso-8859-1',
  'iso8859-1',
  'iso_8859-1',
  'iso_8859-1:1987',
  'latin1',
  'latin-1',
  'l1',
  'cp819',
  'ibm819',
  'us-ascii',
  'ascii',
  'ansi_x3.4-1968',
  'iso-ir-100',
  'csisolatin1',
  'windows-1252',
  'cp1252',
  'x-cp1252',
]);

const CANONICAL: Record<string, string> = {
  utf8: 'utf-8',
  'utf-8': 'utf-8',
  'unicode-1-1-utf-8': 'utf-8',
  'x-sjis': 'shift_jis',
  sjis: 'shift_jis',
  'shift-jis': 'shift_jis',
  shift_jis: 'shift_jis',
  ms_kanji: 'shift_jis',
  'windows-31j': 'shift_jis',
  'euc-jp': 'euc-jp',
  'x-euc-jp': 'euc-jp',
  gb2312: 'gbk',
  gbk: 'gbk',
  'x-gbk': 'gbk',
  utf16: 'utf-16',
  'utf-16': 'utf-16',
  'utf-16le': 'utf-16le',
  'utf-16be': 'utf-16be',
  'koi8-r': 'koi8-r',
};

/** Lowercased, canonical name for a label, or null when iconv-lite does not know it. */
function canonicalEncoding(label: string): string | null {
  const l = label.trim().toLowerCase();
  if (l === '') return null;
  if (WINDOWS_1252_ALIASES.has(l)) return 'windows-1252';
  const known = CANONICAL[l];
  if (known) return known;
  return iconv.encodingExists(l) ? l : null;
}

/** The charset parameter of a Content-Type header, quoted or not. */
export function charsetFromContentType(contentType: string | null): string | null {
  if (!contentType) return null;
  const m = /;\s*charset\s*=\s*(?:"([^"]*)"|'([^']*)'|([^;\s"']+))/i.exec(contentType);
  if (!m) return null;
  const label = (m[1] ?? m[2] ?? m[3] ?? '').trim();
  return label === '' ? null : label;
}

/** The encoding named inside the document: `<?xml … encoding="…"?>` or an HTML `<meta>` charset. */
function declaredEncoding(head: string): string | null {
  // Some servers prepend whitespace or junk before the prolog; look anywhere in the head.
  const xml = /<\?xml\b[^>]*?\bencoding\s*=\s*["']\s*([A-Za-z0-9._:-]+)\s*["']/i.exec(head);
  if (xml?.[1]) return xml[1];
  const meta = /<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)/i.exec(head);
  if (meta?.[1]) return meta[1];
  return null;
}

function hasNonAscii(body: Buffer): boolean {
  return !isAscii(body); // native; a JS loop over a 5 MiB body showed up in the ingest profile
}

/** UTF-16 text without a BOM shows as NUL bytes between ASCII ones in `<?xml`. */
function sniffUtf16(body: Buffer): 'utf-16le' | 'utf-16be' | null {
  if (body.length >= 4 && body[0] === 0x3c && body[1] === 0x00 && body[2] === 0x3f && body[3] === 0x00) return 'utf-16le';
  if (body.length >= 4 && body[0] === 0x00 && body[1] === 0x3c && body[2] === 0x00 && body[3] === 0x3f) return 'utf-16be';
  return null;
}

function bomEncoding(body: Buffer): { encoding: string; length: number } | null {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return { encoding: 'utf-8', length: 3 };
  if (body[0] === 0xff && body[1] === 0xfe && body[2] === 0x00 && body[3] === 0x00) return { encoding: 'utf-32le', length: 4 };
  if (body[0] === 0x00 && body[1] === 0x00 && body[2] === 0xfe && body[3] === 0xff) return { encoding: 'utf-32be', length: 4 };
  if (body[0] === 0xff && body[1] === 0xfe) return { encoding: 'utf-16le', length: 2 };
  if (body[0] === 0xfe && body[1] === 0xff) return { encoding: 'utf-16be', length: 2 };
  return null;
}

function decodeWith(body: Buffer, encoding: string): string {
  // iconv-lite's plain "utf-16" guesses the byte order; without a BOM we already sniffed it.
  const codec = encoding === 'utf-16' ? (sniffUtf16(body) ?? 'utf-16le') : encoding;
  return iconv.decode(body, codec, { stripBOM: true }).replace(/^\uFEFF/, '');
}

/**
 * Decode a feed body. Precedence: BOM, HTTP charset, then the document's declaration.
 * Bytes that are valid UTF-8 (with some non-ASCII) are read as UTF-8 whatever the label:
 * a mislabel is far more common than Latin-1 text that happens to be valid UTF-8.
 */
export function decodeBody(body: Buffer, contentType: string | null): DecodeResult {
  try {
    const bom = bomEncoding(body);
    if (bom) return { kind: 'ok', text: decodeWith(body.subarray(bom.length), bom.encoding), encoding: bom.encoding };

    const sniffed16 = sniffUtf16(body);
    const head = body.subarray(0, 2048).toString('latin1').replace(/\x00/g, '');
    const labels = [charsetFromContentType(contentType), declaredEncoding(head)]
      .filter((l): l is string => l !== null)
      .map((l) => canonicalEncoding(l));
    const nonAscii = hasNonAscii(body);
    const validUtf8 = isUtf8(body);

    for (const label of labels) {
      if (label === null) continue; // unknown label: try the next source
      if (label.startsWith('utf-16') || label.startsWith('utf-32')) {
        // "UTF-16" in the prolog of a file that was since re-saved as UTF-8 is common;
        // only believe it when the bytes really are 16-bit.
        if (sniffed16) return { kind: 'ok', text: decodeWith(body, sniffed16), encoding: sniffed16 };
        continue;
      }
      if (nonAscii && validUtf8) return { kind: 'ok', text: decodeWith(body, 'utf-8'), encoding: 'utf-8' };
      // A "utf-8" label on bytes that are not UTF-8: the next label (or windows-1252) is likelier right.
      if (label === 'utf-8' && !validUtf8) continue;
      return { kind: 'ok', text: decodeWith(body, label), encoding: label };
    }

    if (sniffed16) return { kind: 'ok', text: decodeWith(body, sniffed16), encoding: sniffed16 };
    if (validUtf8) return { kind: 'ok', text: decodeWith(body, 'utf-8'), encoding: 'utf-8' };
    // No usable label and not UTF-8: the usual culprit is a Windows-authored Latin-1 feed.
    return { kind: 'ok', text: decodeWith(body, 'windows-1252'), encoding: 'windows-1252' };
  } catch (err) {
    return { kind: 'error', message: `decode: ${(err as Error).message}` };
  }
}

// Pure: an entry's enclosures as the page shows them — audio and video as players with controls,
// any other file as a link that says what it is and how big, in words in the planet's language
// ("PDF document, 51 kB"; "PDF-Dokument, 51 kB").
import type { MessageKey } from '../i18n/catalogs.js';
import type { Words } from '../i18n/words.js';
import type { Enclosure } from '../model.js';
import { safeHref } from './links.js';

export interface EnclosureView {
  kind: 'audio' | 'video' | 'file';
  url: string;
  /** The link's text: the enclosure's title, else its file name. */
  label: string;
  /** "MP3 audio, 25 MB"; type and size in words, whichever are known. */
  details: string | null;
  /** The MIME type for a player's <source>, when known. */
  type: string | null;
}

const AUDIO_EXTENSIONS = new Set(['mp3', 'm4a', 'aac', 'oga', 'ogg', 'opus', 'wav', 'flac']);
const VIDEO_EXTENSIONS = new Set(['mp4', 'm4v', 'webm', 'ogv', 'mov']);

/** Names readers know, for the common types, as a kind of file and its format's name ("MP3" + audio); anything else is shown as its MIME type. */
const TYPE_WORDS: Readonly<Record<string, readonly [MessageKey, string]>> = {
  'audio/mpeg': ['enclosure.audio', 'MP3'],
  'audio/mp3': ['enclosure.audio', 'MP3'],
  'audio/mp4': ['enclosure.audio', 'M4A'],
  'audio/x-m4a': ['enclosure.audio', 'M4A'],
  'audio/aac': ['enclosure.audio', 'AAC'],
  'audio/ogg': ['enclosure.audio', 'Ogg'],
  'audio/opus': ['enclosure.audio', 'Opus'],
  'audio/wav': ['enclosure.audio', 'WAV'],
  'audio/flac': ['enclosure.audio', 'FLAC'],
  'video/mp4': ['enclosure.video', 'MP4'],
  'video/webm': ['enclosure.video', 'WebM'],
  'video/ogg': ['enclosure.video', 'Ogg'],
  'video/quicktime': ['enclosure.video', 'QuickTime'],
  'application/pdf': ['enclosure.document', 'PDF'],
  'application/epub+zip': ['enclosure.book', 'EPUB'],
  'application/zip': ['enclosure.archive', 'ZIP'],
  'text/plain': ['enclosure.text', ''],
  'text/html': ['enclosure.webPage', ''],
  'text/vtt': ['enclosure.subtitles', ''],
  'image/jpeg': ['enclosure.image', 'JPEG'],
  'image/png': ['enclosure.image', 'PNG'],
  'image/gif': ['enclosure.image', 'GIF'],
  'image/webp': ['enclosure.image', 'WebP'],
};

function extensionOf(url: URL): string {
  const name = url.pathname.slice(url.pathname.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot === -1 ? '' : name.slice(dot + 1).toLowerCase();
}

const UNITS = ['kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const;
const sizeFormats = new Map<string, Intl.NumberFormat>();
/** One formatter per locale and unit (and digits): sizes are formatted on every page render. */
function sizeFormat(locale: string, unit: string, digits: number): Intl.NumberFormat {
  const key = `${locale}|${unit}|${digits}`;
  let format = sizeFormats.get(key);
  if (!format) {
    // Bytes spelled out ("512 bytes", "1 byte"), larger units short as file managers show them ("51 kB").
    format = new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: unit === 'byte' ? 'long' : 'short', maximumFractionDigits: digits });
    sizeFormats.set(key, format);
  }
  return format;
}

/** Decimal units, as file managers and podcast apps show sizes, in the planet's locale: "512 bytes", "51 kB", "25 MB", "1.2 GB" ("7,3 MB" in German). */
export function sizeInWords(bytes: number, locale: string): string {
  if (bytes < 1000) return sizeFormat(locale, 'byte', 0).format(bytes);
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  // One decimal below 10 ("7.3 MB"), whole numbers above ("25 MB").
  return sizeFormat(locale, UNITS[unit]!, value < 10 ? 1 : 0).format(value);
}

export function enclosureViews(enclosures: readonly Enclosure[], words: Words): EnclosureView[] {
  const views: EnclosureView[] = [];
  for (const e of enclosures) {
    // Only http(s) becomes a link or a player (a data: image enclosure stays in the merged feeds).
    const href = safeHref(e.url);
    if (href === null) continue;
    const url = new URL(href);
    const ext = extensionOf(url);
    const major = e.type?.slice(0, e.type.indexOf('/'));
    const kind = major === 'audio' || (!e.type && AUDIO_EXTENSIONS.has(ext)) ? 'audio' : major === 'video' || (!e.type && VIDEO_EXTENSIONS.has(ext)) ? 'video' : 'file';
    let fileName = url.pathname.slice(url.pathname.lastIndexOf('/') + 1);
    try {
      fileName = decodeURIComponent(fileName);
    } catch {
      // a stray % in the name: shown as written
    }
    const known = e.type ? TYPE_WORDS[e.type] : undefined;
    const typeWords = known ? words.t(known[0], { format: known[1] }) : e.type ? e.type : ext ? words.t('enclosure.file', { format: ext.toUpperCase() }) : null;
    const size = e.length !== null ? sizeInWords(e.length, words.locale) : null;
    const details = typeWords && size ? words.t('enclosure.details', { type: typeWords, size }) : (typeWords ?? size);
    views.push({ kind, url: href, label: e.title ?? (fileName || url.host), details, type: e.type });
  }
  return views;
}

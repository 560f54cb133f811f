// Pure: an entry's enclosures as the page shows them — audio and video as players with controls,
// any other file as a link that says what it is and how big, in words ("PDF document, 51 kB").
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

/** Names readers know, for the common types; anything else is shown as its MIME type. */
const TYPE_WORDS: Readonly<Record<string, string>> = {
  'audio/mpeg': 'MP3 audio',
  'audio/mp3': 'MP3 audio',
  'audio/mp4': 'M4A audio',
  'audio/x-m4a': 'M4A audio',
  'audio/aac': 'AAC audio',
  'audio/ogg': 'Ogg audio',
  'audio/opus': 'Opus audio',
  'audio/wav': 'WAV audio',
  'audio/flac': 'FLAC audio',
  'video/mp4': 'MP4 video',
  'video/webm': 'WebM video',
  'video/ogg': 'Ogg video',
  'video/quicktime': 'QuickTime video',
  'application/pdf': 'PDF document',
  'application/epub+zip': 'EPUB book',
  'application/zip': 'ZIP archive',
  'text/plain': 'text file',
  'text/html': 'web page',
  'text/vtt': 'subtitles',
  'image/jpeg': 'JPEG image',
  'image/png': 'PNG image',
  'image/gif': 'GIF image',
  'image/webp': 'WebP image',
};

function extensionOf(url: URL): string {
  const name = url.pathname.slice(url.pathname.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot === -1 ? '' : name.slice(dot + 1).toLowerCase();
}

/** Decimal units, as file managers and podcast apps show sizes: "512 bytes", "51 kB", "25 MB", "1.2 GB". */
export function sizeInWords(bytes: number): string {
  if (bytes < 1000) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1).replace(/\.0$/, '') : Math.round(value)} ${units[unit]}`;
}

export function enclosureViews(enclosures: readonly Enclosure[]): EnclosureView[] {
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
    const typeWords = e.type ? (TYPE_WORDS[e.type] ?? e.type) : ext ? `${ext.toUpperCase()} file` : null;
    const details = [typeWords, e.length !== null ? sizeInWords(e.length) : null].filter((s): s is string => s !== null).join(', ') || null;
    views.push({ kind, url: href, label: e.title ?? (fileName || url.host), details, type: e.type });
  }
  return views;
}

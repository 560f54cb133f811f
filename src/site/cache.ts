// The server's cache of rendered documents by site path, bounded by count and by the bytes it
// keeps (every representation: identity, gzip, br); the least recently used go first. Each is valid
// for one content version. A page saying "updated N minutes ago" remembers where the phrase sits:
// a new minute splices the new phrase in (one copy) instead of rendering again.
import { AGO_PLACEHOLDER } from '../render/pages.js';
import { escapeHtml } from '../render/text.js';
import { HTML, makeDoc, type Doc } from './doc.js';

export interface DocCacheLimits {
  /** Most documents kept (0: none, as `planet build` renders each once). */
  maxDocs: number;
  /** Most bytes kept, over every representation of every document. */
  maxBytes: number;
}

export interface DocCache {
  /** The cached document if it still holds: same content version, same hour, the current phrase swapped in. */
  lookup(sitePath: string, version: number, updatedAt: number | null, at: number): Doc | undefined;
  /** Keeps a document just rendered for `version` and returns the one to send (its phrase swapped in). */
  store(sitePath: string, version: number, updatedAt: number | null, at: number, rendered: Doc): Doc;
}

interface Cached {
  version: number;
  /** Hour of rendering: "inactive" marks are judged against the clock, so pages expire hourly. */
  hour: number;
  /** Where the phrase starts in doc.body (-1: the document has none) and its current text. */
  at: number;
  phrase: Buffer;
  doc: Doc;
}

const hourOf = (at: number) => Math.floor(at / 3_600_000);

/** What a document holds: its body and the compressed forms made so far (encodedBody adds them later). */
const sizeOf = (doc: Doc) => doc.body.length + (doc.gzip?.length ?? 0) + (doc.br?.length ?? 0);

function splice(doc: Doc, start: number, oldLength: number, phrase: Buffer): Doc {
  const body = doc.body;
  return makeDoc(200, HTML, Buffer.concat([body.subarray(0, start), phrase, body.subarray(start + oldLength)]), doc.lastModified);
}

/** "5 minutes ago" in the planet's language (Words.ago). */
export type AgoPhrase = (then: number, now: number) => string;

export function createDocCache({ maxDocs, maxBytes }: DocCacheLimits, ago: AgoPhrase): DocCache {
  // The phrase of the second, made once (so at most a second late): Intl.RelativeTimeFormat,
  // escaping and a Buffer on every hit were ~8 µs of the ~130 µs of CPU a cached `/` took
  // (docs/decisions/0028-serve-footprint.md).
  let last: { updatedAt: number | null; second: number; phrase: Buffer } | undefined;
  const phraseAt = (updatedAt: number | null, at: number): Buffer => {
    const second = Math.floor(at / 1000);
    if (last?.updatedAt !== updatedAt || last.second !== second) {
      last = { updatedAt, second, phrase: Buffer.from(updatedAt !== null ? escapeHtml(ago(updatedAt, at)) : '', 'utf8') };
    }
    return last.phrase;
  };
  /** In use order: a hit moves its entry to the end, eviction takes from the front. */
  const cache = new Map<string, Cached>();
  /** The key at the end: hits on it (a busy front page) skip the Map's delete and set. */
  let newest: string | undefined;

  function remember(key: string, entry: Cached): Doc {
    cache.delete(key);
    if (maxDocs <= 0) return entry.doc;
    // Compressed forms are added after a document is stored, so the total is summed here (stores
    // are renders: rare next to hits, and a few thousand entries at most).
    let bytes = sizeOf(entry.doc);
    for (const e of cache.values()) bytes += sizeOf(e.doc);
    for (const [k, e] of cache) {
      if (cache.size < maxDocs && bytes <= maxBytes) break;
      bytes -= sizeOf(e.doc);
      cache.delete(k);
    }
    cache.set(key, entry);
    newest = key;
    return entry.doc;
  }

  return {
    lookup(sitePath, version, updatedAt, at) {
      const hit = cache.get(sitePath);
      if (!hit || hit.version !== version) return undefined;
      if (sitePath !== newest) {
        cache.delete(sitePath);
        cache.set(sitePath, hit);
        newest = sitePath;
      }
      if (hit.at < 0) return hit.doc;
      if (hit.hour !== hourOf(at)) return undefined;
      const phrase = phraseAt(updatedAt, at);
      if (hit.phrase === phrase || hit.phrase.equals(phrase)) return hit.doc;
      hit.doc = splice(hit.doc, hit.at, hit.phrase.length, phrase);
      hit.phrase = phrase;
      return hit.doc;
    },

    store(sitePath, version, updatedAt, at, doc) {
      // The phrase is in the sidebar, after every post: the last placeholder is the real one.
      const cut = doc.status === 200 && doc.type === HTML ? doc.body.lastIndexOf(AGO_PLACEHOLDER) : -1;
      const phrase = phraseAt(updatedAt, at);
      const sent = cut < 0 ? doc : splice(doc, cut, Buffer.byteLength(AGO_PLACEHOLDER), phrase);
      return remember(sitePath, { version, hour: hourOf(at), at: cut, phrase, doc: sent });
    },
  };
}

// The server's cache of rendered documents by site path, bounded by count and bytes (the oldest go
// first), each valid for one content version. A page saying "updated N minutes ago" is kept as the
// bytes around AGO_PLACEHOLDER: a new minute joins them into a new document instead of a re-render.
import { agoPhrase } from '../render/dates.js';
import { AGO_PLACEHOLDER } from '../render/pages.js';
import { HTML, makeDoc, type Doc } from './doc.js';

export interface DocCacheLimits {
  /** Most documents kept (0: none, as `planet build` renders each once). */
  maxDocs: number;
  /** Most bytes of documents kept. */
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
  template: { head: Buffer; tail: Buffer } | null;
  phrase: string;
  doc: Doc;
  bytes: number;
}

const hourOf = (at: number) => Math.floor(at / 3_600_000);
const phraseAt = (updatedAt: number | null, at: number) => (updatedAt !== null ? agoPhrase(updatedAt, at) : '');

function withPhrase(template: { head: Buffer; tail: Buffer }, phrase: string, lastModified: number): Doc {
  return makeDoc(200, HTML, Buffer.concat([template.head, Buffer.from(phrase, 'utf8'), template.tail]), lastModified);
}

export function createDocCache({ maxDocs, maxBytes }: DocCacheLimits): DocCache {
  const cache = new Map<string, Cached>();
  let cachedBytes = 0;
  function forget(key: string): void {
    const old = cache.get(key);
    if (!old) return;
    cachedBytes -= old.bytes;
    cache.delete(key);
  }
  function remember(key: string, entry: Cached): Doc {
    forget(key);
    if (maxDocs <= 0) return entry.doc;
    while (cache.size && (cache.size >= maxDocs || cachedBytes + entry.bytes > maxBytes)) forget(cache.keys().next().value!);
    cache.set(key, entry);
    cachedBytes += entry.bytes;
    return entry.doc;
  }

  return {
    lookup(sitePath, version, updatedAt, at) {
      const hit = cache.get(sitePath);
      if (!hit || hit.version !== version) return undefined;
      if (hit.template === null) return hit.doc;
      if (hit.hour !== hourOf(at)) return undefined;
      const phrase = phraseAt(updatedAt, at);
      if (hit.phrase === phrase) return hit.doc;
      hit.phrase = phrase;
      cachedBytes -= hit.doc.body.length;
      hit.doc = withPhrase(hit.template, phrase, hit.doc.lastModified);
      cachedBytes += hit.doc.body.length;
      return hit.doc;
    },

    store(sitePath, version, updatedAt, at, doc) {
      const phrase = phraseAt(updatedAt, at);
      const cut = doc.status === 200 && doc.type === HTML ? doc.body.indexOf(AGO_PLACEHOLDER) : -1;
      const template = cut < 0 ? null : { head: doc.body.subarray(0, cut), tail: doc.body.subarray(cut + AGO_PLACEHOLDER.length) };
      const sent = template === null ? doc : withPhrase(template, phrase, doc.lastModified);
      return remember(sitePath, { version, hour: hourOf(at), template, phrase, doc: sent, bytes: sent.body.length + (template ? doc.body.length : 0) });
    },
  };
}

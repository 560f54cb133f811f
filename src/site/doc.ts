// One document of the reader site: status, type, bytes and validators, as the server sends it and
// `planet build` writes it. Its ETag and compressed forms are made when first asked, then kept.
import { createHash } from 'node:crypto';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';

export interface Doc {
  status: number;
  type: string;
  body: Buffer;
  /** Strong validator of the identity body, quoted. */
  etag: string;
  /** Unix ms; sent as Last-Modified (seconds). */
  lastModified: number;
  cacheControl: string;
  /** For redirects: a relative Location. */
  location?: string;
  /** An HTTP Link header value sent with the document (the merged feeds' WebSub hub and self). */
  links?: string;
  gzip?: Buffer;
  br?: Buffer;
}

export const HTML = 'text/html; charset=utf-8';
export const PAGE_CACHE = 'public, max-age=60, stale-while-revalidate=600';
export const ASSET_CACHE = 'public, max-age=604800';

export function makeDoc(status: number, type: string, body: string | Buffer, lastModified: number, cacheControl = PAGE_CACHE): Doc {
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  let etag: string | undefined;
  // Hashed when first asked: `planet build` never asks, and a page template never is sent as is.
  return {
    status,
    type,
    body: buf,
    get etag() {
      return (etag ??= `"${createHash('sha1').update(buf).digest('base64url').slice(0, 22)}"`);
    },
    lastModified,
    cacheControl,
  };
}

/** The compressed body for an encoding, made once per document. */
export function encodedBody(doc: Doc, encoding: 'br' | 'gzip'): Buffer {
  if (encoding === 'br') {
    return (doc.br ??= brotliCompressSync(doc.body, {
      params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 6, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: doc.body.length },
    }));
  }
  return (doc.gzip ??= gzipSync(doc.body, { level: 6 }));
}

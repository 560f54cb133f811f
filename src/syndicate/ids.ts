// Stable, globally unique ids for merged-feed items. A subscriber must see each post once, so an
// item keeps its original id when that id is already an absolute IRI; otherwise (an RSS guid such
// as "42", or no guid and no link) it gets a urn:uuid derived from what identifies it in the planet.
import { createHash } from 'node:crypto';
import type { Entry } from '../model.js';

/** An absolute IRI as Atom's <id> requires (RFC 4287 §4.2.6): a scheme, then no whitespace. */
export function isAbsoluteIri(id: string): boolean {
  if (!/^[a-z][a-z0-9+.-]*:[^\s<>"{}|\\^`]+$/i.test(id)) return false;
  try {
    new URL(id);
    return true;
  } catch {
    return false;
  }
}

/** Name-based UUID (version 5 layout over SHA-1) of a string: same input, same id, forever. */
export function uuidFromName(name: string): string {
  const h = createHash('sha1').update(name).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The id an item carries in every merged feed. Two blogs may both have a post with guid "1",
 * so a non-IRI guid is scoped by its feed (the database id, which never changes for a
 * subscription, unlike its URL after a permanent redirect) and the stored entry key.
 */
export function itemId(entry: Pick<Entry, 'guid' | 'link' | 'feedId' | 'entryKey'>): string {
  const original = entry.guid ?? entry.link;
  if (original && isAbsoluteIri(original)) return original;
  return `urn:uuid:${uuidFromName(`planetarium:${entry.feedId}:${entry.entryKey}`)}`;
}

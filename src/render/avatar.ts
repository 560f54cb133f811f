// Initials avatars: letters on a colour picked from the name, drawn by CSS (views/_face.eta,
// assets/planet.css), so a blog without a face still gets one, never a broken image, in a few bytes.
import { createHash } from 'node:crypto';

/** One or two letters standing for a name: "Jane Doe" → "JD", "planet.debian.org" → "P". */
export function initials(name: string): string {
  const words = name.replace(/^https?:\/\//, '').split(/[\s._\-/]+/u).filter((w) => /[\p{L}\p{N}]/u.test(w));
  const letters = words.map((w) => [...w.replace(/[^\p{L}\p{N}]/gu, '')][0] ?? '').filter(Boolean);
  const pick = letters.length > 1 && /\s/.test(name.trim()) ? [letters[0], letters[letters.length - 1]] : [letters[0] ?? '?'];
  return pick.join('').toUpperCase();
}

/** Number of avatar colours (classes hue-0 … hue-11 in planet.css). */
export const AVATAR_HUES = 12;

export function avatarHue(name: string): number {
  return createHash('sha1').update(name).digest().readUInt16BE(0) % AVATAR_HUES;
}

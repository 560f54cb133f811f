// Initials avatars: a data: URI SVG (allowed by the CSP's img-src data:), so a blog without a
// face or image still gets a picture and never a broken one.
import { createHash } from 'node:crypto';

/** One or two letters standing for a name: "Jane Doe" → "JD", "planet.debian.org" → "P". */
export function initials(name: string): string {
  const words = name.replace(/^https?:\/\//, '').split(/[\s._\-/]+/u).filter((w) => /[\p{L}\p{N}]/u.test(w));
  const letters = words.map((w) => [...w.replace(/[^\p{L}\p{N}]/gu, '')][0] ?? '').filter(Boolean);
  const pick = letters.length > 1 && /\s/.test(name.trim()) ? [letters[0], letters[letters.length - 1]] : [letters[0] ?? '?'];
  return pick.join('').toUpperCase();
}

export function initialsAvatar(name: string): string {
  const hue = createHash('sha1').update(name).digest().readUInt16BE(0) % 360;
  const text = initials(name).replace(/[&<>"']/g, '');
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">` +
    `<rect width="64" height="64" rx="8" fill="hsl(${hue},45%,42%)"/>` +
    `<text x="32" y="33" dy=".35em" text-anchor="middle" font-family="system-ui,sans-serif" font-size="28" font-weight="600" fill="#fff">${text}</text></svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}

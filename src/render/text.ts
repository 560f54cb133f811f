// Pure text helpers for the reader pages: escaping, search words, snippets, and search-term
// highlighting that never trusts the text it marks. (Stored HTML → text: sanitizedHtmlToText.)

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Lowercase word tokens of a search query (what plain-words mode searches for). */
export function queryWords(q: string): string[] {
  return [...new Set((q.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? []).filter((w) => w.length > 0))].slice(0, 16);
}

function wordPattern(words: string[]): RegExp | null {
  if (!words.length) return null;
  const alts = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).sort((a, b) => b.length - a.length);
  // Prefix match at a word start, as FTS5 prefix queries and a reader's eye expect.
  return new RegExp(`(?<![\\p{L}\\p{N}_])(?:${alts.join('|')})[\\p{L}\\p{N}_]*`, 'giu');
}

/** Escaped text with the query's words wrapped in <mark>. */
export function highlight(text: string, words: string[]): string {
  const re = wordPattern(words);
  if (!re) return escapeHtml(text);
  let out = '';
  let last = 0;
  for (const m of text.matchAll(re)) {
    out += `${escapeHtml(text.slice(last, m.index))}<mark>${escapeHtml(m[0])}</mark>`;
    last = m.index + m[0].length;
  }
  return out + escapeHtml(text.slice(last));
}

/** About `size` characters of text around the first match, escaped and highlighted. */
export function snippet(text: string, words: string[], size = 240): string {
  const re = wordPattern(words);
  const at = re ? (re.exec(text)?.index ?? 0) : 0;
  let start = Math.max(0, at - Math.floor(size / 3));
  if (start > 0) {
    const space = text.indexOf(' ', start);
    start = space >= 0 && space < at ? space + 1 : start;
  }
  let end = Math.min(text.length, start + size);
  if (end < text.length) {
    const space = text.lastIndexOf(' ', end);
    end = space > at ? space : end;
  }
  return `${start > 0 ? '… ' : ''}${highlight(text.slice(start, end), words)}${end < text.length ? ' …' : ''}`;
}

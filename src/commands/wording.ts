// The command line's own words, in one place: counted nouns with their plural forms and the
// summary lines commands end with. The planet's pages get message catalogs; the CLI speaks English.
const plural = new Intl.PluralRules('en-US');

/** Singular and plural of each noun the CLI counts. */
const NOUNS = {
  byte: ['byte', 'bytes'],
  entry: ['entry', 'entries'],
  error: ['error', 'errors'],
  feed: ['feed', 'feeds'],
  file: ['file', 'files'],
  'new entry': ['new entry', 'new entries'],
  page: ['page', 'pages'],
} as const;

export type Noun = keyof typeof NOUNS;

/** `count(1, 'error')` → "1 error", `count(2, 'entry')` → "2 entries", `count(0, 'feed')` → "0 feeds". */
export function count(n: number, noun: Noun): string {
  const [one, other] = NOUNS[noun];
  return `${n} ${plural.select(n) === 'one' ? one : other}`;
}

export const bytes = (n: number) => count(n, 'byte');

export interface PassSummary {
  passId: number;
  feeds: number;
  ok: number;
  notModified: number;
  errors: number;
  newEntries: number;
  expired: number;
  ms: number;
}

/** The last line of `planet fetch`. */
export function passSummary(p: PassSummary): string {
  return (
    `pass ${p.passId}: ${count(p.feeds, 'feed')} — ${p.ok} ok, ${p.notModified} not modified, ${count(p.errors, 'error')}; ` +
    `${count(p.newEntries, 'new entry')}; ${count(p.expired, 'entry')} expired; ${p.ms} ms`
  );
}

/** The last line of `planet opml import`. */
export function importSummary(r: { added: number; present: number; invalid: number }): string {
  return `${r.added} added, ${r.present} already present, ${r.invalid} invalid`;
}

/** The line `planet build` ends with. */
export function buildSummary(files: number, target: string, ms: number): string {
  return `build: wrote ${count(files, 'file')} to ${target} in ${ms} ms`;
}

/** The line `planet backup` ends with. */
export function backupSummary(pages: number, bytesCopied: number, source: string, dest: string, ms: number): string {
  return `backup: ${count(pages, 'page')} (${(bytesCopied / 1024 / 1024).toFixed(1)} MiB) copied from ${source} to ${dest} in ${ms} ms`;
}

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
  page: ['page', 'pages'],
} as const;

export type Noun = keyof typeof NOUNS;

/** `count(1, 'error')` → "1 error", `count(2, 'entry')` → "2 entries", `count(0, 'feed')` → "0 feeds". */
export function count(n: number, noun: Noun): string {
  const [one, other] = NOUNS[noun];
  return `${n.toLocaleString('en-US')} ${plural.select(n) === 'one' ? one : other}`;
}

export const bytes = (n: number) => count(n, 'byte');

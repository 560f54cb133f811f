// The message catalogs and which one a `planet.language` selects. English is the source: its keys
// are every message there is, and each other catalog must have exactly those keys (the type below
// makes a missing or extra key a compile error; tests/i18n checks placeholders and tone rules; docs/decisions/0022-planet-words.md).
import { de } from './catalogs/de.js';
import { en } from './catalogs/en.js';
import { es } from './catalogs/es.js';
import { fr } from './catalogs/fr.js';
import { ja } from './catalogs/ja.js';
import { pt } from './catalogs/pt.js';

export type MessageKey = keyof typeof en;
/** A translation: every English key, each an ICU MessageFormat string with the same placeholders. */
export type Catalog = { readonly [K in MessageKey]: string };

export const CATALOGS: Readonly<Record<string, Catalog>> = { en, de, fr, es, pt, ja };

export interface ResolvedLanguage {
  /** The catalog used ("de"). */
  code: string;
  catalog: Catalog;
  /** `<html lang>`: the configured tag when its catalog exists ("de-AT"), else "en". */
  lang: string;
  /** The locale Intl formats dates and numbers with. */
  locale: string;
  /** False when planet.language has no catalog (the words fall back to English). */
  known: boolean;
}

/**
 * The catalog for a BCP 47 tag: "de-AT" → de, "pt-BR" → pt, anything unknown or malformed → en.
 * Plain "en" formats dates as en-GB does (weekday, day, month, year; a 24-hour clock), as Planet sites
 * always wrote them; "en-US" and other regions format as their region does.
 */
export function catalogFor(language: string): ResolvedLanguage {
  let tag: string;
  try {
    tag = Intl.getCanonicalLocales(language)[0] ?? 'en';
  } catch {
    tag = 'en';
    return { code: 'en', catalog: en, lang: 'en', locale: 'en-GB', known: false };
  }
  const code = tag.split('-')[0]!.toLowerCase();
  const catalog = CATALOGS[code];
  if (!catalog) return { code: 'en', catalog: en, lang: 'en', locale: 'en-GB', known: false };
  return { code, catalog, lang: tag, locale: tag === 'en' ? 'en-GB' : tag, known: true };
}

/** What to tell an admin at start when planet.language has no catalog, or null. */
export function languageWarning(language: string): string | null {
  if (catalogFor(language).known) return null;
  const codes = Object.keys(CATALOGS).sort().join(', ');
  return `i18n: planet.language "${language}" has no message catalog (there are ${codes}); the planet's own words are in English`;
}

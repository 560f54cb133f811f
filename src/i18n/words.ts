// The planet's own words in its language: messages from the catalog that `planet.language` selects
// (ICU MessageFormat through intl-messageformat, plurals by Intl.PluralRules), dates and times in
// `planet.timezone` with the zone shown, and "3 hours ago" through Intl.RelativeTimeFormat. Pure and
// cached per language and zone: the server and `planet build` render the same bytes. How to add a
// message: docs/decisions/0022-planet-words.md.
import { IntlMessageFormat } from 'intl-messageformat';
import { catalogFor, type MessageKey } from './catalogs.js';
import { createDateFormatter, type DateFormatter } from './dates.js';

/** HTML that a message places as is (already escaped or built by us): `words.raw('<time …>')`. */
export interface Raw {
  readonly html: string;
}

export type MessageValues = Record<string, string | number>;
export type HtmlValues = Record<string, string | number | Raw>;

export interface Words {
  /** What `<html lang>` says: planet.language when it has a catalog ("de-AT"), else "en". */
  lang: string;
  /** The locale Intl formats with ("en" reads as en-GB: day before month, a 24-hour clock). */
  locale: string;
  /** The catalog the words come from ("de"). */
  catalog: string;
  /** The IANA zone every time is shown in. */
  timeZone: string;
  /** A message as text (views escape it: `<%= it.t('key') %>`). */
  t(key: MessageKey, values?: MessageValues): string;
  /** A message as HTML: its text escaped, Raw values placed as they are (`<%~ it.html('key', {…}) %>`). */
  html(key: MessageKey, values?: HtmlValues): string;
  raw(html: string): Raw;
  dates: DateFormatter;
  /** "just now", "5 minutes ago", "3 hours ago", "2 days ago": changes at most once a minute. */
  ago(then: number, now: number): string;
  /** From `now` to `at`, past or future, to the nearest unit: "in 20 minutes", "3 hours ago". */
  relative(at: number, now: number): string;
}

const cache = new Map<string, Words>();

/** The words of a planet: one set per language and zone, reused by every render. */
export function createWords(language: string, timeZone: string): Words {
  const key = `${language}|${timeZone}`;
  let words = cache.get(key);
  if (!words) cache.set(key, (words = makeWords(language, timeZone)));
  return words;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function makeWords(language: string, timeZone: string): Words {
  const { code, catalog, lang, locale } = catalogFor(language);
  const compiled = new Map<MessageKey, IntlMessageFormat>();
  const format = (key: MessageKey, values?: MessageValues): string => {
    let message = compiled.get(key);
    if (!message) {
      const source = catalog[key];
      if (source === undefined) throw new Error(`i18n: no message "${key}"`);
      // ignoreTag: `<` is text in our messages (html() escapes it), not intl-messageformat's rich-text tags.
      compiled.set(key, (message = new IntlMessageFormat(source, locale, undefined, { ignoreTag: true })));
    }
    return String(message.format(values));
  };
  const relativeFormat = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const steps = (ms: number): [number, Intl.RelativeTimeFormatUnit] => {
    const minutes = Math.round(ms / 60_000);
    if (Math.abs(minutes) < 60) return [minutes, 'minute'];
    const hours = Math.round(ms / 3_600_000);
    if (Math.abs(hours) < 48) return [hours, 'hour'];
    const days = Math.round(ms / 86_400_000);
    if (Math.abs(days) < 45) return [days, 'day'];
    const months = Math.round(days / 30.44);
    if (Math.abs(months) < 12) return [months, 'month'];
    return [Math.round(days / 365.25), 'year'];
  };
  const words: Words = {
    lang,
    locale,
    catalog: code,
    timeZone,
    t: format,
    html(key, values) {
      if (!values) return escapeHtml(format(key));
      // Raw values go in as markers that escaping leaves alone, then are swapped for their HTML.
      const raws: string[] = [];
      const plain: MessageValues = {};
      for (const [name, value] of Object.entries(values)) {
        if (typeof value === 'object') {
          plain[name] = `\u0001${raws.length}\u0002`;
          raws.push(value.html);
        } else {
          plain[name] = value;
        }
      }
      return escapeHtml(format(key, plain)).replace(/\u0001(\d+)\u0002/g, (_, i: string) => raws[Number(i)]!);
    },
    raw: (html) => ({ html }),
    dates: createDateFormatter(timeZone, locale),
    ago(then, now) {
      const minutes = Math.max(0, Math.floor((now - then) / 60_000));
      if (minutes < 1) return format('time.justNow');
      // Floored, not rounded: the phrase only ever grows while the page is cached (src/site/cache.ts).
      if (minutes < 60) return relativeFormat.format(-minutes, 'minute');
      const hours = Math.floor(minutes / 60);
      if (hours < 48) return relativeFormat.format(-hours, 'hour');
      return relativeFormat.format(-Math.floor(hours / 24), 'day');
    },
    relative(at, now) {
      if (Math.abs(at - now) < 60_000) return format('time.justNow');
      const [n, unit] = steps(at - now);
      return relativeFormat.format(n, unit);
    },
  };
  return words;
}

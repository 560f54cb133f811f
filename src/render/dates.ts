// Dates as readers see them, in the planet's time zone and language: day headings
// ("Tuesday 13 January 2015"), times of day, and "updated N minutes ago".

export interface DateFormatter {
  /** Key of the day an instant falls on in the planet's zone, e.g. "2015-01-13". */
  dayKey(ms: number): string;
  /** "Tuesday 13 January 2015": Planet sites' heading order, names in the planet's language. */
  dayHeading(ms: number): string;
  /** "14:05". */
  time(ms: number): string;
  /** "13 January 2015, 14:05 UTC". */
  full(ms: number): string;
}

const formatters = new Map<string, DateFormatter>();

/** Intl formatters are slow to construct: one set per zone and language, reused by every render. */
export function createDateFormatter(timeZone: string, language: string): DateFormatter {
  const key = `${timeZone}|${language}`;
  let f = formatters.get(key);
  if (!f) formatters.set(key, (f = makeDateFormatter(timeZone, language)));
  return f;
}

function makeDateFormatter(timeZone: string, language: string): DateFormatter {
  const locale = safeLocale(language);
  const day = new Intl.DateTimeFormat(locale, { timeZone, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
  const key = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const time = new Intl.DateTimeFormat(locale, { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const zone = new Intl.DateTimeFormat('en', { timeZone, timeZoneName: 'short' });
  const part = (parts: Intl.DateTimeFormatPart[], type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const headingOf = (ms: number) => {
    const p = day.formatToParts(ms);
    return `${part(p, 'weekday')} ${part(p, 'day')} ${part(p, 'month')} ${part(p, 'year')}`;
  };
  return {
    dayKey: (ms) => key.format(ms),
    dayHeading: headingOf,
    time: (ms) => time.format(ms),
    full: (ms) => `${headingOf(ms).replace(/^\S+ /, '')}, ${time.format(ms)} ${part(zone.formatToParts(ms), 'timeZoneName')}`,
  };
}

function safeLocale(language: string): string {
  try {
    return Intl.DateTimeFormat.supportedLocalesOf([language]).length ? language : 'en';
  } catch {
    return 'en';
  }
}

/** "just now", "1 minute ago", "5 hours ago", "3 days ago": changes at most once a minute. */
export function agoPhrase(then: number, now: number): string {
  const minutes = Math.max(0, Math.floor((now - then) / 60_000));
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? '' : 's'} ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} hour${hours === 1 ? '' : 's'} ago`;
  const days = Math.floor(hours / 24);
  return `${days} days ago`;
}

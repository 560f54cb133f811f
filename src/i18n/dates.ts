// Dates as readers see them, through Intl in the planet's locale and time zone: day headings
// ("Tuesday, 13 January 2015", "Dienstag, 13. Januar 2015", "2015年1月13日火曜日"), times of day with
// their zone ("14:05 CET"), and the full date and time shown on hover.

export interface DateFormatter {
  /** Key of the day an instant falls on in the planet's zone, e.g. "2015-01-13". */
  dayKey(ms: number): string;
  /** The day heading, weekday first, as the locale writes a full date. */
  dayHeading(ms: number): string;
  /** Time of day with the zone: "14:05 CET", "2:05 PM EST". */
  time(ms: number): string;
  /** Date and time with the zone: "Tuesday, 13 January 2015 at 14:05 CET". */
  full(ms: number): string;
  /** A short date: "13 Jan 2015", "13. Jan. 2015". */
  short(ms: number): string;
}

const formatters = new Map<string, DateFormatter>();

/** Intl formatters are slow to construct: one set per zone and locale, reused by every render. */
export function createDateFormatter(timeZone: string, locale: string): DateFormatter {
  const key = `${timeZone}|${locale}`;
  let f = formatters.get(key);
  if (!f) formatters.set(key, (f = makeDateFormatter(timeZone, locale)));
  return f;
}

function makeDateFormatter(timeZone: string, locale: string): DateFormatter {
  const day = new Intl.DateTimeFormat(locale, { timeZone, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
  const key = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const time = new Intl.DateTimeFormat(locale, { timeZone, hour: 'numeric', minute: '2-digit', timeZoneName: 'short' });
  const full = new Intl.DateTimeFormat(locale, { timeZone, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' });
  const short = new Intl.DateTimeFormat(locale, { timeZone, day: 'numeric', month: 'short', year: 'numeric' });
  return {
    dayKey: (ms) => key.format(ms),
    dayHeading: (ms) => day.format(ms),
    time: (ms) => time.format(ms),
    full: (ms) => full.format(ms),
    short: (ms) => short.format(ms),
  };
}

// The one date parser for feeds: RFC 822/2822 and ISO 8601 / RFC 3339, plus the broken
// variants real feeds emit. Parsed explicitly: `new Date(string)` rolls "31 Jun" over to
// 1 Jul and its leniency differs between engines.

const MONTHS: Record<string, number> = {
  jan: 1, january: 1, janv: 1, januar: 1,
  feb: 2, february: 2, fev: 2, févr: 2, februar: 2,
  mar: 3, march: 3, mär: 3, mrz: 3, märz: 3, mars: 3,
  apr: 4, april: 4, avr: 4,
  may: 5, mai: 5,
  jun: 6, june: 6, juni: 6, juin: 6,
  jul: 7, july: 7, juli: 7, juil: 7,
  aug: 8, august: 8, aout: 8, août: 8,
  sep: 9, sept: 9, september: 9,
  oct: 10, october: 10, okt: 10, oktober: 10,
  nov: 11, november: 11,
  dec: 12, december: 12, dez: 12, dezember: 12, déc: 12,
};

// Offsets in minutes east of UTC. RFC 822 names plus the European and Asian ones that
// show up in hand-rolled feeds (German blogs write "MEST", Irish/Indian ones "IST").
const ZONES: Record<string, number> = {
  ut: 0, utc: 0, gmt: 0, z: 0, wet: 0,
  est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420,
  akst: -540, akdt: -480, hst: -600, ast: -240, adt: -180, nst: -210, ndt: -150,
  bst: 60, ist: 330, west: 60, cet: 60, met: 60, mez: 60, cest: 120, mest: 120, mesz: 120,
  eet: 120, eest: 180, msk: 180, jst: 540, kst: 540, hkt: 480, sgt: 480, awst: 480,
  acst: 570, acdt: 630, aest: 600, aedt: 660, nzst: 720, nzdt: 780,
};

const WEEKDAY = /^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s*/i;

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
  offset: number; // minutes east of UTC
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Build the instant, rejecting impossible fields instead of rolling them over. */
function build(p: Parts): Date | null {
  if (!Number.isFinite(p.year) || p.year < 1000 || p.year > 9999) return null;
  if (p.month < 1 || p.month > 12) return null;
  if (p.day < 1 || p.day > daysInMonth(p.year, p.month)) return null;
  if (p.hour > 23 || p.minute > 59 || p.second > 60) return null;
  // A leap second (:60) is kept inside its minute.
  const second = Math.min(p.second, 59);
  const t = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, second, p.ms) - p.offset * 60_000;
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** "+0200", "+02:00", "-5", "GMT+1", "EST", "Z", a military letter … → minutes east of UTC. */
function parseZone(raw: string | undefined): number | null {
  if (raw === undefined) return 0; // no zone: RFC 3339 "unknown local offset", read as UTC
  let z = raw.trim().replace(/^\((.*)\)$/, '$1');
  if (z === '') return 0;
  const prefixed = /^(?:gmt|utc|ut)\s*([+-].*)$/i.exec(z);
  if (prefixed?.[1]) z = prefixed[1];
  const num = /^([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(z);
  if (num) {
    const h = Number(num[2]);
    const m = num[3] === undefined ? 0 : Number(num[3]);
    if (h > 14 || m > 59) return null;
    return (num[1] === '-' ? -1 : 1) * (h * 60 + m);
  }
  // "+530": some Indian feeds drop the leading zero of the hour.
  const compact = /^([+-])(\d)(\d{2})$/.exec(z);
  if (compact) return (compact[1] === '-' ? -1 : 1) * (Number(compact[2]) * 60 + Number(compact[3]));
  const name = z.toLowerCase();
  const named = ZONES[name];
  if (named !== undefined) return named;
  // RFC 2822 §4.3: military zones other than Z had their signs wrong in RFC 822 and
  // "SHOULD all be considered equivalent to -0000" — i.e. UTC.
  if (/^[a-ik-y]$/.test(name)) return 0;
  return null;
}

function twoDigitYear(y: string): number {
  const n = Number(y);
  if (y.length === 2) return n < 50 ? 2000 + n : 1900 + n; // RFC 2822 §4.3
  if (y.length === 3) return 1900 + n;
  return n;
}

function fraction(f: string | undefined): number {
  if (!f) return 0;
  return Math.floor(Number(`0.${f}`) * 1000);
}

const ZONE_RE = String.raw`(?:(?:gmt|utc|ut)?\s*[+-]\d{1,2}(?::?\d{2})?|[a-z]{1,5}|\([a-z]{1,5}\))`;
const TIME_RE = String.raw`(\d{1,2})[:.](\d{2})(?:[:.](\d{2})(?:[.,](\d+))?)?\s*(am|pm)?`;

// 2015-01-13T10:00:00.123+01:00, 2015-01-13 10:00:00 +0100, 2015-01-13, 2015/01/13 10:00 Z
const ISO = new RegExp(
  String.raw`^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:(?:t|\s+|t\s*)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(${ZONE_RE})?)?$`,
  'i',
);
// 20150113T100000Z (basic format, seen in iCal-minded generators)
const ISO_BASIC = /^(\d{4})(\d{2})(\d{2})(?:t(\d{2})(\d{2})(\d{2})?(?:[.,](\d+))?\s*(z|[+-]\d{2}(?::?\d{2})?)?)?$/i;
// 13 Jan 2015 10:00:00 +0100, 13-Jan-15 10:00 GMT, 13 January 2015
const RFC822 = new RegExp(
  String.raw`^(\d{1,2})(?:st|nd|rd|th)?[\s\-/]+([a-zéû]+)\.?[\s\-/,]+(\d{2,4}),?(?:(?:\s+|t|\s*,\s*|\s+at\s+)${TIME_RE}\s*(${ZONE_RE})?)?$`,
  'i',
);
// Jan 13, 2015 10:00:00 GMT (month first)
const MONTH_FIRST = new RegExp(
  String.raw`^([a-zéû]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4}),?(?:(?:\s+|\s*,\s*|\s+at\s+)${TIME_RE}\s*(${ZONE_RE})?)?$`,
  'i',
);
// asctime / Unix date: Jan 13 10:00:00 2015, Jan 13 10:00:00 UTC 2015
const ASCTIME = new RegExp(String.raw`^([a-z]+)\s+(\d{1,2})\s+${TIME_RE}\s+(?:(${ZONE_RE})\s+)?(\d{4})$`, 'i');

function hour12(h: number, ampm: string | undefined): number {
  if (!ampm) return h;
  if (h < 1 || h > 12) return 99; // rejected by build()
  const pm = ampm.toLowerCase() === 'pm';
  return (h % 12) + (pm ? 12 : 0);
}

function month(name: string): number | null {
  return MONTHS[name.toLowerCase()] ?? null;
}

/** Parse a feed date; null when absent, unparsable or impossible (e.g. 30 Feb). */
export function parseDate(s: string | null | undefined): Date | null {
  if (typeof s !== 'string') return null;
  let str = s.replace(/\s+/g, ' ').trim();
  if (str === '' || str.length > 100) return null;
  // "+0000 (UTC)": mail-style comment after a numeric zone (RFC 2822 CFWS).
  str = str.replace(/([+-]\d{2}:?\d{2})\s*\([^)]*\)$/, '$1');

  // Extended (2015-01-13T10:00:00Z) and basic (20150113T100000Z) ISO 8601 share their groups.
  let m = ISO.exec(str) ?? ISO_BASIC.exec(str);
  if (m) {
    const offset = parseZone(m[8]);
    if (offset === null) return null;
    return build({
      year: Number(m[1]),
      month: Number(m[2]),
      day: Number(m[3]),
      hour: m[4] === undefined ? 0 : Number(m[4]),
      minute: m[5] === undefined ? 0 : Number(m[5]),
      second: m[6] === undefined ? 0 : Number(m[6]),
      ms: fraction(m[7]),
      offset,
    });
  }

  // A weekday carries no information and is often wrong ("Tue, 13 Jan 2015" on a Monday);
  // drop it. Stray commas ("13 Jan, 2015") are tolerated by the patterns.
  str = str.replace(WEEKDAY, '').replace(/\s*,\s*$/, '');

  m = RFC822.exec(str);
  if (m) {
    const mon = month(m[2] ?? '');
    const offset = parseZone(m[9]);
    if (mon === null || offset === null) return null;
    return build({ year: twoDigitYear(m[3] ?? ''), month: mon, day: Number(m[1]), ...timeOfDay(m, 4), offset });
  }
  m = MONTH_FIRST.exec(str);
  if (m) {
    const mon = month(m[1] ?? '');
    const offset = parseZone(m[9]);
    if (mon === null || offset === null) return null;
    return build({ year: Number(m[3]), month: mon, day: Number(m[2]), ...timeOfDay(m, 4), offset });
  }
  m = ASCTIME.exec(str);
  if (m) {
    const mon = month(m[1] ?? '');
    const offset = parseZone(m[8]);
    if (mon === null || offset === null) return null;
    return build({
      year: Number(m[9]),
      month: mon,
      day: Number(m[2]),
      hour: hour12(Number(m[3]), m[7]),
      minute: Number(m[4]),
      second: m[5] === undefined ? 0 : Number(m[5]),
      ms: fraction(m[6]),
      offset,
    });
  }
  return null;
}

/** The optional time of day in groups `at`…`at + 4`: hour, minute, second, fraction, am/pm. */
function timeOfDay(m: RegExpExecArray, at: number) {
  return {
    hour: m[at] === undefined ? 0 : hour12(Number(m[at]), m[at + 4]),
    minute: m[at + 1] === undefined ? 0 : Number(m[at + 1]),
    second: m[at + 2] === undefined ? 0 : Number(m[at + 2]),
    ms: fraction(m[at + 3]),
  };
}

// The one date parser for feeds: RFC 822/2822, ISO 8601 / W3C-DTF and the long tail real feeds
// emit (asctime, Perforce, MSSQL, localized names, Korean and CJK forms); docs/decisions/0016-feed-dates.md.
// Parsed explicitly: `new Date(string)` rolls "31 Jun" over to 1 Jul and its leniency differs between engines.

const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------------------------
// Calendar arithmetic on proleptic Gregorian day numbers (days since 1970-01-01), so years below
// 100 need none of Date.UTC's "0–99 means 1900–1999" care.

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeapYear(y) ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
}

/** Day number of a valid civil date (H. Hinnant's days_from_civil). */
function dayNumber(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  return era * 146_097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719_468;
}

// Years 1–9999, as Python's datetime (feedparser) and ISO 8601 without expansion allow.
const MIN_MS = dayNumber(1, 1, 1) * DAY_MS;
const MAX_MS = dayNumber(10_000, 1, 1) * DAY_MS - 1;

/** The day number of year-month-day, or null when any part is out of range (30 Feb, month 13). */
function civilDay(y: number, m: number, d: number): number | null {
  if (!(y >= 1 && y <= 9999) || !(m >= 1 && m <= 12) || !(d >= 1 && d <= daysInMonth(y, m))) return null;
  return dayNumber(y, m, d);
}

function ordinalDay(y: number, ordinal: number): number | null {
  if (!(y >= 1 && y <= 9999) || ordinal < 1 || ordinal > (isLeapYear(y) ? 366 : 365)) return null;
  return dayNumber(y, 1, 1) + ordinal - 1;
}

/** The Monday on or before a day number (day 0, 1970-01-01, was a Thursday). */
function mondayOnOrBefore(day: number): number {
  return day - ((((day + 3) % 7) + 7) % 7);
}

/** ISO 8601 week date: week 1 is the one holding 4 January; days run Monday (1) to Sunday (7). */
function weekDay(y: number, week: number, weekday: number): number | null {
  if (!(y >= 1 && y <= 9999) || weekday < 1 || weekday > 7 || week < 1) return null;
  const day = mondayOnOrBefore(dayNumber(y, 1, 4)) + (week - 1) * 7 + weekday - 1;
  return day < mondayOnOrBefore(dayNumber(y + 1, 1, 4)) ? day : null;
}

/** Years as written: two digits pivot at 90 (feedparser), three are 1900-based (RFC 2822 §4.3). */
function writtenYear(digits: string): number | null {
  const n = Number(digits);
  if (digits.length <= 2) return n < 90 ? 2000 + n : 1900 + n;
  if (digits.length === 3) return 1900 + n;
  if (digits.length === 4) return n;
  return null;
}

// ---------------------------------------------------------------------------------------------
// Names. English is part of the RFC 5322 grammar and static; other languages come from ICU the
// first time a word is not English (100–250 ms once per process; see the decision note).

/** Lower case, accents and compatibility forms folded (full-width digits, º), final sigma as σ. */
function fold(s: string): string {
  return s.toLowerCase().normalize('NFKD').replace(/\p{M}/gu, '').normalize('NFC').replace(/ς/g, 'σ');
}

function withPrefixes(names: readonly string[], min: number): Map<string, number> {
  const map = new Map<string, number>();
  names.forEach((name, i) => {
    for (let n = min; n <= name.length; n++) map.set(name.slice(0, n), i + 1);
  });
  return map;
}

const ENGLISH_MONTHS = withPrefixes(
  ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'],
  3,
);
const ENGLISH_WEEKDAYS = withPrefixes(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'], 2);

// Latin, Greek and Cyrillic languages whose names ICU gives as single words. Left out: Croatian
// (its lipanj/srpanj/listopad abbreviations are Polish and Czech months of other numbers), Irish,
// Welsh and Albanian (two-word names). Order is priority when two languages disagree.
const NAME_LOCALES = [
  'fr', 'de', 'it', 'es', 'pt', 'nl', 'sv', 'da', 'nb', 'fi', 'is', 'pl', 'cs', 'sk', 'sl', 'ro', 'hu', 'tr',
  'ca', 'gl', 'et', 'lv', 'lt', 'id', 'ru', 'uk', 'bg', 'el',
];
// Weekdays only: these write months as numbers with a unit (5月, 5월).
const WEEKDAY_ONLY_LOCALES = ['ja', 'zh', 'ko'];

interface LocalNames {
  months: Map<string, number>;
  weekdays: Set<string>;
}

let localNames: LocalNames | undefined;

/** Month and weekday names of NAME_LOCALES from ICU: full, genitive ("stycznia") and abbreviated
 *  forms exactly, plus unambiguous prefixes of three letters or more of the full forms. */
function buildLocalNames(): LocalNames {
  const months = new Map<string, number>();
  const prefixes = new Map<string, number>(); // 0 = claimed by two months, dropped
  const weekdays = new Set<string>();
  const word = (s: string): string | null => {
    const w = fold(s).replace(/\.$/, '').replace(/^(?:de |d’|d')/, '');
    return /^\p{L}+(?:-\p{L}+)*$/u.test(w) ? w : null;
  };
  for (const locale of NAME_LOCALES) {
    // Standalone ("styczeń", "čvc") and in a date ("stycznia"; Czech abbreviates there as "7.").
    const format = (options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(locale, { ...options, timeZone: 'UTC' });
    const long = format({ month: 'long' });
    const short = format({ month: 'short' });
    const longInDate = format({ day: 'numeric', month: 'long' });
    const shortInDate = format({ day: 'numeric', month: 'short' });
    for (let m = 1; m <= 12; m++) {
      const at = Date.UTC(2021, m - 1, 15);
      const inDate = (f: Intl.DateTimeFormat) => f.formatToParts(at).find((p) => p.type === 'month')?.value ?? '';
      const full = [long.format(at), inDate(longInDate)].map(word);
      for (const w of [...full, word(short.format(at)), word(inDate(shortInDate))]) {
        if (w !== null && !months.has(w)) months.set(w, m);
      }
      for (const w of full) {
        for (let n = 3; w !== null && n < w.length; n++) {
          const p = w.slice(0, n);
          const seen = prefixes.get(p);
          prefixes.set(p, seen === undefined || seen === m ? m : 0);
        }
      }
    }
  }
  for (const [p, m] of prefixes) if (m !== 0 && !months.has(p)) months.set(p, m);
  // DIN 5008's German abbreviation of März, which CLDR does not list.
  if (!months.has('mrz')) months.set('mrz', 3);
  for (const locale of [...NAME_LOCALES, ...WEEKDAY_ONLY_LOCALES]) {
    for (const weekday of ['long', 'short'] as const) {
      const f = new Intl.DateTimeFormat(locale, { weekday, timeZone: 'UTC' });
      for (let d = 1; d <= 7; d++) {
        const w = word(f.format(Date.UTC(2021, 1, d)));
        // One-letter Latin abbreviations (Hungarian H, K, P, V) would read stray letters as days.
        if (w !== null && (w.length > 1 || w > '\u2e80')) weekdays.add(w);
        if (w !== null && weekday === 'long') for (let n = 3; n < w.length; n++) weekdays.add(w.slice(0, n));
      }
    }
  }
  return { months, weekdays };
}

interface WordSeen {
  word: string;
  month: number | undefined;
  weekday: boolean;
  english: boolean;
}

/** What a word names: English first, so English dates never build the other tables. */
function nameOf(word: string): WordSeen {
  const month = ENGLISH_MONTHS.get(word);
  const weekday = ENGLISH_WEEKDAYS.has(word);
  if (month !== undefined || weekday) return { word, month, weekday, english: true };
  const local = (localNames ??= buildLocalNames());
  return { word, month: local.months.get(word), weekday: local.weekdays.has(word), english: false };
}

function monthNamed(w: string): number | undefined {
  return ENGLISH_MONTHS.get(w) ?? (localNames ??= buildLocalNames()).months.get(w);
}

function isWeekday(w: string): boolean {
  return ENGLISH_WEEKDAYS.has(w) || (localNames ??= buildLocalNames()).weekdays.has(w);
}

// ---------------------------------------------------------------------------------------------
// Zones: a fixed offset in minutes east of UTC, or an IANA zone whose rules ICU applies.

type Zone = number | Intl.DateTimeFormat;

// Word tables are Maps: a feed's "constructor" or "__proto__" must not find Object.prototype.

// RFC 822's US zones, then the abbreviations hand-rolled feeds use. Ambiguous ones are read as
// the decision note says: IST India, BST British Summer, CST/AST American, EST/PST the US.
const ZONES = new Map<string, number>(Object.entries({
  ut: 0, utc: 0, gmt: 0, z: 0, uct: 0, zulu: 0, wet: 0, west: 60, bst: 60, ist: 330,
  est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420,
  akst: -540, akdt: -480, hst: -600, hast: -600, hadt: -540, ast: -240, adt: -180, nst: -210, ndt: -150,
  cet: 60, met: 60, mez: 60, cest: 120, mest: 120, mesz: 120, eet: 120, eest: 180, msk: 180, msd: 240,
  wat: 60, cat: 120, sast: 120, eat: 180, pkt: 300, npt: 345, ict: 420, wib: 420,
  jst: 540, kst: 540, hkt: 480, sgt: 480, pht: 480, awst: 480, acst: 570, acdt: 630, aest: 600, aedt: 660,
  nzst: 720, nzdt: 780, brt: -180, brst: -120, art: -180, clt: -240, clst: -180,
}));

// US zones written without the daylight letter mean whichever is in force: the region's rules.
const GENERIC_ZONES = new Map<string, string>(Object.entries({
  et: 'America/New_York', ct: 'America/Chicago', mt: 'America/Denver', pt: 'America/Los_Angeles', at: 'America/Halifax',
}));

const zoneFormats = new Map<string, Intl.DateTimeFormat | null>();

/** A formatter that names the UTC offset of `tz` at an instant; null when ICU has no such zone. */
function ianaZone(tz: string): Intl.DateTimeFormat | null {
  let f = zoneFormats.get(tz);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' });
    } catch {
      f = null;
    }
    if (zoneFormats.size < 256) zoneFormats.set(tz, f); // hostile feeds cannot grow it without bound
  }
  return f;
}

/** Milliseconds east of UTC in force in `zone` at `utcMs` ("GMT-04:56:02" for old local mean time). */
function zoneOffsetMs(zone: Intl.DateTimeFormat, utcMs: number): number {
  const name = zone.formatToParts(utcMs).find((p) => p.type === 'timeZoneName')?.value ?? '';
  const m = /^GMT(?:([+-])(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?)?$/.exec(name);
  if (!m || m[1] === undefined) return 0;
  const ms = ((Number(m[2]) * 60 + Number(m[3] ?? 0)) * 60 + Number(m[4] ?? 0)) * 1000;
  return m[1] === '-' ? -ms : ms;
}

const OFFSET = /^([+-])(\d{1,2})(?::?(\d{2}))?$/;

/** A written zone → Zone; undefined when none is written; null when it is not a zone we know. */
function parseZone(raw: string): Zone | null | undefined {
  let z = raw.trim();
  if (z === '') return undefined;
  if (z.startsWith('(') && z.endsWith(')')) z = z.slice(1, -1).trim();
  // tz's Etc/GMT+5 is five hours *west* of Greenwich (POSIX sign), so the sign turns over.
  if (z.startsWith('etc/')) {
    const etc = /^(?:gmt|utc|uct|ut|zulu|universal|greenwich)(?:([+-])(\d{1,2}))?$/.exec(z.slice(4));
    if (!etc) return null;
    if (etc[1] === undefined) return 0;
    const hours = Number(etc[2]);
    return hours > 14 ? null : (etc[1] === '-' ? 1 : -1) * hours * 60;
  }
  const named = ZONES.get(z);
  if (named !== undefined) return named;
  const generic = GENERIC_ZONES.get(z);
  if (generic !== undefined) return ianaZone(generic);
  const prefixed = /^(?:gmt|utc|ut|uct)\s?([+-].*)$/.exec(z);
  const num = OFFSET.exec(prefixed?.[1] ?? z);
  if (num) {
    const h = Number(num[2]);
    const m = num[3] === undefined ? 0 : Number(num[3]);
    if (h > 14 || m > 59) return null;
    return (num[1] === '-' ? -1 : 1) * (h * 60 + m);
  }
  // "+0100 CET" (Go's time.String, some RFC 822 writers): the number is the zone, the name a label.
  const labelled = /^([+-]\d{2}:?\d{2}) \(?([a-z]{1,5})\)?$/.exec(z);
  if (labelled && ZONES.has(labelled[2]!)) return parseZone(labelled[1]!);
  // RFC 2822 §4.3: military zones other than Z had their signs wrong in RFC 822 and "SHOULD all
  // be considered equivalent to -0000".
  if (/^[a-ik-y]$/.test(z)) return 0;
  // An IANA name: Europe/Berlin, America/Argentina/Buenos_Aires.
  if (/^[a-z]+(?:\/[a-z_]+){1,2}$/.test(z)) return ianaZone(z);
  return null;
}

// ---------------------------------------------------------------------------------------------
// Time of day and the instant.

interface Clock {
  hour: number;
  minute: number;
  second: number;
  ms: number;
}

const MIDNIGHT: Clock = { hour: 0, minute: 0, second: 0, ms: 0 };

function clockOf(h: string, m: string, s: string | undefined, frac: string | undefined): Clock {
  return { hour: Number(h), minute: Number(m), second: s === undefined ? 0 : Number(s), ms: fraction(frac) };
}

/** Any number of fractional digits, truncated to milliseconds. */
function fraction(f: string | undefined): number {
  return f === undefined ? 0 : Number(`${f}00`.slice(0, 3));
}

type Meridiem = 'am' | 'pm' | null;

const MERIDIEMS = new Map<string, 'am' | 'pm'>(Object.entries({
  am: 'am', pm: 'pm', 오전: 'am', 오후: 'pm', 午前: 'am', 午後: 'pm', 上午: 'am', 下午: 'pm',
}) as [string, 'am' | 'pm'][]);
const KOREAN = /[\u3131-\u318e\uac00-\ud7a3]/;

/** 12-hour clock → 24-hour; 99 (rejected later) for hour 0 or 13+ with a meridiem. */
function hour24(hour: number, meridiem: Meridiem): number {
  if (meridiem === null) return hour;
  if (hour < 1 || hour > 12) return 99;
  return (hour % 12) + (meridiem === 'pm' ? 12 : 0);
}

/** The instant of a wall-clock time in a zone; null for an impossible time or an unknown zone. */
function instant(day: number | null, clock: Clock, meridiem: Meridiem, zone: Zone | null): Date | null {
  if (day === null || zone === null) return null;
  const hour = hour24(clock.hour, meridiem);
  const { minute, second, ms } = clock;
  // 24:00:00 is ISO 8601's end of the day; :60 a leap second, kept inside its minute.
  if (hour > 24 || (hour === 24 && (minute > 0 || second > 0 || ms > 0)) || minute > 59 || second > 60) return null;
  const wall = day * DAY_MS + ((hour * 60 + minute) * 60 + Math.min(second, 59)) * 1000 + ms;
  let t: number;
  if (typeof zone === 'number') {
    t = wall - zone * 60_000;
  } else {
    if (wall < MIN_MS || wall > MAX_MS) return null;
    // The offset in force at the wall time read as UTC, then again at the instant that gives.
    const guess = zoneOffsetMs(zone, wall);
    t = wall - guess;
    const actual = zoneOffsetMs(zone, t);
    if (actual !== guess) t = wall - actual;
  }
  return t < MIN_MS || t > MAX_MS ? null : new Date(t);
}

// ---------------------------------------------------------------------------------------------
// What follows the time of day: a meridiem, a zone and (asctime, Unix date) the year.

interface Tail {
  meridiem: Meridiem;
  zone: Zone | null | undefined;
  year: string | undefined;
  korean: boolean;
}

function parseTail(rest: string, yearAllowed: boolean): Tail {
  const words = rest.trim().split(' ');
  let i = 0;
  if (words[i] === 'uhr' || words[i] === 'h') i++;
  const meridiem = MERIDIEMS.get(words[i] ?? '') ?? null;
  const korean = meridiem !== null && KOREAN.test(words[i]!);
  if (meridiem !== null) i++;
  let end = words.length;
  let year: string | undefined;
  if (yearAllowed && end > i && /^\d{4}$/.test(words[end - 1]!)) year = words[--end];
  return { meridiem, zone: parseZone(words.slice(i, end).join(' ')), year, korean };
}

// ---------------------------------------------------------------------------------------------
// ISO 8601 and W3C-DTF, with feedparser's variants: reduced precision (2004, 2004-05), ordinal
// (2004-126, 2004126), week (2004-W19-3), basic (20040505T081545Z), two-digit years (04-05-05,
// 040505, 04126, -0405), Google's three-digit month (2004-005-05), a month name (Hungarian
// 2004-május-05), space / comma / Korean 오전·오후 before the time, fractions of any length.

const EXT_DATE = /(\d{4})([-/])(0\d\d|\d{1,2})\2(\d{1,2})/y;
const NAMED_MONTH_DATE = /(\d{4})-(\p{L}+)\.?-(\d{1,2})/uy;
const WEEK_DATE = /(\d{4})-?w(\d{2})(?:-?([1-7]))?/y;
const SHORT_EXT_DATE = /(\d{4})-(\d{3}|\d{1,2})(?!\d)/y;
const TWO_DIGIT_EXT_DATE = /(\d{2})-(?:(\d{3})|(\d{2})-(\d{2}))(?!\d)/y;
const CENTURY_MONTH = /-(\d{2})-?(\d{2})$/y;
const DATE_TIME_SEP = /\s*t\s*|\s*,\s*|\s/y;
const MERIDIEM_BEFORE = /(오전|오후|午前|午後|上午|下午)\s?/y;
const EXT_TIME = /(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?/y;
const BASIC_TIME = /(\d{2})(\d{2})?(\d{2})?(?:[.,](\d+))?(?!\d)/y;

const twoDigit = (yy: string): number => 2000 + Number(yy); // feedparser: ISO 8601 years in this century

function parseIso(s: string, fallbackZone: Zone | null | undefined): Date | null {
  let run = 0;
  while (run < s.length && s.charCodeAt(run) >= 48 && s.charCodeAt(run) <= 57) run++;
  let day: number | null = null;
  let at = 0;
  let reduced = false; // year, year-month: a date with no day takes no time either
  let m: RegExpExecArray | null;
  const sticky = (re: RegExp): RegExpExecArray | null => {
    re.lastIndex = 0;
    const r = re.exec(s);
    if (r) at = re.lastIndex;
    return r;
  };
  if (run === 0) {
    if (!(m = sticky(CENTURY_MONTH))) return null;
    day = civilDay(twoDigit(m[1]!), Number(m[2]), 1);
    reduced = true;
  } else if (run === 8) {
    day = civilDay(Number(s.slice(0, 4)), Number(s.slice(4, 6)), Number(s.slice(6, 8)));
    at = 8;
  } else if (run === 7) {
    day = ordinalDay(Number(s.slice(0, 4)), Number(s.slice(4, 7)));
    at = 7;
  } else if (run === 6) {
    day = civilDay(twoDigit(s.slice(0, 2)), Number(s.slice(2, 4)), Number(s.slice(4, 6)));
    at = 6;
  } else if (run === 5) {
    day = ordinalDay(twoDigit(s.slice(0, 2)), Number(s.slice(2, 5)));
    at = 5;
  } else if (run === 2) {
    if (!(m = sticky(TWO_DIGIT_EXT_DATE))) return null;
    const y = twoDigit(m[1]!);
    day = m[2] !== undefined ? ordinalDay(y, Number(m[2])) : civilDay(y, Number(m[3]), Number(m[4]));
  } else if (run === 4) {
    const y = Number(s.slice(0, 4));
    if ((m = sticky(EXT_DATE))) day = civilDay(y, Number(m[3]), Number(m[4]));
    else if ((m = sticky(WEEK_DATE))) day = weekDay(y, Number(m[2]), m[3] === undefined ? 1 : Number(m[3]));
    else if ((m = sticky(NAMED_MONTH_DATE))) {
      const month = monthNamed(m[2]!);
      day = month === undefined ? null : civilDay(y, month, Number(m[3]));
    } else if ((m = sticky(SHORT_EXT_DATE))) {
      day = m[2]!.length === 3 ? ordinalDay(y, Number(m[2])) : civilDay(y, Number(m[2]), 1);
      reduced = m[2]!.length < 3;
    } else {
      day = civilDay(y, 1, 1);
      at = 4;
      reduced = true;
    }
  } else {
    return null;
  }
  if (day === null) return null;
  if (at === s.length) return instant(day, MIDNIGHT, null, fallbackZone ?? 0);
  if (reduced) return null;

  DATE_TIME_SEP.lastIndex = at;
  const sep = DATE_TIME_SEP.exec(s);
  if (!sep) return null;
  at = DATE_TIME_SEP.lastIndex;
  let meridiem: Meridiem = null;
  MERIDIEM_BEFORE.lastIndex = at;
  const before = MERIDIEM_BEFORE.exec(s);
  if (before) {
    meridiem = MERIDIEMS.get(before[1]!)!;
    at = MERIDIEM_BEFORE.lastIndex;
  }
  EXT_TIME.lastIndex = at;
  let t = EXT_TIME.exec(s);
  let clock: Clock;
  if (t) {
    clock = clockOf(t[1]!, t[2]!, t[3], t[4]);
    at = EXT_TIME.lastIndex;
  } else {
    // Basic time (T081545) only after a T: "2004-05-05 0815" is not a time anyone writes.
    BASIC_TIME.lastIndex = at;
    if (!sep[0].includes('t') || !(t = BASIC_TIME.exec(s)) || (t[4] !== undefined && t[3] === undefined)) return null;
    clock = clockOf(t[1]!, t[2] ?? '0', t[3], t[4]);
    at = BASIC_TIME.lastIndex;
  }
  const tail = parseTail(s.slice(at), false);
  if (tail.year !== undefined || (meridiem !== null && tail.meridiem !== null)) return null;
  // Korean forms carry no zone and mean Korean time, as feedparser reads them.
  const korean = (before !== null && KOREAN.test(before[1]!)) || tail.korean;
  const zone = tail.zone === undefined ? (fallbackZone ?? (korean ? 540 : 0)) : tail.zone;
  return instant(day, clock, meridiem ?? tail.meridiem, zone);
}

// ---------------------------------------------------------------------------------------------
// Dates with names or units: RFC 822 and its relatives (month first, asctime, Unix date, JS
// Date#toString), in any language the name tables know; D.M.Y; 2004년 05월 28일, 2004年5月28日.

// One token of the date part: a time (which ends it), a dotted number (13.01.2015, 10.00), a
// number with an ordinal suffix or CJK unit, a word, or punctuation. Each branch starts on a
// different character class and has no nested quantifier, so matching is linear.
const TOKEN =
  /[\s,]*(?:(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?![\d:])|(\d+(?:\.\d+){1,2})\.?(?!\d)|(\d+)(?:(?:st|nd|rd|th|er|o|a)(?!\p{L})|\s?([年년月월日일号號時时시点點分분秒초]))?\.?|(\p{L}+(?:-\p{L}+)*)\.?|([-/()]))/uy;

type Unit = 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second';
const UNITS = new Map<string, Unit>(Object.entries({
  年: 'year', 년: 'year', 月: 'month', 월: 'month', 日: 'day', 일: 'day', 号: 'day', 號: 'day',
  時: 'hour', 时: 'hour', 시: 'hour', 点: 'hour', 點: 'hour', 分: 'minute', 분: 'minute', 秒: 'second', 초: 'second',
}) as [string, Unit][]);

// Words that join a date's parts in prose: "13 de enero de 2015 a las 10:00", "am 13. Januar
// 2015 um 10:00", "13 января 2015 г.", "le 13 janvier 2015 à 10:00", "13 januari 2015 kl. 10:00".
const FILLERS = new Set([
  'at', 'on', 'of', 'the', 'de', 'del', 'do', 'da', 'a', 'as', 'las', 'la', 'le', 'el', 'um', 'am', 'den', 'der', 'om',
  'kl', 'klo', 'klockan', 'il', 'alle', 'ore', 'o', 'v', 've', 'w', 'r', 'rok', 'roku', 'г', 'года', 'в', 'u', 'saat',
]);

function parseNamed(s: string, fallbackZone: Zone | null | undefined): Date | null {
  const words: WordSeen[] = [];
  const numbers: string[] = [];
  let year: string | undefined;
  let month: number | undefined;
  let day: number | undefined;
  let clock: Clock | undefined;
  let meridiem: Meridiem = null;
  let korean = false;
  let cjkClock: Partial<Record<'hour' | 'minute' | 'second', number>> | undefined;
  let rest = '';
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < s.length) {
    const start = TOKEN.lastIndex;
    const t = TOKEN.exec(s);
    if (!t) return null;
    if (cjkClock && t[7] === undefined) {
      rest = s.slice(start); // the first token after 11시 23분 17초 begins the tail
      break;
    }
    if (t[1] !== undefined) {
      clock = clockOf(t[1], t[2]!, t[3], t[4]);
      rest = s.slice(TOKEN.lastIndex);
      break;
    }
    if (t[5] !== undefined) {
      const parts = t[5].split('.');
      if (year === undefined && month === undefined && parts.length === 3) {
        // D.M.Y (13.01.2015) or Y.M.D (2015.01.13.); never two-digit years, which could be either.
        const [a, b, c] = parts as [string, string, string];
        if (c.length === 4 && a.length <= 2 && b.length <= 2) [day, month, year] = [Number(a), Number(b), c];
        else if (a.length === 4 && b.length <= 2 && c.length <= 2) [year, month, day] = [a, Number(b), Number(c)];
        else return null;
        continue;
      }
      // "kl. 10.00": a dotted time, once the year has been read.
      if ((year !== undefined || numbers.some((n) => n.length >= 3)) && parts.every((p, i) => p.length === 2 || (i === 0 && p.length === 1))) {
        clock = clockOf(parts[0]!, parts[1]!, parts[2], undefined);
        rest = s.slice(TOKEN.lastIndex);
        break;
      }
      return null;
    }
    if (t[6] !== undefined) {
      const unit = t[7] === undefined ? undefined : UNITS.get(t[7]);
      if (unit === undefined) {
        numbers.push(t[6]);
        continue;
      }
      if (KOREAN.test(t[7]!)) korean = true;
      const value = Number(t[6]);
      if (unit === 'year') {
        if (year !== undefined) return null;
        year = t[6];
      } else if (unit === 'month') {
        if (month !== undefined) return null;
        month = value;
      } else if (unit === 'day') {
        if (day !== undefined) return null;
        day = value;
      } else {
        cjkClock ??= {};
        if (cjkClock[unit] !== undefined) return null;
        cjkClock[unit] = value;
      }
      continue;
    }
    if (t[8] !== undefined) {
      const w = t[8];
      const before = MERIDIEMS.get(w);
      if (before !== undefined && w !== 'am' && w !== 'pm') {
        meridiem = before;
        if (KOREAN.test(w)) korean = true;
        continue;
      }
      const seen = nameOf(w);
      if (seen.month === undefined && !seen.weekday) {
        if (FILLERS.has(w)) continue;
        return null;
      }
      words.push(seen);
    }
    // Punctuation (13-Jan-2015, 2006/09/15, (金)) separates and means nothing.
  }
  if (cjkClock) {
    if (cjkClock.hour === undefined || clock !== undefined) return null;
    clock = { hour: cjkClock.hour, minute: cjkClock.minute ?? 0, second: cjkClock.second ?? 0, ms: 0 };
  }

  // The month: the one word that can only be a month, when a weekday shares its spelling
  // ("mar": Tuesday in French, Spanish and Italian; March in English).
  const monthWords = words.filter((w) => w.month !== undefined);
  let named: WordSeen | undefined;
  if (monthWords.length === 1) named = monthWords[0];
  else if (monthWords.length > 1) {
    // An English month may be another language's weekday: "mar, 14 abr 2009".
    for (const w of monthWords) if (w.english) w.weekday ||= (localNames ??= buildLocalNames()).weekdays.has(w.word);
    const only = monthWords.filter((w) => !w.weekday);
    if (only.length !== 1) return null;
    named = only[0];
  }
  if (words.some((w) => w !== named && !w.weekday)) return null;
  if (named !== undefined) {
    if (month !== undefined) return null;
    month = named.month;
  }
  if (month === undefined) return null;

  const tail = clock === undefined ? undefined : parseTail(rest, year === undefined);
  if (tail?.year !== undefined) numbers.push(tail.year);
  if (tail && meridiem !== null && tail.meridiem !== null) return null;
  korean ||= tail?.korean ?? false;

  // Day and year from the free numbers: the long one is the year, else RFC 822's order (day first).
  if (year === undefined || day === undefined) {
    const need = (year === undefined ? 1 : 0) + (day === undefined ? 1 : 0);
    if (numbers.length !== need) return null;
    if (need === 2) {
      const [a, b] = numbers as [string, string];
      const aYear = a.length >= 3 && b.length <= 2;
      if (!aYear && a.length > 2) return null;
      [day, year] = aYear ? [Number(b), a] : [Number(a), b];
    } else if (year === undefined) {
      year = numbers[0];
    } else {
      if (numbers[0]!.length > 2) return null;
      day = Number(numbers[0]);
    }
  } else if (numbers.length > 0) {
    return null;
  }
  const y = writtenYear(year!);
  if (y === null) return null;
  const zone = tail?.zone === undefined ? (fallbackZone ?? (korean ? 540 : 0)) : tail.zone;
  return instant(civilDay(y, month, day!), clock ?? MIDNIGHT, meridiem ?? tail?.meridiem ?? null, zone);
}

// ---------------------------------------------------------------------------------------------

// The two forms nearly every feed writes, read in one match before any normalizing. Anything
// else, and any of these that fails a range check, goes the general way.
const COMMON_RFC3339 =
  /^\s*(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):?(\d{2})))?\s*$/;
const COMMON_RFC822 =
  /^\s*(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?(\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2})(?::(\d{2}))? (?:(GMT|UTC?|Z|[ECMP][SD]T)|([+-])(\d{2})(\d{2}))\s*$/;
const MONTH_INDEX: Record<string, number> = { Jan: 1, Feb: 2, Mar: 3, Apr: 4, May: 5, Jun: 6, Jul: 7, Aug: 8, Sep: 9, Oct: 10, Nov: 11, Dec: 12 };

function parseCommon(s: string): Date | null {
  let m = COMMON_RFC3339.exec(s);
  let d: Date | null = null;
  if (m) {
    const offset = m[9] === undefined ? 0 : (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
    const clock = m[4] === undefined ? MIDNIGHT : clockOf(m[4], m[5]!, m[6], m[7]);
    if (Number(m[10] ?? 0) <= 14 && Number(m[11] ?? 0) <= 59) {
      d = instant(civilDay(Number(m[1]), Number(m[2]), Number(m[3])), clock, null, offset);
    }
  } else if ((m = COMMON_RFC822.exec(s))) {
    const offset = m[7] !== undefined ? ZONES.get(m[7].toLowerCase())! : (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10]));
    if (Number(m[9] ?? 0) <= 14 && Number(m[10] ?? 0) <= 59) {
      d = instant(civilDay(Number(m[3]), MONTH_INDEX[m[2]!]!, Number(m[1])), clockOf(m[4]!, m[5]!, m[6], undefined), null, offset);
    }
  }
  return d;
}

const LEADING_WEEKDAY = /^(\p{L}+)\.?,?\s?/u;

/** Parse a feed date; null when absent, unparsable or impossible (e.g. 30 Feb). */
export function parseDate(s: string | null | undefined): Date | null {
  if (typeof s !== 'string' || s.length > 1000) return null;
  const common = parseCommon(s);
  if (common !== null) return common;
  let str = s.trim().replace(/\s+/g, ' ');
  if (str === '' || str.length > 120) return null;
  str = /[^\x00-\x7f]/.test(str) ? fold(str) : str.toLowerCase();
  // "a.m." / "p.m." are one word.
  if (str.includes('.m')) str = str.replace(/\b([ap])\.m\.?(?= |$)/g, '$1m');

  // A trailing comment (RFC 2822 CFWS, Date#toString's "(Central European Summer Time)") is
  // ignored, unless nothing else names the zone and it does: "10:00:00 (EST)".
  let commentZone: Zone | undefined;
  if (str.endsWith(')')) {
    const open = str.lastIndexOf('(');
    if (open > 0 && str[open - 1] === ' ') {
      const inner = parseZone(str.slice(open + 1, -1));
      if (inner !== null && inner !== undefined) commentZone = inner;
      str = str.slice(0, open - 1);
    }
  }

  const first = str.charCodeAt(0);
  if ((first >= 48 && first <= 57) || first === 45) {
    const iso = parseIso(str, commentZone);
    if (iso !== null || first === 45) return iso;
  } else {
    // "Fri, 2006/09/15 08:19:53 EDT" (Perforce): a weekday before an ISO-like date.
    const lead = LEADING_WEEKDAY.exec(str);
    if (lead && /^\d{4}[-/]\d/.test(str.slice(lead[0].length)) && isWeekday(lead[1]!)) {
      return parseIso(str.slice(lead[0].length), commentZone);
    }
  }
  return parseNamed(str, commentZone);
}

// Table tests for the feed date parser: every form here was seen in a real feed.
import { describe, expect, it } from 'vitest';
import { parseDate } from '../../src/pipeline/dates.js';

describe('parseDate accepts', () => {
  it.each([
    ['RFC 822 with GMT', 'Tue, 13 Jan 2015 10:00:00 GMT', '2015-01-13T10:00:00.000Z'],
    ['RFC 822 with UT', 'Tue, 13 Jan 2015 10:00:00 UT', '2015-01-13T10:00:00.000Z'],
    ['RFC 822 with UTC', 'Tue, 13 Jan 2015 10:00:00 UTC', '2015-01-13T10:00:00.000Z'],
    ['RFC 822 with Z', 'Tue, 13 Jan 2015 10:00:00 Z', '2015-01-13T10:00:00.000Z'],
    ['RFC 822 with EST', 'Tue, 13 Jan 2015 10:00:00 EST', '2015-01-13T15:00:00.000Z'],
    ['RFC 822 with EDT', 'Mon, 13 Jul 2015 10:00:00 EDT', '2015-07-13T14:00:00.000Z'],
    ['RFC 822 with CST', 'Tue, 13 Jan 2015 10:00:00 CST', '2015-01-13T16:00:00.000Z'],
    ['RFC 822 with CDT', 'Mon, 13 Jul 2015 10:00:00 CDT', '2015-07-13T15:00:00.000Z'],
    ['RFC 822 with MST', 'Tue, 13 Jan 2015 10:00:00 MST', '2015-01-13T17:00:00.000Z'],
    ['RFC 822 with MDT', 'Mon, 13 Jul 2015 10:00:00 MDT', '2015-07-13T16:00:00.000Z'],
    ['RFC 822 with PST', 'Tue, 13 Jan 2015 10:00:00 PST', '2015-01-13T18:00:00.000Z'],
    ['RFC 822 with PDT', 'Mon, 13 Jul 2015 10:00:00 PDT', '2015-07-13T17:00:00.000Z'],
    ['German MEST', 'Mon, 13 Jul 2015 10:00:00 MEST', '2015-07-13T08:00:00.000Z'],
    ['CEST', 'Mon, 13 Jul 2015 10:00:00 CEST', '2015-07-13T08:00:00.000Z'],
    ['CET', 'Tue, 13 Jan 2015 10:00:00 CET', '2015-01-13T09:00:00.000Z'],
    ['BST', 'Mon, 13 Jul 2015 10:00:00 BST', '2015-07-13T09:00:00.000Z'],
    ['IST as India', 'Mon, 13 Jul 2015 10:00:00 IST', '2015-07-13T04:30:00.000Z'],
    ['military letter treated as UTC (RFC 2822)', 'Tue, 13 Jan 2015 10:00:00 A', '2015-01-13T10:00:00.000Z'],
    ['numeric zone +0200', 'Tue, 13 Jan 2015 10:00:00 +0200', '2015-01-13T08:00:00.000Z'],
    ['numeric zone -0530', 'Tue, 13 Jan 2015 10:00:00 -0530', '2015-01-13T15:30:00.000Z'],
    ['numeric zone with colon +02:00', 'Tue, 13 Jan 2015 10:00:00 +02:00', '2015-01-13T08:00:00.000Z'],
    ['GMT+0100', 'Tue, 13 Jan 2015 10:00:00 GMT+0100', '2015-01-13T09:00:00.000Z'],
    ['zone comment after offset', 'Tue, 13 Jan 2015 10:00:00 +0000 (UTC)', '2015-01-13T10:00:00.000Z'],
    ['two-digit year 15', 'Tue, 13 Jan 15 10:00:00 GMT', '2015-01-13T10:00:00.000Z'],
    ['two-digit year 99', 'Wed, 13 Jan 99 10:00:00 GMT', '1999-01-13T10:00:00.000Z'],
    ['missing seconds', 'Tue, 13 Jan 2015 10:00 GMT', '2015-01-13T10:00:00.000Z'],
    ['missing weekday', '13 Jan 2015 10:00:00 GMT', '2015-01-13T10:00:00.000Z'],
    ['wrong weekday ignored', 'Fri, 13 Jan 2015 10:00:00 GMT', '2015-01-13T10:00:00.000Z'],
    ['full weekday and month names', 'Tuesday, 13 January 2015 10:00:00 GMT', '2015-01-13T10:00:00.000Z'],
    ['single-digit day', 'Thu, 1 Jan 2015 10:00:00 GMT', '2015-01-01T10:00:00.000Z'],
    ['Sept', 'Sun, 13 Sept 2015 10:00:00 GMT', '2015-09-13T10:00:00.000Z'],
    ['lowercase month', 'tue, 13 jan 2015 10:00:00 gmt', '2015-01-13T10:00:00.000Z'],
    ['extra spaces', '  Tue,  13   Jan  2015   10:00:00   GMT ', '2015-01-13T10:00:00.000Z'],
    ['extra comma after year', 'Tue, 13 Jan 2015, 10:00:00 GMT', '2015-01-13T10:00:00.000Z'],
    ['no zone in RFC 822 → UTC', 'Tue, 13 Jan 2015 10:00:00', '2015-01-13T10:00:00.000Z'],
    ['date only RFC 822', '13 Jan 2015', '2015-01-13T00:00:00.000Z'],
    ['dashes 13-Jan-2015', '13-Jan-2015 10:00:00 GMT', '2015-01-13T10:00:00.000Z'],
    ['month first', 'Jan 13, 2015 10:00:00 GMT', '2015-01-13T10:00:00.000Z'],
    ['asctime', 'Tue Jan 13 10:00:00 2015', '2015-01-13T10:00:00.000Z'],
    ['Unix date with zone', 'Tue Jan 13 10:00:00 UTC 2015', '2015-01-13T10:00:00.000Z'],
    ['12-hour clock', 'Tue, 13 Jan 2015 10:00 PM GMT', '2015-01-13T22:00:00.000Z'],
    ['RFC 3339 Z', '2015-01-13T10:00:00Z', '2015-01-13T10:00:00.000Z'],
    ['RFC 3339 lowercase t and z', '2015-01-13t10:00:00z', '2015-01-13T10:00:00.000Z'],
    ['RFC 3339 offset', '2015-01-13T10:00:00+01:00', '2015-01-13T09:00:00.000Z'],
    ['RFC 3339 fractional seconds', '2015-01-13T10:00:00.123456Z', '2015-01-13T10:00:00.123Z'],
    ['ISO without T', '2015-01-13 10:00:00Z', '2015-01-13T10:00:00.000Z'],
    ['ISO with space and +0100', '2015-01-13 10:00:00 +0100', '2015-01-13T09:00:00.000Z'],
    ['ISO without zone → UTC', '2015-01-13T10:00:00', '2015-01-13T10:00:00.000Z'],
    ['ISO without seconds', '2015-01-13T10:00+01:00', '2015-01-13T09:00:00.000Z'],
    ['ISO date only', '2015-01-13', '2015-01-13T00:00:00.000Z'],
    ['ISO hour-only offset', '2015-01-13T10:00:00+01', '2015-01-13T09:00:00.000Z'],
    ['ISO basic format', '20150113T100000Z', '2015-01-13T10:00:00.000Z'],
    ['leap day in a leap year', '2016-02-29T10:00:00Z', '2016-02-29T10:00:00.000Z'],
    ['leap second kept in its minute', '2016-12-31T23:59:60Z', '2016-12-31T23:59:59.000Z'],
  ])('%s', (_name, input, iso) => {
    expect(parseDate(input)?.toISOString()).toBe(iso);
  });
});

describe('parseDate rejects', () => {
  it.each([
    ['31 June', 'Tue, 31 Jun 2015 10:00:00 GMT'],
    ['30 February', '2015-02-30T10:00:00Z'],
    ['29 February in a common year', '2015-02-29'],
    ['hour 25', '2015-01-13T25:00:00Z'],
    ['minute 60', 'Tue, 13 Jan 2015 10:60:00 GMT'],
    ['month 13', '2015-13-01'],
    ['unknown month', '13 Foo 2015 10:00:00 GMT'],
    ['unknown long zone', 'Tue, 13 Jan 2015 10:00:00 NOTAZONE'],
    ['offset beyond 14 hours', '2015-01-13T10:00:00+25:00'],
    ['garbage', 'yesterday'],
    ['empty string', ''],
    ['whitespace', '   '],
    ['null', null],
    ['undefined', undefined],
  ])('%s', (_name, input) => {
    expect(parseDate(input)).toBeNull();
  });
});

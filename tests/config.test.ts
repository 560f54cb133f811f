import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, closestName, describeIssues, loadConfig, parseConfig } from '../src/config.js';

const dir = mkdtempSync(path.join(tmpdir(), 'planet-config-'));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('gives the documented defaults for an empty document', () => {
    const c = parseConfig({});
    expect(c.server).toEqual({ host: '127.0.0.1', port: 8080, trust_proxy: false, workers: 1 });
    expect(c.database).toBe('data/planet.db');
    expect(c.fetch).toMatchObject({ schedule: '*/30 * * * *', concurrency: 8, per_host: 2, timeout_seconds: 20, max_bytes: 5 * 1024 * 1024, new_feed_items: 10, allow_private_addresses: false });
    expect(c.page).toEqual({ items_per_page: 50, activity_threshold_days: 90 });
    expect(c.retention).toEqual({ keep_days: 365, keep_per_feed: 20 });
    expect(c.planet.timezone).toBe('UTC');
    expect(c.feeds).toEqual([]);
    expect(c.websub).toEqual({ poll_hours: 24 });
  });

  it('takes a section left empty (every line under it commented out) as its defaults', () => {
    const c = loadConfig({ path: file('empty-sections.yaml', 'server:\n  # port: 9000\nfetch:\nfeeds:\n'), env: {} });
    expect(c.server.port).toBe(8080);
    expect(c.fetch.concurrency).toBe(8);
    expect(c.feeds).toEqual([]);
  });

  it('accepts the shipped config/planet.yaml', () => {
    const c = loadConfig({ path: 'config/planet.yaml', env: {} });
    expect(c.planet.name).toBe('Planetarium');
  });

  // Every kind of zod issue our schema can raise, as the admin reads it: path, what was expected,
  // what was found.
  it.each([
    ['a number too big', 'server:\n  port: 70000\n', ['server.port: must be at most 65535, got 70000']],
    ['a number too small', 'fetch:\n  concurrency: 0\n', ['fetch.concurrency: must be at least 1, got 0']],
    ['a number that must be positive', 'fetch:\n  timeout_seconds: 0\n', ['fetch.timeout_seconds: must be greater than 0, got 0']],
    ['a number past the safe integers, once', 'server:\n  port: 1e30\n', ['server.port: must be at most 65535, got 1e+30']],
    ['a fraction where a whole number goes', 'page:\n  items_per_page: 2.5\n', ['page.items_per_page: must be a whole number, got 2.5']],
    ['an empty string', 'planet:\n  name: ""\n', ['planet.name: must not be empty']],
    ['text where a number goes', 'server:\n  port: eighty\n', ['server.port: must be a number, got "eighty"']],
    ['a quoted number', 'server:\n  port: "8080"\n', ['server.port: must be a number, got "8080" (write the number without quotes)']],
    ['a quoted boolean', 'server:\n  trust_proxy: "yes"\n', ['server.trust_proxy: must be true or false, got "yes" (write true or false, without quotes)']],
    ['an empty value', 'server:\n  port:\n', ['server.port: must be a number, got an empty value']],
    ['a list where a mapping goes', 'page: [1, 2]\n', ['page: must be a mapping of keys to values, got a list of 2 items']],
    ['a mapping where a list goes', 'feeds:\n  url: https://example.org/feed\n', ['feeds: must be a list, got a mapping']],
    ['a document that is not a mapping', '- one\n', ['(top level): must be a mapping of keys to values, got a list of 1 item']],
    ['a missing required key', 'feeds:\n  - name: Ada\n', ['feeds.0.url: missing: must be an absolute http or https URL']],
    ['a URL that is not one', 'planet:\n  link: not a url\n', ['planet.link: must be an absolute http or https URL, got "not a url"']],
    ['a URL that is not http(s)', 'feeds:\n  - url: ftp://example.org/feed\n', ['feeds.0.url: must be an absolute http or https URL, got "ftp://example.org/feed"']],
    ['a bad tag', 'feeds:\n  - url: https://example.org/feed\n    tags: ["Has Space"]\n', ['feeds.0.tags.0: must be a tag (lowercase letters, digits, "-" or "_", at most 40 characters), got "Has Space"']],
    ['a bad cron expression', 'fetch:\n  schedule: every hour\n', ['fetch.schedule: must be a cron expression such as "*/30 * * * *", got "every hour"']],
    ['a mistyped time zone', 'planet:\n  timezone: Europe/Berln\n', ['planet.timezone: must be an IANA time zone such as UTC or Europe/Berlin, got "Europe/Berln" — did you mean "Europe/Berlin"?']],
    ['an unknown time zone', 'planet:\n  timezone: Mars/Olympus\n', ['planet.timezone: must be an IANA time zone such as UTC or Europe/Berlin, got "Mars/Olympus"']],
    ['a mistyped key', 'fetch:\n  concurency: 3\n', ['fetch.concurency: unknown key — did you mean "concurrency"?']],
    ['a mistyped key at the top', 'retension:\n  keep_days: 3\n', ['retension: unknown key — did you mean "retention"?']],
    ['a key at the wrong level', 'server:\nport: 8080\n', ['port: unknown key here — "port" belongs under "server" (check the indentation)']],
    [
      'a key unlike any',
      'fetch:\n  bogus: 1\n',
      ['fetch.bogus: unknown key; the keys here are schedule, concurrency, per_host, timeout_seconds, max_bytes, user_agent, new_feed_items, allow_private_addresses'],
    ],
    ['two unknown keys, one line each', 'page:\n  per_page: 3\n  colour: red\n', ['page.per_page: unknown key; the keys here are items_per_page, activity_threshold_days', 'page.colour: unknown key; the keys here are items_per_page, activity_threshold_days']],
    ['a reading list without a url', 'reading_lists:\n  - tags: [a]\n', ['reading_lists.0.url: missing: must be an http(s) URL or a file path']],
    ['a reading list with an ftp URL', 'reading_lists:\n  - url: ftp://example.org/list.opml\n', ['reading_lists.0.url: must be an http(s) URL or a file path, got "ftp://example.org/list.opml"']],
    ['a reading list with a remote file: URL', 'reading_lists:\n  - url: file://server/list.opml\n', ['reading_lists.0.url: must be a file: URL naming a local file (file:///path), got "file://server/list.opml"']],
    ['a reading list with a bad tag', 'reading_lists:\n  - url: https://example.org/l.opml\n    tags: [Bad Tag]\n', ['reading_lists.0.tags.0: must be a tag (lowercase letters, digits, "-" or "_", at most 40 characters), got "Bad Tag"']],
    ['a reading list with an unknown key', 'reading_lists:\n  - url: https://example.org/l.opml\n    name: x\n', ['reading_lists.0.name: unknown key here — "name" belongs under "planet" or "planet.owner" or "feeds.N" (check the indentation)']],
    ['a WebSub hub that is not http(s)', 'websub:\n  hub: ftp://hub.example/\n', ['websub.hub: must be an absolute http or https URL, got "ftp://hub.example/"']],
    ['a WebSub callback base with a query', 'websub:\n  callback_base: "https://planet.example/?x=1"\n', ['websub.callback_base: must be a base URL without query or fragment, got "https://planet.example/?x=1"']],
    ['a WebSub poll interval of zero', 'websub:\n  poll_hours: 0\n', ['websub.poll_hours: must be greater than 0, got 0']],
    ['an unknown WebSub key', 'websub:\n  secret: x\n', ['websub.secret: unknown key; the keys here are hub, callback_base, poll_hours']],
  ])('explains %s', (_name, yaml, expected) => {
    const issues = issuesOf(() => loadConfig({ path: file(`bad-${Math.random()}.yaml`, yaml), env: {} }));
    expect(issues).toEqual(expected);
  });

  // Kinds our schema does not raise today (an enum, a literal, a multiple), said the same way.
  it.each([
    ['a value outside an enum', z.object({ language: z.enum(['en', 'de', 'fr']) }), { language: 'dee' }, 'language: must be one of "en", "de", "fr", got "dee" — did you mean "de"?'],
    ['a wrong literal', z.object({ version: z.literal(2) }), { version: 3 }, 'version: must be 2, got 3'],
    ['a number not a multiple', z.object({ step: z.number().multipleOf(5) }), { step: 7 }, 'step: must be a multiple of 5, got 7'],
    ['a list too long', z.object({ tags: z.array(z.string()).max(2) }), { tags: ['a', 'b', 'c'] }, 'tags: must have at most 2 items, got a list of 3 items'],
    ['a string too long', z.object({ code: z.string().max(3) }), { code: 'abcd' }, 'code: must be at most 3 characters long, got "abcd"'],
  ])('explains %s', (_name, schema, value, expected) => {
    const result = schema.safeParse(value, { reportInput: true });
    expect(result.success).toBe(false);
    expect(describeIssues(result.error!.issues, schema)).toEqual([expected]);
  });

  it('lists every bad key at once, path first', () => {
    const issues = issuesOf(() => loadConfig({ path: file('many.yaml', 'server:\n  port: -1\npage:\n  items_per_page: "x"\nbogus: 1\n'), env: {} }));
    expect(issues).toHaveLength(3);
    expect(issues.some((i) => i.startsWith('server.port:'))).toBe(true);
    expect(issues.some((i) => i.startsWith('page.items_per_page:'))).toBe(true);
    expect(issues.some((i) => i.startsWith('bogus: unknown key'))).toBe(true);
  });

  it.each([
    ['concurency', ['concurrency', 'per_host'], 'concurrency'],
    ['Concurrency', ['concurrency'], 'concurrency'],
    ['prot', ['port', 'host'], 'port'],
    ['x', ['a', 'port'], undefined],
    ['zzzzzz', ['port', 'host'], undefined],
  ])('closestName(%s) suggests %s', (typed, candidates, expected) => {
    expect(closestName(typed, candidates)).toBe(expected);
  });

  it('takes reading lists as URLs or local files, a relative path meaning next to the config file', () => {
    const p = file('lists.yaml', 'reading_lists:\n  - url: https://wiki.example.org/planet.opml\n    tags: [community]\n  - url: lists/local.opml\n  - url: file:///srv/planet/list.opml\n');
    const c = loadConfig({ path: p, env: {} });
    expect(c.reading_lists).toEqual([
      { url: 'https://wiki.example.org/planet.opml', tags: ['community'] },
      { url: path.join(dir, 'lists/local.opml'), tags: [] },
      { url: '/srv/planet/list.opml', tags: [] },
    ]);
    expect(parseConfig({}).reading_lists).toEqual([]);
  });

  it('reports YAML syntax errors as config errors', () => {
    const issues = issuesOf(() => loadConfig({ path: file('syntax.yaml', 'server: [unclosed\n'), env: {} }));
    expect(issues[0]).toMatch(/not valid YAML/);
  });

  it('reports a missing explicit file', () => {
    const issues = issuesOf(() => loadConfig({ path: path.join(dir, 'nope.yaml'), env: {} }));
    expect(issues[0]).toMatch(/cannot read/);
  });

  it('applies PLANET_CONFIG, PLANET_DB, HOST and PORT', () => {
    const p = file('env.yaml', 'server:\n  port: 1234\n');
    const c = loadConfig({ env: { PLANET_CONFIG: p, PLANET_DB: '/tmp/x.db', HOST: '0.0.0.0', PORT: '9999' } });
    expect(c.configPath).toBe(p);
    expect(c.database).toBe('/tmp/x.db');
    expect(c.server.host).toBe('0.0.0.0');
    expect(c.server.port).toBe(9999);
  });

  it('rejects a bad PORT override', () => {
    const issues = issuesOf(() => loadConfig({ path: file('ok.yaml', '{}\n'), env: { PORT: 'http' } }));
    expect(issues[0]).toMatch(/^PORT/);
  });
});

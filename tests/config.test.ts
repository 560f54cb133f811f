import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../src/config.js';

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

  it('accepts the shipped config/planet.yaml', () => {
    const c = loadConfig({ path: 'config/planet.yaml', env: {} });
    expect(c.planet.name).toBe('Planetarium');
  });

  it.each([
    ['a wrong type', 'server:\n  port: "eighty"\n', 'server.port'],
    ['an unknown key', 'fetch:\n  concurency: 3\n', 'fetch: unknown key(s) "concurency"'],
    ['a bad cron expression', 'fetch:\n  schedule: "every hour"\n', 'fetch.schedule'],
    ['a bad time zone', 'planet:\n  timezone: Mars/Olympus\n', 'planet.timezone'],
    ['a feed with a non-http URL', 'feeds:\n  - url: ftp://example.org/feed\n', 'feeds.0.url'],
    ['a feed with a bad tag', 'feeds:\n  - url: https://example.org/feed\n    tags: ["Has Space"]\n', 'feeds.0.tags.0'],
    ['a negative concurrency', 'fetch:\n  concurrency: 0\n', 'fetch.concurrency'],
    ['a WebSub hub that is not http(s)', 'websub:\n  hub: ftp://hub.example/\n', 'websub.hub'],
    ['a WebSub callback base with a query', 'websub:\n  callback_base: "https://planet.example/?x=1"\n', 'websub.callback_base: expected a base URL without query or fragment'],
    ['a WebSub poll interval of zero', 'websub:\n  poll_hours: 0\n', 'websub.poll_hours'],
    ['an unknown WebSub key', 'websub:\n  secret: x\n', 'websub: unknown key(s) "secret"'],
  ])('rejects %s, naming the key', (_name, yaml, expected) => {
    const issues = issuesOf(() => loadConfig({ path: file(`bad-${Math.random()}.yaml`, yaml), env: {} }));
    expect(issues.join('\n')).toContain(expected);
  });

  it('lists every bad key at once, path first', () => {
    const issues = issuesOf(() => loadConfig({ path: file('many.yaml', 'server:\n  port: -1\npage:\n  items_per_page: "x"\nbogus: 1\n'), env: {} }));
    expect(issues).toHaveLength(3);
    expect(issues.some((i) => i.startsWith('server.port:'))).toBe(true);
    expect(issues.some((i) => i.startsWith('page.items_per_page:'))).toBe(true);
    expect(issues.some((i) => i.includes('"bogus"'))).toBe(true);
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

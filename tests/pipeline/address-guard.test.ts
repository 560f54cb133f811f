// The address guard: the pure classification table, the connection-time lookup, and fetchFeed
// refusing loopback / private targets directly, through DNS, through redirects and through rebinding.
import type dns from 'node:dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConditionalHeaders, FetchOptions } from '../../src/model.js';
import {
  AddressRefusedError,
  classifyAddress,
  guardedLookup,
  isForbiddenAddress,
  type ResolveAll,
} from '../../src/pipeline/address-guard.js';
import { fetchFeed } from '../../src/pipeline/fetch.js';
import { redirectTo, serveFeed, startFeedServer, type FeedServer } from '../helpers/feed-server.js';

describe('isForbiddenAddress', () => {
  it.each([
    ['IPv4 loopback', '127.0.0.1', 'a loopback address'],
    ['IPv4 loopback, elsewhere in 127/8', '127.8.9.10', 'a loopback address'],
    ['10/8', '10.1.2.3', 'a private address'],
    ['172.16/12, low end', '172.16.0.1', 'a private address'],
    ['172.16/12, high end', '172.31.255.254', 'a private address'],
    ['192.168/16', '192.168.1.1', 'a private address'],
    ['link-local / cloud metadata', '169.254.169.254', 'a link-local address'],
    ['carrier-grade NAT', '100.64.0.1', 'a carrier-grade NAT address'],
    ['multicast', '224.0.0.1', 'a multicast address'],
    ['unspecified', '0.0.0.0', 'an unspecified address'],
    ['"this network" 0/8', '0.1.2.3', 'an unspecified address'],
    ['broadcast', '255.255.255.255', 'a broadcast address'],
    ['documentation range', '192.0.2.1', 'a reserved address'],
    ['benchmarking range', '198.18.0.1', 'a reserved address'],
    ['class E', '240.0.0.1', 'a reserved address'],
    ['IPv6 loopback', '::1', 'a loopback address'],
    ['IPv6 unspecified', '::', 'an unspecified address'],
    ['IPv6 link-local', 'fe80::1', 'a link-local address'],
    ['IPv6 link-local with a zone', 'fe80::1%eth0', 'a link-local address'],
    ['IPv6 unique-local fc00::/7', 'fd12:3456::1', 'a unique-local address'],
    ['IPv6 multicast', 'ff02::1', 'a multicast address'],
    ['IPv6 documentation', '2001:db8::1', 'a reserved address'],
    ['IPv4-mapped loopback', '::ffff:127.0.0.1', 'a loopback address'],
    ['IPv4-mapped private, hex form', '::ffff:a00:1', 'a private address'],
    ['dotted IPv4 in IPv6 (parsed as mapped)', '::127.0.0.1', 'a loopback address'],
    ['IPv4-compatible (deprecated) form, hex', '::7f00:1', 'a reserved address'],
    ['NAT64 of a private address', '64:ff9b::10.0.0.1', 'a private address'],
    ['6to4 of loopback', '2002:7f00:1::1', 'a loopback address'],
    ['bracketed IPv6 from a URL', '[::1]', 'a loopback address'],
    ['not an IP at all', 'localhost', 'not a valid IP address'],
  ])('refuses %s (%s)', (_name, ip, reason) => {
    expect(isForbiddenAddress(ip)).toBe(true);
    expect(classifyAddress(ip)).toBe(reason);
  });

  it.each([
    ['public IPv4', '93.184.215.14'],
    ['just outside 172.16/12', '172.32.0.1'],
    ['just outside CGNAT', '100.128.0.1'],
    ['public IPv6', '2606:4700:4700::1111'],
    ['IPv4-mapped public', '::ffff:8.8.8.8'],
    ['NAT64 of a public address (DNS64 networks)', '64:ff9b::8.8.8.8'],
  ])('allows %s (%s)', (_name, ip) => {
    expect(isForbiddenAddress(ip)).toBe(false);
  });
});

/** A resolver answering from a table, like /etc/hosts; each name may answer differently per call. */
function fakeResolver(table: Record<string, string[][]>): ResolveAll & { calls: string[] } {
  const calls: string[] = [];
  const counts = new Map<string, number>();
  const resolve: ResolveAll = (hostname, _options, callback) => {
    calls.push(hostname);
    const answers = table[hostname];
    const n = counts.get(hostname) ?? 0;
    counts.set(hostname, n + 1);
    const answer = answers?.[Math.min(n, answers.length - 1)];
    if (!answer) {
      return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
    }
    callback(
      null,
      answer.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  };
  return Object.assign(resolve, { calls });
}

function lookupOnce(
  lookup: ReturnType<typeof guardedLookup>,
  hostname: string,
  options: dns.LookupOptions,
): Promise<{ err: NodeJS.ErrnoException | null; address: unknown; family?: number }> {
  return new Promise((resolve) => {
    (lookup as unknown as (h: string, o: dns.LookupOptions, cb: (...args: unknown[]) => void) => void)(
      hostname,
      options,
      (err, address, family) =>
        resolve({ err: err as NodeJS.ErrnoException | null, address, family: family as number | undefined }),
    );
  });
}

describe('guardedLookup', () => {
  const resolver = fakeResolver({
    'public.test': [['93.184.215.14']],
    'mixed.test': [['93.184.215.14', '10.0.0.1']],
    'loopback.test': [['::1']],
  });
  const lookup = guardedLookup(classifyAddress, resolver);

  it('passes a public answer through in single-address form', async () => {
    expect(await lookupOnce(lookup, 'public.test', {})).toEqual({ err: null, address: '93.184.215.14', family: 4 });
  });

  it('passes a public answer through in all-addresses form (Happy Eyeballs)', async () => {
    const { err, address } = await lookupOnce(lookup, 'public.test', { all: true });
    expect(err).toBeNull();
    expect(address).toEqual([{ address: '93.184.215.14', family: 4 }]);
  });

  it('refuses a name when any of its addresses is forbidden', async () => {
    const { err } = await lookupOnce(lookup, 'mixed.test', { all: true });
    expect(err).toBeInstanceOf(AddressRefusedError);
    expect(err?.message).toBe(
      'mixed.test resolves to 10.0.0.1, a private address (set fetch.allow_private_addresses to allow)',
    );
  });

  it('passes DNS errors through unchanged', async () => {
    const { err } = await lookupOnce(lookup, 'nowhere.test', {});
    expect(err?.code).toBe('ENOTFOUND');
  });
});

describe('fetchFeed with the guard on', () => {
  const none: ConditionalHeaders = { etag: null, lastModified: null };
  const guarded: FetchOptions = {
    timeoutMs: 1500,
    maxBytes: 1024 * 1024,
    userAgent: 'Planetarium-test',
    allowPrivateAddresses: false,
    maxRedirects: 5,
  };
  /**
   * The test server is on 127.0.0.1, which the real policy refuses. To exercise redirects and
   * rebinding, this policy exempts exactly that address and judges every other one for real.
   */
  const exemptTestServer = (ip: string) => (ip === '127.0.0.1' ? null : classifyAddress(ip));
  let server: FeedServer;

  beforeAll(async () => {
    server = await startFeedServer({
      '/feed.xml': serveFeed('<rss version="2.0"><channel><title>t</title></channel></rss>'),
    });
    server.route('/to-intranet', redirectTo(`http://intranet.test:${server.port}/feed.xml`, 301));
    server.route('/to-metadata', redirectTo('http://169.254.169.254/latest/meta-data/', 302));
    server.route('/to-self-by-other-name', redirectTo(`http://rebind.test:${server.port}/feed.xml`, 302));
    server.route('/rebind-start', redirectTo('/feed.xml', 302));
  });

  afterAll(async () => {
    await server.close();
  });

  it('refuses a literal loopback URL without connecting', async () => {
    const before = server.requests.length;
    const result = await fetchFeed(server.url('/feed.xml'), none, guarded);
    expect(result).toEqual({
      kind: 'error',
      code: 'address_refused',
      message: 'fetch: 127.0.0.1 is a loopback address (set fetch.allow_private_addresses to allow)',
      status: null,
      finalUrl: server.url('/feed.xml'),
      redirects: [],
      retryAfter: null,
    });
    expect(server.requests.length).toBe(before);
  });

  it.each([
    ['an IPv4-mapped IPv6 literal', 'http://[::ffff:127.0.0.1]:1/feed.xml', '::ffff:7f00:1', 'a loopback address'],
    ['a decimal IPv4 host', 'http://2130706433:1/feed.xml', '127.0.0.1', 'a loopback address'],
    ['the cloud metadata address', 'http://169.254.169.254/latest/meta-data/', '169.254.169.254', 'a link-local address'],
  ])('refuses %s', async (_name, url, shown, reason) => {
    const result = await fetchFeed(url, none, guarded);
    expect(result).toMatchObject({
      kind: 'error',
      code: 'address_refused',
      message: `fetch: ${shown} is ${reason} (set fetch.allow_private_addresses to allow)`,
    });
  });

  it('refuses localhost after resolving it with the system resolver', async () => {
    const before = server.requests.length;
    const result = await fetchFeed(`http://localhost:${server.port}/feed.xml`, none, guarded);
    expect(result.kind === 'error' && result.code).toBe('address_refused');
    expect(result.kind === 'error' && result.message).toMatch(
      /^fetch: localhost resolves to (127\.0\.0\.1|::1), a loopback address \(set fetch\.allow_private_addresses to allow\)$/,
    );
    expect(server.requests.length).toBe(before);
  });

  it('fetches the same URL when private addresses are allowed', async () => {
    const result = await fetchFeed(server.url('/feed.xml'), none, { ...guarded, allowPrivateAddresses: true });
    expect(result.kind).toBe('ok');
  });

  it('re-checks a redirect to a host that resolves to a private address', async () => {
    const resolver = fakeResolver({ 'feeds.test': [['127.0.0.1']], 'intranet.test': [['10.0.0.7']] });
    const result = await fetchFeed(`http://feeds.test:${server.port}/to-intranet`, none, guarded, {
      resolveAll: resolver,
      addressPolicy: exemptTestServer,
    });
    expect(result).toEqual({
      kind: 'error',
      code: 'address_refused',
      message: 'fetch: intranet.test resolves to 10.0.0.7, a private address (set fetch.allow_private_addresses to allow)',
      status: null,
      finalUrl: `http://intranet.test:${server.port}/feed.xml`,
      redirects: [
        {
          status: 301,
          from: `http://feeds.test:${server.port}/to-intranet`,
          to: `http://intranet.test:${server.port}/feed.xml`,
        },
      ],
      retryAfter: null,
    });
  });

  it('re-checks a redirect to a literal link-local address', async () => {
    const resolver = fakeResolver({ 'feeds.test': [['127.0.0.1']] });
    const result = await fetchFeed(`http://feeds.test:${server.port}/to-metadata`, none, guarded, {
      resolveAll: resolver,
      addressPolicy: exemptTestServer,
    });
    expect(result).toMatchObject({
      kind: 'error',
      code: 'address_refused',
      message: 'fetch: 169.254.169.254 is a link-local address (set fetch.allow_private_addresses to allow)',
    });
  });

  it('checks the address at connection time, so DNS rebinding between hops is refused', async () => {
    // First answer passes; the second lookup of the same name (for the next hop) answers 10.x.
    const resolver = fakeResolver({ 'rebind.test': [['127.0.0.1'], ['10.9.9.9']] });
    const result = await fetchFeed(`http://rebind.test:${server.port}/rebind-start`, none, guarded, {
      resolveAll: resolver,
      addressPolicy: exemptTestServer,
    });
    expect(resolver.calls).toEqual(['rebind.test', 'rebind.test']);
    expect(result).toMatchObject({
      kind: 'error',
      code: 'address_refused',
      message: 'fetch: rebind.test resolves to 10.9.9.9, a private address (set fetch.allow_private_addresses to allow)',
      redirects: [{ status: 302 }],
    });
  });

  it('follows a redirect between names that pass the guard', async () => {
    const resolver = fakeResolver({ 'feeds.test': [['127.0.0.1']], 'rebind.test': [['127.0.0.1']] });
    const result = await fetchFeed(`http://feeds.test:${server.port}/to-self-by-other-name`, none, guarded, {
      resolveAll: resolver,
      addressPolicy: exemptTestServer,
    });
    expect(result).toMatchObject({ kind: 'ok', finalUrl: `http://rebind.test:${server.port}/feed.xml` });
  });
});

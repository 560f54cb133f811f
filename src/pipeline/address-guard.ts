// Refuses connections to loopback, private, link-local and other non-public addresses, so a
// feed URL (or a redirect, or a DNS answer that changes between checks) cannot reach the intranet.
import dns from 'node:dns';
import net from 'node:net';
import ipaddr from 'ipaddr.js';

/** Human description of why an address is refused, e.g. `a loopback address`. */
export type AddressRefusal = string;

/** Decides whether an IP may be connected to; returns why not, or null when it may. */
export type AddressPolicy = (ip: string) => AddressRefusal | null;

// ipaddr.js range names → words for the error message. Anything not listed (and not
// plain `unicast`) is refused as reserved: an allowlist is safer than a denylist here.
const IPV4_REFUSALS: Record<string, string> = {
  unspecified: 'an unspecified address',
  broadcast: 'a broadcast address',
  multicast: 'a multicast address',
  linkLocal: 'a link-local address',
  loopback: 'a loopback address',
  carrierGradeNat: 'a carrier-grade NAT address',
  private: 'a private address',
};

const IPV6_REFUSALS: Record<string, string> = {
  unspecified: 'an unspecified address',
  linkLocal: 'a link-local address',
  multicast: 'a multicast address',
  loopback: 'a loopback address',
  uniqueLocal: 'a unique-local address',
  deprecatedSiteLocal: 'a site-local address',
};

function classifyIPv4(addr: ipaddr.IPv4): AddressRefusal | null {
  const range = addr.range();
  if (range === 'unicast') return null;
  return IPV4_REFUSALS[range] ?? 'a reserved address';
}

function classifyIPv6(addr: ipaddr.IPv6): AddressRefusal | null {
  // ::ffff:a.b.c.d reaches the IPv4 host a.b.c.d, so it is judged as that host.
  if (addr.isIPv4MappedAddress()) return classifyIPv4(addr.toIPv4Address());
  const range = addr.range();
  const parts = addr.parts;
  // NAT64 (RFC 6052) and 6to4 (RFC 3056) embed an IPv4 address: judge the embedded one,
  // because DNS64 networks hand out 64:ff9b::/96 addresses for every ordinary IPv4 site.
  if (range === 'rfc6052') {
    return classifyIPv4(ipv4FromWords(parts[6] ?? 0, parts[7] ?? 0));
  }
  if (range === '6to4') {
    return classifyIPv4(ipv4FromWords(parts[1] ?? 0, parts[2] ?? 0));
  }
  // ::/8 holds the deprecated IPv4-compatible addresses (::127.0.0.1) and is IETF-reserved.
  if (range === 'unicast' && (parts[0] ?? 0) >> 8 === 0) return 'a reserved address';
  if (range === 'unicast') return null;
  return IPV6_REFUSALS[range] ?? 'a reserved address';
}

function ipv4FromWords(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

/** Why `ip` must not be connected to (e.g. `a loopback address`), or null if it is public. Unparsable input is refused. */
export function classifyAddress(ip: string): AddressRefusal | null {
  const bare = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  // Zone ids (fe80::1%eth0) are only meaningful for link-local addresses; judge the address.
  const withoutZone = bare.split('%')[0] ?? bare;
  if (!ipaddr.isValid(withoutZone)) return 'not a valid IP address';
  const addr = ipaddr.parse(withoutZone);
  return addr.kind() === 'ipv4' ? classifyIPv4(addr as ipaddr.IPv4) : classifyIPv6(addr as ipaddr.IPv6);
}

/** True when a feed fetch must not connect to `ip` (unless private addresses are allowed). */
export function isForbiddenAddress(ip: string): boolean {
  return classifyAddress(ip) !== null;
}

/** Raised inside the connection's DNS lookup; the fetcher turns it into `address_refused`. */
export class AddressRefusedError extends Error {
  readonly code = 'ERR_ADDRESS_REFUSED';
  constructor(
    readonly host: string,
    readonly address: string,
    readonly reason: AddressRefusal,
  ) {
    const what = host === address ? `${address} is ${reason}` : `${host} resolves to ${address}, ${reason}`;
    super(`${what} (set fetch.allow_private_addresses to allow)`);
    this.name = 'AddressRefusedError';
  }
}

/** Literal IP hosts never reach `lookup` (net.connect skips it), so they are checked here first. */
export function checkLiteralHost(hostname: string, policy: AddressPolicy = classifyAddress): AddressRefusedError | null {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  if (net.isIP(bare) === 0) return null;
  const reason = policy(bare);
  return reason === null ? null : new AddressRefusedError(bare, bare, reason);
}

/** dns.lookup's shape, always asked for every address. Tests inject a fake resolver here. */
export type ResolveAll = (
  hostname: string,
  options: dns.LookupAllOptions,
  callback: (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void,
) => void;

const systemResolveAll: ResolveAll = (hostname, options, callback) => dns.lookup(hostname, options, callback);

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | dns.LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for http.request / net.connect that validates every resolved address before the
 * socket connects. Checking at connection time (not when the URL is accepted) is what defeats
 * DNS rebinding: the address checked is the address used.
 */
export function guardedLookup(
  policy: AddressPolicy = classifyAddress,
  resolveAll: ResolveAll = systemResolveAll,
): net.LookupFunction {
  const lookup = (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    resolveAll(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      if (addresses.length === 0) {
        const empty: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
        empty.code = 'ENOTFOUND';
        return callback(empty, '');
      }
      // Refuse when ANY answer is forbidden: with Happy Eyeballs the socket may try each of them.
      for (const { address } of addresses) {
        const reason = policy(address);
        if (reason !== null) return callback(new AddressRefusedError(hostname, address, reason), '');
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };
  return lookup as unknown as net.LookupFunction;
}

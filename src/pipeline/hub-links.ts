// Pure: WebSub discovery (W3C WebSub §4). A feed names its hub(s) and its own canonical URL (the
// topic) with rel="hub" / rel="self", in HTTP Link headers and in the document; the subscriber
// looks at the headers first, then the document (§4: "MUST first look for Link headers").
import LinkHeader from 'http-link-header';

export interface HubLinks {
  /** Absolute hub URLs, the headers' first, without repeats. */
  hubs: string[];
  /** The topic URL: rel="self" from the headers, else the document's, else null. */
  self: string | null;
}

/** http(s) URLs only: a hub is something we POST to, a topic something hubs fetch. */
function absoluteHttp(ref: string, base: string): string | null {
  try {
    const url = new URL(ref.trim(), base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** rel="hub" and rel="self" of an RFC 8288 Link header; an unreadable header names nothing. */
export function linkHeaderHubLinks(header: string | null, baseUrl: string): HubLinks {
  const out: HubLinks = { hubs: [], self: null };
  if (!header) return out;
  let parsed: LinkHeader;
  try {
    parsed = LinkHeader.parse(header);
  } catch {
    return out; // a malformed Link header is the publisher's bug; the document may still say it
  }
  for (const ref of parsed.rel('hub')) {
    const hub = absoluteHttp(ref.uri, baseUrl);
    if (hub && !out.hubs.includes(hub)) out.hubs.push(hub);
  }
  const self = parsed.rel('self')[0];
  out.self = self ? absoluteHttp(self.uri, baseUrl) : null;
  return out;
}

/**
 * What a fetched feed advertises: the Link header's hubs and self, then the document's. Null when
 * no hub is named anywhere (nothing to subscribe to).
 */
export function discoverHubLinks(header: string | null, document: HubLinks | undefined, baseUrl: string): HubLinks | null {
  const fromHeader = linkHeaderHubLinks(header, baseUrl);
  const hubs = [...fromHeader.hubs];
  for (const hub of document?.hubs ?? []) {
    const abs = absoluteHttp(hub, baseUrl);
    if (abs && !hubs.includes(abs)) hubs.push(abs);
  }
  if (hubs.length === 0) return null;
  const documentSelf = document?.self ? absoluteHttp(document.self, baseUrl) : null;
  return { hubs, self: fromHeader.self ?? documentSelf };
}

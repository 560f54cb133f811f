// Feed autodiscovery: the feeds an HTML page advertises with <link rel="alternate">.
// Used when a blog's home page is pasted instead of its feed, and to explain why a page is not a feed.
import { Parser } from 'htmlparser2';

const FEED_TYPES = new Set([
  'application/rss+xml',
  'application/atom+xml',
  'application/feed+json',
  'application/json',
  'application/rss',
  'application/rdf+xml',
  'application/xml',
  'text/xml',
]);

function resolve(href: string, base: string | null): string | null {
  try {
    return new URL(href, base ?? undefined).href;
  } catch {
    try {
      return new URL(href).href;
    } catch {
      return null;
    }
  }
}

/**
 * Absolute URLs of the feeds advertised by an HTML page, deduplicated, in document order.
 * With no base (a page read from a local file has no URL), a relative href the page's own
 * `<base>` cannot make absolute is returned as written.
 */
export function findFeedLinks(html: string, baseUrl: string | null): string[] {
  let base: string | null = null;
  const hrefs: string[] = [];
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (name === 'base' && attrs.href) {
          // The first <base href> changes what every relative href in the page means
          // (some CMSs point it at a CDN path), wherever the links sit.
          base ??= resolve(attrs.href.trim(), baseUrl);
          return;
        }
        if (name !== 'link' || !attrs.href) return;
        const rel = (attrs.rel ?? '').toLowerCase().split(/\s+/);
        if (!rel.includes('alternate')) return;
        const type = (attrs.type ?? '').toLowerCase().split(';')[0]?.trim() ?? '';
        if (!FEED_TYPES.has(type)) return;
        hrefs.push(attrs.href.trim());
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.end(html);
  const out: string[] = [];
  for (const href of hrefs) {
    const found = resolve(href, base ?? baseUrl) ?? (base ?? baseUrl ? null : href);
    if (found && !out.includes(found)) out.push(found);
  }
  return out;
}

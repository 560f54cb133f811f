// Links on the site's pages: only http(s) URLs to the outside (safeHref), and relative links between
// the site's paths, so the same bytes work at any sub-path: served by `planet serve` behind a proxy
// prefix, or as `planet build` files under any directory.
// See docs/decisions/0003-reader-side.md.

/**
 * The href that leads from the page at `from` to the site path `to` (both absolute paths such
 * as "/tag/linux/page/2"). "/" becomes "./" (or "../" …) so it never depends on the host root.
 */
export function relativeHref(from: string, to: string): string {
  const depth = from.split('/').length - 2; // "/a" → 0, "/a/b" → 1, "/a/b/" → 2
  const up = depth > 0 ? '../'.repeat(depth) : '';
  const target = to.replace(/^\//, '');
  if (target === '') return up || './';
  return up + target;
}

/** Only http(s) URLs become links: a feed can name a `javascript:` permalink, the sanitizer never sees it. */
export function safeHref(url: string | null | undefined): string | null {
  return url && /^https?:\/\/[^\s]+$/i.test(url) ? url : null;
}

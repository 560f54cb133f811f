// Why an input is refused before anything is fetched, in the one shape every door reports it:
// the API's `{ error, field, reason }`, the admin form's message, the CLI's error line.
import { checkLiteralHost } from '../pipeline/address-guard.js';

/** A refusal that names the input at fault: the API's `{ error, field, reason }`. */
export interface FieldError {
  kind: 'invalid';
  error: string;
  field: string;
  reason: string;
}

export const fieldError = (field: string, reason: string, error = 'invalid input'): FieldError => ({ kind: 'invalid', error, field, reason });

/** Why `url` cannot be subscribed before anything is fetched, or null. */
export function urlProblem(url: string, allowPrivateAddresses: boolean): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not an absolute URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `unsupported scheme "${parsed.protocol.replace(/:$/, '')}" (only http and https)`;
  if (parsed.username || parsed.password) return 'credentials in the URL are not supported';
  if (!allowPrivateAddresses) {
    const host = parsed.hostname.toLowerCase();
    // "localhost" never needs DNS to be known as loopback (RFC 6761 §6.3); literal IPs are judged here,
    // names that resolve to private addresses are refused by the fetcher's DNS guard.
    if (host === 'localhost' || host.endsWith('.localhost')) return `${host} is a loopback address (set fetch.allow_private_addresses to allow)`;
    const refused = checkLiteralHost(parsed.hostname);
    if (refused) return refused.message;
  }
  return null;
}

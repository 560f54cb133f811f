// X-Hub-Signature (W3C WebSub §8): `method=hexdigest`, the HMAC of the raw request body keyed with
// the subscription's hub.secret, method one of sha1, sha256, sha384, sha512. Checked in constant time.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_ALGORITHMS = ['sha1', 'sha256', 'sha384', 'sha512'] as const;
export type SignatureAlgorithm = (typeof SIGNATURE_ALGORITHMS)[number];

export type SignatureCheck =
  | { ok: true; algorithm: SignatureAlgorithm }
  | { ok: false; reason: 'missing' | 'malformed' | 'unknown_algorithm' | 'mismatch'; message: string };

/** Hex digest lengths per algorithm: a value of another length cannot match and is malformed. */
const HEX_LENGTH: Record<SignatureAlgorithm, number> = { sha1: 40, sha256: 64, sha384: 96, sha512: 128 };

function isAlgorithm(name: string): name is SignatureAlgorithm {
  return (SIGNATURE_ALGORITHMS as readonly string[]).includes(name);
}

/** Checks an X-Hub-Signature header against the raw body. Never throws. */
export function checkSignature(header: string | undefined, secret: string, body: Buffer): SignatureCheck {
  if (header === undefined || header.trim() === '') {
    return { ok: false, reason: 'missing', message: 'websub: delivery without X-Hub-Signature' };
  }
  const eq = header.indexOf('=');
  if (eq < 1) return { ok: false, reason: 'malformed', message: 'websub: X-Hub-Signature is not "method=signature"' };
  const method = header.slice(0, eq).trim().toLowerCase();
  const given = header.slice(eq + 1).trim().toLowerCase();
  if (!isAlgorithm(method)) {
    return { ok: false, reason: 'unknown_algorithm', message: `websub: X-Hub-Signature method "${method.slice(0, 20)}" is not one of ${SIGNATURE_ALGORITHMS.join(', ')}` };
  }
  if (given.length !== HEX_LENGTH[method] || !/^[0-9a-f]+$/.test(given)) {
    return { ok: false, reason: 'malformed', message: `websub: X-Hub-Signature is not a ${method} hex digest` };
  }
  const expected = createHmac(method, secret).update(body).digest();
  // Equal lengths (checked above), so timingSafeEqual compares every byte whatever they hold.
  if (!timingSafeEqual(expected, Buffer.from(given, 'hex'))) {
    return { ok: false, reason: 'mismatch', message: `websub: X-Hub-Signature (${method}) does not match the body` };
  }
  return { ok: true, algorithm: method };
}

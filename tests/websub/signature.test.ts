// X-Hub-Signature checks: every algorithm WebSub names, and each way a signature can be wrong.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkSignature, SIGNATURE_ALGORITHMS } from '../../src/websub/signature.js';

const secret = 'a3f1c0ffee';
const body = Buffer.from('<feed xmlns="http://www.w3.org/2005/Atom"><title>é</title></feed>', 'utf8');
const sign = (algorithm: string, key = secret, bytes = body) => `${algorithm}=${createHmac(algorithm, key).update(bytes).digest('hex')}`;

describe('checkSignature', () => {
  it.each(SIGNATURE_ALGORITHMS)('accepts a valid %s signature over the raw bytes', (algorithm) => {
    expect(checkSignature(sign(algorithm), secret, body)).toEqual({ ok: true, algorithm });
  });

  it('accepts upper-case hex and an upper-case method', () => {
    const [method, hex] = sign('sha256').split('=') as [string, string];
    expect(checkSignature(`${method.toUpperCase()}=${hex.toUpperCase()}`, secret, body)).toMatchObject({ ok: true });
  });

  it.each([
    ['missing', undefined, 'missing'],
    ['empty', '', 'missing'],
    ['no method', 'abcdef', 'malformed'],
    ['an unknown method', 'md5=0123456789abcdef0123456789abcdef', 'unknown_algorithm'],
    ['a digest of the wrong length', 'sha256=abcd', 'malformed'],
    ['not hex', `sha1=${'z'.repeat(40)}`, 'malformed'],
    ['signed with another secret', sign('sha256', 'other-secret'), 'mismatch'],
    ['over other bytes (one byte more)', sign('sha512', secret, Buffer.concat([body, Buffer.from(' ')])), 'mismatch'],
    ['over the text re-encoded (latin1 instead of the bytes sent)', sign('sha1', secret, Buffer.from(body.toString('utf8'), 'latin1')), 'mismatch'],
    ['sha1 digest labelled sha256', `sha256=${sign('sha1').slice(5)}`, 'malformed'],
  ])('refuses %s', (_case, header, reason) => {
    const check = checkSignature(header, secret, body);
    expect(check).toMatchObject({ ok: false, reason });
    expect(check.ok === false && check.message).toMatch(/^websub: /);
  });
});

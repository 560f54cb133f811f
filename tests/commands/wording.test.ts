// The command line's counted words: English plural rules, not "1 errors".
import { describe, expect, it } from 'vitest';
import { count, passSummary } from '../../src/commands/wording.js';

describe('count', () => {
  it.each([
    [0, 'error', '0 errors'],
    [1, 'error', '1 error'],
    [2, 'error', '2 errors'],
    [1, 'entry', '1 entry'],
    [3, 'entry', '3 entries'],
    [1, 'new entry', '1 new entry'],
    [0, 'new entry', '0 new entries'],
    [1, 'feed', '1 feed'],
    [1, 'byte', '1 byte'],
    [1000, 'file', '1000 files'],
  ] as const)('count(%d, %s) is "%s"', (n, noun, expected) => {
    expect(count(n, noun)).toBe(expected);
  });

  it('words the fetch summary by its counts', () => {
    expect(passSummary({ passId: 7, feeds: 1, ok: 0, notModified: 0, errors: 1, newEntries: 1, expired: 1, ms: 12 })).toBe(
      'pass 7: 1 feed — 0 ok, 0 not modified, 1 error; 1 new entry; 1 entry expired; 12 ms',
    );
  });
});

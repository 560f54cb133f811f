// Cells of the CLI's tables: cut by terminal columns without splitting a character, made harmless.
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { cleanCell, truncate } from '../../src/commands/table.js';

describe('truncate', () => {
  it.each([
    ['fits as it is', 'Ada', 5, 'Ada'],
    ['cut with an ellipsis', 'Ada Lovelace', 6, 'Ada L…'],
    ['no space before the ellipsis', 'Ada Lovelace', 5, 'Ada…'],
    ['wide characters count two columns', '日本語のブログ', 7, '日本語…'],
    ['an emoji is never split', 'ab🚀cd', 4, 'ab…'],
    ['a letter and its combining accent stay together', 'cafe\u0301 noir', 5, 'cafe\u0301…'],
  ])('%s', (_name, text, width, expected) => {
    const cut = truncate(text, width);
    expect(cut).toBe(expected);
    expect(stringWidth(cut)).toBeLessThanOrEqual(width);
  });
});

describe('cleanCell', () => {
  it.each([
    ['a terminal escape', 'a\x1b[2Jb', 'a\ufffd[2Jb'],
    ['a newline and a tab', 'one\ntwo\tthree', 'one two three'],
    ['a bidi override', 'abc\u202edef', 'abc\ufffddef'],
    ['a C1 control', 'x\u009by', 'x\ufffdy'],
    ['ordinary text', 'Café 日本 🚀', 'Café 日本 🚀'],
  ])('replaces %s', (_name, text, expected) => {
    expect(cleanCell(text)).toBe(expected);
  });
});

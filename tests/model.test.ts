// The one tag rule (model.ts): what the config, the forms, OPML categories and /tag/… paths accept.
import { describe, expect, it } from 'vitest';
import { TAG, TAG_PATTERN, slugTag } from '../src/model.js';

describe('TAG', () => {
  it.each([
    ['linux', true],
    ['open-source', true],
    ['c_plus_plus', true],
    ['9front', true],
    ['a'.repeat(40), true],
    ['a'.repeat(41), false],
    ['-leading-dash', false],
    ['Upper', false],
    ['two words', false],
    ['', false],
  ])('%j is a tag: %s', (text, ok) => {
    expect(TAG.test(text)).toBe(ok);
  });

  it('embeds unanchored in a path pattern', () => {
    expect(new RegExp(`^/tag/(${TAG_PATTERN})$`).exec('/tag/rust')?.[1]).toBe('rust');
    expect(new RegExp(`^/tag/(${TAG_PATTERN})$`).exec('/tag/Rust')).toBeNull();
  });
});

describe('slugTag', () => {
  it.each([
    ['Open Source', 'open-source'],
    ['  Linux  ', 'linux'],
    ['Café Society', 'cafe-society'],
    ['snake_case name', 'snake-case-name'],
    ['C++ & Rust!', 'c-rust'],
    ['x'.repeat(60), 'x'.repeat(40)],
    ['!!!', null],
    ['-', null],
  ])('%j → %j', (input, slug) => {
    expect(slugTag(input)).toBe(slug);
  });
});

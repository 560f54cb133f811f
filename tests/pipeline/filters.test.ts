// The filter rule language (PRODUCT.md "Filters"): each kind of rule, include/exclude precedence
// between the planet and a feed, and every refusal with the words a user needs. Hostile rules
// (a regex bomb, a 10,000-rule list, control characters) are refused or bounded.
import { describe, expect, it } from 'vitest';
import type { Category } from '../../src/model.js';
import {
  compileFilters,
  compileRule,
  decide,
  filterSubject,
  MAX_RULES_PER_LIST,
  NO_FILTERS,
  REGEX_TEXT_CHARS,
  type CompiledFilters,
  type SubjectInput,
} from '../../src/pipeline/filters.js';

const post = (p: Partial<SubjectInput> = {}): SubjectInput => ({
  title: 'Rust lang release notes',
  author: 'Jo Bloggs',
  categories: [{ term: 'programming', scheme: null, label: null }, { term: 'rust', scheme: 'https://t.example/', label: 'Rust & Co' }] as Category[],
  language: 'de-AT',
  contentHtml: '<p>The <b>kernel</b> community met at FOSDEM.</p>',
  summaryHtml: null,
  ...p,
});

function matches(rule: string, p: SubjectInput = post()): boolean {
  const compiled = compileRule(rule);
  if (!compiled.ok) throw new Error(`${rule}: ${compiled.reason}`);
  return compiled.rule.test(filterSubject(p));
}

describe('each kind of rule', () => {
  it.each([
    ['category: the term, any case', 'category:RUST', true],
    ['category: the label', 'category:rust & co', true],
    ['category: another category', 'category:python', false],
    ['category: a part of a term is not the term', 'category:prog', false],
    ['author: the whole name, any case and spacing', 'author:jo   bloggs', true],
    ['author: part of the name is not the author', 'author:jo', false],
    ['lang: a prefix of subtags (de matches de-AT)', 'lang:de', true],
    ['lang: the full tag, any case', 'lang:DE-at', true],
    ['lang: another region', 'lang:de-CH', false],
    ['lang: letters are not subtags (d does not match de-AT)', 'lang:d', false],
    ['title: a word', 'title:release', true],
    ['title: whole words only', 'title:releas', false],
    ['title: a phrase, words in order', 'title:lang release', true],
    ['title: a phrase out of order', 'title:release lang', false],
    ['title: does not look at the content', 'title:kernel', false],
    ['text: a word of the content', 'text:FOSDEM', true],
    ['text: a word of the title', 'text:rust', true],
    ['text: tags are not words', 'text:b', false],
    ['text: punctuation between words does not matter', 'text:kernel, community!', true],
    ['a bare phrase means text:', 'kernel community', true],
    ['a bare phrase that is not there', 'python', false],
    ['title: a regular expression', 'title:/^rust\\s+lang\\b/i', true],
    ['title: a regular expression is case-sensitive without i', 'title:/^rust/', false],
    ['text: a regular expression over title and content', 'text:/kern(el)?\\s+comm/', true],
    ['a bare regular expression means text:', '/fos(dem)?/i', true],
    ['the kind in any case', 'Category:rust', true],
  ])('%s: %s → %s', (_name, rule, expected) => {
    expect(matches(rule)).toBe(expected);
  });

  it('lang: a post of unknown language matches no lang: rule', () => {
    expect(matches('lang:de', post({ language: null }))).toBe(false);
  });

  it('text: reads the summary too, and words in any script', () => {
    expect(matches('text:flavour', post({ contentHtml: null, summaryHtml: '<p>Colour and flavour.</p>' }))).toBe(true);
    expect(matches('text:привет мир', post({ contentHtml: '<p>Привет, мир!</p>' }))).toBe(true);
  });
});

describe('include and exclude, planet and feed', () => {
  const lists = (include: string[], exclude: string[] = []): CompiledFilters => {
    const r = compileFilters({ include, exclude });
    if (!r.ok) throw new Error(r.reason);
    return r.filters;
  };
  const subject = filterSubject(post());

  it.each([
    ['no rules anywhere: shown', NO_FILTERS, NO_FILTERS, { shown: true, rule: null, scope: null }],
    ['a planet exclude rule hides it', lists([], ['category:rust']), NO_FILTERS, { shown: false, rule: 'category:rust', scope: 'planet' }],
    ['a feed exclude rule hides it', NO_FILTERS, lists([], ['author:jo bloggs']), { shown: false, rule: 'author:jo bloggs', scope: 'feed' }],
    ['both exclude: the feed rule is named', lists([], ['text:kernel']), lists([], ['lang:de']), { shown: false, rule: 'lang:de', scope: 'feed' }],
    ['a planet exclude hides even what the feed includes', lists([], ['text:kernel']), lists(['category:rust']), { shown: false, rule: 'text:kernel', scope: 'planet' }],
    ['a planet include that matches: shown', lists(['lang:de']), NO_FILTERS, { shown: true, rule: null, scope: null }],
    ['a planet include that does not match: hidden', lists(['lang:en', 'category:python']), NO_FILTERS, { shown: false, rule: 'not included: lang:en, category:python', scope: 'planet' }],
    ["the feed's include rules replace the planet's (match)", lists(['lang:en']), lists(['category:rust']), { shown: true, rule: null, scope: null }],
    ["the feed's include rules replace the planet's (no match)", lists(['lang:de']), lists(['category:python']), { shown: false, rule: 'not included: category:python', scope: 'feed' }],
    ["a feed with only exclude rules keeps the planet's include rules", lists(['lang:en']), lists([], ['title:python']), { shown: false, rule: 'not included: lang:en', scope: 'planet' }],
  ])('%s', (_name, planet, feed, expected) => {
    expect(decide(subject, planet, feed)).toEqual(expected);
  });
});

describe('refused rules name the rule and say what to do', () => {
  it.each([
    ['an unknown kind', 'tag:rust', /unknown rule kind "tag:"; the kinds are category:, author:, lang:, title:, text: \(to match these words in posts, write text:tag:rust\)/],
    ['a misspelt kind', 'catgory:rust', /unknown rule kind "catgory:" — did you mean "category:"\?/],
    ['an empty rule', '   ', /the rule is empty/],
    ['an empty value', 'author: ', /"author:" has no value/],
    ['no words', 'text:!!! ???', /has no words to match/],
    ['a bad language tag', 'lang:german please', /is not a language tag such as de or de-AT/],
    ['a tab', 'text:a\tb', /contains a control character \(U\+0009\) at character 7/],
    ['a newline', 'title:a\nexclude', /control character \(U\+000A\)/],
    ['a NUL', 'author:\u0000root', /control character \(U\+0000\)/],
    ['a bidi override', 'text:\u202Egnp.exe', /control character \(U\+202E\)/],
    ['a regex without its closing slash', 'title:/rust', /the closing "\/" is missing/],
    ['an empty regex', 'text://', /the regular expression is empty/],
    ['an unknown flag', 'text:/rust/g', /unknown or repeated flag "g"/],
    ['a repeated flag', 'text:/rust/ii', /unknown or repeated flag "i"/],
    ['invalid syntax', 'text:/(rust/', /not a regular expression the planet can run: missing closing \)/],
    ['a backreference', 'text:/(a)\\1/', /backreferences are not supported/],
    ['a lookahead', 'title:/foo(?=bar)/', /lookahead, lookbehind and backreferences are not supported/],
    ['a regex bomb: nested repetition', 'text:/(a+)+$/', /nested repetition such as \(a\+\)\+ .* can run away/],
    ['another bomb', 'title:/^(\\w+\\s?)*$/', /nested repetition/],
    ['a repetition count RE2 refuses', 'text:/(a{100}){100}/', /not a regular expression the planet can run: invalid repeat count/],
    ['a pattern too large to run', 'text:/[a-z]{999}[0-9]{999}[A-Z]{999}[a-f]{999}[g-k]{999}[l-p]{999}/', /too large \(RE2 program size 5996, at most 5000\)/],
    ['a rule longer than 500 characters', `text:${'word '.repeat(120)}`, /longer than 500 characters/],
  ])('%s: %j', (_name, rule, reason) => {
    const result = compileRule(rule);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('names the place and quotes the rule in a list, control characters made visible', () => {
    expect(compileFilters({ include: ['lang:de'], exclude: ['category:ok', 'evil\u0007rule'] })).toEqual({
      ok: false,
      field: 'filters.exclude.1',
      rule: 'evil\u0007rule',
      reason: 'rule "evil\\u0007rule": contains a control character (U+0007) at character 5; a rule is one line of plain text',
    });
    const bidi = compileFilters({ exclude: ['text:\u202Eabc'] });
    expect(!bidi.ok && bidi.reason).toContain('rule "text:\\u202eabc"');
  });

  it('refuses a 10,000-rule list whole, with the limit', () => {
    const rules = Array.from({ length: 10_000 }, (_, i) => `text:word${i}`);
    expect(compileFilters({ exclude: rules })).toEqual({
      ok: false,
      field: 'filters.exclude',
      rule: null,
      reason: `10000 rules; at most ${MAX_RULES_PER_LIST} in one list (group words with one regular expression, or use a category)`,
    });
  });

  it('refuses more than 32 regular expressions in one list', () => {
    const result = compileFilters({ include: Array.from({ length: 33 }, (_, i) => `title:/w${i}/`) });
    expect(result).toMatchObject({ ok: false, field: 'filters.include', reason: expect.stringMatching(/^33 regular expressions; at most 32 in one list/) });
  });

  it('refuses a list that is not a list', () => {
    expect(compileFilters({ include: 'category:x' })).toMatchObject({ ok: false, field: 'filters.include', reason: 'must be a list of rules' });
  });
});

describe('no rule can stall a pass', () => {
  // Each of these runs away in a backtracking engine (it would not finish within the test's
  // timeout); on RE2 it is one linear scan of the bounded text.
  it.each([
    ['alternation that overlaps, which the nesting check lets through', 'text:/(a|aa)+$/', 'a'],
    ['alternatives that overlap (a digit is a word character)', 'text:/(\\w|\\d)+x/', '1'],
  ])('%s: %s decides at once on a hostile post', (_name, rule, char) => {
    const compiled = compileRule(rule);
    expect(compiled.ok).toBe(true);
    if (!compiled.ok) return;
    const hostile = post({ title: 'x', contentHtml: `<p>${char.repeat(60_000)}!</p>` });
    expect(compiled.rule.test(filterSubject(hostile))).toBe(false);
  });

  it(`reads at most ${REGEX_TEXT_CHARS} characters of a post for a regular expression`, () => {
    const long = post({ title: 'x', contentHtml: `<p>${'a '.repeat(REGEX_TEXT_CHARS)}needle</p>` });
    expect(matches('text:/needle/', long)).toBe(false);
    // Words are still read in full.
    expect(matches('text:needle', long)).toBe(true);
  });

  it('a 500-rule list of words decides a post', () => {
    const rules = Array.from({ length: 500 }, (_, i) => `text:word${i}`);
    const compiled = compileFilters({ exclude: rules });
    if (!compiled.ok) throw new Error(compiled.reason);
    expect(decide(filterSubject(post({ contentHtml: '<p>word499</p>' })), NO_FILTERS, compiled.filters)).toEqual({ shown: false, rule: 'text:word499', scope: 'feed' });
  });
});

// Filter rules (PRODUCT.md "Filters"): the rule language parsed and validated, and the decision
// whether one post is on the planet. Pure: refresh.ts decides each post it stores, and
// subscriptions/filter-rules.ts re-applies changed rules to what is stored.
// Regular expressions run on RE2 (re2js, linear time whatever the pattern) and nested repetition
// is refused as well; every list and input is bounded. docs/decisions/0017-filter-rules.md.
import leven from 'leven';
import { RE2JS } from 're2js';
import isSafeRegex from 'safe-regex2';
import { categoryName, type Category, type FilterLists, type FilterScope } from '../model.js';
import { sanitizedHtmlToText } from './sanitize.js';

export const RULE_KINDS = ['category', 'author', 'lang', 'title', 'text'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

/** Rules in one list (a feed's include, the planet's exclude …). */
export const MAX_RULES_PER_LIST = 500;
/** Regular expressions in one list: each costs a pass over the text of every post it is asked about. */
export const MAX_REGEX_RULES_PER_LIST = 32;
export const MAX_RULE_CHARS = 500;
/** A regular expression reads at most this much of a post (title, then the text of its content). */
export const REGEX_TEXT_CHARS = 65_536;
/** RE2's own measure of a compiled pattern's cost; `a{1000}` is about 1000. */
const MAX_PROGRAM_SIZE = 5000;

/** What a rule is asked about: one post. Build it with filterSubject(). */
export interface FilterSubject {
  title: string | null;
  author: string | null;
  categories: Category[];
  language: string | null;
  /** Words of the title, lowercased (memoized). */
  titleWords(): string;
  /** Words of the title and the content's text (memoized). */
  textWords(): string;
  /** Title and content text for regular expressions, at most REGEX_TEXT_CHARS (memoized). */
  regexText(): string;
}

export interface CompiledRule {
  /** The rule as written (trimmed). */
  source: string;
  kind: RuleKind;
  regex: boolean;
  test(subject: FilterSubject): boolean;
}

export interface CompiledFilters {
  include: CompiledRule[];
  exclude: CompiledRule[];
}

export const NO_FILTERS: CompiledFilters = { include: [], exclude: [] };

export type Decision = { shown: true; rule: null; scope: null } | { shown: false; rule: string; scope: FilterScope };

const SHOWN: Decision = { shown: true, rule: null, scope: null };

/** Longest "not included: …" rule text stored on a post. */
const MAX_NOT_INCLUDED_CHARS = 300;

/**
 * A post is on the planet when it matches no exclude rule (its feed's, then the planet's) and,
 * where include rules exist, at least one of them: its feed's if the feed has any, else the planet's.
 */
export function decide(subject: FilterSubject, planet: CompiledFilters, feed: CompiledFilters): Decision {
  for (const rule of feed.exclude) if (rule.test(subject)) return { shown: false, rule: rule.source, scope: 'feed' };
  for (const rule of planet.exclude) if (rule.test(subject)) return { shown: false, rule: rule.source, scope: 'planet' };
  const [include, scope]: [CompiledRule[], FilterScope] = feed.include.length ? [feed.include, 'feed'] : [planet.include, 'planet'];
  if (include.length === 0 || include.some((rule) => rule.test(subject))) return SHOWN;
  return { shown: false, rule: notIncluded(include), scope };
}

/** The rule text stored when include rules exist and none matched. */
function notIncluded(include: CompiledRule[]): string {
  const text = `not included: ${include.map((r) => r.source).join(', ')}`;
  return text.length > MAX_NOT_INCLUDED_CHARS ? `${text.slice(0, MAX_NOT_INCLUDED_CHARS - 1)}…` : text;
}

export interface SubjectInput {
  title: string | null;
  author: string | null;
  categories: Category[];
  language: string | null;
  /** Sanitized HTML, as stored. */
  contentHtml: string | null;
  summaryHtml: string | null;
}

export function filterSubject(e: SubjectInput): FilterSubject {
  let text: string | undefined;
  let titleWords: string | undefined;
  let textWords: string | undefined;
  let regexText: string | undefined;
  const contentText = () => (text ??= [e.contentHtml, e.summaryHtml].filter((h): h is string => !!h).map(sanitizedHtmlToText).join(' '));
  return {
    title: e.title,
    author: e.author,
    categories: e.categories,
    language: e.language,
    titleWords: () => (titleWords ??= wordString(e.title ?? '')),
    textWords: () => (textWords ??= wordString(`${e.title ?? ''} ${contentText()}`)),
    regexText: () => (regexText ??= `${e.title ?? ''}\n${contentText()}`.slice(0, REGEX_TEXT_CHARS)),
  };
}

/** Lowercased words (letters, digits, marks) joined by single spaces, padded with one on each side. */
function wordString(s: string): string {
  const words = s.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}\p{M}]+/gu);
  return words ? ` ${words.join(' ')} ` : ' ';
}

const fold = (s: string) => s.normalize('NFKC').replace(/\s+/g, ' ').trim().toLowerCase();

export type RuleResult = { ok: true; rule: CompiledRule } | { ok: false; reason: string };

// Control characters (tabs and newlines included: a rule is one line) and the bidi controls that
// make a rule read differently from what it matches.
const CONTROL = /[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/** Parses and compiles one rule; the reason says what is wrong in words a planet's admin can act on. */
export function compileRule(raw: string): RuleResult {
  if (typeof raw !== 'string') return { ok: false, reason: 'a rule must be text' };
  const control = CONTROL.exec(raw);
  if (control) {
    const code = control[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    return { ok: false, reason: `contains a control character (U+${code}) at character ${control.index + 1}; a rule is one line of plain text` };
  }
  const source = raw.trim();
  if (source === '') return { ok: false, reason: 'the rule is empty' };
  if (source.length > MAX_RULE_CHARS) return { ok: false, reason: `longer than ${MAX_RULE_CHARS} characters` };

  let kind: RuleKind = 'text';
  let value = source;
  const prefixed = /^([A-Za-z][A-Za-z_-]*):/.exec(source);
  if (prefixed) {
    const word = prefixed[1]!.toLowerCase();
    if (!(RULE_KINDS as readonly string[]).includes(word)) {
      const near = RULE_KINDS.find((k) => leven(k, word) <= (word.length <= 4 ? 1 : 2));
      return {
        ok: false,
        reason:
          `unknown rule kind "${prefixed[1]}:"${near ? ` — did you mean "${near}:"?` : ''}; the kinds are ${RULE_KINDS.map((k) => `${k}:`).join(', ')} ` +
          `(to match these words in posts, write text:${source})`,
      };
    }
    kind = word as RuleKind;
    value = source.slice(prefixed[0].length).trim();
    if (value === '') return { ok: false, reason: `"${kind}:" has no value: write what to match after the colon` };
  }
  const rule = (test: CompiledRule['test'], regex = false): RuleResult => ({ ok: true, rule: { source, kind, regex, test } });

  switch (kind) {
    case 'category': {
      const name = fold(value);
      return rule((s) => s.categories.some((c) => fold(c.term) === name || (c.label !== null && fold(categoryName(c)) === name)));
    }
    case 'author': {
      const name = fold(value);
      return rule((s) => s.author !== null && fold(s.author) === name);
    }
    case 'lang': {
      if (!/^[A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*$/.test(value)) return { ok: false, reason: `"${value}" is not a language tag such as de or de-AT` };
      const code = value.toLowerCase().replace(/_/g, '-');
      // BCP 47 prefix matching (RFC 4647 §3.3.1): "de" matches "de" and "de-AT", not "den".
      return rule((s) => {
        const lang = s.language?.toLowerCase();
        return lang !== undefined && (lang === code || lang.startsWith(`${code}-`));
      });
    }
    case 'title':
    case 'text': {
      if (value.startsWith('/')) {
        const compiled = compileRegex(value);
        if (!compiled.ok) return compiled;
        const re = compiled.re;
        return rule(kind === 'title' ? (s) => s.title !== null && re.test(s.title.slice(0, REGEX_TEXT_CHARS)) : (s) => re.test(s.regexText()), true);
      }
      const words = wordString(value);
      if (words === ' ') return { ok: false, reason: `"${value}" has no words to match (letters or digits)` };
      // Whole words, in this order: " rust lang " inside " … rust lang … ".
      return rule(kind === 'title' ? (s) => s.titleWords().includes(words) : (s) => s.textWords().includes(words));
    }
  }
}

const REGEX_FLAGS: Record<string, number> = { i: RE2JS.CASE_INSENSITIVE, m: RE2JS.MULTILINE, s: RE2JS.DOTALL, u: 0 };

function compileRegex(value: string): { ok: true; re: RE2JS } | { ok: false; reason: string } {
  const end = value.lastIndexOf('/');
  if (end <= 0) return { ok: false, reason: `a regular expression is written /PATTERN/flags, and the closing "/" is missing` };
  const pattern = value.slice(1, end);
  const flags = value.slice(end + 1);
  if (pattern === '') return { ok: false, reason: 'the regular expression is empty' };
  let bits = 0;
  for (const [i, f] of [...flags].entries()) {
    if (!(f in REGEX_FLAGS) || flags.indexOf(f) !== i) {
      return { ok: false, reason: `unknown or repeated flag "${f}" after the pattern; the flags are i (ignore case), m (^ and $ at each line), s (. matches a newline), u (accepted: always on)` };
    }
    bits |= REGEX_FLAGS[f]!;
  }
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern, bits);
  } catch (err) {
    const message = (err as Error).message.replace(/^error parsing regexp: /, '');
    const hint = /\(\?[=!<]|\\[1-9]/.test(pattern) ? ' (lookahead, lookbehind and backreferences are not supported: they can take exponential time)' : '';
    return { ok: false, reason: `not a regular expression the planet can run: ${message}${hint}` };
  }
  if (re.programSize() > MAX_PROGRAM_SIZE) return { ok: false, reason: `the regular expression is too large (RE2 program size ${re.programSize()}, at most ${MAX_PROGRAM_SIZE}); use fewer or smaller repetitions` };
  // RE2 runs any pattern in linear time; nested repetition is refused anyway, because the same rule
  // in a backtracking engine (a browser, a script, a future engine) runs away: (a+)+, (\w+\s?)*.
  if (parsesAsJavaScript(pattern, flags) && !isSafeRegex(pattern)) {
    return { ok: false, reason: 'nested repetition such as (a+)+ or (\\w+\\s?)* can run away in a backtracking engine; write it without repeating a repeated group' };
  }
  return { ok: true, re };
}

function parsesAsJavaScript(pattern: string, flags: string): boolean {
  try {
    new RegExp(pattern, flags.includes('u') ? flags : `${flags}u`);
    return true;
  } catch {
    return false;
  }
}

/** A rule as quoted in messages: control and bidi characters made visible, long ones cut. */
export function quoteRule(raw: unknown): string {
  const text = typeof raw === 'string' ? raw : String(raw);
  const cut = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  return JSON.stringify(cut).replace(/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export type FiltersResult = { ok: true; filters: CompiledFilters; lists: FilterLists } | { ok: false; field: string; rule: string | null; reason: string };

/**
 * Validates and compiles include and exclude lists. The first fault is named by its place
 * (`filters.exclude.2`) and its rule; nothing is compiled partly.
 */
export function compileFilters(lists: { include?: unknown; exclude?: unknown } | null | undefined, field = 'filters'): FiltersResult {
  const out: CompiledFilters = { include: [], exclude: [] };
  const clean: FilterLists = { include: [], exclude: [] };
  for (const side of ['include', 'exclude'] as const) {
    const list = lists?.[side] ?? [];
    const at = `${field}.${side}`;
    if (!Array.isArray(list)) return { ok: false, field: at, rule: null, reason: 'must be a list of rules' };
    if (list.length > MAX_RULES_PER_LIST) {
      return { ok: false, field: at, rule: null, reason: `${list.length} rules; at most ${MAX_RULES_PER_LIST} in one list (group words with one regular expression, or use a category)` };
    }
    for (const [i, raw] of list.entries()) {
      const result = compileRule(raw as string);
      if (!result.ok) return { ok: false, field: `${at}.${i}`, rule: typeof raw === 'string' ? raw : null, reason: `rule ${quoteRule(raw)}: ${result.reason}` };
      out[side].push(result.rule);
      clean[side].push(result.rule.source);
    }
    const regexes = out[side].filter((r) => r.regex).length;
    if (regexes > MAX_REGEX_RULES_PER_LIST) {
      return { ok: false, field: at, rule: null, reason: `${regexes} regular expressions; at most ${MAX_REGEX_RULES_PER_LIST} in one list (combine them with |)` };
    }
  }
  return { ok: true, filters: out, lists: clean };
}

/** Lists that are known to be valid (stored after validation): compiled, or NO_FILTERS. */
export function compileStoredFilters(lists: FilterLists | null): CompiledFilters {
  if (!lists) return NO_FILTERS;
  const result = compileFilters(lists);
  // A stored list that no longer compiles (a rule refused by a newer version) hides nothing.
  return result.ok ? result.filters : NO_FILTERS;
}

/** True when the lists hold no rule. */
export function isEmptyFilters(lists: FilterLists | null | undefined): boolean {
  return !lists || (lists.include.length === 0 && lists.exclude.length === 0);
}

// The message catalogs: each language has every English key with the same placeholders and valid
// ICU plurals, keeps its chosen tone, and no view says an English word of its own (everything the
// planet says comes from a catalog). Then what the words do: the language a tag selects, the
// fallback to English, dates and times in the planet's zone with the zone shown, plurals.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { IntlMessageFormat } from 'intl-messageformat';
import { describe, expect, it } from 'vitest';
import { CATALOGS, catalogFor, languageWarning, type Catalog } from '../../src/i18n/catalogs.js';
import { en } from '../../src/i18n/catalogs/en.js';
import { createWords } from '../../src/i18n/words.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const LANGUAGES = ['de', 'fr', 'es', 'pt', 'ja'];

type Ast = ReturnType<IntlMessageFormat['getAst']>;
/** Every argument a message takes, with its kind ("count:plural", "blog:argument"), and plurals lacking `other`. */
function argumentsOf(ast: Ast, out = new Set<string>(), problems: string[] = []): { args: Set<string>; problems: string[] } {
  for (const el of ast) {
    // Element types of @formatjs/icu-messageformat-parser: 1 argument, 2 number, 5 select, 6 plural.
    if (el.type === 1 || el.type === 2) out.add(`${el.value}:${el.type === 1 ? 'argument' : 'number'}`);
    if (el.type === 5 || el.type === 6) {
      out.add(`${el.value}:${el.type === 6 ? 'plural' : 'select'}`);
      if (!('other' in el.options)) problems.push(`${el.value} has no "other"`);
      for (const option of Object.values(el.options)) argumentsOf(option.value, out, problems);
    }
  }
  return { args: out, problems };
}

const sampleValues = (args: Set<string>) => Object.fromEntries([...args].map((a) => a.split(':')).map(([name, kind]) => [name, kind === 'plural' || kind === 'number' ? 3 : `«${name}»`]));

describe('the catalogs', () => {
  it('ship English and the five translations', () => {
    expect(Object.keys(CATALOGS).sort()).toEqual(['de', 'en', 'es', 'fr', 'ja', 'pt']);
  });

  for (const code of LANGUAGES) {
    it(`${code}: has every key of English and no other, each translated, with the same placeholders`, () => {
      const catalog: Catalog = CATALOGS[code]!;
      expect(Object.keys(catalog).sort()).toEqual(Object.keys(en).sort());
      const problems: string[] = [];
      let same = 0;
      for (const key of Object.keys(en) as (keyof typeof en)[]) {
        const source = argumentsOf(new IntlMessageFormat(en[key], 'en', undefined, { ignoreTag: true }).getAst());
        let parsed: IntlMessageFormat;
        try {
          parsed = new IntlMessageFormat(catalog[key], code, undefined, { ignoreTag: true });
        } catch (err) {
          problems.push(`${key}: does not parse (${(err as Error).message})`);
          continue;
        }
        const mine = argumentsOf(parsed.getAst());
        if ([...mine.args].sort().join() !== [...source.args].sort().join()) problems.push(`${key}: placeholders ${[...mine.args]} instead of ${[...source.args]}`);
        problems.push(...mine.problems.map((p) => `${key}: ${p}`));
        // It formats, whatever the count.
        for (const n of [0, 1, 2, 5, 21]) parsed.format({ ...sampleValues(mine.args), ...Object.fromEntries([...mine.args].filter((a) => a.endsWith(':plural')).map((a) => [a.split(':')[0], n])) });
        if (catalog[key] === en[key]) same++;
      }
      expect(problems).toEqual([]);
      // Words that read the same in both (OPML, API, "Feed:", "Status") are few (under 8%); a copied catalog is not.
      expect(same).toBeLessThan(Object.keys(en).length * 0.08);
    });
  }

  it('keep each language’s tone (docs/decisions/0022-planet-words.md)', () => {
    const values = (code: string) => Object.entries(CATALOGS[code]!);
    const offending = (code: string, pattern: RegExp) => values(code).filter(([, v]) => pattern.test(v)).map(([k, v]) => `${k}: ${v}`);
    /** Any of these words, whole (letters with accents count as letters). */
    const words = (...list: string[]) => new RegExp(`(?<!\\p{L})(${list.join('|')})(?!\\p{L})`, 'iu');
    // German: formal "Sie", never "du".
    expect(offending('de', words('du', 'dich', 'dir', 'dein', 'deine', 'deinen', 'deiner', 'euch', 'euer'))).toEqual([]);
    // French: "vous", never "tu"; and French typography's no-break space before : ; ? !
    expect(offending('fr', words('tu', 'toi', 'ton', 'ta', 'tes'))).toEqual([]);
    expect(offending('fr', /[^\u202f\u00a0][;?!]|[^\u202f\u00a0]:(\s|$)/u)).toEqual([]);
    // Spanish: "tú", never "usted".
    expect(offending('es', words('usted', 'ustedes'))).toEqual([]);
    // Portuguese: "você", never "tu"/"teu".
    expect(offending('pt', words('tu', 'teu', 'tua', 'contigo'))).toEqual([]);
    // Japanese: polite sentences (…ます。 …です。 …ました。 …ください。), no plain-form endings (…る。 …だ。 …ない。 …た。).
    expect(offending('ja', /(る|う|く|だ|ない|(?<!まし|でし)た)[。）]/u)).toEqual([]);
    expect(offending('ja', /(ます|ません|です|ました|ください)[。）]/u).length).toBeGreaterThan(30);
  });
});

describe('views', () => {
  /** Text a template writes of its own: what is left once its code, tags and entities are gone. */
  function literals(template: string): string[] {
    const withoutCode = template.replace(/<%[\s\S]*?%>/g, ' ');
    const found: string[] = [];
    // Attributes people read.
    // Attributes people read (an example URL in a placeholder is not a word).
    for (const m of withoutCode.matchAll(/\b(title|aria-label|placeholder|alt)="([^"]*)"/g)) if (/[A-Za-z]{2,}/.test(m[2]!) && !/^https?:\/\/\S+$/.test(m[2]!)) found.push(`${m[1]}="${m[2]}"`);
    // Commands and code shown as they are typed are not words to translate.
    const text = withoutCode
      .replace(/<(script|style|code|kbd)[\s\S]*?<\/\1>/g, ' ')
      .replace(/<[^>]*>/g, ' ')
      .replace(/&[a-z#0-9]+;/gi, ' ');
    found.push(...(text.match(/[A-Za-z][A-Za-z'’]+/g) ?? []));
    // Names of formats and protocols, the same in every language.
    return found.filter((w) => !['Atom', 'RSS', 'JSON', 'Feed', 'OPML', 'HTTP', 'OR'].includes(w));
  }

  const views = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? views(path.join(dir, e.name)) : e.name.endsWith('.eta') ? [path.join(dir, e.name)] : []));

  it('say nothing in English of their own: every word comes from a catalog', () => {
    const found = Object.fromEntries(
      views(path.join(ROOT, 'views'))
        .map((file) => [path.relative(ROOT, file), literals(readFileSync(file, 'utf8'))] as const)
        .filter(([, words]) => words.length),
    );
    expect(found).toEqual({});
  });

  it('the check finds an English literal where there is one', () => {
    expect(literals('<p><%= it.t("x") %> Read more</p><a title="Go home" href="/">→</a>')).toEqual(['title="Go home"', 'Read', 'more']);
  });
});

describe('planet.language', () => {
  it('selects a catalog by its language, keeping the tag for <html lang>', () => {
    expect(catalogFor('de-AT')).toMatchObject({ code: 'de', lang: 'de-AT', locale: 'de-AT', known: true });
    expect(catalogFor('pt-BR')).toMatchObject({ code: 'pt', lang: 'pt-BR', known: true });
    expect(catalogFor('JA')).toMatchObject({ code: 'ja', lang: 'ja', known: true });
    // Plain "en" writes dates as Planet sites did (day before month, a 24-hour clock); en-US as the US does.
    expect(catalogFor('en')).toMatchObject({ code: 'en', lang: 'en', locale: 'en-GB' });
    expect(catalogFor('en-US')).toMatchObject({ code: 'en', lang: 'en-US', locale: 'en-US' });
  });

  it('falls back to English for a language without a catalog, with a warning naming the ones there are', () => {
    for (const tag of ['nl', 'zz-Unknown-Garbage', '!!']) {
      expect(catalogFor(tag)).toMatchObject({ code: 'en', lang: 'en', known: false });
      expect(languageWarning(tag)).toBe(`i18n: planet.language "${tag}" has no message catalog (there are de, en, es, fr, ja, pt); the planet's own words are in English`);
    }
    expect(languageWarning('fr-CA')).toBeNull();
    expect(createWords('nl', 'UTC').t('entry.readMore')).toBe('Read more');
  });
});

describe('the words', () => {
  const at = Date.UTC(2015, 0, 13, 18, 18);

  it('write day headings and times in the planet’s language and zone, with the zone shown', () => {
    const de = createWords('de', 'Europe/Berlin');
    expect(de.dates.dayHeading(at)).toBe('Dienstag, 13. Januar 2015');
    expect(de.dates.time(at)).toBe('19:18 MEZ');
    expect(de.dates.full(at)).toBe('Dienstag, 13. Januar 2015 um 19:18 MEZ');
    const ja = createWords('ja', 'Asia/Tokyo');
    expect(ja.dates.dayHeading(at)).toBe('2015年1月14日水曜日');
    expect(ja.dates.dayKey(at)).toBe('2015-01-14');
    expect(ja.dates.time(at)).toMatch(/^3:18 (JST|GMT\+9)$/);
    expect(createWords('en', 'America/New_York').dates.time(at)).toMatch(/^13:18 (EST|GMT-5)$/);
    expect(createWords('en-US', 'America/New_York').dates.time(at)).toBe('1:18 PM EST');
  });

  it('count through Intl.PluralRules', () => {
    const counts = (language: string, key: keyof typeof en, name = 'count') => [0, 1, 2, 5].map((n) => createWords(language, 'UTC').t(key, { [name]: n }));
    expect(counts('en', 'admin.add.entries')).toEqual(['0 entries', '1 entry', '2 entries', '5 entries']);
    expect(counts('de', 'admin.add.entries')).toEqual(['0 Beiträge', '1 Beitrag', '2 Beiträge', '5 Beiträge']);
    // French counts 0 and 1 as singular.
    expect(counts('fr', 'sidebar.inactiveWhy', 'days')).toEqual(['Aucun billet depuis 0 jour', 'Aucun billet depuis 1 jour', 'Aucun billet depuis 2 jours', 'Aucun billet depuis 5 jours']);
    expect(counts('ja', 'admin.add.entries')).toEqual(['0 件の投稿', '1 件の投稿', '2 件の投稿', '5 件の投稿']);
    expect(counts('es', 'search.count')).toEqual(['Ninguna entrada coincide.', '1 entrada coincide.', '2 entradas coinciden.', '5 entradas coinciden.']);
  });

  it('say how long ago in the language, and escape text while placing our own HTML', () => {
    expect(createWords('pt', 'UTC').ago(at - 3 * 3_600_000, at)).toBe('há 3 horas');
    expect(createWords('fr', 'UTC').ago(at - 20_000, at)).toBe('à l’instant');
    expect(createWords('es', 'UTC').relative(at + 20 * 60_000, at)).toBe('dentro de 20 minutos');
    const en = createWords('en', 'UTC');
    expect(en.html('entry.continue', { blog: '<b>Tom & Jerry</b>' })).toBe('Continue reading on &lt;b&gt;Tom &amp; Jerry&lt;/b&gt; →');
    expect(en.html('sidebar.updated', { ago: en.raw('<time>now</time>') })).toBe('Updated <time>now</time>');
  });
});

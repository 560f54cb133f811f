// The planet's configuration: config/planet.yaml, validated once with zod at start and passed down.
// An invalid file is a ConfigError listing every bad key with its path, what was expected and what
// was found, in plain words (`server.port: must be at most 65535, got 70000`); the CLI exits 2 on it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import leven from 'leven';
import { validate as isCronExpression } from 'node-cron';
import { z } from 'zod';
import { TAG, TAG_RULE, type FetchOptions } from './model.js';
import { VERSION } from './version.js';
import { MAX_REGEX_RULES_PER_LIST, MAX_RULES_PER_LIST, compileRule } from './pipeline/filters.js';

const MiB = 1024 * 1024;

// The messages of our own checks name what is expected ("must be " + message); `describe` gives the
// same words to a wrong type or a missing key at that place.
const TAG_EXPECTED = `a tag (${TAG_RULE})`;
const tag = z.string().regex(TAG, TAG_EXPECTED).describe(TAG_EXPECTED);

const HTTP_URL = 'an absolute http or https URL';
const httpUrl = z.string().refine(isHttpUrl, HTTP_URL).describe(HTTP_URL);

const CRON = 'a cron expression such as "*/30 * * * *"';
const TIME_ZONE = 'an IANA time zone such as UTC or Europe/Berlin';
const timeZone = z
  .string()
  .check((ctx) => {
    if (isTimeZone(ctx.value)) return;
    const near = closestName(ctx.value, Intl.supportedValuesOf('timeZone'));
    ctx.issues.push({ code: 'custom', message: TIME_ZONE, input: ctx.value, params: { did_you_mean: near } });
  })
  .describe(TIME_ZONE);

const RULE = 'a filter rule such as category:linux, lang:de, title:sponsored or text:/rust(lang)?/i';
const filterRule = z
  .string()
  .check((ctx) => {
    const result = compileRule(ctx.value);
    if (!result.ok) ctx.issues.push({ code: 'custom', message: `a filter rule (${result.reason})`, input: ctx.value });
  })
  .describe(RULE);
const ruleList = z
  .array(filterRule)
  .max(MAX_RULES_PER_LIST)
  .refine((rules) => rules.filter((r) => /^\s*(?:(?:title|text):\s*)?\//i.test(r)).length <= MAX_REGEX_RULES_PER_LIST, `a list with at most ${MAX_REGEX_RULES_PER_LIST} regular expressions (combine them with |)`)
  .default([]);
/** Include and exclude rules, planet-wide (`filters:`) or a feed's own (`feeds[].filters`). */
const filtersSchema = z.object({ include: ruleList, exclude: ruleList }).strict();

export const feedConfigSchema = z
  .object({
    url: httpUrl,
    name: z.string().min(1).optional(),
    face: httpUrl.optional(),
    link: httpUrl.optional(),
    tags: z.array(tag).default([]),
    filters: filtersSchema.optional(),
  })
  .strict();

/**
 * Where a reading list lives: an http(s) URL, or a local file (a path, relative to the config
 * file's directory, or a file: URL).
 */
const listLocation = z
  .string()
  .trim()
  .min(1, 'an http(s) URL or a file path')
  .refine((v) => !/^[a-z][a-z0-9+.-]+:/i.test(v) || /^(https?|file):/i.test(v), 'an http(s) URL or a file path')
  .refine((v) => !/^https?:/i.test(v) || URL.canParse(v), 'an absolute http(s) URL')
  .refine((v) => !/^file:/i.test(v) || localFileUrl(v), 'a file: URL naming a local file (file:///path)')
  .describe('an http(s) URL or a file path');

function localFileUrl(v: string): boolean {
  try {
    fileURLToPath(v);
    return true;
  } catch {
    return false;
  }
}

export const readingListConfigSchema = z
  .object({
    url: listLocation,
    tags: z.array(tag).default([]),
  })
  .strict();

export const configSchema = z
  .object({
    planet: z
      .object({
        name: z.string().min(1).default('Planetarium'),
        link: httpUrl.default('http://127.0.0.1:8080/'),
        description: z.string().default('Posts from the blogs of our community'),
        owner: z
          .object({ name: z.string().default(''), email: z.string().default('') })
          .strict()
          .default({ name: '', email: '' }),
        timezone: timeZone.default('UTC'),
        language: z.string().default('en'),
      })
      .strict()
      .prefault({}),
    server: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8080),
        trust_proxy: z.boolean().default(false),
        /** HTTP server processes sharing the port (node:cluster); 1: the server is one process. */
        workers: z.number().int().min(1).max(64).default(1),
      })
      .strict()
      .prefault({}),
    database: z.string().min(1).default('data/planet.db'),
    /** Directory of templates that replace the shipped ones, file by file. */
    views: z.string().min(1).optional(),
    fetch: z
      .object({
        schedule: z.string().refine(isCronExpression, CRON).describe(CRON).default('*/30 * * * *'),
        concurrency: z.number().int().min(1).max(256).default(8),
        per_host: z.number().int().min(1).max(64).default(2),
        timeout_seconds: z.number().positive().max(600).default(20),
        max_bytes: z.number().int().min(1024).default(5 * MiB),
        user_agent: z.string().min(1).optional(),
        new_feed_items: z.number().int().min(0).default(10),
        allow_private_addresses: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    page: z
      .object({
        items_per_page: z.number().int().min(1).max(500).default(50),
        activity_threshold_days: z.number().int().min(1).default(90),
      })
      .strict()
      .prefault({}),
    retention: z
      .object({
        keep_days: z.number().int().min(1).default(365),
        keep_per_feed: z.number().int().min(1).default(20),
      })
      .strict()
      .prefault({}),
    filters: filtersSchema.prefault({}),
    feeds: z.array(feedConfigSchema).default([]),
    reading_lists: z.array(readingListConfigSchema).default([]),
    /** WebSub (W3C): `hub` makes the planet a publisher, `callback_base` a subscriber. */
    websub: z
      .object({
        /** The hub the merged feeds advertise and notify after a pass that changed them. */
        hub: httpUrl.optional(),
        /** Public base URL hubs can reach; callbacks are `${callback_base}/websub/<token>`. */
        callback_base: httpUrl
          .refine((u) => !/[?#]/.test(u), 'a base URL without query or fragment')
          .optional(),
        /** A feed whose hub pushes to us is still polled this often, to catch what a push missed. */
        poll_hours: z.number().positive().max(24 * 365).default(24),
      })
      .strict()
      .prefault({}),
    suggestions: z
      .object({
        /** Visitors may propose blogs through /suggest; admins approve or reject them. */
        enabled: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type FeedConfig = z.infer<typeof feedConfigSchema>;
export type ReadingListConfig = z.infer<typeof readingListConfigSchema>;

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly issues: string[],
  ) {
    super(`config: ${file} is invalid:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export const DEFAULT_CONFIG_PATH = 'config/planet.yaml';

export interface LoadConfigOptions {
  /** Explicit --config; else env PLANET_CONFIG; else config/planet.yaml. */
  path?: string;
  env?: NodeJS.ProcessEnv;
}

/** Reads, validates and applies environment overrides. A missing default file means all defaults. */
export function loadConfig(options: LoadConfigOptions = {}): Config & { configPath: string } {
  const env = options.env ?? process.env;
  const explicit = options.path ?? env.PLANET_CONFIG;
  const file = explicit ?? DEFAULT_CONFIG_PATH;
  let raw: unknown = {};
  let text: string | null = null;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (!(code === 'ENOENT' && explicit === undefined)) {
      throw new ConfigError(file, [`cannot read the file: ${(err as Error).message}`]);
    }
  }
  if (text !== null) {
    try {
      raw = parseYaml(text) ?? {};
    } catch (err) {
      throw new ConfigError(file, [`not valid YAML: ${(err as Error).message}`]);
    }
  }
  const config = parseConfig(raw, file);
  // A reading list's relative path means the same file whatever directory the command runs in.
  const dir = path.dirname(path.resolve(file));
  config.reading_lists = config.reading_lists.map((l) => ({ ...l, url: localPath(l.url) === null ? l.url : path.resolve(dir, localPath(l.url)!) }));
  return { ...applyEnv(config, env, file), configPath: file };
}

/** Validates an already-parsed document. */
export function parseConfig(raw: unknown, file = '<config>'): Config {
  const result = configSchema.safeParse(withoutEmptySections(raw), { reportInput: true });
  if (!result.success) throw new ConfigError(file, describeIssues(result.error.issues, configSchema));
  return result.data;
}

/**
 * A top-level key left empty (`server:` with every line under it commented out) means "nothing
 * set here": its defaults, as if the key were absent, rather than "must be a mapping".
 */
function withoutEmptySections(raw: unknown): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  return Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== null));
}

// ---------------------------------------------------------------- messages

type Issue = z.core.$ZodIssue;
type Path = readonly PropertyKey[];

/**
 * One line per problem, path first: what was expected and what was found, in plain words.
 * Unknown keys get one line each, with the key they most likely meant at that level, or the level
 * they belong to (a mis-indented `port:` at the top belongs under `server`).
 */
export function describeIssues(issues: readonly Issue[], schema: z.ZodType): string[] {
  const lines: string[] = [];
  for (const issue of onePerPath(issues)) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) lines.push(`${pathName([...issue.path, key])}: ${unknownKey(key, issue.path, schema)}`);
    } else {
      lines.push(`${pathName(issue.path)}: ${describeIssue(issue, nodeAt(schema, issue.path))}`);
    }
  }
  return lines;
}

function pathName(path: Path): string {
  return path.length ? path.map(String).join('.') : '(top level)';
}

/**
 * zod can report one value twice: 1e30 for a port breaks both the safe-integer range and the
 * port's maximum. The range that says something about the key wins.
 */
function onePerPath(issues: readonly Issue[]): Issue[] {
  const byPath = new Map<string, Issue>();
  const kept: Issue[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      kept.push(issue);
      continue;
    }
    const key = JSON.stringify(issue.path.map(String));
    const seen = byPath.get(key);
    if (seen === undefined) {
      byPath.set(key, issue);
      kept.push(issue);
    } else if (isSafeIntegerRange(seen) && !isSafeIntegerRange(issue)) {
      byPath.set(key, issue);
      kept[kept.indexOf(seen)] = issue;
    }
  }
  return kept;
}

const isSafeIntegerRange = (issue: Issue) => (issue.code === 'too_big' || issue.code === 'too_small') && issue.origin === 'int';

/** What a value of each type is called in a YAML file. */
const TYPE_WORDS: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  string: 'text',
  boolean: 'true or false',
  object: 'a mapping of keys to values',
  array: 'a list',
};

function describeIssue(issue: Issue, node: z.ZodType | undefined): string {
  const got = `got ${found(issue.input)}`;
  const suggestion = (near: unknown) => (typeof near === 'string' ? ` — did you mean "${near}"?` : '');
  switch (issue.code) {
    case 'invalid_type': {
      const expected = descriptionOf(node) ?? TYPE_WORDS[issue.expected] ?? issue.expected;
      if (issue.input === undefined) return `missing: must be ${expected}`;
      return `must be ${expected}, ${got}${quotedHint(issue.expected, issue.input)}`;
    }
    case 'too_big':
      return `${limit(issue.origin, issue.maximum, issue.inclusive !== false, 'most')}, ${got}`;
    case 'too_small':
      if (issue.origin === 'string' && issue.minimum === 1) return 'must not be empty';
      return `${limit(issue.origin, issue.minimum, issue.inclusive !== false, 'least')}, ${got}`;
    case 'invalid_value': {
      const values = issue.values.map((v) => JSON.stringify(v));
      const near = typeof issue.input === 'string' ? closestName(issue.input, issue.values.filter((v): v is string => typeof v === 'string')) : undefined;
      return `must be ${values.length === 1 ? values[0] : `one of ${values.join(', ')}`}, ${got}${suggestion(near)}`;
    }
    case 'invalid_format':
    case 'custom': {
      // Our own checks' messages name the expectation; zod's defaults ("Invalid URL") do not.
      const own = !/^Invalid\b/.test(issue.message);
      const expected = own ? issue.message : (descriptionOf(node) ?? `a valid ${issue.code === 'invalid_format' ? issue.format : 'value'}`);
      return `must be ${expected}, ${got}${issue.code === 'custom' ? suggestion(issue.params?.did_you_mean) : ''}`;
    }
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}, ${got}`;
    default:
      return `${issue.message}, ${got}`;
  }
}

function limit(origin: string, bound: number | bigint, inclusive: boolean, side: 'most' | 'least'): string {
  const n = Number(bound);
  if (origin === 'string') return `must be at ${side} ${n} character${n === 1 ? '' : 's'} long`;
  if (origin === 'array') return `must have at ${side} ${n} item${n === 1 ? '' : 's'}`;
  if (inclusive) return `must be at ${side} ${n}`;
  return `must be ${side === 'most' ? 'less' : 'greater'} than ${n}`;
}

/** A value as the person who wrote the YAML would call it. */
function found(value: unknown): string {
  if (value === null) return 'an empty value';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

/** `port: "8080"` and `trust_proxy: "yes"` are text in YAML; say how to write what was meant. */
function quotedHint(expected: string, input: unknown): string {
  if (typeof input !== 'string') return '';
  if ((expected === 'number' || expected === 'int') && input.trim() !== '' && Number.isFinite(Number(input))) return ' (write the number without quotes)';
  if (expected === 'boolean' && /^(true|false|yes|no|on|off)$/i.test(input.trim())) return ' (write true or false, without quotes)';
  return '';
}

function unknownKey(key: string, parent: Path, schema: z.ZodType): string {
  const here = Object.keys(shapeOf(nodeAt(schema, parent)) ?? {});
  const near = closestName(key, here);
  if (near !== undefined) return `unknown key — did you mean "${near}"?`;
  const elsewhere = keyPaths(schema).get(key)?.filter((p) => p !== pathName(parent));
  if (elsewhere?.length) return `unknown key here — "${key}" belongs under ${elsewhere.map((p) => `"${p}"`).join(' or ')} (check the indentation)`;
  return `unknown key; the keys here are ${here.join(', ')}`;
}

// ---------------------------------------------------------------- walking the schema

interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
}

const defOf = (node: z.ZodType) => node._zod.def as unknown as Def;

/** The schema inside default / prefault / optional / nullable / pipe wrappers. */
function unwrap(node: z.ZodType): z.ZodType {
  for (;;) {
    const def = defOf(node);
    const inner = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
    if (inner === undefined) return node;
    node = inner;
  }
}

function descriptionOf(node: z.ZodType | undefined): string | undefined {
  for (let n = node; n !== undefined; ) {
    if (n.description) return n.description;
    const def = defOf(n);
    n = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
  }
  return undefined;
}

function shapeOf(node: z.ZodType | undefined): Record<string, z.ZodType> | undefined {
  return node === undefined ? undefined : defOf(unwrap(node)).shape;
}

/** The schema of the value at `path`, if the schema has such a place. */
function nodeAt(schema: z.ZodType, path: Path): z.ZodType | undefined {
  let node: z.ZodType | undefined = schema;
  for (const key of path) {
    if (node === undefined) return undefined;
    const def = defOf(unwrap(node));
    node = def.type === 'object' ? def.shape?.[String(key)] : def.type === 'array' ? def.element : undefined;
  }
  return node;
}

/** Every key of every mapping in the schema → the paths of the mappings that have it. */
function keyPaths(schema: z.ZodType): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const visit = (node: z.ZodType, path: string[]) => {
    const def = defOf(unwrap(node));
    if (def.type === 'array' && def.element) visit(def.element, [...path, 'N']);
    for (const [key, child] of Object.entries(def.type === 'object' ? (def.shape ?? {}) : {})) {
      out.set(key, [...(out.get(key) ?? []), pathName(path)]);
      visit(child, [...path, key]);
    }
  };
  visit(schema, []);
  return out;
}

function applyEnv(config: Config, env: NodeJS.ProcessEnv, file: string): Config {
  const out = structuredClone(config);
  const issues: string[] = [];
  if (env.PLANET_DB) out.database = env.PLANET_DB;
  if (env.HOST) out.server.host = env.HOST;
  if (env.PORT !== undefined && env.PORT !== '') {
    const port = Number(env.PORT);
    if (!Number.isInteger(port) || port < 0 || port > 65535) issues.push(`PORT (environment): must be a port number from 0 to 65535, got "${env.PORT}"`);
    else out.server.port = port;
  }
  if (issues.length) throw new ConfigError(file, issues);
  return out;
}

/** A reading list location that names a local file, as a path; null for an http(s) URL. */
function localPath(location: string): string | null {
  if (/^https?:/i.test(location)) return null;
  return /^file:/i.test(location) ? fileURLToPath(location) : location;
}

/** The database path resolved against the working directory. */
export function databasePath(config: Config): string {
  return config.database === ':memory:' ? config.database : path.resolve(config.database);
}

export function userAgent(config: Config, version: string): string {
  return config.fetch.user_agent ?? `Planetarium/${version} (+${config.planet.link})`;
}

/** Maximum redirects followed per fetch (PRODUCT.md: bounded). */
const MAX_REDIRECTS = 5;

/** What every fetch of this planet is allowed (a pass, `planet check`, discovery, reading lists). */
export function fetchOptionsFromConfig(config: Config): FetchOptions {
  return {
    timeoutMs: config.fetch.timeout_seconds * 1000,
    maxBytes: config.fetch.max_bytes,
    userAgent: userAgent(config, VERSION),
    allowPrivateAddresses: config.fetch.allow_private_addresses,
    maxRedirects: MAX_REDIRECTS,
  };
}

/**
 * The candidate a mistyped name most likely meant (`concurency` → `concurrency`), or undefined:
 * at most 2 edits, or a third of the name's length for long names, and fewer edits than the name
 * has characters (so `x` suggests nothing). Shared by config keys and the CLI's command words.
 */
export function closestName(typed: string, candidates: readonly string[]): string | undefined {
  const lower = typed.toLowerCase();
  const maxDistance = Math.max(2, Math.floor(typed.length / 3));
  let best: string | undefined;
  let bestDistance = maxDistance + 1;
  for (const candidate of candidates) {
    const distance = leven(lower, candidate.toLowerCase(), { maxDistance: bestDistance });
    if (distance < bestDistance && distance < Math.min(typed.length, candidate.length)) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && /^https?:\/\//i.test(value);
  } catch {
    return false;
  }
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

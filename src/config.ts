// The planet's configuration: config/planet.yaml, validated once with zod at start and passed down.
// An invalid file is a ConfigError listing every bad key with its path; the CLI exits 2 on it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { validate as isCronExpression } from 'node-cron';
import { z } from 'zod';

const MiB = 1024 * 1024;

const tag = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'a tag: lowercase letters, digits, "-" or "_", at most 40 characters');

const httpUrl = z
  .string()
  .url('an absolute URL')
  .refine((u) => /^https?:\/\//i.test(u), 'an http or https URL');

export const feedConfigSchema = z
  .object({
    url: httpUrl,
    name: z.string().min(1).optional(),
    face: httpUrl.optional(),
    link: httpUrl.optional(),
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
        timezone: z
          .string()
          .refine(isTimeZone, 'an IANA time zone such as UTC or Europe/Berlin')
          .default('UTC'),
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
        schedule: z.string().refine(isCronExpression, 'a cron expression such as "*/30 * * * *"').default('*/30 * * * *'),
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
    feeds: z.array(feedConfigSchema).default([]),
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
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type FeedConfig = z.infer<typeof feedConfigSchema>;

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
  return { ...applyEnv(config, env, file), configPath: file };
}

/** Validates an already-parsed document. */
export function parseConfig(raw: unknown, file = '<config>'): Config {
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(
      file,
      result.error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(top level)'}: ${describeIssue(issue)}`),
    );
  }
  return result.data;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  return `expected ${issue.message.replace(/^Invalid input: expected /, '')}`;
}

function applyEnv(config: Config, env: NodeJS.ProcessEnv, file: string): Config {
  const out = structuredClone(config);
  const issues: string[] = [];
  if (env.PLANET_DB) out.database = env.PLANET_DB;
  if (env.HOST) out.server.host = env.HOST;
  if (env.PORT !== undefined && env.PORT !== '') {
    const port = Number(env.PORT);
    if (!Number.isInteger(port) || port < 0 || port > 65535) issues.push(`PORT (environment): expected a port number 0-65535, got "${env.PORT}"`);
    else out.server.port = port;
  }
  if (issues.length) throw new ConfigError(file, issues);
  return out;
}

/** The database path resolved against the working directory. */
export function databasePath(config: Config): string {
  return config.database === ':memory:' ? config.database : path.resolve(config.database);
}

export function userAgent(config: Config, version: string): string {
  return config.fetch.user_agent ?? `Planetarium/${version} (+${config.planet.link})`;
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

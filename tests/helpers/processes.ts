// Runs the built `planet` command (dist/, made by `npm run build` / pretest) as real child processes.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin/planet.js');

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Running {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  done: Promise<Finished>;
}

export function startPlanetProcess(args: string[], env: NodeJS.ProcessEnv = {}, user?: { uid: number; gid: number }): Running {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    ...user,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Finished>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, stdout: () => stdout, stderr: () => stderr, done };
}

export function runPlanet(args: string[], env: NodeJS.ProcessEnv = {}, user?: { uid: number; gid: number }): Promise<Finished> {
  return startPlanetProcess(args, env, user).done;
}

/** Waits until `planet serve` prints its address; returns it. */
export async function serveAddress(p: Running, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = /serving .* at (http:\/\/[^\s]+)/.exec(p.stderr());
    if (m) return m[1]!;
    if (p.child.exitCode !== null || Date.now() > deadline) throw new Error(`planet serve did not start:\n${p.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface PlanetConfigOptions {
  dbPath: string;
  feedUrls: string[];
  concurrency?: number;
  schedule?: string;
  timeoutSeconds?: number;
  /** server.workers: HTTP processes sharing the port. */
  workers?: number;
}

/** A config file for the fixture feeds: private addresses allowed, no backlog cap, long retention. */
export function writePlanetConfig(file: string, o: PlanetConfigOptions): string {
  const lines = [
    `database: ${JSON.stringify(o.dbPath)}`,
    `server: { host: 127.0.0.1, port: 0, workers: ${o.workers ?? 1} }`,
    `fetch: { allow_private_addresses: true, new_feed_items: 100000, concurrency: ${o.concurrency ?? 8}, per_host: ${o.concurrency ?? 8}, timeout_seconds: ${o.timeoutSeconds ?? 10}, schedule: ${JSON.stringify(o.schedule ?? '0 0 1 1 *')} }`,
    'retention: { keep_days: 100000, keep_per_feed: 100000 }',
    ...(o.feedUrls.length ? ['feeds:', ...o.feedUrls.map((u) => `  - url: ${JSON.stringify(u)}`)] : ['feeds: []']),
  ];
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/**
 * Polls `probe` until it gives a value (a throw counts as "not yet"); past `timeoutMs` it fails
 * naming `what`, with `output()` (a process's stderr so far) to show why.
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  { timeoutMs = 30_000, intervalMs = 200, output = () => '' }: { timeoutMs?: number; intervalMs?: number; output?: () => string } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await Promise.resolve().then(probe).catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output so far:\n${output()}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

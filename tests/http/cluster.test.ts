// The sum across `server.workers` processes, with real node:cluster processes (cluster-process.ts):
// any worker asks, the primary sums every worker's registry and its own; a worker that hangs is
// waited for at most a second, one that dies or answers nonsense never brings the primary down.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const FETCHES = 5;
const ENTRIES = 2;

interface Event {
  event: string;
  [key: string]: unknown;
}

let primary: ChildProcessWithoutNullStreams;
let stderr = '';
const events: Event[] = [];
const waiters: Array<() => void> = [];
let ready: Event;

function next(match: (e: Event) => boolean, timeoutMs = 10_000): Promise<Event> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`cluster harness: no matching event in ${timeoutMs} ms; stderr:\n${stderr}`)), timeoutMs);
    const check = () => {
      const i = events.findIndex(match);
      if (i < 0) return false;
      clearTimeout(timer);
      resolve(events.splice(i, 1)[0]!);
      return true;
    };
    if (!check()) waiters.push(function retry() {
      if (!check()) waiters.push(retry);
    });
  });
}

const send = (command: Record<string, unknown>) => primary.stdin.write(`${JSON.stringify(command)}\n`);
let tags = 0;
async function ask(worker: number): Promise<{ text?: string; error?: string; ms: number }> {
  const tag = `t${++tags}`;
  const t = performance.now();
  send({ cmd: 'ask', worker, tag });
  const answer = await next((e) => e.event === 'answer' && e.tag === tag);
  return { text: answer.text as string | undefined, error: answer.error as string | undefined, ms: performance.now() - t };
}
async function workers(): Promise<Record<string, number>> {
  send({ cmd: 'pids' });
  return (await next((e) => e.event === 'pids')).workers as Record<string, number>;
}

const sample = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};
const requests = (text: string) => sample(text, 'planet_http_requests_total{route="/",method="GET",status="200"}');
/** Worker N counts N requests: the sum over a set of worker ids. */
const sumOf = (ids: Iterable<string | number>) => [...ids].reduce<number>((n, id) => n + Number(id), 0);
/** The pids named by each of the primary's "did not answer in time" warnings so far. */
const timedOut = () =>
  stderr
    .split('\n')
    .filter((l) => l.includes('metrics: some workers did not answer in time'))
    .map((l) => (JSON.parse(l) as { workers: number[] }).workers);
const rssOf = (pid: number) => Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;

beforeAll(async () => {
  primary = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'cluster-process.ts')], { stdio: 'pipe' });
  primary.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  createInterface({ input: primary.stdout }).on('line', (line) => {
    events.push(JSON.parse(line) as Event);
    for (const w of waiters.splice(0)) w();
  });
  ready = await next((e) => e.event === 'ready', 40_000);
}, 45_000);

afterAll(async () => {
  if (primary.exitCode !== null) return;
  send({ cmd: 'stop' });
  const stopped = await Promise.race([next((e) => e.event === 'stopped').then(() => true), new Promise((r) => setTimeout(() => r(false), 10_000))]);
  if (!stopped) primary.kill('SIGKILL');
});

describe('the sum across server.workers processes', () => {
  it('is the same whichever worker asks: every worker counted once, plus the primary', async () => {
    const ids = Object.keys(ready.workers as Record<string, number>);
    expect(ids).toHaveLength(3);
    for (const id of ids) {
      const { text, error } = await ask(Number(id));
      expect(error).toBeUndefined();
      expect(requests(text!)).toBe(sumOf(ids));
      expect(sample(text!, 'planet_http_request_duration_seconds_count{route="/"}')).toBe(sumOf(ids));
      expect(sample(text!, 'planet_http_request_duration_seconds_bucket{le="0.001",route="/"}')).toBe(sumOf(ids));
      // The fetch counters live only in the primary.
      expect(sample(text!, 'planet_fetches_total{outcome="ok"}')).toBe(FETCHES);
      expect(sample(text!, 'planet_entries_written_total{kind="new"}')).toBe(FETCHES * ENTRIES);
      expect(sample(text!, 'planet_fetch_duration_seconds_count{outcome="ok"}')).toBe(FETCHES);
    }
  });

  it('sums memory over the four processes and reports the earliest start, the primary’s', async () => {
    const pids = [ready.pid as number, ...Object.values(await workers())];
    const { text } = await ask(1);
    const measured = pids.reduce((n, pid) => n + rssOf(pid), 0);
    const reported = sample(text!, 'process_resident_memory_bytes')!;
    // One process alone would be about a quarter of it.
    expect(reported / measured).toBeGreaterThan(0.8);
    expect(reported / measured).toBeLessThan(1.25);
    expect(sample(text!, 'process_start_time_seconds')).toBe(ready.start_time_seconds);
  });

  it('answers after about a second with the others when one worker is stuck, and counts it again once it is back', async () => {
    const pids = await workers();
    const ids = Object.keys(pids);
    send({ cmd: 'block', worker: 3, ms: 2500 });
    const stuck = await ask(1);
    // Not waited for until it is back (it would be counted then), but for the collect timeout.
    expect(requests(stuck.text!)).toBe(sumOf(ids) - 3);
    expect(stuck.ms).toBeGreaterThan(900);
    // stderr is another pipe than the answer's stdout: give the warning a moment to arrive.
    for (let i = 0; i < 20 && !timedOut().some((w) => w.includes(pids['3']!)); i++) await new Promise((r) => setTimeout(r, 50));
    expect(timedOut()).toContainEqual([pids['3']]);
    await new Promise((r) => setTimeout(r, 2000));
    expect(requests((await ask(1)).text!)).toBe(sumOf(ids));
  });

  it('fails the scrape, and keeps going, when a worker answers with figures that cannot be summed', async () => {
    send({ cmd: 'garbage', worker: 2 });
    const bad = await ask(1);
    expect(bad.text).toBeUndefined();
    expect(bad.error).toMatch(/^metrics: could not sum the server processes: 'nonsense' is not a defined aggregator/);
    const ids = Object.keys(await workers());
    expect(requests((await ask(2)).text!)).toBe(sumOf(ids));
  });

  it('a worker killed while the primary waits for it: answered at once without it, the primary unharmed, its successor counted', async () => {
    const before = await workers();
    send({ cmd: 'block', worker: 2, ms: 5000 });
    const asked = ask(1);
    await new Promise((r) => setTimeout(r, 200));
    send({ cmd: 'kill', worker: 2 });
    const answer = await asked;
    expect(requests(answer.text!)).toBe(sumOf(Object.keys(before)) - 2);
    expect(primary.exitCode).toBeNull();
    // Once it listens it is asked too: worker 4 counts 4.
    const successor = await next((e) => e.event === 'listening');
    // Its exit ended the wait: the collect timeout, which would name it, never fired (by now, over
    // a second later, its warning would have arrived).
    expect(timedOut().flat()).not.toContain(before['2']);
    const now = await workers();
    expect(Object.keys(now).sort()).toEqual(['1', '3', String(successor.worker)].sort());
    expect(requests((await ask(3)).text!)).toBe(sumOf(Object.keys(now)));
  }, 20_000);
});

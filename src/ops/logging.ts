// The server's log destination, chosen by who reads it (decision 0013, docs/operations.md "Logs"):
// - JSON lines (pino) when stdout is a file, a pipe or journald: gathered in memory (LineBatch), so
//   a request's log line costs an array push rather than a write(2) on the request path. Written
//   once LOG_BUFFER_BYTES are waiting or LOG_FLUSH_MS after the first, and at exit; a kill -9 loses
//   at most that last second of lines (nginx's `access_log … buffer= flush=` trade). Each batch is
//   one write(2) made at once, as nginx makes its own (decision 0028: the thread pool's round trip
//   cost more than the write), of whole lines and at most PIPE_BUF (4096) bytes: POSIX keeps such a
//   write to a pipe in one piece, so the HTTP workers of `server.workers` never splice lines.
// - One readable line per event when stdout is a terminal (`npm start`): pino-pretty, in process.
// LOG_FORMAT=json|pretty overrides the choice. Every request is one line in both (logRequest).
import { register as onExit, unregister as offExit } from 'on-exit-leak-free';
import pino from 'pino';
import pinoPretty, { type PrettyOptions } from 'pino-pretty';

/** What the pipeline, the pass and the cluster log through: pino's shape, so a pino logger is one. */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const LOG_BUFFER_BYTES = 2048;
export const LOG_FLUSH_MS = 1000;
const PIPE_BUF = 4096;

export type LogFormat = 'json' | 'pretty';

/**
 * JSON unless standard output is a terminal; LOG_FORMAT (json or pretty) decides instead when set.
 * An unknown LOG_FORMAT is undefined: the caller refuses to start, naming it.
 */
export function logFormat(env: NodeJS.ProcessEnv, stdoutIsTTY: boolean): LogFormat | undefined {
  const forced = env.LOG_FORMAT?.trim().toLowerCase();
  if (forced === undefined || forced === '') return stdoutIsTTY ? 'pretty' : 'json';
  return forced === 'json' || forced === 'pretty' ? forced : undefined;
}

export interface ServerLoggerOptions {
  format?: LogFormat;
  /** ANSI colours in the pretty format (a terminal, NO_COLOR unset). */
  color?: boolean;
  /** Show each line's process id: several processes share the output (`server.workers`). */
  showPid?: boolean;
}

/** Fastify's `logger` option (pino options plus a stream) for `planet serve`. */
export function serverLogger(level: string, dest: number | string = 1, options: ServerLoggerOptions = {}) {
  if (options.format === 'pretty') {
    return { level, stream: pinoPretty({ ...prettyOptions(options), destination: dest, sync: true, mkdir: typeof dest === 'string' }) };
  }
  // LineBatch gathers the lines; SonicBoom writes each batch at once, retrying EAGAIN on a full pipe.
  const destination = pino.destination({ dest, sync: true, minLength: 0, maxWrite: PIPE_BUF, mkdir: typeof dest === 'string' });
  return { level, stream: new LineBatch(destination) };
}

/**
 * The JSON destination's front: lines gather here as a list and reach SonicBoom as one string of
 * whole lines of at most PIPE_BUF bytes, once LOG_BUFFER_BYTES have gathered, LOG_FLUSH_MS after
 * the first of them, on flush and at exit. (SonicBoom given lines one by one keeps them as one
 * growing string and measures its UTF-8 length on every write, a copy of up to 4 KB per line: a
 * fifth of what the server allocated per request under load. Decision 0028.)
 */
export class LineBatch {
  private lines: string[] = [];
  private bytes = 0;
  /** Set while lines wait: an idle batch holds no timer, and can be collected with its logger. */
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly destination: ReturnType<typeof pino.destination>) {
    onExit(this, (batch: LineBatch) => batch.flushSync());
  }

  write(line: string): boolean {
    const size = Buffer.byteLength(line);
    if (this.bytes + size > PIPE_BUF) this.release();
    this.lines.push(line);
    this.bytes += size;
    if (this.bytes >= LOG_BUFFER_BYTES) this.release();
    else this.timer ??= setTimeout(() => this.release(), LOG_FLUSH_MS).unref();
    return true;
  }

  flush(cb?: (err?: Error) => void): void {
    this.release();
    this.destination.flush(cb);
  }

  flushSync(): void {
    this.release();
  }

  end(): void {
    this.release();
    offExit(this);
    this.destination.end();
  }

  private release(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.lines.length === 0) return;
    const chunk = this.lines.join('');
    this.lines = [];
    this.bytes = 0;
    this.destination.write(chunk);
  }
}

/** pino-pretty's settings for one line per event: `[14:03:07.412] INFO: GET /page/2 200 1.8 ms`. */
export function prettyOptions(options: Pick<ServerLoggerOptions, 'color' | 'showPid'> = {}): PrettyOptions {
  return {
    colorize: options.color ?? false,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: options.showPid ? 'hostname' : 'pid,hostname',
    // Every field is written by formatEvent, on the message's line.
    hideObject: true,
    messageFormat: (log, messageKey) => formatEvent(log, messageKey),
  };
}

/** Fields the line's prefix already shows, or that only tie lines together in JSON. */
const SHOWN_ELSEWHERE = new Set(['level', 'time', 'pid', 'hostname', 'reqId']);

/**
 * The text of one event after its time and level: a request as `GET /page/2 200 1.8 ms`, anything
 * else as its message followed by its fields as key=value (an error as its type, message and the
 * first frame of its stack, so the event stays one line).
 */
export function formatEvent(log: Record<string, unknown>, messageKey = 'msg'): string {
  const req = log.req as { method?: string; url?: string } | undefined;
  const res = log.res as { statusCode?: number } | undefined;
  if (req?.method && res?.statusCode !== undefined && typeof log.responseTime === 'number') {
    return `${req.method} ${req.url} ${res.statusCode} ${log.responseTime.toFixed(1)} ms`;
  }
  const fields = Object.entries(log)
    .filter(([key]) => key !== messageKey && !SHOWN_ELSEWHERE.has(key))
    .map(([key, value]) => `${key}=${fieldText(value)}`);
  return [String(log[messageKey] ?? ''), ...fields].filter(Boolean).join(' ');
}

function fieldText(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (value !== null && typeof value === 'object' && 'message' in value && 'stack' in value) {
    const err = value as { type?: string; message: string; stack?: string };
    const at = /\n\s+at (.+)/.exec(err.stack ?? '')?.[1];
    return JSON.stringify(`${err.type ?? 'Error'}: ${err.message}${at ? ` (at ${at})` : ''}`);
  }
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** The request logger's shape: pino's info(obj, msg) and isLevelEnabled (its line's parts: logRequest). */
interface RequestLog {
  info(obj: object, msg: string): void;
  isLevelEnabled?(level: string): boolean;
}

const { chindingsSym, endSym, hooksSym, lsCacheSym, mixinSym, streamSym, timeSym } = pino.symbols;
const NEEDS_METADATA = Symbol.for('pino.metadata');

const INFO = pino.levels.values.info!;

/**
 * One line per request, whoever answered it (the fast path or Fastify): method, URL, status, time.
 * On a pino logger as `planet serve` builds it (no mixin, no stream hook) the line is put together
 * here from the logger's own parts (level, time, bindings such as reqId, end) and handed to its
 * destination: the line pino writes for the same object, key for key (tests/ops/logging.test.ts),
 * at a third of the cost of pino walking the object through Fastify's serializers, ~2 µs against
 * ~5.5 (docs/decisions/0028-serve-footprint.md). Any other logger gets `info(obj, msg)`.
 */
export function logRequest(log: RequestLog, method: string, url: string, statusCode: number, ms: number): void {
  // Read on every call (property reads, no allocation): Fastify's path logs through a child per request.
  const parts = log as unknown as Record<symbol, unknown>;
  const stream = parts[streamSym] as { write?: (line: string) => unknown; [NEEDS_METADATA]?: unknown } | undefined;
  const level = (parts[lsCacheSym] as Record<number, string> | undefined)?.[INFO];
  const time = parts[timeSym] as (() => string) | undefined;
  const chindings = parts[chindingsSym];
  const end = parts[endSym];
  const plain =
    typeof stream?.write === 'function' && !stream[NEEDS_METADATA] && !parts[mixinSym] && !(parts[hooksSym] as { streamWrite?: unknown } | undefined)?.streamWrite &&
    typeof level === 'string' && typeof time === 'function' && typeof chindings === 'string' && typeof end === 'string';
  if (!plain) {
    log.info({ req: { method, url }, res: { statusCode }, responseTime: ms }, 'request completed');
    return;
  }
  if (log.isLevelEnabled?.('info') === false) return;
  const responseTime = Number.isFinite(ms) ? ms : null;
  stream.write!(`${level}${time.call(log)}${chindings},"req":{"method":${JSON.stringify(method)},"url":${JSON.stringify(url)}},"res":{"statusCode":${statusCode}},"responseTime":${responseTime},"msg":"request completed"${end}`);
}

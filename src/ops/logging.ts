// The server's log destination, chosen by who reads it (decision 0013, docs/operations.md "Logs"):
// - JSON lines (pino) when stdout is a file, a pipe or journald: buffered and written
//   asynchronously, so a request's log line costs a string append rather than a write(2) on the
//   request path. Written once LOG_BUFFER_BYTES are waiting or every LOG_FLUSH_MS, and at exit (pino
//   flushes); a kill -9 loses at most that last second of lines (nginx's `access_log … buffer=
//   flush=` trade). Each write(2) holds whole lines and at most PIPE_BUF (4096) bytes: POSIX keeps
//   such a write to a pipe in one piece, so the HTTP workers of `server.workers` never splice lines.
// - One readable line per event when stdout is a terminal (`npm start`): pino-pretty, in process.
// LOG_FORMAT=json|pretty overrides the choice. Every request is one line in both (logRequest).
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
  return {
    level,
    stream: pino.destination({
      dest,
      sync: false,
      minLength: LOG_BUFFER_BYTES,
      maxWrite: PIPE_BUF,
      periodicFlush: LOG_FLUSH_MS,
      mkdir: typeof dest === 'string',
    }),
  };
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

/** The request logger's shape: pino's info(obj, msg). */
interface RequestLog {
  info(obj: object, msg: string): void;
}

/** One line per request, whoever answered it (the fast path or Fastify): method, URL, status, time. */
export function logRequest(log: RequestLog, method: string, url: string, statusCode: number, ms: number): void {
  log.info({ req: { method, url }, res: { statusCode }, responseTime: ms }, 'request completed');
}

// The server's log destination: JSON lines (pino), buffered and written asynchronously, so that a
// request's log line costs a string append rather than a write(2) on the request path.
// - Written once LOG_BUFFER_BYTES are waiting or every LOG_FLUSH_MS, and at exit (pino flushes);
//   a kill -9 loses at most that last second of lines (nginx's `access_log … buffer= flush=` trade).
// - Each write(2) holds whole lines and at most PIPE_BUF (4096) bytes: POSIX keeps such a write to a
//   pipe in one piece, so the HTTP workers of `server.workers` sharing stdout never splice lines.
import pino from 'pino';

/** What the pipeline, the pass and the cluster log through: pino's shape, so a pino logger is one. */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const LOG_BUFFER_BYTES = 2048;
export const LOG_FLUSH_MS = 1000;
const PIPE_BUF = 4096;

export function serverLogger(level: string, dest: number | string = 1) {
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

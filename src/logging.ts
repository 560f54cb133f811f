// The server's log destination: JSON lines (pino), written asynchronously so that a request's
// log line costs a buffer append rather than a write(2) on the request path. pino flushes the
// buffer when the process exits.
import pino from 'pino';

export function serverLogger(level: string, dest: number | string = 1) {
  return { level, stream: pino.destination({ dest, sync: false, mkdir: typeof dest === 'string' }) };
}

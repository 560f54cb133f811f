// Worker-thread side of the CPU pool: runs cpu-tasks on request, one message at a time. Says
// "ready" once its modules are loaded, so the pool moves no document to a worker that cannot start.
import { parentPort } from 'node:worker_threads';
import { readDocument, sanitizeEntries } from './cpu-tasks.js';

export type CpuRequest =
  | { id: number; task: 'read'; body: Uint8Array; contentType: string | null; url: string }
  | { id: number; task: 'sanitize'; items: Parameters<typeof sanitizeEntries>[0] };

export type CpuResponse = { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string };

parentPort?.on('message', (request: CpuRequest) => {
  let response: CpuResponse;
  try {
    const value = request.task === 'read' ? readDocument(request.body, request.contentType, request.url) : sanitizeEntries(request.items);
    response = { id: request.id, ok: true, value };
  } catch (err) {
    response = { id: request.id, ok: false, message: (err as Error).message };
  }
  parentPort!.postMessage(response);
});
parentPort?.postMessage({ ready: true });

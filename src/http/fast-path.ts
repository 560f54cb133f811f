// A request listener ahead of Fastify: cache hits of reader documents are answered here, without
// Fastify's routing, hooks and reply machinery (most of a cached page's cost); everything else goes
// to Fastify unchanged. See docs/decisions/0003-reader-side.md, "Serving a cached document".
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { FastifyServerFactory } from 'fastify';

/** Answers the request and returns true, or returns false having touched nothing. */
export type FastHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

export interface FastPath {
  /** Set by the reader routes once their site exists. */
  handler: FastHandler | null;
  /** Set when the app starts closing: Fastify answers from then on (503, Connection: close). */
  closing: boolean;
  /**
   * Set by the reader routes; called after Fastify answers a request that may have written (any
   * method but GET and HEAD), so that the fast path's next answer reads content_version again.
   */
  afterWrite: (() => void) | null;
}

export function createFastPath(): FastPath {
  return { handler: null, closing: false, afterWrite: null };
}

/** Fastify's serverFactory: the server Fastify would create, its listener trying the fast path first. */
export function fastPathServerFactory(fastPath: FastPath): FastifyServerFactory {
  return (fastifyHandler, options) => {
    const server = http.createServer((options.http ?? {}) as http.ServerOptions, (req, res) => {
      const handler = fastPath.handler;
      let answered = false;
      if (handler !== null && !fastPath.closing) {
        try {
          answered = handler(req, res);
        } catch (err) {
          // A database fault, say: before anything is sent, Fastify meets it again and its error
          // handler logs it and answers 500. After, there is no one to answer: a bug, thrown.
          if (res.headersSent) throw err;
        }
      }
      if (!answered) fastifyHandler(req, res);
    });
    // What Fastify sets on the server it creates itself (fastify/lib/server.js), defaults applied.
    server.keepAliveTimeout = options.keepAliveTimeout as number;
    server.requestTimeout = options.requestTimeout as number;
    server.setTimeout(options.connectionTimeout as number);
    if ((options.maxRequestsPerSocket as number) > 0) server.maxRequestsPerSocket = options.maxRequestsPerSocket as number;
    return server;
  };
}

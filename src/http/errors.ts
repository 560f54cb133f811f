// The one shape of an error handler, shared by the app and each area (admin pages, the JSON API):
// a 4xx is the client's to fix and is answered in the area's own form; anything else is a bug or
// a database fault, logged here and answered without its details.
import type { FastifyReply, FastifyRequest } from 'fastify';

export type HttpError = Error & { statusCode?: number; code?: string };

/** The error's own 4xx / 5xx status, else 500. */
export function errorStatus(err: HttpError): number {
  return err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
}

/** An error handler that logs every 5xx as `logMessage` and lets `answer` write the response. */
export function errorHandler(
  logMessage: string,
  answer: (err: HttpError, status: number, request: FastifyRequest, reply: FastifyReply) => FastifyReply | Promise<FastifyReply>,
) {
  return (err: HttpError, request: FastifyRequest, reply: FastifyReply) => {
    const status = errorStatus(err);
    if (status >= 500) request.log.error({ err }, logMessage);
    return answer(err, status, request, reply);
  };
}

// /websub/<token>: the WebSub subscriber's callbacks. GET is a hub verifying our (un)subscription
// or denying it; POST is content distribution, read raw (the signature covers the exact bytes) up to
// fetch.max_bytes, acknowledged with a 2xx and stored through the writer lock (src/websub/).
import { hostname } from 'node:os';
import type { FastifyError, FastifyInstance } from 'fastify';
import { countQueuedDeliveries } from '../../db/websub.js';
import { createMetrics } from '../../ops/metrics.js';
import { acquireLock, PASS_LOCK, releaseLock } from '../../db/locks.js';
import { acceptDelivery, answerVerification } from '../../websub/callbacks.js';
import { changedByDeliveries, createDeliveryDrainer, DELIVERY_OWNER_SUFFIX, type WriterLock } from '../../websub/deliveries.js';
import { hubContext, recordHubRequests } from '../../websub/hub-context.js';
import { publishChangedFeeds } from '../../websub/publisher.js';
import type { ServerDeps } from '../deps.js';

export async function websubRoutes(app: FastifyInstance, { deps, afterWrite }: { deps: ServerDeps; afterWrite?: () => void }): Promise<void> {
  const { db, config } = deps;
  const metrics = deps.metrics ?? createMetrics();
  const now = deps.now ?? Date.now;
  const log = app.log;

  // The raw bytes, whatever the type: X-Hub-Signature is over the body exactly as sent.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: config.fetch.max_bytes }, (_request, body, done) => done(null, body));

  // The pass's lock row, taken under an owner name the pass recognises (and waits for).
  const owner = `${hostname()}:${process.pid}${DELIVERY_OWNER_SUFFIX}`;
  const lock: WriterLock = {
    tryAcquire: () => acquireLock(db, PASS_LOCK, owner, now()).kind === 'acquired',
    release: () => releaseLock(db, PASS_LOCK, owner),
  };
  const publishing = new Set<Promise<void>>();
  const drainer = createDeliveryDrainer(db, config, {
    lock,
    logger: log,
    now,
    onStored: (stored) => {
      for (const d of stored) metrics.websubDeliveries.inc({ outcome: d.outcome });
      afterWrite?.();
      const changed = changedByDeliveries(stored);
      if (!changed.length || !config.websub.hub) return;
      // A push that changed the merged feeds is published like a pass that did, after the answer.
      const ping = publishChangedFeeds(db, config, changed, hubContext(config, now))
        .then((reports) => recordHubRequests(reports, { logger: log, metrics }))
        .catch((err: unknown) => log.error({ err }, 'websub: publish after a push failed'));
      publishing.add(ping);
      void ping.finally(() => publishing.delete(ping));
    },
  });
  // Deliveries left queued by a stop or a crash are stored once the server is up.
  app.addHook('onReady', async () => {
    try {
      if (countQueuedDeliveries(db) > 0) void drainer.kick();
    } catch (err) {
      // An unreachable database does not stop the server (/healthz says so); the next push retries.
      log.error({ err }, 'websub: could not look for queued deliveries');
    }
  });
  app.addHook('onClose', async () => {
    await drainer.close();
    await Promise.allSettled([...publishing]);
  });

  // Bodies over fetch.max_bytes are refused by the parser (413) before they are read in full.
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err.statusCode === 413) {
      metrics.websubDeliveries.inc({ outcome: 'too_large' });
      log.warn({ content_length: request.headers['content-length'] }, `websub: delivery larger than fetch.max_bytes (${config.fetch.max_bytes} bytes), refused`);
      return reply.code(413).type('text/plain; charset=utf-8').send('too large\n');
    }
    throw err;
  });

  // logLevel warn: the request line would write the callback's token (a capability) to the log;
  // our own lines name the subscription instead.
  // No HEAD twin: a verification is answered once, to a GET.
  app.get<{ Params: { token: string } }>('/:token', { logLevel: 'warn', exposeHeadRoute: false }, async (request, reply) => {
    const answer = answerVerification(db, request.params.token, request.query as Record<string, unknown>, now());
    metrics.websubVerifications.inc({ mode: answer.mode, outcome: answer.outcome });
    log[answer.status === 200 ? 'info' : 'warn']({ subscription_id: answer.subscription_id ?? undefined, feed_id: answer.feed_id ?? undefined, mode: answer.mode, outcome: answer.outcome }, answer.reason);
    return reply.code(answer.status).header('cache-control', 'no-store').type('text/plain; charset=utf-8').send(answer.body);
  });

  app.post<{ Params: { token: string } }>('/:token', { logLevel: 'warn' }, async (request, reply) => {
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const signature = request.headers['x-hub-signature'];
    const result = acceptDelivery(db, request.params.token, Array.isArray(signature) ? signature[0] : signature, request.headers['content-type'] ?? null, body, now());
    const ids = { subscription_id: result.subscription_id ?? undefined, feed_id: 'feed_id' in result ? (result.feed_id ?? undefined) : undefined, bytes: body.length };
    if (result.kind === 'gone') {
      metrics.websubDeliveries.inc({ outcome: 'gone' });
      log.warn(ids, `${result.reason}: answered 410 Gone`);
      return reply.code(410).type('text/plain; charset=utf-8').send('gone\n');
    }
    if (result.kind === 'bad_signature') {
      // W3C WebSub §8: acknowledged all the same, and ignored.
      metrics.websubDeliveries.inc({ outcome: 'bad_signature' });
      log.warn({ ...ids, reason: result.check.reason }, `${result.check.message}: dropped`);
      return reply.code(202).type('text/plain; charset=utf-8').send('accepted\n');
    }
    metrics.websubDeliveries.inc({ outcome: 'queued' });
    log.info({ ...ids, delivery_id: result.delivery_id, algorithm: result.algorithm }, 'websub: delivery accepted');
    void drainer.kick().catch((err: unknown) => log.error({ err }, 'websub: storing a delivery failed'));
    return reply.code(202).type('text/plain; charset=utf-8').send('accepted\n');
  });
}

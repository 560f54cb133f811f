// A WebSub hub for the tests and the bench (W3C WebSub §5–§8): a real node:http server on
// 127.0.0.1. It takes subscription requests (202, then verification of intent on the callback with
// a random challenge), grants leases and lets them expire, distributes content signed with a chosen
// X-Hub-Signature algorithm (or a bad or missing signature on demand), denies on demand (hub.mode=
// denied), drops a subscriber that answers 410, and records publish pings (hub.url, else hub.topic).
// It shares no code with src/: signatures are computed here with node:crypto.
//
//   const hub = await startWebsubHub({ leaseSeconds: 60 });
//   feed advertises <link rel="hub" href={hub.url}>;  …the planet subscribes…
//   await hub.waitFor(() => hub.subscriptions().length === 1);
//   await hub.distribute(topic, atomBytes, { contentType: 'application/atom+xml', signature: 'good' });
//   hub.publishes;  hub.requests;  hub.verifications;  await hub.close();
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type HubAlgorithm = 'sha1' | 'sha256' | 'sha384' | 'sha512';

export interface HubSubscriber {
  callback: string;
  topic: string;
  secret: string | null;
  leaseSeconds: number;
  expiresAt: number;
  verifiedAt: number;
}

/** One POST to the hub endpoint, as received and answered. */
export interface HubRequestRecord {
  mode: string;
  topic: string | null;
  callback: string | null;
  secret: string | null;
  url: string | null;
  status: number;
  at: number;
}

/** One GET the hub made on a callback. */
export interface VerificationRecord {
  mode: 'subscribe' | 'unsubscribe' | 'denied';
  callback: string;
  topic: string;
  challenge: string | null;
  status: number;
  body: string;
  /** The subscriber confirmed (2xx echoing the challenge; for denied: any answer). */
  confirmed: boolean;
  at: number;
}

export interface DeliveryRecord {
  callback: string;
  topic: string;
  status: number;
  signature: string | null;
  at: number;
}

export interface DistributeOptions {
  contentType?: string;
  /** good: HMAC of the body with the subscriber's secret; bad: of other bytes; missing: no header. */
  signature?: 'good' | 'bad' | 'missing';
  algorithm?: HubAlgorithm;
}

export interface WebsubHubOptions {
  /** Lease granted to every subscription, in seconds (default 3600). */
  leaseSeconds?: number;
  /** Distribution's default signature algorithm (default sha256). */
  algorithm?: HubAlgorithm;
}

export interface WebsubHub {
  /** The hub endpoint subscribers and publishers POST to. */
  url: string;
  leaseSeconds: number;
  algorithm: HubAlgorithm;
  /** Subscription requests for these topics are denied (hub.mode=denied) instead of verified. */
  denyTopics: Set<string>;
  /** Answer subscription requests with this status (e.g. 403) instead of 202. */
  refuseWith: number | null;
  /** Verify subscriptions with this topic instead of the requested one (a verification the subscriber must refuse). */
  verifyWithTopic: string | null;
  requests: HubRequestRecord[];
  verifications: VerificationRecord[];
  deliveries: DeliveryRecord[];
  /** Publish pings: the URLs named (hub.url, else hub.topic). */
  publishes: Array<{ url: string; at: number }>;
  /** Live subscriptions (lease not expired). */
  subscriptions(topic?: string): HubSubscriber[];
  /** POSTs `body` to every live subscriber of `topic`; resolves with each answer. */
  distribute(topic: string, body: string | Buffer, options?: DistributeOptions): Promise<DeliveryRecord[]>;
  /** POSTs one delivery to one callback (signed with `secret` when given). */
  deliver(callback: string, topic: string, body: string | Buffer, secret: string | null, options?: DistributeOptions): Promise<DeliveryRecord>;
  /** hub.mode=denied to every subscriber of `topic` (a subscription cancelled by the hub). */
  deny(topic: string, reason?: string): Promise<VerificationRecord[]>;
  /** A verification GET of our own choosing on any callback (e.g. for a topic never asked for). */
  verify(callback: string, mode: 'subscribe' | 'unsubscribe', topic: string, leaseSeconds?: number): Promise<VerificationRecord>;
  /** Resolves once `predicate` holds (polled every 20 ms), or rejects after `timeoutMs`. */
  waitFor(predicate: () => boolean, timeoutMs?: number, what?: string): Promise<void>;
  close(): Promise<void>;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** One request with a body of its own, on a fresh connection. */
function send(method: 'GET' | 'POST', url: string, headers: http.OutgoingHttpHeaders, body?: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false, timeout: 10_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('timeout', () => req.destroy(new Error(`websub-hub: ${method} ${url} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

function withQuery(callback: string, params: Record<string, string>): string {
  const url = new URL(callback);
  for (const [k, v] of Object.entries(params)) url.searchParams.append(k, v);
  return url.href;
}

export async function startWebsubHub(options: WebsubHubOptions = {}): Promise<WebsubHub> {
  const subscribers = new Map<string, HubSubscriber>(); // key: callback + ' ' + topic
  const key = (callback: string, topic: string) => `${callback} ${topic}`;
  let closed = false;

  async function verifyIntent(mode: 'subscribe' | 'unsubscribe', callback: string, topic: string, secret: string | null): Promise<void> {
    if (closed) return;
    if (mode === 'subscribe' && hub.denyTopics.has(topic)) {
      const r = await send('GET', withQuery(callback, { 'hub.mode': 'denied', 'hub.topic': topic, 'hub.reason': 'this topic is not served by this hub' }), {}).catch(() => ({ status: 0, body: '' }));
      hub.verifications.push({ mode: 'denied', callback, topic, challenge: null, status: r.status, body: r.body, confirmed: true, at: Date.now() });
      return;
    }
    const challenge = randomBytes(16).toString('hex');
    const asked = hub.verifyWithTopic ?? topic;
    const params: Record<string, string> = { 'hub.mode': mode, 'hub.topic': asked, 'hub.challenge': challenge };
    if (mode === 'subscribe') params['hub.lease_seconds'] = String(hub.leaseSeconds);
    const r = await send('GET', withQuery(callback, params), {}).catch(() => ({ status: 0, body: '' }));
    // §5.3.1: confirmed only by a 2xx whose body is exactly the challenge.
    const confirmed = r.status >= 200 && r.status < 300 && r.body === challenge;
    hub.verifications.push({ mode, callback, topic: asked, challenge, status: r.status, body: r.body, confirmed, at: Date.now() });
    if (!confirmed) return;
    if (mode === 'unsubscribe') subscribers.delete(key(callback, topic));
    else {
      const now = Date.now();
      subscribers.set(key(callback, topic), { callback, topic, secret, leaseSeconds: hub.leaseSeconds, expiresAt: now + hub.leaseSeconds * 1000, verifiedAt: now });
    }
  }

  const server = http.createServer(async (req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(405, { Allow: 'POST' }).end();
      return;
    }
    const form = new URLSearchParams((await readBody(req)).toString('utf8'));
    const mode = form.get('hub.mode') ?? '';
    const record: HubRequestRecord = {
      mode, topic: form.get('hub.topic'), callback: form.get('hub.callback'), secret: form.get('hub.secret'), url: form.get('hub.url'), status: 0, at: Date.now(),
    };
    hub.requests.push(record);
    const answer = (status: number, text = '') => {
      record.status = status;
      res.writeHead(status, { 'Content-Type': 'text/plain' }).end(text);
    };
    if (mode === 'publish') {
      const url = record.url ?? record.topic;
      if (!url) return answer(400, 'hub.url is required');
      hub.publishes.push({ url, at: Date.now() });
      return answer(204);
    }
    if (mode !== 'subscribe' && mode !== 'unsubscribe') return answer(400, `unknown hub.mode "${mode}"`);
    if (!record.callback || !record.topic) return answer(400, 'hub.callback and hub.topic are required');
    if (mode === 'subscribe' && hub.refuseWith !== null) return answer(hub.refuseWith, 'subscriptions are closed');
    if (record.secret !== null && Buffer.byteLength(record.secret) >= 200) return answer(400, 'hub.secret must be shorter than 200 bytes');
    answer(202, 'Accepted');
    // Verification is asynchronous, after the 202 (§5.3).
    setImmediate(() => void verifyIntent(mode, record.callback!, record.topic!, record.secret));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const live = () => [...subscribers.values()].filter((s) => s.expiresAt > Date.now());

  const hub: WebsubHub = {
    url: `http://127.0.0.1:${port}/`,
    leaseSeconds: options.leaseSeconds ?? 3600,
    algorithm: options.algorithm ?? 'sha256',
    denyTopics: new Set(),
    refuseWith: null,
    verifyWithTopic: null,
    requests: [],
    verifications: [],
    deliveries: [],
    publishes: [],
    subscriptions: (topic) => live().filter((s) => topic === undefined || s.topic === topic),

    async deliver(callback, topic, body, secret, o = {}) {
      const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
      const algorithm = o.algorithm ?? hub.algorithm;
      const headers: http.OutgoingHttpHeaders = {
        'Content-Type': o.contentType ?? 'application/atom+xml',
        'Content-Length': String(bytes.length),
        // §7: the hub's and the topic's URLs travel with the content.
        Link: `<${hub.url}>; rel="hub", <${topic}>; rel="self"`,
      };
      let signature: string | null = null;
      if (secret !== null && (o.signature ?? 'good') !== 'missing') {
        const signed = o.signature === 'bad' ? Buffer.concat([bytes, Buffer.from(' ')]) : bytes;
        signature = `${algorithm}=${createHmac(algorithm, secret).update(signed).digest('hex')}`;
        headers['X-Hub-Signature'] = signature;
      }
      const r = await send('POST', callback, headers, bytes);
      const record: DeliveryRecord = { callback, topic, status: r.status, signature, at: Date.now() };
      hub.deliveries.push(record);
      // §7: a subscriber answering 410 Gone is no longer subscribed.
      if (r.status === 410) subscribers.delete(key(callback, topic));
      return record;
    },

    async distribute(topic, body, o = {}) {
      return Promise.all(hub.subscriptions(topic).map((s) => hub.deliver(s.callback, topic, body, s.secret, o)));
    },

    async deny(topic, reason = 'cancelled by the hub') {
      const out: VerificationRecord[] = [];
      for (const s of hub.subscriptions(topic)) {
        const r = await send('GET', withQuery(s.callback, { 'hub.mode': 'denied', 'hub.topic': topic, 'hub.reason': reason }), {});
        subscribers.delete(key(s.callback, topic));
        const v: VerificationRecord = { mode: 'denied', callback: s.callback, topic, challenge: null, status: r.status, body: r.body, confirmed: true, at: Date.now() };
        hub.verifications.push(v);
        out.push(v);
      }
      return out;
    },

    async verify(callback, mode, topic, leaseSeconds = hub.leaseSeconds) {
      const challenge = randomBytes(16).toString('hex');
      const params: Record<string, string> = { 'hub.mode': mode, 'hub.topic': topic, 'hub.challenge': challenge };
      if (mode === 'subscribe') params['hub.lease_seconds'] = String(leaseSeconds);
      const r = await send('GET', withQuery(callback, params), {});
      const v: VerificationRecord = { mode, callback, topic, challenge, status: r.status, body: r.body, confirmed: r.status >= 200 && r.status < 300 && r.body === challenge, at: Date.now() };
      hub.verifications.push(v);
      return v;
    },

    async waitFor(predicate, timeoutMs = 15_000, what = 'the condition') {
      const deadline = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`websub-hub: timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },

    close: () =>
      new Promise<void>((resolve) => {
        closed = true;
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return hub;
}

// One form-encoded POST to a WebSub hub (subscribe, unsubscribe, publish): bounded in time and in
// what is read back, through the same address guard as feed fetches, never throwing.
import http from 'node:http';
import https from 'node:https';
import { AddressRefusedError, checkLiteralHost, classifyAddress, guardedLookup, type AddressPolicy } from '../pipeline/address-guard.js';
import { formatDuration } from '../pipeline/fetch.js';

export interface HubRequestOptions {
  timeoutMs: number;
  userAgent: string;
  allowPrivateAddresses: boolean;
  /** Tries in all (1: no retry). Only network trouble, timeouts, 429 and 5xx are tried again. */
  attempts?: number;
  /** Before the second try; doubled for each further one. */
  retryDelayMs?: number;
}

export type HubResponse =
  | { kind: 'ok'; status: number }
  | { kind: 'error'; code: 'bad_url' | 'address_refused' | 'network' | 'timeout' | 'http_status'; status: number | null; message: string };

/** What a hub may say about a refusal: the start of its body, as one line of plain text. */
const MAX_REASON_BYTES = 512;

/** POSTs `form` to `hubUrl`, retrying transient failures up to `attempts` times. */
export async function postToHub(hubUrl: string, form: Record<string, string>, options: HubRequestOptions): Promise<HubResponse> {
  const attempts = Math.max(1, options.attempts ?? 1);
  let delay = options.retryDelayMs ?? 1000;
  for (let i = 1; ; i++) {
    const response = await postOnce(hubUrl, form, options);
    const transient = response.kind === 'error' && (response.code === 'network' || response.code === 'timeout' || response.status === 429 || (response.status ?? 0) >= 500);
    if (!transient || i >= attempts) return response;
    await new Promise((r) => setTimeout(r, delay));
    delay *= 2;
  }
}

function postOnce(hubUrl: string, form: Record<string, string>, options: HubRequestOptions): Promise<HubResponse> {
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(hubUrl);
    } catch {
      return resolve({ kind: 'error', code: 'bad_url', status: null, message: `websub: hub ${JSON.stringify(hubUrl)} is not a valid URL` });
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      return resolve({ kind: 'error', code: 'bad_url', status: null, message: `websub: hub URLs must be http or https, not ${target.protocol}` });
    }
    const policy: AddressPolicy = options.allowPrivateAddresses ? () => null : classifyAddress;
    const literal = checkLiteralHost(target.hostname, policy);
    if (literal) return resolve({ kind: 'error', code: 'address_refused', status: null, message: `websub: hub ${literal.message}` });

    const body = Buffer.from(new URLSearchParams(form).toString(), 'utf8');
    let settled = false;
    const done = (r: HubResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const req = (target.protocol === 'https:' ? https : http).request(target, {
      method: 'POST',
      headers: {
        'User-Agent': options.userAgent,
        'Content-Type': 'application/x-www-form-urlencoded',
        'Content-Length': String(body.length),
      },
      // A fresh connection per request: a pooled socket would skip the guard's lookup.
      agent: false,
      lookup: guardedLookup(policy),
    });
    // One deadline for connecting, sending and reading the answer.
    const timer = setTimeout(() => {
      req.destroy();
      done({ kind: 'error', code: 'timeout', status: null, message: `websub: hub ${target.host} did not answer within ${formatDuration(options.timeoutMs)}` });
    }, options.timeoutMs);
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < MAX_REASON_BYTES) chunks.push(chunk);
        size += chunk.length;
        if (size > 64 * 1024) res.destroy(); // what a hub says back is never this long
      });
      const finish = () => {
        if (status >= 200 && status <= 299) return done({ kind: 'ok', status });
        const said = Buffer.concat(chunks).subarray(0, MAX_REASON_BYTES).toString('utf8').replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
        const phrase = http.STATUS_CODES[status] ? ` ${http.STATUS_CODES[status]}` : '';
        done({ kind: 'error', code: 'http_status', status, message: `websub: hub answered HTTP ${status}${phrase}${said ? `: ${said.slice(0, 200)}` : ''}` });
      };
      res.on('end', finish);
      res.on('close', finish);
      res.on('error', finish);
    });
    req.on('error', (err) => {
      if (err instanceof AddressRefusedError) return done({ kind: 'error', code: 'address_refused', status: null, message: `websub: hub ${err.message}` });
      const code = (err as NodeJS.ErrnoException).code ?? '';
      const why = code === 'ECONNREFUSED' ? 'connection refused' : code === 'ENOTFOUND' ? 'name does not resolve' : err.message;
      done({ kind: 'error', code: 'network', status: null, message: `websub: hub ${target.host}: ${why}` });
    });
    req.end(body);
  });
}

// What every request to a hub shares (timeouts, User-Agent, the address guard's setting) and what
// each one reports: the pass hands these reports to `planet serve`, which logs and counts them.
import { userAgent, type Config } from '../config.js';
import type { Logger } from '../ops/logging.js';
import type { Metrics } from '../ops/metrics.js';
import { VERSION } from '../version.js';
import type { HubRequestOptions } from './hub-request.js';

/** A hub that does not answer within this (or fetch.timeout_seconds, if shorter) is given up on. */
const HUB_TIMEOUT_MS = 10_000;

export interface HubContext {
  request: HubRequestOptions;
  now: () => number;
}

export function hubContext(config: Config, now: () => number = Date.now): HubContext {
  return {
    request: {
      timeoutMs: Math.min(HUB_TIMEOUT_MS, config.fetch.timeout_seconds * 1000),
      userAgent: userAgent(config, VERSION),
      allowPrivateAddresses: config.fetch.allow_private_addresses,
    },
    now,
  };
}

export type HubMode = 'subscribe' | 'unsubscribe' | 'publish';

/** One request sent to a hub, for the log and planet_websub_hub_requests_total. */
export interface HubRequestReport {
  mode: HubMode;
  hub: string;
  topic: string;
  feed_id: number | null;
  outcome: 'ok' | 'error';
  http_status: number | null;
  error: string | null;
}

/** Runs `work` over `items`, at most `limit` at a time; results in the items' order. */
export async function inBatches<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

/** Logs each hub request (warn when it failed) and counts it in planet_websub_hub_requests_total. */
export function recordHubRequests(reports: readonly HubRequestReport[], to: { logger?: Logger; metrics?: Metrics }): void {
  for (const r of reports) {
    to.metrics?.websubHubRequests.inc({ mode: r.mode, outcome: r.outcome });
    const fields = { mode: r.mode, hub: r.hub, topic: r.topic, feed_id: r.feed_id ?? undefined, outcome: r.outcome, http_status: r.http_status };
    if (r.outcome === 'ok') to.logger?.info(fields, `websub: ${r.mode} request accepted by the hub`);
    else to.logger?.warn(fields, r.error ?? `websub: ${r.mode} request failed`);
  }
}

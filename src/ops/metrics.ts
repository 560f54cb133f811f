// The planet's metrics, with prom-client. Each app has its own Registry (no global registry, so
// tests stay isolated) holding what this process counts; the gauges read from the database live in
// a registry of their own, because the database is the same whichever process reads it: with
// `server.workers` the process registries are summed over every process (http/cluster.ts) and the
// database is read once, by the process that answers the scrape.
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import { isPassRunning } from '../db/locks.js';
import type { Db } from '../db/open.js';
import { lastFinishedPass } from '../db/passes.js';
import { countEntriesByState, countFeedsByStatus, databaseSizeBytes } from '../db/stats.js';

/** Prometheus text exposition format 0.0.4. */
export const CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/** One process's figures as plain data (prom-client's getMetricsAsJSON): what crosses the IPC channel. */
export type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

/** What a finished feed refresh reports; a subset of the fetch pass's RefreshOutcome. */
export interface FetchObservation {
  outcome: 'ok' | 'not_modified' | 'error';
  error_code: string | null;
  duration_ms: number;
  entries_new: number;
  entries_updated: number;
}

// Feed fetches range from a 304 in milliseconds to a timeout at 20 s (fetch.timeout_seconds).
const FETCH_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 60];
// Pages are served from a cache keyed on content_version, so most renders are far below 10 ms.
const RENDER_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export class Metrics {
  /** This process's counters, histograms and memory: what a cluster sums. */
  readonly registry = new Registry();
  readonly fetches = new Counter({
    name: 'planet_fetches_total',
    help: 'Feed fetches by outcome (ok, not_modified, error).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly fetchErrors = new Counter({
    name: 'planet_fetch_errors_total',
    help: 'Failed feed fetches by error code.',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly fetchDuration = new Histogram({
    name: 'planet_fetch_duration_seconds',
    help: 'Time to fetch, parse and store one feed.',
    labelNames: ['outcome'] as const,
    buckets: FETCH_BUCKETS,
    registers: [this.registry],
  });
  readonly entriesWritten = new Counter({
    name: 'planet_entries_written_total',
    help: 'Entries stored by fetches in this process, new or updated.',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly httpRequests = new Counter({
    name: 'planet_http_requests_total',
    help: 'HTTP requests by route pattern, method and status code.',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'planet_http_request_duration_seconds',
    help: 'HTTP response time by route pattern.',
    labelNames: ['route'] as const,
    buckets: RENDER_BUCKETS,
    registers: [this.registry],
  });
  readonly renderDuration = new Histogram({
    name: 'planet_page_render_seconds',
    help: 'Time to render a page or feed (cache misses), by route.',
    labelNames: ['route'] as const,
    buckets: RENDER_BUCKETS,
    registers: [this.registry],
  });

  // ---- WebSub (src/websub/): requests to hubs, and what hubs sent to our callbacks.
  readonly websubHubRequests = new Counter({
    name: 'planet_websub_hub_requests_total',
    help: 'Requests sent to WebSub hubs, by mode (subscribe, unsubscribe, publish) and outcome (ok, error).',
    labelNames: ['mode', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly websubVerifications = new Counter({
    name: 'planet_websub_verifications_total',
    help: 'Verification requests from hubs, by mode and outcome (confirmed, refused, denied).',
    labelNames: ['mode', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly websubDeliveries = new Counter({
    name: 'planet_websub_deliveries_total',
    help: 'Content distributions received, by outcome (queued, bad_signature, gone, too_large) and stored (stored, unreadable, dropped).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  // ---- end of WebSub

  constructor() {
    const startedAt = Date.now();
    // Our three rather than collectDefaultMetrics(): the names /metrics has always had, and none of
    // the thirty others a planet's operator never asked for. Summed over a cluster's processes,
    // except the start time: the earliest one.
    new Gauge({
      name: 'process_resident_memory_bytes',
      help: 'Resident memory size in bytes (all server processes).',
      registers: [this.registry],
      collect() {
        this.set(process.memoryUsage.rss());
      },
    });
    new Gauge({
      name: 'nodejs_heap_used_bytes',
      help: 'V8 heap in use, in bytes (all server processes).',
      registers: [this.registry],
      collect() {
        this.set(process.memoryUsage().heapUsed);
      },
    });
    new Gauge({
      name: 'process_start_time_seconds',
      help: 'When the metrics of this process (the earliest, with several) started, unix seconds.',
      aggregator: 'min',
      registers: [this.registry],
      collect() {
        this.set(startedAt / 1000);
      },
    });
  }

  observeFetch(o: FetchObservation): void {
    this.fetches.inc({ outcome: o.outcome });
    if (o.outcome === 'error') this.fetchErrors.inc({ code: o.error_code ?? 'unknown' });
    this.fetchDuration.observe({ outcome: o.outcome }, o.duration_ms / 1000);
    if (o.entries_new) this.entriesWritten.inc({ kind: 'new' }, o.entries_new);
    if (o.entries_updated) this.entriesWritten.inc({ kind: 'updated' }, o.entries_updated);
  }

  /** Reader routes call this with the route pattern ('/', '/page/:n', '/atom.xml') and seconds spent rendering. */
  observeRender(route: string, seconds: number): void {
    this.renderDuration.observe({ route }, seconds);
  }

  /** Times a synchronous render and records it. */
  timeRender<T>(route: string, render: () => T): T {
    const t = performance.now();
    try {
      return render();
    } finally {
      this.observeRender(route, (performance.now() - t) / 1000);
    }
  }

  observeRequest(route: string, method: string, status: number, seconds: number): void {
    this.httpRequests.inc({ route, method, status: String(status) });
    this.httpDuration.observe({ route }, seconds);
  }

  /** This process's figures as plain data, for the sum over a cluster's processes. */
  json(): Promise<MetricsJson> {
    return this.registry.getMetricsAsJSON();
  }

  /** This process's figures in the exposition format (without the database gauges). */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}

export function createMetrics(): Metrics {
  return new Metrics();
}

/**
 * Several processes' figures in the exposition format, summed by prom-client's AggregatorRegistry:
 * counters and histogram buckets added up, memory summed, the start time the earliest.
 */
export function sumMetrics(processes: readonly MetricsJson[]): Promise<string> {
  return AggregatorRegistry.aggregate([...processes]).metrics();
}

/**
 * The gauges that describe the data, each a collect() callback into db/ run at scrape time, so they
 * are right whichever process fetched. A database that cannot be read rejects the registry's
 * metrics(); the caller then serves the process figures alone.
 */
export function databaseGauges(db: Db, now: () => number = Date.now): Registry {
  const registry = new Registry();
  new Gauge({
    name: 'planet_feeds',
    help: 'Subscribed feeds by status (ok, error, pending, gone, removed).',
    labelNames: ['status'] as const,
    registers: [registry],
    collect() {
      for (const [status, n] of Object.entries(countFeedsByStatus(db))) this.set({ status }, n);
    },
  });
  new Gauge({
    name: 'planet_entries_stored',
    help: 'Entries in the database (expired ones are content-less tombstones).',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const { live, expired } = countEntriesByState(db);
      this.set({ state: 'live' }, live);
      this.set({ state: 'expired' }, expired);
    },
  });
  new Gauge({
    name: 'planet_last_pass_finished_timestamp_seconds',
    help: 'When the last complete fetch pass finished (any process), unix seconds; 0 if never.',
    registers: [registry],
    collect() {
      const pass = lastFinishedPass(db);
      this.set(pass ? pass.finishedAt / 1000 : 0);
    },
  });
  new Gauge({
    name: 'planet_fetch_pass_running',
    help: 'Whether a live fetch pass (any process) holds the pass lock now (1) or not (0).',
    registers: [registry],
    collect() {
      this.set(isPassRunning(db, now()) ? 1 : 0);
    },
  });
  new Gauge({
    name: 'planet_database_size_bytes',
    help: 'Size of the main database file (pages in use and free).',
    registers: [registry],
    collect() {
      this.set(databaseSizeBytes(db));
    },
  });
  return registry;
}

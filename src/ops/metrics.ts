// The planet's metrics: counters and histograms kept in memory per app (no global registry, so
// tests stay isolated), rendered in the Prometheus text exposition format for GET /metrics.
// Hand-written rather than a client library: four metric kinds and one text format are all we need.
import type { Db } from '../db/open.js';

type Labels = Record<string, string>;

/** Prometheus label values escape backslash, double quote and newline (exposition format 0.0.4). */
function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatLabels(labels: Labels, extra?: [string, string]): string {
  const pairs = Object.entries(labels);
  if (extra) pairs.push(extra);
  if (pairs.length === 0) return '';
  return `{${pairs.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
}

function formatValue(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}

/** Labels in a fixed order, so {a,b} and {b,a} are one series. */
function seriesKey(labelNames: readonly string[], labels: Labels): string {
  return labelNames.map((n) => labels[n] ?? '').join('\u0000');
}

function pick(labelNames: readonly string[], labels: Labels): Labels {
  const out: Labels = {};
  for (const n of labelNames) out[n] = labels[n] ?? '';
  return out;
}

interface Metric {
  readonly name: string;
  render(): string;
}

export interface CounterSeries {
  labels: Labels;
  value: number;
}

export interface HistogramSeries {
  labels: Labels;
  counts: number[];
  sum: number;
  count: number;
}

/** Memory of one process, for the process gauges. */
export interface ProcessSample {
  rss: number;
  heapUsed: number;
  startedAt: number;
}

/**
 * One process's counters and histograms as plain data: what an HTTP worker of a cluster sends over
 * IPC so that /metrics, answered by whichever worker got the request, counts every process.
 */
export interface MetricsSnapshot {
  counters: Record<string, CounterSeries[]>;
  histograms: Record<string, HistogramSeries[]>;
  process: ProcessSample;
}

function header(name: string, help: string, type: string): string {
  return `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`;
}

export class Counter implements Metric {
  private readonly series = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[] = [],
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    if (by < 0) throw new Error(`metrics: counter ${this.name} cannot decrease`);
    const key = seriesKey(this.labelNames, labels);
    const s = this.series.get(key);
    if (s) s.value += by;
    else this.series.set(key, { labels: pick(this.labelNames, labels), value: by });
  }

  get(labels: Labels = {}): number {
    return this.series.get(seriesKey(this.labelNames, labels))?.value ?? 0;
  }

  snapshot(): CounterSeries[] {
    return [...this.series.values()].map((s) => ({ labels: { ...s.labels }, value: s.value }));
  }

  /** Adds another process's series (a cluster's /metrics shows their sum). */
  addSnapshot(series: readonly CounterSeries[]): void {
    for (const s of series) this.inc(s.labels, s.value);
  }

  render(): string {
    let out = header(this.name, this.help, 'counter');
    for (const s of this.series.values()) out += `${this.name}${formatLabels(s.labels)} ${formatValue(s.value)}\n`;
    return out;
  }
}

/** A gauge whose value is read when scraped (from SQLite, from the process). */
export class Gauge implements Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly collect: () => Array<{ labels?: Labels; value: number }>,
  ) {}

  render(): string {
    let out = header(this.name, this.help, 'gauge');
    for (const s of this.collect()) out += `${this.name}${formatLabels(s.labels ?? {})} ${formatValue(s.value)}\n`;
    return out;
  }
}

export class Histogram implements Metric {
  private readonly series = new Map<string, HistogramSeries>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    readonly buckets: readonly number[],
  ) {}

  /** The series for these labels, created empty on first use. */
  private seriesFor(labels: Labels): HistogramSeries {
    const key = seriesKey(this.labelNames, labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels: pick(this.labelNames, labels), counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    return s;
  }

  observe(labels: Labels, value: number): void {
    const s = this.seriesFor(labels);
    // Counts are stored per bucket and made cumulative when rendered.
    const i = this.buckets.findIndex((b) => value <= b);
    if (i >= 0) s.counts[i]! += 1;
    s.sum += value;
    s.count += 1;
  }

  count(labels: Labels = {}): number {
    return this.series.get(seriesKey(this.labelNames, labels))?.count ?? 0;
  }

  snapshot(): HistogramSeries[] {
    return [...this.series.values()].map((s) => ({ labels: { ...s.labels }, counts: [...s.counts], sum: s.sum, count: s.count }));
  }

  /** Adds another process's series; every process builds its histograms with the same buckets. */
  addSnapshot(series: readonly HistogramSeries[]): void {
    for (const other of series) {
      if (other.counts.length !== this.buckets.length) throw new Error(`metrics: histogram ${this.name} has ${this.buckets.length} buckets, snapshot ${other.counts.length}`);
      const s = this.seriesFor(other.labels);
      other.counts.forEach((n, i) => (s.counts[i]! += n));
      s.sum += other.sum;
      s.count += other.count;
    }
  }

  render(): string {
    let out = header(this.name, this.help, 'histogram');
    for (const s of this.series.values()) {
      let cumulative = 0;
      this.buckets.forEach((b, i) => {
        cumulative += s.counts[i]!;
        out += `${this.name}_bucket${formatLabels(s.labels, ['le', formatValue(b)])} ${cumulative}\n`;
      });
      out += `${this.name}_bucket${formatLabels(s.labels, ['le', '+Inf'])} ${s.count}\n`;
      out += `${this.name}_sum${formatLabels(s.labels)} ${formatValue(s.sum)}\n`;
      out += `${this.name}_count${formatLabels(s.labels)} ${s.count}\n`;
    }
    return out;
  }
}

/** What a finished feed refresh reports; a subset of the fetch pass's RefreshOutcome. */
export interface FetchObservation {
  outcome: 'ok' | 'not_modified' | 'error';
  error_code: string | null;
  duration_ms: number;
  entries_new: number;
  entries_updated: number;
}

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

// Feed fetches range from a 304 in milliseconds to a timeout at 20 s (fetch.timeout_seconds).
const FETCH_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 60];
// Pages are served from a cache keyed on content_version, so most renders are far below 10 ms.
/** The fetch pass writes a heartbeat every 10 s and treats one older than this as abandoned. */
const LOCK_STALE_MS = 60_000;
const RENDER_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export class Metrics {
  readonly fetches = new Counter('planet_fetches_total', 'Feed fetches by outcome (ok, not_modified, error).', ['outcome']);
  readonly fetchErrors = new Counter('planet_fetch_errors_total', 'Failed feed fetches by error code.', ['code']);
  readonly fetchDuration = new Histogram('planet_fetch_duration_seconds', 'Time to fetch, parse and store one feed.', ['outcome'], FETCH_BUCKETS);
  readonly entriesWritten = new Counter('planet_entries_written_total', 'Entries stored by fetches in this process, new or updated.', ['kind']);
  readonly httpRequests = new Counter('planet_http_requests_total', 'HTTP requests by route pattern, method and status code.', ['route', 'method', 'status']);
  readonly httpDuration = new Histogram('planet_http_request_duration_seconds', 'HTTP response time by route pattern.', ['route'], RENDER_BUCKETS);
  readonly renderDuration = new Histogram('planet_page_render_seconds', 'Time to render a page or feed (cache misses), by route.', ['route'], RENDER_BUCKETS);
  // ---- WebSub (src/websub/): requests to hubs, and what hubs sent to our callbacks.
  readonly websubHubRequests = new Counter('planet_websub_hub_requests_total', 'Requests sent to WebSub hubs, by mode (subscribe, unsubscribe, publish) and outcome (ok, error).', ['mode', 'outcome']);
  readonly websubVerifications = new Counter('planet_websub_verifications_total', 'Verification requests from hubs, by mode and outcome (confirmed, refused, denied).', ['mode', 'outcome']);
  readonly websubDeliveries = new Counter('planet_websub_deliveries_total', 'Content distributions received, by outcome (queued, bad_signature, gone, too_large) and stored (stored, unreadable, dropped).', ['outcome']);
  private websubCounters(): Counter[] {
    return [this.websubHubRequests, this.websubVerifications, this.websubDeliveries];
  }
  // ---- end of WebSub

  private startedAt = Date.now();
  /** Other processes' memory, when this object sums a cluster (withPeers). */
  private peers: ProcessSample[] = [];

  private counters(): Counter[] {
    return [this.fetches, this.fetchErrors, this.entriesWritten, this.httpRequests, ...this.websubCounters()];
  }

  private histograms(): Histogram[] {
    return [this.fetchDuration, this.httpDuration, this.renderDuration];
  }

  snapshot(): MetricsSnapshot {
    return {
      counters: Object.fromEntries(this.counters().map((c) => [c.name, c.snapshot()])),
      histograms: Object.fromEntries(this.histograms().map((h) => [h.name, h.snapshot()])),
      process: { rss: process.memoryUsage.rss(), heapUsed: process.memoryUsage().heapUsed, startedAt: this.startedAt },
    };
  }

  /**
   * A new Metrics holding this process's figures plus other processes' snapshots: counters and
   * histograms added up, memory summed over the processes, the start time the earliest of them.
   */
  withPeers(peers: readonly MetricsSnapshot[]): Metrics {
    const sum = new Metrics();
    for (const snap of [this.snapshot(), ...peers]) {
      for (const c of sum.counters()) c.addSnapshot(snap.counters[c.name] ?? []);
      for (const h of sum.histograms()) h.addSnapshot(snap.histograms[h.name] ?? []);
    }
    sum.peers = peers.map((p) => p.process);
    sum.startedAt = Math.min(this.startedAt, ...sum.peers.map((p) => p.startedAt));
    return sum;
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

  /** The exposition text. With a database, adds gauges read from it at scrape time. */
  render(db?: Db): string {
    const metrics: Metric[] = [
      this.fetches,
      this.fetchErrors,
      this.fetchDuration,
      this.entriesWritten,
      this.httpRequests,
      this.httpDuration,
      this.renderDuration,
      ...this.websubCounters(),
      ...(db ? databaseGauges(db) : []),
      ...processGauges(this.startedAt, this.peers),
    ];
    return metrics.map((m) => m.render()).join('');
  }
}

export function createMetrics(): Metrics {
  return new Metrics();
}

/**
 * Feed health as the sidebar and `planet feeds list` show it: ok, error (last fetch failed),
 * pending (never fetched), gone (410, no longer polled), removed (unsubscribed, entries kept).
 */
const FEEDS_BY_STATUS = `
  SELECT CASE
           WHEN status <> 'active' THEN status
           WHEN error_code IS NOT NULL THEN 'error'
           WHEN has_fetched = 0 THEN 'pending'
           ELSE 'ok'
         END AS s, count(*) AS n
  FROM feeds GROUP BY s`;

function databaseGauges(db: Db): Metric[] {
  return [
    new Gauge('planet_feeds', 'Subscribed feeds by status (ok, error, pending, gone, removed).', () => {
      const counts: Record<string, number> = { ok: 0, error: 0, pending: 0, gone: 0, removed: 0 };
      for (const r of db.prepare<[], { s: string; n: number }>(FEEDS_BY_STATUS).all()) counts[r.s] = r.n;
      return Object.entries(counts).map(([status, value]) => ({ labels: { status }, value }));
    }),
    new Gauge('planet_entries_stored', 'Entries in the database (expired ones are content-less tombstones).', () => {
      const r = db
        .prepare<[], { live: number | null; expired: number | null }>(
          'SELECT sum(expired = 0) AS live, sum(expired = 1) AS expired FROM entries',
        )
        .get();
      return [
        { labels: { state: 'live' }, value: r?.live ?? 0 },
        { labels: { state: 'expired' }, value: r?.expired ?? 0 },
      ];
    }),
    new Gauge('planet_last_pass_finished_timestamp_seconds', 'When the last complete fetch pass finished (any process), unix seconds; 0 if never.', () => {
      const r = db
        .prepare<[], { t: number | null }>('SELECT max(finished_at) AS t FROM fetch_passes WHERE finished_at IS NOT NULL')
        .get();
      return [{ value: r?.t ? r.t / 1000 : 0 }];
    }),
    new Gauge('planet_fetch_pass_running', 'Whether a live fetch pass (any process) holds the pass lock now (1) or not (0).', () => {
      // A kill -9 leaves the row behind; only a recent heartbeat means a pass is really running.
      const r = db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM locks WHERE heartbeat_at > ?').get(Date.now() - LOCK_STALE_MS);
      return [{ value: r && r.n > 0 ? 1 : 0 }];
    }),
    new Gauge('planet_database_size_bytes', 'Size of the main database file (pages in use and free).', () => {
      const pages = db.pragma('page_count', { simple: true }) as number;
      const size = db.pragma('page_size', { simple: true }) as number;
      return [{ value: pages * size }];
    }),
  ];
}

/** With peers (a cluster's other processes), memory is their sum with this process's. */
function processGauges(startedAt: number, peers: readonly ProcessSample[]): Metric[] {
  const total = (read: () => number, field: 'rss' | 'heapUsed') => () => [{ value: peers.reduce((n, p) => n + p[field], read()) }];
  return [
    new Gauge('process_resident_memory_bytes', 'Resident memory size in bytes (all server processes).', total(() => process.memoryUsage.rss(), 'rss')),
    new Gauge('nodejs_heap_used_bytes', 'V8 heap in use, in bytes (all server processes).', total(() => process.memoryUsage().heapUsed, 'heapUsed')),
    new Gauge('process_start_time_seconds', 'When the metrics of this process (the earliest, with several) started, unix seconds.', () => [{ value: startedAt / 1000 }]),
  ];
}

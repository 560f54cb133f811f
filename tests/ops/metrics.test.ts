// The hand-written Prometheus registry: exposition text, escaping, cumulative buckets, isolation.
import { describe, expect, it } from 'vitest';
import { Counter, Histogram, createMetrics } from '../../src/ops/metrics.js';

describe('Counter', () => {
  it('renders HELP, TYPE and one line per label set, in label-name order', () => {
    const c = new Counter('x_total', 'Things.', ['a', 'b']);
    c.inc({ b: '2', a: '1' });
    c.inc({ a: '1', b: '2' }, 2);
    expect(c.render()).toBe('# HELP x_total Things.\n# TYPE x_total counter\nx_total{a="1",b="2"} 3\n');
  });

  it.each([
    ['double quote', 'say "hi"', 'say \\"hi\\"'],
    ['backslash', 'C:\\dir', 'C:\\\\dir'],
    ['newline', 'a\nb', 'a\\nb'],
  ])('escapes a %s in a label value', (_name, value, escaped) => {
    const c = new Counter('y_total', 'Y.', ['route']);
    c.inc({ route: value });
    expect(c.render()).toContain(`y_total{route="${escaped}"} 1`);
  });

  it('refuses to go down', () => {
    expect(() => new Counter('z_total', 'Z.').inc({}, -1)).toThrow(/cannot decrease/);
  });
});

describe('Histogram', () => {
  it('renders cumulative buckets, +Inf, sum and count', () => {
    const h = new Histogram('d_seconds', 'D.', ['outcome'], [0.1, 1]);
    for (const v of [0.05, 0.5, 0.7, 3]) h.observe({ outcome: 'ok' }, v);
    const text = h.render();
    expect(text).toContain('d_seconds_bucket{outcome="ok",le="0.1"} 1\n');
    expect(text).toContain('d_seconds_bucket{outcome="ok",le="1"} 3\n');
    expect(text).toContain('d_seconds_bucket{outcome="ok",le="+Inf"} 4\n');
    expect(text).toContain('d_seconds_sum{outcome="ok"} 4.25\n');
    expect(text).toContain('d_seconds_count{outcome="ok"} 4\n');
  });
});

describe('Metrics', () => {
  it('counts fetch outcomes, error codes, durations and entries written', () => {
    const m = createMetrics();
    m.observeFetch({ outcome: 'ok', error_code: null, duration_ms: 120, entries_new: 3, entries_updated: 1 });
    m.observeFetch({ outcome: 'error', error_code: 'timeout', duration_ms: 20_000, entries_new: 0, entries_updated: 0 });
    m.observeFetch({ outcome: 'not_modified', error_code: null, duration_ms: 8, entries_new: 0, entries_updated: 0 });
    const text = m.render();
    expect(text).toContain('planet_fetches_total{outcome="ok"} 1');
    expect(text).toContain('planet_fetches_total{outcome="error"} 1');
    expect(text).toContain('planet_fetch_errors_total{code="timeout"} 1');
    expect(text).toContain('planet_fetch_duration_seconds_bucket{outcome="error",le="20"} 1');
    expect(text).toContain('planet_entries_written_total{kind="new"} 3');
    expect(text).toContain('process_resident_memory_bytes ');
  });

  it('keeps two apps apart (no global registry)', () => {
    const a = createMetrics();
    const b = createMetrics();
    a.observeRender('/', 0.002);
    expect(a.renderDuration.count({ route: '/' })).toBe(1);
    expect(b.renderDuration.count({ route: '/' })).toBe(0);
  });

  it('times a render and returns its result', () => {
    const m = createMetrics();
    expect(m.timeRender('/atom.xml', () => 'xml')).toBe('xml');
    expect(m.render()).toContain('planet_page_render_seconds_count{route="/atom.xml"} 1');
  });
});

describe('Metrics across processes (server.workers)', () => {
  it('adds up counters and histogram buckets of every snapshot, over IPC-safe plain data', () => {
    const primary = createMetrics();
    primary.observeFetch({ outcome: 'ok', error_code: null, duration_ms: 120, entries_new: 3, entries_updated: 0 });
    const worker1 = createMetrics();
    const worker2 = createMetrics();
    worker1.observeRequest('/', 'GET', 200, 0.002);
    worker1.observeRequest('/', 'GET', 200, 0.2);
    worker2.observeRequest('/', 'GET', 200, 0.002);
    worker2.observeRequest('/atom.xml', 'GET', 304, 0.001);
    // What crosses the IPC channel is JSON.
    const peers = [primary.snapshot(), worker2.snapshot()].map((s) => JSON.parse(JSON.stringify(s)) as ReturnType<typeof primary.snapshot>);
    const text = worker1.withPeers(peers).render();
    expect(text).toContain('planet_http_requests_total{route="/",method="GET",status="200"} 3\n');
    expect(text).toContain('planet_http_requests_total{route="/atom.xml",method="GET",status="304"} 1\n');
    expect(text).toContain('planet_http_request_duration_seconds_bucket{route="/",le="0.0025"} 2\n');
    expect(text).toContain('planet_http_request_duration_seconds_bucket{route="/",le="0.25"} 3\n');
    expect(text).toContain('planet_http_request_duration_seconds_count{route="/"} 3\n');
    expect(text).toContain('planet_fetches_total{outcome="ok"} 1\n');
    expect(text).toContain('planet_entries_written_total{kind="new"} 3\n');
    // The worker's own object is left as it was.
    expect(worker1.httpRequests.get({ route: '/', method: 'GET', status: '200' })).toBe(2);
  });

  it('sums memory over the processes and keeps the earliest start', () => {
    const m = createMetrics();
    const own = m.snapshot().process;
    const peer = { ...createMetrics().snapshot(), process: { rss: 1_000_000_000, heapUsed: 500_000_000, startedAt: own.startedAt - 60_000 } };
    const text = m.withPeers([peer]).render();
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(value('process_resident_memory_bytes')).toBeGreaterThan(1_000_000_000);
    expect(value('nodejs_heap_used_bytes')).toBeGreaterThan(500_000_000);
    expect(value('process_start_time_seconds')).toBe((own.startedAt - 60_000) / 1000);
  });

  it('refuses a histogram snapshot with other buckets (a process of another version)', () => {
    const h = new Histogram('d_seconds', 'D.', ['route'], [0.1, 1]);
    expect(() => h.addSnapshot([{ labels: { route: '/' }, counts: [1, 2, 3], sum: 1, count: 6 }])).toThrow(/buckets/);
  });
});

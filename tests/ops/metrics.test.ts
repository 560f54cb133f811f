// The planet's metrics on prom-client: the exposition text /metrics has always served (names,
// labels, escaping, cumulative buckets), one registry per app, and the sum over processes.
import { describe, expect, it } from 'vitest';
import { createMetrics, sumMetrics, type MetricsJson } from '../../src/ops/metrics.js';

/** What crosses the IPC channel is JSON. */
const overIpc = (json: MetricsJson): MetricsJson => JSON.parse(JSON.stringify(json)) as MetricsJson;

describe('exposition text', () => {
  it('renders HELP, TYPE and one line per label set, labels in their declared order', async () => {
    const m = createMetrics();
    m.observeRequest('/', 'GET', 200, 0.001);
    m.observeRequest('/', 'GET', 200, 0.001);
    m.observeRequest('/', 'GET', 304, 0.001);
    const text = await m.render();
    expect(text).toContain('# HELP planet_http_requests_total HTTP requests by route pattern, method and status code.\n# TYPE planet_http_requests_total counter\n');
    expect(text).toContain('planet_http_requests_total{route="/",method="GET",status="200"} 2\n');
    expect(text).toContain('planet_http_requests_total{route="/",method="GET",status="304"} 1\n');
  });

  it.each([
    ['double quote', 'say "hi"', 'say \\"hi\\"'],
    ['backslash', 'C:\\dir', 'C:\\\\dir'],
    ['newline', 'a\nb', 'a\\nb'],
  ])('escapes a %s in a label value', async (_name, value, escaped) => {
    const m = createMetrics();
    m.observeRender(value, 0.001);
    expect(await m.render()).toContain(`planet_page_render_seconds_count{route="${escaped}"} 1`);
  });

  it('refuses to let a counter go down', () => {
    expect(() => createMetrics().fetches.inc({ outcome: 'ok' }, -1)).toThrow(/decrease/);
  });

  it('renders cumulative buckets, +Inf, sum and count', async () => {
    const m = createMetrics();
    for (const ms of [50, 500, 700, 3000]) m.observeFetch({ outcome: 'ok', error_code: null, duration_ms: ms, entries_new: 0, entries_updated: 0 });
    const text = await m.render();
    expect(text).toContain('planet_fetch_duration_seconds_bucket{le="0.05",outcome="ok"} 1\n');
    expect(text).toContain('planet_fetch_duration_seconds_bucket{le="1",outcome="ok"} 3\n');
    expect(text).toContain('planet_fetch_duration_seconds_bucket{le="+Inf",outcome="ok"} 4\n');
    expect(text).toContain('planet_fetch_duration_seconds_sum{outcome="ok"} 4.25\n');
    expect(text).toContain('planet_fetch_duration_seconds_count{outcome="ok"} 4\n');
  });
});

describe('Metrics', () => {
  it('counts fetch outcomes, error codes, durations and entries written', async () => {
    const m = createMetrics();
    m.observeFetch({ outcome: 'ok', error_code: null, duration_ms: 120, entries_new: 3, entries_updated: 1 });
    m.observeFetch({ outcome: 'error', error_code: 'timeout', duration_ms: 20_000, entries_new: 0, entries_updated: 0 });
    m.observeFetch({ outcome: 'not_modified', error_code: null, duration_ms: 8, entries_new: 0, entries_updated: 0 });
    const text = await m.render();
    expect(text).toContain('planet_fetches_total{outcome="ok"} 1');
    expect(text).toContain('planet_fetches_total{outcome="error"} 1');
    expect(text).toContain('planet_fetch_errors_total{code="timeout"} 1');
    expect(text).toContain('planet_fetch_duration_seconds_bucket{le="20",outcome="error"} 1');
    expect(text).toContain('planet_entries_written_total{kind="new"} 3');
    expect(text).toContain('planet_entries_written_total{kind="updated"} 1');
    expect(text).toMatch(/^process_resident_memory_bytes \d+$/m);
    expect(text).toMatch(/^nodejs_heap_used_bytes \d+$/m);
  });

  it('keeps two apps apart (no global registry)', async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.observeRender('/', 0.002);
    expect(await a.render()).toContain('planet_page_render_seconds_count{route="/"} 1\n');
    expect(await b.render()).not.toContain('planet_page_render_seconds_count{route="/"}');
  });

  it('times a render and returns its result', async () => {
    const m = createMetrics();
    expect(m.timeRender('/atom.xml', () => 'xml')).toBe('xml');
    expect(await m.render()).toContain('planet_page_render_seconds_count{route="/atom.xml"} 1');
  });
});

describe('the sum over processes (server.workers)', () => {
  it('adds up counters and histogram buckets of every process, from IPC-safe plain data', async () => {
    const primary = createMetrics();
    primary.observeFetch({ outcome: 'ok', error_code: null, duration_ms: 120, entries_new: 3, entries_updated: 0 });
    const worker1 = createMetrics();
    const worker2 = createMetrics();
    worker1.observeRequest('/', 'GET', 200, 0.002);
    worker1.observeRequest('/', 'GET', 200, 0.2);
    worker2.observeRequest('/', 'GET', 200, 0.002);
    worker2.observeRequest('/atom.xml', 'GET', 304, 0.001);
    const text = await sumMetrics([overIpc(await primary.json()), overIpc(await worker1.json()), overIpc(await worker2.json())]);
    expect(text).toContain('planet_http_requests_total{route="/",method="GET",status="200"} 3\n');
    expect(text).toContain('planet_http_requests_total{route="/atom.xml",method="GET",status="304"} 1\n');
    expect(text).toContain('planet_http_request_duration_seconds_bucket{le="0.0025",route="/"} 2\n');
    expect(text).toContain('planet_http_request_duration_seconds_bucket{le="0.25",route="/"} 3\n');
    expect(text).toContain('planet_http_request_duration_seconds_bucket{le="+Inf",route="/"} 3\n');
    expect(Number(/^planet_http_request_duration_seconds_sum\{route="\/"\} (\S+)$/m.exec(text)?.[1])).toBeCloseTo(0.204, 9);
    expect(text).toContain('planet_http_request_duration_seconds_count{route="/"} 3\n');
    expect(text).toContain('planet_fetches_total{outcome="ok"} 1\n');
    expect(text).toContain('planet_entries_written_total{kind="new"} 3\n');
    // Each process's own registry is left as it was.
    expect(await worker1.render()).toContain('planet_http_requests_total{route="/",method="GET",status="200"} 2\n');
  });

  it('sums memory over the processes and keeps the earliest start', async () => {
    const own = await createMetrics().json();
    const peer = (await createMetrics().json()).map((metric) => {
      const set = (value: number) => ({ ...metric, values: [{ labels: {}, value }] });
      if (metric.name === 'process_resident_memory_bytes') return set(1_000_000_000);
      if (metric.name === 'nodejs_heap_used_bytes') return set(500_000_000);
      if (metric.name === 'process_start_time_seconds') return set(1_600_000_000);
      return metric;
    });
    const single = (json: MetricsJson, name: string) => json.find((m) => m.name === name)!.values[0]!.value;
    const text = await sumMetrics([own, overIpc(peer)]);
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(value('process_resident_memory_bytes')).toBe(1_000_000_000 + single(own, 'process_resident_memory_bytes'));
    expect(value('nodejs_heap_used_bytes')).toBe(500_000_000 + single(own, 'nodejs_heap_used_bytes'));
    expect(value('process_start_time_seconds')).toBe(1_600_000_000);
    // Against a later peer, our own start stays the answer.
    const later = peer.map((m) => (m.name === 'process_start_time_seconds' ? { ...m, values: [{ labels: {}, value: 4_000_000_000 }] } : m));
    expect(Number(/^process_start_time_seconds (\S+)$/m.exec(await sumMetrics([own, later]))?.[1])).toBe(single(own, 'process_start_time_seconds'));
  });

  it('renders one process alone the same as its own registry does', async () => {
    const m = createMetrics();
    m.observeRequest('/page/:n', 'GET', 200, 0.003);
    m.observeFetch({ outcome: 'error', error_code: 'http_status', duration_ms: 300, entries_new: 0, entries_updated: 0 });
    const json = await m.json();
    const alone = await sumMetrics([json]);
    const stable = (text: string) => text.split('\n').filter((l) => !/^(process_resident_memory_bytes|nodejs_heap_used_bytes) /.test(l));
    expect(stable(alone)).toEqual(stable(await m.render()));
  });
});

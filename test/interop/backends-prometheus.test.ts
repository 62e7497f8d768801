// Per-function RED numbers from a real Prometheus 2.42 scraping a real instrumented process that
// publishes spanmetrics-shaped metrics: values close to what the process recorded, a fixed number
// of HTTP queries per refresh whatever the number of functions, exemplar trace ids.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PrometheusSource } from '../../src/core/sources/prometheus';
import type { FunctionStatsRecord } from '../../src/core/sources/source';
import {
  BASELINE_CALLS,
  ensureBackendBinaries,
  startBackends,
  type Backends,
  type Workload,
} from '../support/backends';

const SYNTHETIC = 200;
const workload: Workload[] = [
  {
    service: 'shop',
    spanName: 'placeOrder',
    codeFunction: 'OrderService.placeOrder',
    calls: 300,
    errorEvery: 10,
    minMs: 0,
    maxMs: 10,
  },
  {
    service: 'shop',
    spanName: 'getOrder',
    codeFunction: 'OrderService.getOrder',
    calls: 100,
    errorEvery: 0,
    minMs: 100,
    maxMs: 200,
  },
  ...Array.from({ length: SYNTHETIC }, (_, i): Workload => ({
    service: 'catalog',
    spanName: `fn_${i}`,
    calls: 5,
    errorEvery: 0,
    minMs: 10,
    maxMs: 50,
  })),
];
const measured = workload.reduce((n, w) => n + w.calls, 0);
const baseline = workload.length * BASELINE_CALLS;

let backends: Backends;
let source: PrometheusSource;

before(async () => {
  ensureBackendBinaries();
  backends = await startBackends({ workload, rules: 'groups: []\n' });
  // Three scrapes of the baseline, then three of the measured calls: increase() sees them as an
  // increase over a known value, across at least five scrape intervals, so its extrapolation to
  // the window's end (under one interval) adds at most a fifth.
  await backends.waitForCalls(baseline, 3);
  await backends.record();
  await backends.waitForCalls(baseline + measured, 3);
  source = new PrometheusSource(
    { kind: 'prometheus', url: backends.prometheusUrl, environment: 'test' },
    { codeFunctionLabel: 'code_function_name' },
  );
});

after(async () => {
  await backends?.stop();
});

function find(rows: FunctionStatsRecord[], service: string, span: string): FunctionStatsRecord {
  const r = rows.find((x) => x.service === service && x.spanName === span);
  assert.ok(r, `no row for ${service}/${span} in ${rows.length} rows`);
  return r;
}

function near(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${what}: ${actual}, expected ${expected} ± ${tolerance}`,
  );
}

test('testConnection reports the Prometheus version', async () => {
  const s = await source.testConnection();
  assert.equal(s.ok, true, s.message);
  assert.match(s.message, /^ok \(Prometheus 2\./);
});

test('per-function counts, errors and quantiles are close to what the process recorded', async () => {
  const r = await source.functionStats(60_000);
  assert.equal(r.status.ok, true, r.status.message);
  const rows = r.value ?? [];
  const place = find(rows, 'shop', 'placeOrder');
  assert.equal(place.codeFunction, 'OrderService.placeOrder');
  // increase() extrapolates a young series (seconds old here) towards the window's edges, by up to
  // half a scrape interval at each end: counts are estimates, the error ratio is not.
  near(place.count, 300, 75, 'placeOrder count');
  near(place.errors / place.count, 0.1, 0.005, 'placeOrder error ratio');
  near(place.ratePerMin, place.count, 1e-9, 'rate per minute over a 1m window');
  // Uniform durations inside buckets make histogram_quantile's interpolation exact.
  near(place.p50Ms, 5, 0.3, 'placeOrder p50');
  near(place.p95Ms, 9.5, 0.3, 'placeOrder p95');
  near(place.p99Ms, 9.9, 0.3, 'placeOrder p99');
  const get = find(rows, 'shop', 'getOrder');
  assert.equal(get.errors, 0);
  near(get.count, 100, 25, 'getOrder count');
  near(get.p50Ms, 150, 3, 'getOrder p50');
  near(get.p95Ms, 195, 3, 'getOrder p95');
  near(get.p99Ms, 199, 3, 'getOrder p99');
  assert.equal(rows.filter((x) => x.service === 'catalog').length, SYNTHETIC);
});

test(`one refresh costs a fixed handful of HTTP queries for ${SYNTHETIC + 2} functions`, async () => {
  await source.functionStats(60_000); // detection of the metric family happens once, on first use
  const before = source.client.requestCount;
  const r = await source.functionStats(5 * 60_000); // a window not cached yet
  const queries = source.client.requestCount - before;
  assert.ok((r.value?.length ?? 0) >= SYNTHETIC + 2, `rows: ${r.value?.length}`);
  assert.equal(queries, 6, 'calls, errors, p50, p95, p99 and exemplars: one query each');
  const again = source.client.requestCount;
  await source.functionStats(5 * 60_000);
  assert.equal(
    source.client.requestCount,
    again,
    'a refresh within the TTL is served from the cache',
  );
});

test('exemplar trace ids come back for the function whose metrics carry them', async () => {
  const r = await source.functionStats(60_000);
  const ex = find(r.value ?? [], 'exemplar-shop', 'placeOrder');
  assert.ok(ex.exemplarTraceIds.length > 0, 'no exemplar trace ids');
  for (const id of ex.exemplarTraceIds) assert.match(id, /^[0-9a-f]{32}$/);
  assert.deepEqual(find(r.value ?? [], 'shop', 'getOrder').exemplarTraceIds, []);
});

test('the Tempo metrics-generator family is queried with its own names and labels', () => {
  const tempo = new PrometheusSource(
    { kind: 'prometheus', url: backends.prometheusUrl, environment: 'test' },
    { flavor: 'tempo' },
  );
  const q = tempo.queriesFor(300_000);
  assert.equal(
    q.calls,
    'sum by (service, span_name) (increase(traces_spanmetrics_calls_total{}[300s]))',
  );
  assert.equal(
    q.quantiles[1],
    'histogram_quantile(0.95, sum by (le, service, span_name) (rate(traces_spanmetrics_latency_bucket{}[300s])))',
  );
  assert.match(q.errors, /status_code="STATUS_CODE_ERROR"/);
});

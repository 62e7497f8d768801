// Contract: a function's traces from the trace backends (core BackendTraces) against the recorded
// Tempo, Jaeger and Zipkin responses served by loopback fakes: one search per list per source
// (cached, de-duplicated in flight), lists labelled by source, a trace by id as the panel's
// TraceDto with its spans mapped to workspace code, and faults as a clear per-source sentence
// that never carries the token.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createWorkspaceEngine } from '../../src/core/engine/create';
import type { Engine } from '../../src/core/engine/engine';
import { BackendTraces, type TraceListQuery } from '../../src/core/sources/backend-traces';
import { JaegerSource } from '../../src/core/sources/jaeger';
import type { SourceConfig } from '../../src/core/sources/source';
import { TempoSource } from '../../src/core/sources/tempo';
import { ZipkinSource } from '../../src/core/sources/zipkin';
import { fakeBackends } from '../support/fake-backend';

const TOKEN = 'trace-secret-7e21c0d4';
const tempoFakes = fakeBackends('tempo');
const jaegerFakes = fakeBackends('jaeger');
const zipkinFakes = fakeBackends('zipkin');
const cfg = (kind: SourceConfig['kind'], url: string, token?: string): SourceConfig => ({
  kind,
  url,
  environment: 'prod',
  timeoutMs: 2000,
  ...(token ? { token } : {}),
});
const Q: TraceListQuery = {
  targets: [{ service: 'checkout', spanName: 'OrderService.load' }],
  windowMs: 900_000,
  slowMinMs: 11.2,
};

let ws: string;
let engine: Engine;
before(async () => {
  ws = mkdtempSync(join(tmpdir(), 'prodlens-backend-traces-'));
  mkdirSync(join(ws, 'src'));
  // No code.file.path in the recorded spans: code.function.name OrderService.load names the class file, as for receiver spans.
  writeFileSync(
    join(ws, 'src', 'OrderService.ts'),
    [
      'export class OrderService {',
      '  load(id: string): string {',
      '    if (!id) throw new Error("order not found");',
      '    return id;',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  ({ engine } = await createWorkspaceEngine(ws));
});
after(() => {
  tempoFakes.close();
  jaegerFakes.close();
  zipkinFakes.close();
  rmSync(ws, { recursive: true, force: true });
});

const deps = () => ({
  resolver: engine.codeLookup().resolver,
  functions: engine.codeLookup().functions,
  isMatch: (_s: unknown, code: { qualifiedName: string } | undefined) =>
    code?.qualifiedName === 'OrderService.load',
});

test('contract: backend traces from tempo: one TraceQL search per list, lists labelled "tempo (prod)", cached and de-duplicated in flight', async () => {
  const s = await tempoFakes.fake((u) =>
    u.pathname === '/api/search' ? { fixture: 'search.json' } : { status: 404 },
  );
  let now = 1_767_225_700_000;
  const traces = new BackendTraces(() => [new TempoSource(cfg('tempo', s.url))], {
    now: () => now,
  });
  assert.deepEqual(traces.peek(Q), {
    lists: [
      {
        label: 'tempo (prod)',
        recent: [],
        slowest: [],
        failed: [],
        status: { ok: true, latencyMs: 0, message: 'ok', stale: false },
        answered: false,
      },
    ],
    fresh: false,
    loading: false,
    due: true,
  });
  const [a, b] = await Promise.all([traces.fetch(Q), traces.fetch(Q)]);
  assert.equal(
    s.asked.length,
    3,
    'recent, slowest and failed: one search each, shared by both callers',
  );
  assert.deepEqual(a, b);
  const qs = s.asked.map((u) => u.searchParams.get('q')).sort();
  assert.deepEqual(qs, [
    '{ resource.service.name = "checkout" && name = "OrderService.load" && duration >= 10000us }',
    '{ resource.service.name = "checkout" && name = "OrderService.load" && status = error }',
    '{ resource.service.name = "checkout" && name = "OrderService.load" }',
  ]);
  assert.ok(
    s.asked.every((u) => u.searchParams.get('limit') === '20'),
    'bounded',
  );
  const [t] = a;
  assert.ok(t);
  assert.equal(t.label, 'tempo (prod)');
  assert.equal(t.status.ok, true);
  assert.deepEqual(
    t.recent.map((r) => [
      r.traceId,
      r.rootName,
      r.rootService,
      r.durationMs,
      r.source,
      r.matchDurationMs,
      r.spanCount,
    ]),
    [
      [
        '5b8efff798038103d269b633813fc60c',
        'GET /orders/{id}',
        'checkout',
        7,
        'tempo (prod)',
        null,
        null,
      ],
      [
        '0af7651916cd43dd8448eb211c80319c',
        'GET /orders/{id}',
        'checkout',
        42,
        'tempo (prod)',
        null,
        null,
      ],
    ],
  );
  assert.deepEqual(
    t.slowest.map((r) => r.durationMs),
    [42, 7],
    'slowest first',
  );
  assert.ok(t.failed.every((r) => r.error));
  // From memory now: no request, and not due.
  const peek = traces.peek(Q);
  assert.equal(peek.fresh, true);
  assert.equal(peek.due, false);
  assert.deepEqual(peek.lists[0]?.recent, t.recent);
  await traces.fetch(Q);
  assert.equal(s.asked.length, 3, 'cached for the TTL');
  // A p95 that drifts a little asks the same slow search.
  await traces.fetch({ ...Q, slowMinMs: 12.9 });
  assert.equal(s.asked.length, 3);
  now += 31_000;
  assert.equal(traces.peek(Q).due, true, 'past the TTL');
  await traces.fetch(Q);
  assert.equal(s.asked.length, 6);
});

test("contract: backend trace by id (tempo): the panel's TraceDto in tree order, spans mapped to code through the engine's mapper, exception frames", async () => {
  const s = await tempoFakes.fake((u) =>
    u.pathname === '/api/traces/0af7651916cd43dd8448eb211c80319c'
      ? { fixture: 'trace-by-id.json' }
      : { status: 404, body: 'trace not found', type: 'text/plain' },
  );
  const traces = new BackendTraces(() => [new TempoSource(cfg('tempo', s.url))]);
  const r = await traces.trace('0AF7651916CD43DD8448EB211C80319C', 'tempo (prod)', deps());
  assert.ok(r.ok, r.ok ? '' : r.error);
  assert.equal(r.source, 'tempo (prod)');
  assert.equal(r.trace.source, 'tempo (prod)');
  assert.equal(r.trace.traceId, '0af7651916cd43dd8448eb211c80319c');
  assert.equal(r.trace.startMs, 1767225600000);
  assert.equal(r.trace.durationMs, 42);
  assert.deepEqual(
    r.trace.rows.map((x) => [
      x.name,
      x.service,
      x.depth,
      x.error,
      x.isMatch,
      x.code?.file,
      x.code?.qualifiedName,
      x.code?.line,
    ]),
    [
      ['GET /orders/{id}', 'checkout', 0, true, false, undefined, undefined, undefined],
      [
        'OrderService.load',
        'checkout',
        1,
        true,
        true,
        'src/OrderService.ts',
        'OrderService.load',
        2,
      ],
      ['SELECT orders', 'orders-db', 2, false, false, undefined, undefined, undefined],
    ],
  );
  const load = r.trace.rows[1]!;
  assert.equal(load.events[0]?.name, 'exception');
  assert.ok(load.attributes.some(([k]) => k === 'code.function.name'));
  // Cached: opening it again asks nothing.
  const asked = s.asked.length;
  assert.ok((await traces.trace('0af7651916cd43dd8448eb211c80319c', 'tempo (prod)', deps())).ok);
  assert.equal(s.asked.length, asked);
  // Unknown id: not found, said as such (and not cached as a failure).
  const missing = await traces.trace('5b8efff798038103d269b633813fc60c', 'tempo (prod)', deps());
  assert.deepEqual(
    missing.ok
      ? 'ok'
      : [
          missing.notFound,
          /tempo \(prod\) does not know trace 5b8efff798038103d269b633813fc60c/.test(missing.error),
        ],
    [true, true],
  );
  const gone = await traces.trace('0af7651916cd43dd8448eb211c80319c', 'tempo (staging)', deps());
  assert.ok(!gone.ok && /tempo \(staging\) is no longer configured/.test(gone.error));
});

test('contract: backend traces from jaeger (v3) and zipkin side by side: each labelled, zipkin spans mapped to code, without a label the first backend that knows the id answers', async () => {
  const j = await jaegerFakes.fake((u) =>
    u.pathname === '/api/v3/traces'
      ? { fixture: 'v3-search.json' }
      : { status: 404, fixture: 'v3-not-found.json' },
  );
  const z = await zipkinFakes.fake((u) =>
    u.pathname === '/api/v2/traces'
      ? { fixture: 'traces.json' }
      : u.pathname === '/api/v2/trace/00000000000000008448eb211c80319c'
        ? { fixture: 'trace.json' }
        : { status: 404, body: 'Trace not found', type: 'text/plain' },
  );
  const traces = new BackendTraces(() => [
    new JaegerSource(cfg('jaeger', j.url)),
    new ZipkinSource(cfg('zipkin', z.url)),
  ]);
  const lists = await traces.fetch({
    targets: [{ service: 'checkout', spanName: 'GET /orders/{id}' }],
    windowMs: 900_000,
  });
  assert.deepEqual(
    lists.map((l) => [
      l.label,
      l.status.ok,
      l.recent.length,
      l.failed.map((t) => t.traceId),
      [...new Set(l.recent.map((t) => t.source))],
    ]),
    [
      ['jaeger (prod)', true, 2, ['0af7651916cd43dd8448eb211c80319c'], ['jaeger (prod)']],
      ['zipkin (prod)', true, 2, ['0af7651916cd43dd8448eb211c80319c'], ['zipkin (prod)']],
    ],
  );
  assert.equal(j.asked.length, 3, 'one v3 search per list');
  assert.equal(z.asked.length, 3);
  assert.equal(
    z.asked.find((u) => u.searchParams.get('annotationQuery') === 'error') !== undefined,
    true,
    'failed asks for the error tag',
  );
  // No label (e.g. a trace id from a log line): jaeger does not know it, zipkin does.
  const r = await traces.trace('8448eb211c80319c', undefined, deps());
  assert.ok(r.ok, r.ok ? '' : r.error);
  assert.equal(r.source, 'zipkin (prod)');
  assert.deepEqual(
    r.trace.rows.map((x) => [x.name, x.depth, x.code?.qualifiedName]),
    [
      ['get /orders/{id}', 0, undefined],
      ['orderservice.load', 1, 'OrderService.load'],
      ['select orders', 2, undefined],
    ],
  );
});

test('contract: backend trace faults: a 5xx and an HTML page are a clear per-source status, earlier lists stay marked stale, the token is never in a message', async () => {
  let mode: 'ok' | 'down' | 'html' | 'auth' = 'ok';
  const s = await tempoFakes.fake((u, req) => {
    if (mode === 'down')
      return { status: 500, body: JSON.stringify({ message: 'querier unavailable' }) };
    if (mode === 'html')
      return { body: '<!doctype html><title>Grafana</title>', type: 'text/html' };
    if (mode === 'auth')
      return {
        status: 401,
        body: JSON.stringify({ error: `bad token ${req.headers.authorization}` }),
      };
    return u.pathname === '/api/search'
      ? { fixture: 'search.json' }
      : { fixture: 'trace-by-id.json' };
  });
  let now = 1_767_225_700_000;
  const traces = new BackendTraces(() => [new TempoSource(cfg('tempo', s.url, TOKEN))], {
    now: () => now,
  });
  const [ok] = await traces.fetch(Q);
  assert.equal(ok?.status.ok, true);
  mode = 'down';
  now += 31_000;
  const [stale] = await traces.fetch(Q);
  assert.ok(stale);
  assert.equal(stale.status.ok, false);
  assert.equal(stale.status.stale, true);
  assert.match(stale.status.message, /tempo \(prod\).*500.*querier unavailable/);
  assert.equal(stale.recent.length, 2, 'the last lists, marked stale');
  assert.equal(traces.peek(Q).lists[0]?.status.stale, true, 'a snapshot from memory says so too');
  assert.equal(traces.peek(Q).due, false, 'not asked again on every snapshot while down');

  mode = 'html';
  const html = await traces.trace('0af7651916cd43dd8448eb211c80319c', 'tempo (prod)', deps());
  assert.ok(
    !html.ok &&
      !html.notFound &&
      /tempo \(prod\)/.test(html.error) &&
      /HTML page instead of JSON/.test(html.error),
    JSON.stringify(html),
  );
  const fresh = new BackendTraces(() => [new TempoSource(cfg('tempo', s.url, TOKEN))]);
  const [none] = await fresh.fetch(Q);
  assert.deepEqual(
    [none?.status.ok, none?.answered, none?.recent.length],
    [false, false, 0],
    'nothing cached: no lists, the failure said',
  );

  mode = 'auth';
  const denied = await fresh.trace('0af7651916cd43dd8448eb211c80319c', 'tempo (prod)', deps());
  assert.ok(!denied.ok && /PRODLENS_TEMPO_TOKEN/.test(denied.error));
  const [authLists] = await new BackendTraces(() => [
    new TempoSource(cfg('tempo', s.url, TOKEN)),
  ]).fetch(Q);
  for (const text of [JSON.stringify(denied), JSON.stringify(authLists), JSON.stringify(stale)])
    assert.ok(!text.includes(TOKEN), 'token never leaked');
});

test('contract: backend trace requests are cancellable: an aborted search or trace by id rejects at once instead of waiting on a backend that never answers', async () => {
  const ac = new AbortController();
  // Never answers; aborts once it holds a search and the trace by id, so both are waiting on it.
  const asked = new Set<string>();
  const hang = createServer((req) => {
    asked.add(req.url?.startsWith('/api/traces/') ? 'trace by id' : 'search');
    if (asked.size === 2) ac.abort();
  });
  await new Promise<void>((r) => hang.listen(0, '127.0.0.1', () => r()));
  try {
    const url = `http://127.0.0.1:${(hang.address() as AddressInfo).port}`;
    const traces = new BackendTraces(() => [
      new TempoSource({ ...cfg('tempo', url), timeoutMs: 30_000 }),
    ]);
    const started = Date.now();
    const lists = traces.fetch(Q, ac.signal);
    const one = traces.trace('0af7651916cd43dd8448eb211c80319c', 'tempo (prod)', deps(), ac.signal);
    await assert.rejects(lists);
    await assert.rejects(one);
    assert.ok(
      Date.now() - started < 5_000,
      `rejected ${Date.now() - started} ms after the start; the backend was asked: ${[...asked].join(', ')}`,
    );
  } finally {
    hang.closeAllConnections();
    hang.close();
  }
});

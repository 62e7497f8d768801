// Contract: the Jaeger client against recorded responses shaped like Jaeger's api_v3 (OTLP JSON)
// and internal v1 API (its own span JSON, µs), served by a loopback fake: v3 first, v1 when v3
// answers 404, normalisation of both, and faults through the shared HttpClient.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { fakeBackends, type Reply } from '../support/fake-backend';
import { SourceError } from '../../src/core/sources/http-client';
import { JaegerSource } from '../../src/core/sources/jaeger';
import type { TraceSummary } from '../../src/core/sources/source';

const TOKEN = 'jaeger-secret-9b2d4f6a';
const backends = fakeBackends('jaeger');
const fake = backends.fake;
after(() => backends.close());

const jaeger = (url: string, token?: string) =>
  new JaegerSource({
    kind: 'jaeger',
    url,
    environment: 'prod',
    timeoutMs: 2000,
    ...(token ? { token } : {}),
  });
const NOT_FOUND_V3: Reply = { status: 404, fixture: 'v3-not-found.json' };
/** Times to the µs: the OTLP decoder's epoch ms are doubles (1767225659999.9998 for …660000). */
const micros = (ts: TraceSummary[]) =>
  ts.map((t) => ({
    ...t,
    startMs: Math.round(t.startMs * 1000) / 1000,
    durationMs: Math.round(t.durationMs * 1000) / 1000,
  }));
const NO_ROUTE: Reply = { status: 404, body: '404 page not found', type: 'text/plain' };

test('contract: jaeger v3 trace by id: OTLP JSON with uppercase hex ids comes back lowercase, exact', async () => {
  const s = await fake((u) =>
    u.pathname === '/api/v3/traces/0af7651916cd43dd8448eb211c80319c'
      ? { fixture: 'v3-trace.json' }
      : NOT_FOUND_V3,
  );
  const src = jaeger(s.url);
  const spans = await src.traceById('0AF7651916CD43DD8448EB211C80319C');
  assert.equal(src.apiVersion, 'v3');
  assert.deepEqual(
    spans.map((x) => [
      x.traceId,
      x.spanId,
      x.parentSpanId,
      x.kind,
      x.statusCode,
      x.startMs,
      x.durationMs,
      x.resource.service,
    ]),
    [
      [
        '0af7651916cd43dd8448eb211c80319c',
        '00f067aa0ba902b7',
        '',
        2,
        2,
        1767225600000,
        42,
        'checkout',
      ],
      [
        '0af7651916cd43dd8448eb211c80319c',
        'b7ad6b7169203331',
        '00f067aa0ba902b7',
        1,
        0,
        1767225600001,
        12.500007,
        'checkout',
      ],
    ],
  );
  assert.equal(spans[0]?.statusMessage, 'order not found');
  assert.equal(spans[1]?.attributes['code.line.number'], 51);
  // Once v3 is known to exist, its 404 means "no such trace": no v1 request.
  assert.deepEqual(await src.traceById('5b8efff798038103d269b633813fc60c'), []);
  assert.ok(s.asked.every((u) => u.pathname.startsWith('/api/v3/')));
});

test('contract: jaeger v3 search: params sent, spans grouped per trace, errors-only filtered here', async () => {
  const s = await fake((u) =>
    u.pathname === '/api/v3/traces' ? { fixture: 'v3-search.json' } : NO_ROUTE,
  );
  const src = jaeger(s.url);
  const all = await src.recentTraces({
    service: 'checkout',
    spanName: 'GET /orders/{id}',
    minDurationMs: 5,
    limit: 10,
    windowMs: 900_000,
  });
  const q = s.asked[0]?.searchParams;
  assert.ok(q);
  assert.equal(q.get('query.service_name'), 'checkout');
  assert.equal(q.get('query.operation_name'), 'GET /orders/{id}');
  assert.equal(q.get('query.duration_min'), '5000us');
  assert.equal(q.get('query.search_depth'), '10');
  assert.equal(
    Date.parse(q.get('query.start_time_max') ?? '') -
      Date.parse(q.get('query.start_time_min') ?? ''),
    900_000,
  );
  assert.deepEqual(micros(all), [
    {
      traceId: '5b8efff798038103d269b633813fc60c',
      rootName: 'GET /orders/{id}',
      service: 'checkout',
      startMs: 1767225660000,
      durationMs: 7,
      error: false,
    },
    {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      rootName: 'GET /orders/{id}',
      service: 'checkout',
      startMs: 1767225600000,
      durationMs: 42,
      error: true,
    },
  ]);
  const failed = await src.recentTraces({
    service: 'checkout',
    errorsOnly: true,
    limit: 10,
    windowMs: 900_000,
  });
  assert.deepEqual(
    failed.map((t) => t.traceId),
    ['0af7651916cd43dd8448eb211c80319c'],
  );
});

test('contract: jaeger falls back to v1 when v3 answers 404, normalises its span JSON, and remembers', async () => {
  const s = await fake((u) => {
    if (u.pathname.startsWith('/api/v3/')) return NO_ROUTE;
    if (u.pathname === '/api/traces/00000000000000008448eb211c80319c')
      return { fixture: 'v1-trace.json' };
    if (u.pathname === '/api/traces') return { fixture: 'v1-search.json' };
    if (u.pathname === '/api/services') return { fixture: 'v1-services.json' };
    return { status: 404, fixture: 'v1-not-found.json' };
  });
  const src = jaeger(s.url);
  const spans = await src.traceById('8448EB211C80319C');
  assert.equal(src.apiVersion, 'v1');
  assert.deepEqual(
    s.asked.map((u) => u.pathname),
    [
      '/api/v3/traces/00000000000000008448eb211c80319c',
      '/api/traces/00000000000000008448eb211c80319c',
    ],
  );
  assert.deepEqual(
    spans.map((x) => [
      x.traceId,
      x.spanId,
      x.parentSpanId,
      x.name,
      x.kind,
      x.statusCode,
      x.startMs,
      x.durationMs,
      x.resource.service,
    ]),
    [
      [
        '00000000000000008448eb211c80319c',
        '00f067aa0ba902b7',
        '',
        'GET /orders/{id}',
        2,
        2,
        1767225600000,
        42,
        'checkout',
      ],
      // CHILD_OF wins over FOLLOWS_FROM as the parent link.
      [
        '00000000000000008448eb211c80319c',
        'b7ad6b7169203331',
        '00f067aa0ba902b7',
        'OrderService.load',
        1,
        0,
        1767225600001,
        12.501,
        'checkout',
      ],
      [
        '00000000000000008448eb211c80319c',
        'c3d4e5f6a7b8c9d0',
        '00f067aa0ba902b7',
        'SELECT orders',
        3,
        0,
        1767225600002,
        8.25,
        'orders-db',
      ],
    ],
  );
  const [root, load] = spans;
  assert.equal(root?.statusMessage, 'order not found');
  assert.equal(root?.attributes['http.response.status_code'], 500);
  assert.equal(root?.attributes.error, undefined, 'status tags become fields, not attributes');
  assert.equal(root?.resource.version, '4f2c1a9');
  assert.equal(root?.resource.environment, 'prod');
  assert.equal(load?.attributes.big, '9223372036854775000', 'int64 past 2^53 stays exact as text');
  assert.equal(load?.attributes.ratio, 0.25);
  assert.deepEqual(load?.events, [
    { name: 'exception', timeMs: 1767225600013, attributes: { 'exception.type': 'NotFoundError' } },
  ]);

  // Remembered: search and a missing trace go straight to v1.
  const n = s.asked.length;
  const failed = await src.recentTraces({
    service: 'checkout',
    spanName: 'GET /orders/{id}',
    minDurationMs: 10,
    errorsOnly: true,
    limit: 5,
    windowMs: 3_600_000,
  });
  assert.deepEqual(failed, [
    {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      rootName: 'GET /orders/{id}',
      service: 'checkout',
      startMs: 1767225600000,
      durationMs: 42,
      error: true,
    },
  ]);
  const q = s.asked[n]?.searchParams;
  assert.equal(s.asked[n]?.pathname, '/api/traces');
  assert.equal(q?.get('service'), 'checkout');
  assert.equal(q?.get('operation'), 'GET /orders/{id}');
  assert.equal(q?.get('minDuration'), '10000us');
  assert.equal(q?.get('limit'), '5');
  assert.equal(q?.get('tags'), '{"error":"true"}');
  assert.equal(Number(q?.get('end')) - Number(q?.get('start')), 3_600_000_000, 'µs');
  assert.deepEqual(await src.traceById('5b8efff798038103d269b633813fc60c'), []);
  assert.ok(s.asked.slice(n).every((u) => !u.pathname.startsWith('/api/v3/')));
  const status = await jaeger(s.url).testConnection();
  assert.equal(status.ok, true, status.message);
  assert.match(status.message, /API v1, 3 services/);
});

test('contract: jaeger faults: HTML instead of JSON, a 500, and a 401 that never shows the token', async () => {
  const html = await fake(() => ({
    body: '<html><body>Jaeger UI</body></html>',
    type: 'text/html',
  }));
  await assert.rejects(
    jaeger(html.url).traceById('0af7651916cd43dd8448eb211c80319c'),
    (e: unknown) => e instanceof SourceError && e.reason === 'not-json',
  );
  const down = await fake(() => ({
    status: 500,
    body: JSON.stringify({ error: { httpCode: 500, message: 'storage down' } }),
  }));
  await assert.rejects(
    jaeger(down.url).recentTraces({ service: 'checkout', limit: 5, windowMs: 60_000 }),
    (e: unknown) => e instanceof SourceError && e.status === 500,
  );
  assert.equal(down.asked.length, 1, 'a 500 on v3 is not a reason to try v1');
  const auth = await fake((_u, req) => ({
    status: 401,
    body: JSON.stringify({ error: `bad token ${req.headers.authorization}` }),
  }));
  const src = jaeger(auth.url, TOKEN);
  await assert.rejects(
    src.recentTraces({ service: 'checkout', limit: 5, windowMs: 60_000 }),
    (e: unknown) =>
      e instanceof SourceError &&
      e.reason === 'auth' &&
      !e.message.includes(TOKEN) &&
      /PRODLENS_JAEGER_TOKEN/.test(e.message),
  );
  const status = await src.testConnection();
  assert.equal(status.ok, false);
  assert.ok(!status.message.includes(TOKEN));
});

// Contract: the Zipkin client against recorded responses shaped like Zipkin's API v2 (µs times,
// string tags, `error` tag = failure), served by a loopback fake; faults through HttpClient.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { fakeBackends } from '../support/fake-backend';
import { SourceError } from '../../src/core/sources/http-client';
import { ZipkinSource } from '../../src/core/sources/zipkin';

const TOKEN = 'zipkin-secret-5e7a2c4b';
const backends = fakeBackends('zipkin');
const fake = backends.fake;
after(() => backends.close());
const zipkin = (url: string, token?: string) =>
  new ZipkinSource({
    kind: 'zipkin',
    url,
    environment: 'prod',
    timeoutMs: 2000,
    ...(token ? { token } : {}),
  });

test('contract: zipkin trace by id: 64-bit ids padded, µs → ms, kinds, error tag and parent links', async () => {
  const s = await fake((u) =>
    u.pathname === '/api/v2/trace/00000000000000008448eb211c80319c'
      ? { fixture: 'trace.json' }
      : { status: 404, body: 'Trace not found', type: 'text/plain' },
  );
  const spans = await zipkin(s.url).traceById('8448eb211c80319c');
  assert.deepEqual(
    spans.map((x) => [
      x.traceId,
      x.spanId,
      x.parentSpanId,
      x.name,
      x.kind,
      x.statusCode,
      x.statusMessage,
      x.startMs,
      x.durationMs,
      x.resource.service,
    ]),
    [
      [
        '00000000000000008448eb211c80319c',
        '00f067aa0ba902b7',
        '',
        'get /orders/{id}',
        2,
        2,
        'order not found',
        1767225600000,
        42,
        'checkout',
      ],
      [
        '00000000000000008448eb211c80319c',
        'b7ad6b7169203331',
        '00f067aa0ba902b7',
        'orderservice.load',
        1,
        0,
        '',
        1767225600001,
        12.501,
        'checkout',
      ],
      [
        '00000000000000008448eb211c80319c',
        'c3d4e5f6a7b8c9d0',
        'b7ad6b7169203331',
        'select orders',
        3,
        1,
        '',
        1767225600002,
        8.25,
        'checkout',
      ],
    ],
  );
  assert.equal(spans[0]?.attributes['http.method'], 'GET');
  assert.equal(spans[0]?.attributes.error, undefined, 'status tags become fields, not attributes');
  assert.equal(spans[0]?.resource.version, '4f2c1a9');
  assert.equal(spans[0]?.resource.environment, 'prod');
  assert.deepEqual(spans[1]?.events, [
    { name: 'exception', timeMs: 1767225600013, attributes: {} },
  ]);
  assert.deepEqual(
    await zipkin(s.url).traceById('5b8efff798038103d269b633813fc60c'),
    [],
    'a 404 is an unknown trace',
  );
});

test('contract: zipkin search: µs/ms params as documented, summaries newest first, any error tag fails the trace', async () => {
  const s = await fake((u) =>
    u.pathname === '/api/v2/traces'
      ? { fixture: 'traces.json' }
      : u.pathname === '/api/v2/services'
        ? { fixture: 'services.json' }
        : { status: 404 },
  );
  const before = Date.now();
  const got = await zipkin(s.url).recentTraces({
    service: 'checkout',
    spanName: 'get /orders/{id}',
    minDurationMs: 2.5,
    limit: 10,
    windowMs: 900_000,
  });
  const q = s.asked[0]?.searchParams;
  assert.equal(q?.get('serviceName'), 'checkout');
  assert.equal(q?.get('spanName'), 'get /orders/{id}');
  assert.equal(q?.get('minDuration'), '2500', 'µs');
  assert.equal(q?.get('lookback'), '900000', 'ms');
  assert.ok(Math.abs(Number(q?.get('endTs')) - before) < 2000, 'epoch ms');
  assert.equal(q?.get('limit'), '10');
  assert.equal(q?.get('annotationQuery'), null);
  assert.deepEqual(got, [
    {
      traceId: '5b8efff798038103d269b633813fc60c',
      rootName: 'get /orders/{id}',
      service: 'checkout',
      startMs: 1767225660000,
      durationMs: 7,
      error: false,
    },
    {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      rootName: 'get /orders/{id}',
      service: 'checkout',
      startMs: 1767225600000,
      durationMs: 42,
      error: true,
    },
  ]);
  const failed = await zipkin(s.url).recentTraces({
    service: 'checkout',
    errorsOnly: true,
    limit: 10,
    windowMs: 900_000,
  });
  assert.equal(s.asked[1]?.searchParams.get('annotationQuery'), 'error');
  assert.deepEqual(
    failed.map((t) => t.traceId),
    ['0af7651916cd43dd8448eb211c80319c'],
  );
  assert.match((await zipkin(s.url).testConnection()).message, /^ok \(Zipkin, 2 services\)/);
});

test('contract: zipkin faults: HTML instead of JSON, a 500, and a 401 that never shows the token', async () => {
  const html = await fake(() => ({
    body: '<!DOCTYPE html><html>Zipkin Lens</html>',
    type: 'text/html',
  }));
  await assert.rejects(
    zipkin(html.url).recentTraces({ service: 'checkout', limit: 5, windowMs: 60_000 }),
    (e: unknown) =>
      e instanceof SourceError && e.reason === 'not-json' && /HTML page/.test(e.message),
  );
  const down = await fake(() => ({
    status: 500,
    body: JSON.stringify({ message: 'elasticsearch unavailable' }),
  }));
  await assert.rejects(
    zipkin(down.url).traceById('8448eb211c80319c'),
    (e: unknown) =>
      e instanceof SourceError && e.status === 500 && /elasticsearch unavailable/.test(e.message),
  );
  const auth = await fake((_u, req) => ({
    status: 401,
    body: `denied for ${req.headers.authorization}`,
    type: 'text/plain',
  }));
  const src = zipkin(auth.url, TOKEN);
  await assert.rejects(
    src.traceById('8448eb211c80319c'),
    (e: unknown) => e instanceof SourceError && e.reason === 'auth' && !e.message.includes(TOKEN),
  );
  const status = await src.testConnection();
  assert.equal(status.ok, false);
  assert.ok(!status.message.includes(TOKEN));
});

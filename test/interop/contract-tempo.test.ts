// Contract: the Tempo client against recorded responses shaped like Tempo's documented HTTP API
// (hand-written fixtures, served by a loopback fake). Checks what is sent (paths, TraceQL,
// params) and how answers are normalised (base64 ids → hex, enum names, ns precision), plus
// faults through the shared HttpClient.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { fakeBackends } from '../support/fake-backend';
import { SourceError } from '../../src/core/sources/http-client';
import { TempoSource, traceqlFor } from '../../src/core/sources/tempo';

const TOKEN = 'tempo-secret-3c9e1a7f';
const backends = fakeBackends('tempo');
const fake = backends.fake;
after(() => backends.close());

const tempo = (url: string, token?: string) =>
  new TempoSource({
    kind: 'tempo',
    url,
    environment: 'prod',
    timeoutMs: 2000,
    ...(token ? { token } : {}),
  });

test('contract: tempo trace by id: base64 ids become hex, enum names become codes, ns precision and parent links kept', async () => {
  const s = await fake((u) =>
    u.pathname === '/api/traces/0af7651916cd43dd8448eb211c80319c'
      ? { fixture: 'trace-by-id.json' }
      : { status: 404, body: 'trace not found', type: 'text/plain' },
  );
  const spans = await tempo(s.url).traceById('0AF7651916CD43DD8448EB211C80319C');
  assert.deepEqual(
    spans.map((x) => [x.spanId, x.parentSpanId, x.name, x.kind, x.statusCode, x.resource.service]),
    [
      ['00f067aa0ba902b7', '', 'GET /orders/{id}', 2, 2, 'checkout'],
      ['b7ad6b7169203331', '00f067aa0ba902b7', 'OrderService.load', 1, 2, 'checkout'],
      ['c3d4e5f6a7b8c9d0', 'b7ad6b7169203331', 'SELECT orders', 3, 0, 'orders-db'],
    ],
  );
  const [root, load] = spans;
  assert.ok(root && load);
  assert.ok(spans.every((x) => x.traceId === '0af7651916cd43dd8448eb211c80319c'));
  assert.equal(root.startMs, 1767225600000);
  assert.equal(root.durationMs, 42);
  assert.ok(Math.abs(load.durationMs - 12.500007) < 1e-9, String(load.durationMs));
  assert.equal(root.statusMessage, 'order not found');
  assert.equal(root.attributes['http.response.status_code'], 500);
  assert.equal(root.resource.version, '4f2c1a9');
  assert.equal(root.resource.environment, 'prod');
  assert.equal(load.events[0]?.name, 'exception');
  assert.equal(load.events[0]?.attributes['exception.type'], 'NotFoundError');
});

test('contract: tempo before 2.6 (`batches`, instrumentationLibrarySpans) reads the same; unknown ids are []', async () => {
  const s = await fake((u) =>
    u.pathname.endsWith('/0af7651916cd43dd8448eb211c80319c')
      ? { fixture: 'trace-by-id-batches.json' }
      : { status: 404, body: 'trace not found', type: 'text/plain' },
  );
  const spans = await tempo(s.url).traceById('0af7651916cd43dd8448eb211c80319c');
  assert.deepEqual(
    spans.map((x) => [x.traceId, x.spanId, x.kind, x.statusCode, x.durationMs]),
    [['0af7651916cd43dd8448eb211c80319c', '00f067aa0ba902b7', 2, 1, 42]],
  );
  assert.deepEqual(await tempo(s.url).traceById('5b8efff798038103d269b633813fc60c'), []);
});

test('contract: tempo search sends one TraceQL query for the function and normalises the summaries', async () => {
  const s = await fake((u) =>
    u.pathname === '/api/search' ? { fixture: 'search.json' } : { status: 404 },
  );
  const before = Math.floor(Date.now() / 1000);
  const got = await tempo(s.url).recentTraces({
    service: 'checkout',
    spanName: 'OrderService.load',
    minDurationMs: 2.5,
    limit: 20,
    windowMs: 3_600_000,
  });
  const q = s.asked[0]?.searchParams;
  assert.ok(q);
  assert.equal(
    q.get('q'),
    '{ resource.service.name = "checkout" && name = "OrderService.load" && duration >= 2500us }',
  );
  assert.equal(q.get('limit'), '20');
  assert.ok(Math.abs(Number(q.get('end')) - before) <= 2);
  assert.equal(Number(q.get('end')) - Number(q.get('start')), 3600);
  assert.deepEqual(got, [
    {
      traceId: '5b8efff798038103d269b633813fc60c',
      rootName: 'GET /orders/{id}',
      service: 'checkout',
      startMs: 1767225660000,
      durationMs: 7,
      error: false,
    },
    // Tempo drops leading zeros from search trace ids; they come back padded.
    {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      rootName: 'GET /orders/{id}',
      service: 'checkout',
      startMs: 1767225600000,
      durationMs: 42,
      error: true,
    },
  ]);
});

test('contract: tempo errors-only search asks for status = error and quotes values safely', async () => {
  assert.equal(
    traceqlFor({ service: 'we"ird\\svc', errorsOnly: true }),
    '{ resource.service.name = "we\\"ird\\\\svc" && status = error }',
  );
  const s = await fake(() => ({ fixture: 'search-empty.json' }));
  assert.deepEqual(
    await tempo(s.url).recentTraces({
      service: 'checkout',
      errorsOnly: true,
      limit: 5,
      windowMs: 60_000,
    }),
    [],
  );
  assert.match(s.asked[0]?.searchParams.get('q') ?? '', /status = error/);
});

test('contract: tempo faults: HTML instead of JSON, a 500, and a 401 that never shows the token', async () => {
  const html = await fake(() => ({
    body: '<!doctype html><title>Grafana</title>',
    type: 'text/html',
  }));
  await assert.rejects(
    tempo(html.url).traceById('0af7651916cd43dd8448eb211c80319c'),
    (e: unknown) =>
      e instanceof SourceError &&
      e.reason === 'not-json' &&
      /an HTML page instead of JSON/.test(e.message),
  );
  const down = await fake(() => ({
    status: 500,
    body: JSON.stringify({ message: 'querier unavailable' }),
  }));
  await assert.rejects(
    tempo(down.url).recentTraces({ service: 'checkout', limit: 5, windowMs: 60_000 }),
    (e: unknown) =>
      e instanceof SourceError && e.status === 500 && /querier unavailable/.test(e.message),
  );
  assert.equal(down.asked.length, 1, '500 is not retried');
  const auth = await fake((_u, req) => ({
    status: 401,
    body: JSON.stringify({ error: `bad token ${req.headers.authorization}` }),
  }));
  const src = tempo(auth.url, TOKEN);
  await assert.rejects(
    src.traceById('0af7651916cd43dd8448eb211c80319c'),
    (e: unknown) =>
      e instanceof SourceError &&
      e.reason === 'auth' &&
      !e.message.includes(TOKEN) &&
      /PRODLENS_TEMPO_TOKEN/.test(e.message),
  );
  const status = await src.testConnection();
  assert.equal(status.ok, false);
  assert.ok(!status.message.includes(TOKEN));
  assert.equal(
    (await tempo((await fake(() => ({ fixture: 'search-empty.json' }))).url).testConnection()).ok,
    true,
  );
  await assert.rejects(tempo(html.url).traceById('not-an-id'), /is not a trace id/);
});

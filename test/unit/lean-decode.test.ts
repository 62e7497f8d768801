// The ingest worker's lean decode (trace-wire-decode.ts, wireDecodeTracesLean): spans carry only
// the attributes that locate their code, the spans it holds are decoded again whole and equal
// what the full decoder gives, the triage reaches the same series either way, and the list of
// locating attributes (resolver/locating-attributes.ts) holds every key locateSpan reads.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { context, SpanKind, trace, type Attributes as OtelAttributes } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { SpanTriage, TRIAGE_ATTRIBUTES } from '../../src/core/engine/span-triage';
import { wireDecodeTraces, wireDecodeTracesLean } from '../../src/core/ingest/trace-wire-decode';
import { decodeTracesForTriage, OtlpDecodeError } from '../../src/core/ingest/otlp-decode';
import type { Attributes } from '../../src/core/model';
import { deferredShape } from '../../src/core/resolver/deferred-shape';
import { LOCATING_ATTRIBUTES } from '../../src/core/resolver/locating-attributes';
import { locateSpan, type SpanShape } from '../../src/core/resolver/span-location';

/** Stock-instrumentation shapes, serialized by the real SDK: HTTP server spans, code spans, a failure. */
function sdkBody(): Uint8Array {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'shop', 'service.version': '2.1.0' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('lean');
  for (let i = 0; i < 40; i++) {
    const server: OtelAttributes = {
      'http.request.method': 'GET',
      'url.path': `/orders/${i}`,
      'http.route': '/orders/:id',
      'http.response.status_code': 200,
      'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64)',
      'network.peer.address': `10.0.0.${i}`,
      'tags.list': ['a', 'b'],
    };
    const root = tracer.startSpan('GET /orders/:id', { kind: SpanKind.SERVER, attributes: server });
    const child = tracer.startSpan(
      'loadOrder',
      {
        attributes: {
          'code.file.path': '/srv/app/src/orders.ts',
          'code.function.name': 'loadOrder',
          'code.line.number': 12 + (i % 3),
          'db.system': 'postgresql',
        },
      },
      trace.setSpan(context.active(), root),
    );
    if (i % 7 === 0) {
      child.recordException(new Error(`order ${i} missing`));
      child.setStatus({ code: 2, message: 'not found' });
    }
    child.end();
    if (i % 10 === 5) {
      // A failed span carrying its own stack (no exception event), and one failing without any.
      const own = tracer.startSpan('chargeCard', {
        attributes: {
          'code.stacktrace': `Error: declined\n    at charge (/srv/app/src/pay.ts:${i}:3)`,
        },
      });
      own.setStatus({ code: 2 });
      own.end();
      const bare = tracer.startSpan('GET upstream', { kind: SpanKind.CLIENT });
      bare.setStatus({ code: 2 });
      bare.end();
    }
    root.end();
  }
  return ProtobufTraceSerializer.serializeRequest(exporter.getFinishedSpans())!;
}

test('lean spans keep only the locating attributes and leave their ids to the whole decode', () => {
  const body = sdkBody();
  const full = wireDecodeTraces(body).spans;
  const lean = wireDecodeTracesLean(body, LOCATING_ATTRIBUTES);
  assert.equal(lean.spans.length, full.length);
  for (let i = 0; i < full.length; i++) {
    const f = full[i]!;
    const l = lean.spans[i]!;
    const expected = Object.fromEntries(
      Object.entries(f.attributes).filter(([k]) => LOCATING_ATTRIBUTES.has(k)),
    );
    assert.deepEqual(l.attributes, expected);
    const noIds = { attributes: {}, traceId: '', spanId: '', parentSpanId: '', events: [] };
    assert.deepEqual(
      { ...l, ...noIds },
      { ...f, ...noIds },
      'every other field as the full decoder gives it',
    );
    assert.deepEqual([l.traceId, l.spanId, l.parentSpanId], ['', '', '']);
    assert.deepEqual(l.events, f.events);
    assert.equal(lean.traceLow[i], parseInt(f.traceId.slice(-4), 16), "the trace id's last bytes");
  }
  assert.ok(
    full.some((s) => 'user_agent.original' in s.attributes),
    'the full decode has the others',
  );
});

test('a held span decoded whole equals the full decoder, attributes, ids and events included', () => {
  const body = sdkBody();
  const full = wireDecodeTraces(body).spans;
  const lean = wireDecodeTracesLean(body, LOCATING_ATTRIBUTES);
  for (let i = full.length - 1; i >= 0; i--) assert.deepEqual(lean.whole(i), full[i]);
  assert.ok(full.some((s) => s.events.length > 0 && s.parentSpanId !== ''));
});

test('triage over lean spans reaches the same series, outcomes and samples as over full spans', () => {
  const body = sdkBody();
  const locate = (s: SpanShape) => locateSpan(s, deferredShape);
  const full = new SpanTriage(locate).run(wireDecodeTraces(body).spans, 5_000);
  const leanDecoded = decodeTracesForTriage(body, 'protobuf', TRIAGE_ATTRIBUTES);
  const lean = new SpanTriage(locate).run(leanDecoded.spans, 5_000, leanDecoded.traceLow);
  const keys = (b: typeof full) => [...b.group].map((g) => b.newGroups[g]!.key);
  assert.deepEqual(keys(lean), keys(full));
  assert.deepEqual(
    lean.newGroups.map((g) => g.identity),
    full.newGroups.map((g) => g.identity),
  );
  assert.deepEqual([...lean.error], [...full.error]);
  assert.deepEqual([...lean.durationMs], [...full.durationMs]);
  assert.deepEqual(
    lean.samples.map((s) => [s.index, s.ring, s.topology, s.error]),
    full.samples.map((s) => [s.index, s.ring, s.topology, s.error]),
  );
  for (const s of lean.samples)
    assert.deepEqual(
      leanDecoded.whole(s.index),
      full.samples.find((x) => x.index === s.index)!.span,
    );
  // Error samples are the spans with a stack trace; every failure still counts in its series.
  const spans = wireDecodeTraces(body).spans;
  const errorSamples = lean.samples.filter((s) => s.error).map((s) => spans[s.index]!);
  assert.ok(errorSamples.some((s) => 'code.stacktrace' in s.attributes && s.events.length === 0));
  assert.ok(errorSamples.every((s) => s.events.length > 0 || 'code.stacktrace' in s.attributes));
  const failed = spans.filter((s) => s.statusCode === 2).length;
  assert.equal([...lean.error].filter((e) => e === 1).length, failed);
  assert.ok(failed > errorSamples.length, 'failures without a stack are counted, not held');
});

test('malformed bodies fail the lean decode as they fail the full one', () => {
  const body = sdkBody();
  const cut = body.subarray(0, body.length - 7);
  assert.throws(() => decodeTracesForTriage(cut, 'protobuf', LOCATING_ATTRIBUTES), OtlpDecodeError);
  assert.throws(() => wireDecodeTraces(cut));
});

/** Records every attribute key read (and refuses enumeration, which a key list cannot cover). */
function recording(attrs: Attributes, read: Set<string>): Attributes {
  return new Proxy(attrs, {
    get(target, key) {
      if (typeof key === 'string') read.add(key);
      return Reflect.get(target, key);
    },
    has(target, key) {
      if (typeof key === 'string') read.add(key);
      return Reflect.has(target, key);
    },
    ownKeys() {
      throw new Error('locateSpan enumerated the attributes: a key list cannot say what it needs');
    },
  });
}

test('every attribute key locateSpan reads, on each of its paths, is a locating attribute', () => {
  const shapes: SpanShape[] = [
    {
      name: 'loadOrder',
      kind: 1,
      attributes: { 'code.file.path': '/a.ts', 'code.line.number': 3 },
    },
    {
      name: 'legacy',
      kind: 1,
      attributes: { 'code.filepath': '/a.py', 'code.function': 'f', 'code.namespace': 'm' },
    },
    { name: 'GET /x', kind: 2, attributes: { 'code.function.name': 'h', 'http.route': '/x' } },
    {
      name: 'Nest',
      kind: 1,
      attributes: { 'nestjs.controller': 'C', 'nestjs.callback': 'm', 'nestjs.type': 'handler' },
    },
    {
      name: 'GET',
      kind: 2,
      attributes: { 'http.method': 'GET', 'http.route': '/r/:id', 'http.target': '/r/1' },
    },
    { name: 'GET', kind: 2, attributes: { 'http.request.method': 'GET', 'url.path': '/u/7?q=1' } },
    { name: 'GET', kind: 2, attributes: {} },
    {
      name: 'middleware - query',
      kind: 1,
      attributes: { 'express.type': 'middleware', 'express.name': 'query' },
    },
    {
      name: 'router - /api',
      kind: 1,
      attributes: { 'router.type': 'router', 'router.name': '/api' },
    },
    { name: 'hook', kind: 1, attributes: { 'fastify.type': 'hook', 'hook.name': 'onRequest' } },
    { name: 'hapi', kind: 1, attributes: { 'hapi.type': 'router' } },
    { name: 'koa', kind: 1, attributes: { 'koa.type': 'middleware', 'koa.name': 'bodyParser' } },
    { name: 'nest inner', kind: 1, attributes: { 'nestjs.type': 'request_context' } },
    { name: 'plain', kind: 0, attributes: {} },
  ];
  const read = new Set<string>();
  for (const s of shapes) {
    locateSpan({ ...s, attributes: recording(s.attributes, read) }, deferredShape);
    locateSpan({ ...s, kind: 2, attributes: recording(s.attributes, read) }, deferredShape);
  }
  const missing = [...read].filter((k) => !LOCATING_ATTRIBUTES.has(k));
  assert.deepEqual(missing, [], 'read by locateSpan but not decoded for triage');
  assert.ok(read.size >= 20, `the paths above read ${read.size} keys`);
});

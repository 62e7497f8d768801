// The ingest worker's scan (trace-wire-scan.ts + SpanTriage.runScanned): spans are counted in
// their series from the bytes that locate their code, decoded only the first time those bytes are
// seen or when held whole. Held to the full decoder + triage on stock SDK shapes and wire
// oddities: same series, outcomes, samples and rejections. The list of locating attributes
// (resolver/locating-attributes.ts) must hold every key locateSpan reads.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { context, SpanKind, trace, type Attributes as OtelAttributes } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import protobuf from 'protobufjs';
import {
  SCAN_KEYS,
  SpanTriage,
  STACK_ATTRIBUTE,
  type TriageBatch,
} from '../../src/core/engine/span-triage';
import { FingerprintTable } from '../../src/core/ingest/fingerprint-table';
import { hashBytes } from '../../src/core/ingest/wire-strings';
import { OtlpDecodeError, scanTraces } from '../../src/core/ingest/otlp-decode';
import { wireDecodeTraces } from '../../src/core/ingest/trace-wire-decode';
import { TraceScanner } from '../../src/core/ingest/trace-wire-scan';
import type { Attributes } from '../../src/core/model';
import { deferredShape } from '../../src/core/resolver/deferred-shape';
import {
  LOCATING_ATTRIBUTES,
  REQUEST_PATH_ATTRIBUTES,
  ROUTE_ATTRIBUTE,
} from '../../src/core/resolver/locating-attributes';
import { SeriesKeys } from '../../src/core/engine/series-keys';
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

const locate = (s: SpanShape) => locateSpan(s, deferredShape);
const newScanner = () => new TraceScanner(SCAN_KEYS);

/** Per span its series key, and the batch's outcomes and samples, comparable across runs. */
function outcome(b: TriageBatch, keyOf: Map<number, string>) {
  for (const g of b.newGroups) keyOf.set(g.id, g.key);
  return {
    keys: [...b.group].map((g) => keyOf.get(g)),
    identities: b.newGroups.map((g) => [g.key, g.identity, g.loc, g.kind]),
    endMs: [...b.endMs],
    durationMs: [...b.durationMs],
    error: [...b.error],
    samples: b.samples.map((x) => [x.index, x.ring, x.topology, x.error, x.span]),
  };
}

/**
 * Triages `bodies` in turn both ways (full decode + run, scan + runScanned), each with its own
 * triage, and asserts every batch comes out the same. Returns the scans.
 */
function assertSameTriage(bodies: Uint8Array[], now = 5_000) {
  const full = new SpanTriage(locate);
  const scanned = new SpanTriage(locate);
  const scanner = newScanner();
  const fullKeys = new Map<number, string>();
  const scanKeys = new Map<number, string>();
  return bodies.map((body, i) => {
    const decoded = wireDecodeTraces(body);
    const scan = scanTraces(scanner, body);
    assert.equal(scan.count, decoded.spans.length, `request ${i}: spans accepted`);
    assert.equal(scan.rejected, decoded.rejected, `request ${i}: spans rejected`);
    assert.equal(scan.errorMessage, decoded.errorMessage, `request ${i}: rejection reasons`);
    assert.deepEqual(
      outcome(scanned.runScanned(scan, now + i), scanKeys),
      outcome(full.run(decoded.spans, now + i), fullKeys),
      `request ${i}: the same series, outcomes and samples`,
    );
    return scan;
  });
}

test('the scan reaches the same series, outcomes and samples as the full decode, request after request', () => {
  const body = sdkBody();
  const [first, second] = assertSameTriage([body, body, sdkBody()]);
  // The second time every span's locating bytes are known: the same numbers, and each function's
  // spans share one (the child spans differ by line number, so three numbers for loadOrder).
  assert.deepEqual([...second!.fingerprint], [...first!.fingerprint]);
  const spans = wireDecodeTraces(body).spans;
  const numbersOf = (name: string) =>
    new Set([...first!.fingerprint].filter((_, i) => spans[i]!.name === name));
  assert.equal(numbersOf('loadOrder').size, 3);
  assert.equal(numbersOf('GET /orders/:id').size, 1, 'url.path is not read when http.route is');
  // Error samples are the spans with a stack trace; every failure still counts in its series.
  const batch = new SpanTriage(locate).runScanned(scanTraces(newScanner(), body), 5_000);
  const errorSamples = batch.samples.filter((x) => x.error).map((x) => x.span);
  assert.ok(errorSamples.some((x) => 'code.stacktrace' in x.attributes && x.events.length === 0));
  assert.ok(errorSamples.every((x) => x.events.length > 0 || 'code.stacktrace' in x.attributes));
  const failed = spans.filter((x) => x.statusCode === 2).length;
  assert.equal([...batch.error].filter((e) => e === 1).length, failed);
  assert.ok(failed > errorSamples.length, 'failures without a stack are counted, not held');
});

test('a span held whole equals the full decoder; a lean span carries only what triage reads', () => {
  const body = sdkBody();
  const full = wireDecodeTraces(body).spans;
  const scan = scanTraces(newScanner(), body);
  for (let i = full.length - 1; i >= 0; i--) {
    assert.deepEqual(scan.whole(i), full[i]);
    const lean = scan.lean(i);
    const expected = Object.fromEntries(
      Object.entries(full[i]!.attributes).filter(
        ([k]) => LOCATING_ATTRIBUTES.has(k) || k === STACK_ATTRIBUTE,
      ),
    );
    assert.deepEqual(lean.attributes, expected);
    assert.deepEqual([lean.traceId, lean.spanId, lean.parentSpanId], ['', '', '']);
    assert.equal(lean.resource, scan.whole(i).resource);
    assert.equal(scan.traceLow[i], parseInt(full[i]!.traceId.slice(-4), 16));
  }
  assert.ok(full.some((s) => s.events.length > 0 && s.parentSpanId !== ''));
});

// Hand-built requests for the wire's corners (field numbers from otlp-proto.ts).
const w = () => protobuf.Writer.create();
const ld = (no: number, bytes: Uint8Array) =>
  w()
    .uint32((no << 3) | 2)
    .bytes(bytes)
    .finish();
const varint = (no: number, v: number) =>
  w()
    .uint32(no << 3)
    .uint32(v)
    .finish();
const text = (s: string) => Buffer.from(s);
const kv = (key: string, value: Uint8Array) =>
  ld(9, Buffer.concat([ld(1, text(key)), ld(2, value)]));
const str = (s: string) => ld(1, text(s));
const int = (n: number) => varint(3, n);
const ids = (traceLen = 16, spanLen = 8) =>
  Buffer.concat([ld(1, randomBytes(traceLen)), ld(2, randomBytes(spanLen))]);
const spanOf = (...parts: Uint8Array[]) => ld(2, Buffer.concat(parts));
const request = (resource: Uint8Array | undefined, ...spans: Uint8Array[]) =>
  ld(1, Buffer.concat([ld(2, Buffer.concat(spans)), ...(resource ? [ld(1, resource)] : [])]));
const service = (name: string) =>
  ld(1, Buffer.concat([ld(1, text('service.name')), ld(2, str(name))]));

test('wire corners: last value wins, rejected ids, a late resource, the attribute cap, stack values', () => {
  const code = (fn: string, line: number) =>
    Buffer.concat([
      kv('code.file.path', str('/srv/app/src/a.ts')),
      kv('code.function.name', str(fn)),
      kv('code.line.number', int(line)),
    ]);
  const filler = Array.from({ length: 128 }, (_, i) => kv(`x.${i}`, int(i)));
  const bodies = [
    request(
      service('late'), // after the spans: still theirs
      spanOf(ids(), ld(5, text('first')), ld(5, text('second')), code('a', 1)),
      spanOf(ids(), ld(5, text('dup')), code('a', 1), kv('code.line.number', int(9))),
      spanOf(ids(15), ld(5, text('short trace id')), code('a', 1)),
      spanOf(ids(16, 0), ld(5, text('no span id'))),
      spanOf(ids(), ld(5, text('capped')), ...filler, code('b', 2)),
      spanOf(
        ids(),
        ld(5, text('stack, a number')),
        kv(STACK_ATTRIBUTE, int(3)),
        ld(15, varint(3, 2)),
      ),
      spanOf(
        ids(),
        ld(5, text('stack, text')),
        kv(STACK_ATTRIBUTE, str('Error: x\n at f (a.ts:1:1)')),
      ),
      spanOf(ids(), ld(5, text('wrong wire type for kind')), ld(6, text('x')), code('a', 1)),
      spanOf(
        ids(),
        ld(5, text('value before key')),
        ld(9, Buffer.concat([ld(2, str('h')), ld(1, text('code.function.name'))])),
      ),
    ),
    request(undefined, spanOf(ids(), ld(5, text('second')), code('a', 1))),
    request(service('other'), spanOf(ids(), ld(5, text('second')), code('a', 1))),
  ];
  const [scan, again, other] = assertSameTriage(bodies);
  assert.equal(scan!.rejected, 2);
  // The same bytes under another resource are another series.
  assert.notEqual(other!.fingerprint[0], again!.fingerprint[0]);
  assert.notEqual(
    again!.fingerprint[0],
    scan!.fingerprint[0],
    'a default resource is another resource',
  );
});

test('bytes that differ only in a locating value never share a number', () => {
  const line = (n: number) =>
    request(service('shop'), spanOf(ids(), ld(5, text('f')), kv('code.line.number', int(n))));
  const scanner = newScanner();
  const numbers = [1, 2, 1, 3].map((n) => scanTraces(scanner, line(n)).fingerprint[0]);
  assert.deepEqual(numbers, [numbers[0], numbers[1], numbers[0], numbers[3]]);
  assert.equal(new Set(numbers).size, 3);
});

test('the fingerprint table tells apart bytes whose hashes collide, and starts over when told', () => {
  // A birthday search for two 8-byte strings with the same 32-bit hash.
  const seen = new Map<number, Buffer>();
  let pair: [Buffer, Buffer] | undefined;
  for (let i = 0; !pair && i < 1_000_000; i++) {
    const b = randomBytes(8);
    const h = hashBytes(b, new DataView(b.buffer, b.byteOffset, 8), 0, 8);
    const other = seen.get(h);
    if (other && !other.equals(b)) pair = [other, b];
    else seen.set(h, b);
  }
  assert.ok(pair, 'found two strings with one hash');
  const table = new FingerprintTable();
  const number = (b: Buffer) => table.intern(b, new DataView(b.buffer, b.byteOffset, 8), 8);
  const a = number(pair[0]);
  const b = number(pair[1]);
  assert.notEqual(a, b);
  assert.deepEqual([number(pair[0]), number(pair[1])], [a, b]);
  const generation = table.generation;
  table.settle();
  assert.equal(table.generation, generation, 'within bounds: kept');
  table.settle(true);
  assert.equal(table.generation, generation + 1);
  assert.equal(table.size, 0);
});

test('malformed bodies fail the scan, and a malformed value fails when its span is decoded', () => {
  const body = sdkBody();
  const cut = body.subarray(0, body.length - 7);
  assert.throws(() => scanTraces(newScanner(), cut), OtlpDecodeError);
  assert.throws(() => wireDecodeTraces(cut));
  // A string value whose length runs past its AnyValue: the scan only notes the value's bytes;
  // decoding the span (the first time these bytes are seen) finds the fault.
  const bad = Buffer.concat([Buffer.from([(1 << 3) | 2, 40]), text('short')]);
  const body2 = request(
    service('s'),
    spanOf(ids(), ld(5, text('f')), kv('code.function.name', bad)),
  );
  const scan = scanTraces(newScanner(), body2);
  assert.throws(() => new SpanTriage(locate).runScanned(scan, 1_000), OtlpDecodeError);
  assert.throws(() => wireDecodeTraces(body2));
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

test("with a route, a span's request path changes neither its series name nor its location", () => {
  // What lets the scan leave the path out of a routed span's fingerprint (locating-attributes.ts).
  const keys = new SeriesKeys();
  const resource = { service: 's', environment: '', version: '' };
  const withPath = (attributes: Attributes, kind: number, path: string, name = 'GET') => {
    const all: Attributes = { ...attributes, [ROUTE_ATTRIBUTE]: '/orders/:id' };
    for (const k of REQUEST_PATH_ATTRIBUTES) all[k] = path;
    const { loc, name: named } = locateSpan({ name, kind, attributes: all }, deferredShape);
    const key = keys.keyOf(resource, loc, kind, named);
    if (loc.route) delete loc.route.path; // kept by a new series only (the fallback match)
    return { key, loc, named };
  };
  const cases: [Attributes, number, string?][] = [
    [{ 'http.request.method': 'GET' }, 2],
    [{ 'http.method': 'POST' }, 2, 'POST /orders/:id'],
    [{ 'code.function.name': 'getOrder', 'code.file.path': '/srv/a.ts' }, 2],
    [{ 'nestjs.controller': 'Orders', 'nestjs.callback': 'get' }, 2],
    [{ 'express.type': 'request_handler', 'express.name': '/orders/:id' }, 1],
    [{}, 0],
  ];
  for (const [attributes, kind, name] of cases)
    assert.deepEqual(
      withPath(attributes, kind, '/orders/1?x=2', name),
      withPath(attributes, kind, '/orders/977', name),
      JSON.stringify(attributes),
    );
});

test('spans of one route share a fingerprint whatever their paths, and reach the same series', () => {
  const server = (path: string) =>
    request(
      service('shop'),
      spanOf(
        ids(),
        ld(5, text('GET /orders/:id')),
        varint(6, 2),
        kv('http.request.method', str('GET')),
        kv('url.path', str(path)),
        kv(ROUTE_ATTRIBUTE, str('/orders/:id')),
      ),
    );
  const bare = (path: string) =>
    request(
      service('shop'),
      spanOf(
        ids(),
        ld(5, text('GET')),
        varint(6, 2),
        kv('http.request.method', str('GET')),
        kv('url.path', str(path)),
      ),
    );
  const scans = assertSameTriage([
    server('/orders/1'),
    server('/orders/2'),
    bare('/orders/1'),
    bare('/orders/2'),
  ]);
  const [a, b, c, d] = scans.map((x) => x.fingerprint[0]);
  assert.equal(a, b, 'routed: one fingerprint');
  assert.notEqual(c, d, 'no route: the path is what names the series');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import protobuf from 'protobufjs';
import {
  MAX_ATTRIBUTES,
  MAX_EVENTS,
  MAX_VALUE_DEPTH,
  OtlpDecodeError,
  decodeLogs,
  decodeMetrics,
  decodeTraces,
  decodeTracesRaw,
  encodeExportRequest,
  encodeExportResponse,
  encodeStatus,
} from '../../src/core/ingest/index';
import { otlpTypes } from '../../src/core/ingest/proto-root';
import { TRACE_WIRE_TAGS } from '../../src/core/ingest/trace-wire-format';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const SPAN_ID = 'b7ad6b7169203331';
const PARENT_ID = '00f067aa0ba902b7';
const T0 = 1767225600123456789n; // ns; far beyond 2^53, so float arithmetic would lose the ns
const hex = (s: string): Buffer => Buffer.from(s, 'hex');
const utf8 = (v: unknown): Buffer => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));

const kv = (key: string, value: Record<string, unknown>) => ({ key, value });
const str = (key: string, v: string) => kv(key, { stringValue: v });

/** One request with every value kind, in protobufjs object form (ids as bytes). */
function pbTraceRequest(): Record<string, unknown> {
  return {
    resourceSpans: [
      {
        resource: {
          attributes: [
            str('service.name', 'checkout'),
            str('deployment.environment.name', 'prod'),
            str('service.version', '4f2c1a9'),
          ],
        },
        scopeSpans: [
          {
            scope: { name: 'io.opentelemetry.http', version: '1.0' },
            spans: [
              {
                traceId: hex(TRACE_ID),
                spanId: hex(SPAN_ID),
                parentSpanId: hex(PARENT_ID),
                name: 'GET /orders/{id}',
                kind: 2,
                startTimeUnixNano: T0.toString(),
                endTimeUnixNano: (T0 + 42_000_123n).toString(),
                attributes: [
                  str('code.function.name', 'com.acme.OrderController.get'),
                  kv('code.line.number', { intValue: 87 }),
                  kv('negative', { intValue: -5 }),
                  kv('ok', { boolValue: true }),
                  kv('off', { boolValue: false }),
                  kv('ratio', { doubleValue: 0.25 }),
                  kv('empty', { stringValue: '' }),
                  kv('zero', { intValue: 0 }),
                  kv('list', { arrayValue: { values: [{ stringValue: 'a' }, { intValue: 2 }] } }),
                  kv('map', {
                    kvlistValue: { values: [str('k', 'v'), kv('n', { doubleValue: 1.5 })] },
                  }),
                  kv('raw', { bytesValue: Buffer.from([1, 2, 3, 255]) }),
                  { key: 'unset' },
                ],
                events: [
                  {
                    timeUnixNano: (T0 + 41_000_000n).toString(),
                    name: 'exception',
                    attributes: [str('exception.type', 'IllegalStateException')],
                  },
                ],
                status: { code: 2, message: 'order not found' },
              },
            ],
          },
        ],
      },
      {
        resource: { attributes: [str('deployment.environment', 'staging')] },
        scopeSpans: [
          {
            spans: [
              {
                traceId: hex(TRACE_ID),
                spanId: hex('1111111111111111'),
                name: 'root',
                startTimeUnixNano: T0.toString(),
                endTimeUnixNano: T0.toString(),
              },
            ],
          },
        ],
      },
    ],
  };
}

/** The same request as OTLP/JSON (hex ids in mixed case, int64 as strings and numbers). */
function jsonTraceRequest(): Record<string, unknown> {
  return {
    resourceSpans: [
      {
        resource: {
          attributes: [
            str('service.name', 'checkout'),
            str('deployment.environment.name', 'prod'),
            str('service.version', '4f2c1a9'),
          ],
        },
        scopeSpans: [
          {
            scope: { name: 'io.opentelemetry.http', version: '1.0' },
            spans: [
              {
                traceId: TRACE_ID.toUpperCase(),
                spanId: SPAN_ID,
                parentSpanId: PARENT_ID.toUpperCase(),
                name: 'GET /orders/{id}',
                kind: 2,
                startTimeUnixNano: T0.toString(),
                endTimeUnixNano: (T0 + 42_000_123n).toString(),
                attributes: [
                  str('code.function.name', 'com.acme.OrderController.get'),
                  kv('code.line.number', { intValue: '87' }),
                  kv('negative', { intValue: -5 }),
                  kv('ok', { boolValue: true }),
                  kv('off', { boolValue: false }),
                  kv('ratio', { doubleValue: 0.25 }),
                  kv('empty', { stringValue: '' }),
                  kv('zero', { intValue: '0' }),
                  kv('list', { arrayValue: { values: [{ stringValue: 'a' }, { intValue: 2 }] } }),
                  kv('map', {
                    kvlistValue: { values: [str('k', 'v'), kv('n', { doubleValue: 1.5 })] },
                  }),
                  kv('raw', { bytesValue: Buffer.from([1, 2, 3, 255]).toString('base64') }),
                  { key: 'unset' },
                ],
                events: [
                  {
                    timeUnixNano: (T0 + 41_000_000n).toString(),
                    name: 'exception',
                    attributes: [str('exception.type', 'IllegalStateException')],
                  },
                ],
                status: { code: 2, message: 'order not found' },
              },
            ],
          },
        ],
      },
      {
        resource: { attributes: [str('deployment.environment', 'staging')] },
        scopeSpans: [
          {
            spans: [
              {
                traceId: TRACE_ID,
                spanId: '1111111111111111',
                name: 'root',
                startTimeUnixNano: T0.toString(),
                endTimeUnixNano: T0.toString(),
              },
            ],
          },
        ],
      },
    ],
  };
}

const EXPECTED_ATTRIBUTES = {
  'code.function.name': 'com.acme.OrderController.get',
  'code.line.number': 87,
  negative: -5,
  ok: true,
  off: false,
  ratio: 0.25,
  empty: '',
  zero: 0,
  list: ['a', 2],
  map: { k: 'v', n: 1.5 },
  raw: Buffer.from([1, 2, 3, 255]).toString('base64'),
  unset: null,
};

function assertDecodedExample(result: ReturnType<typeof decodeTraces>): void {
  assert.equal(result.rejected, 0);
  assert.equal(result.errorMessage, undefined);
  assert.equal(result.spans.length, 2);
  const [s, root] = result.spans;
  assert.ok(s && root);
  assert.equal(s.traceId, TRACE_ID);
  assert.equal(s.spanId, SPAN_ID);
  assert.equal(s.parentSpanId, PARENT_ID);
  assert.equal(s.name, 'GET /orders/{id}');
  assert.equal(s.kind, 2);
  assert.equal(Math.round(s.startMs * 1e3), 1767225600123457); // µs precision on an epoch-ms double
  assert.equal(Math.round(s.durationMs * 1e6), 42_000_123);
  assert.equal(s.statusCode, 2);
  assert.equal(s.statusMessage, 'order not found');
  assert.deepEqual(s.attributes, EXPECTED_ATTRIBUTES);
  assert.equal(s.events.length, 1);
  assert.equal(s.events[0]!.name, 'exception');
  assert.equal(Math.round((s.events[0]!.timeMs - s.startMs) * 1e6), 41_000_000);
  assert.deepEqual(s.events[0]!.attributes, { 'exception.type': 'IllegalStateException' });
  // A service.version that is a commit id also names the deployed revision (version drift).
  assert.deepEqual(s.resource, {
    service: 'checkout',
    environment: 'prod',
    version: '4f2c1a9',
    revision: '4f2c1a9',
  });
  assert.equal(root.parentSpanId, '');
  assert.equal(root.durationMs, 0);
  assert.equal(root.kind, 0);
  assert.equal(root.statusCode, 0);
  assert.deepEqual(root.resource, {
    service: 'unknown_service',
    environment: 'staging',
    version: '',
  });
}

test('protobuf round trip converts every field and value kind', () => {
  assertDecodedExample(decodeTraces(encodeExportRequest('traces', pbTraceRequest()), 'protobuf'));
});

test('JSON round trip gives exactly what protobuf gives', () => {
  const json = decodeTraces(utf8(jsonTraceRequest()), 'json');
  assertDecodedExample(json);
  assert.deepEqual(json, decodeTraces(encodeExportRequest('traces', pbTraceRequest()), 'protobuf'));
});

test('durations are exact to the nanosecond from 64-bit timestamps, negative clamps to 0', () => {
  const spans = [1n, 3n, 999n, 1_000_001n, 2n ** 40n + 7n, -5n].map((d, i) => ({
    traceId: hex(TRACE_ID),
    spanId: hex(`00000000000000${i.toString(16).padStart(2, '0')}`),
    startTimeUnixNano: (T0 + BigInt(i)).toString(),
    endTimeUnixNano: (T0 + BigInt(i) + d).toString(),
  }));
  const expected = [1, 3, 999, 1_000_001, 2 ** 40 + 7, 0];
  const pb = decodeTraces(
    encodeExportRequest('traces', { resourceSpans: [{ scopeSpans: [{ spans }] }] }),
    'protobuf',
  );
  const asJson = spans.map((s) => ({
    ...s,
    traceId: s.traceId.toString('hex'),
    spanId: s.spanId.toString('hex'),
  }));
  const js = decodeTraces(utf8({ resourceSpans: [{ scopeSpans: [{ spans: asJson }] }] }), 'json');
  for (const r of [pb, js]) {
    assert.deepEqual(
      r.spans.map((s) => s.durationMs * 1e6),
      expected.map((ns) => (ns / 1e6) * 1e6),
    );
    assert.equal(r.spans[1]!.durationMs, 0.000003);
    assert.ok(r.spans.every((s) => s.durationMs >= 0));
  }
});

test('timestamps with the top bit set (uint64) stay unsigned', () => {
  const start = 2n ** 63n + 10n;
  const r = decodeTraces(
    encodeExportRequest('traces', {
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId: hex(TRACE_ID),
                  spanId: hex(SPAN_ID),
                  startTimeUnixNano: start.toString(),
                  endTimeUnixNano: (start + 5n).toString(),
                },
              ],
            },
          ],
        },
      ],
    }),
    'protobuf',
  );
  assert.ok(r.spans[0]!.startMs > 9e12);
  assert.equal(r.spans[0]!.durationMs, 0.000005);
});

test('ids become lowercase hex; JSON hex ids are case-insensitive', () => {
  const r = decodeTraces(
    encodeExportRequest('traces', {
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId: Buffer.alloc(16, 0xab),
                  spanId: Buffer.from([0, 1, 2, 3, 0xfe, 0xff, 0x0a, 0xa0]),
                },
              ],
            },
          ],
        },
      ],
    }),
    'protobuf',
  );
  assert.equal(r.spans[0]!.traceId, 'ab'.repeat(16));
  assert.equal(r.spans[0]!.spanId, '00010203feff0aa0');
  const j = decodeTraces(
    utf8({
      resourceSpans: [
        { scopeSpans: [{ spans: [{ traceId: 'AB'.repeat(16), spanId: '00010203FEff0AA0' }] }] },
      ],
    }),
    'json',
  );
  assert.equal(j.spans[0]!.traceId, 'ab'.repeat(16));
  assert.equal(j.spans[0]!.spanId, '00010203feff0aa0');
});

test('resource identity: defaults, current and deprecated environment keys', () => {
  const req = (attrs: unknown[]) => ({
    resourceSpans: [
      {
        resource: { attributes: attrs },
        scopeSpans: [{ spans: [{ traceId: TRACE_ID, spanId: SPAN_ID }] }],
      },
    ],
  });
  const res = (attrs: unknown[]) => decodeTraces(utf8(req(attrs)), 'json').spans[0]!.resource;
  assert.deepEqual(res([]), { service: 'unknown_service', environment: '', version: '' });
  assert.deepEqual(res([str('deployment.environment', 'old')]), {
    service: 'unknown_service',
    environment: 'old',
    version: '',
  });
  assert.deepEqual(
    res([str('deployment.environment', 'old'), str('deployment.environment.name', 'new')]),
    { service: 'unknown_service', environment: 'new', version: '' },
  );
  assert.deepEqual(res([str('service.name', 'api'), str('service.version', '1.2')]), {
    service: 'api',
    environment: '',
    version: '1.2',
  });
  // No resource at all (protobuf)
  const pb = decodeTraces(
    encodeExportRequest('traces', {
      resourceSpans: [
        { scopeSpans: [{ spans: [{ traceId: hex(TRACE_ID), spanId: hex(SPAN_ID) }] }] },
      ],
    }),
    'protobuf',
  );
  assert.deepEqual(pb.spans[0]!.resource, {
    service: 'unknown_service',
    environment: '',
    version: '',
  });
  // Resource attributes stay off the span
  assert.deepEqual(
    decodeTraces(utf8(req([str('service.name', 'api')])), 'json').spans[0]!.attributes,
    {},
  );
});

test('spans with bad ids are rejected, the others kept, with reasons', () => {
  const good = { traceId: hex(TRACE_ID), spanId: hex(SPAN_ID), name: 'good' };
  const pb = decodeTraces(
    encodeExportRequest('traces', {
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                good,
                {
                  traceId: hex(TRACE_ID).subarray(0, 15),
                  spanId: hex(SPAN_ID),
                  name: 'short trace',
                },
                { traceId: hex(TRACE_ID), name: 'no span id' },
                { ...good, name: 'good 2' },
                { spanId: hex(SPAN_ID), name: 'no trace id' },
                {
                  traceId: hex(TRACE_ID),
                  spanId: hex(SPAN_ID),
                  parentSpanId: Buffer.alloc(3),
                  name: 'bad parent',
                },
              ],
            },
          ],
        },
      ],
    }),
    'protobuf',
  );
  assert.deepEqual(
    pb.spans.map((s) => s.name),
    ['good', 'good 2'],
  );
  assert.equal(pb.rejected, 4);
  assert.match(pb.errorMessage ?? '', /^4 spans rejected/);
  assert.match(pb.errorMessage ?? '', /spans\[1\]: traceId must be 16 bytes, got 15/);
  assert.match(pb.errorMessage ?? '', /spans\[2\]: spanId must be 8 bytes, got 0/);
  assert.match(pb.errorMessage ?? '', /and 1 more/);

  const js = decodeTraces(
    utf8({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                { traceId: TRACE_ID, spanId: SPAN_ID, name: 'good' },
                { traceId: 'zz'.repeat(16), spanId: SPAN_ID, name: 'not hex' },
                { traceId: TRACE_ID, spanId: SPAN_ID.slice(2), name: 'short' },
                { traceId: '', spanId: SPAN_ID, name: 'empty' },
              ],
            },
          ],
        },
      ],
    }),
    'json',
  );
  assert.deepEqual(
    js.spans.map((s) => s.name),
    ['good'],
  );
  assert.equal(js.rejected, 3);
  assert.match(js.errorMessage ?? '', /traceId must be 32 hex characters/);
});

/** Deterministic pseudo-random bytes (xorshift), so the test never flakes. */
function pseudoRandom(n: number, seed: number): Buffer {
  const out = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function assertUndecodable(fn: () => unknown, pattern?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof OtlpDecodeError, `expected OtlpDecodeError, got ${String(err)}`);
    assert.ok(err.message.length > 10);
    if (pattern) assert.match(err.message, pattern);
    return true;
  });
}

test('undecodable protobuf throws OtlpDecodeError (random bytes, truncated, deep nesting)', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const junk = pseudoRandom(2048, seed);
    assertUndecodable(() => decodeTraces(junk, 'protobuf'));
    assertUndecodable(() => decodeLogs(junk, 'protobuf'));
    assertUndecodable(() => decodeMetrics(junk, 'protobuf'));
    assertUndecodable(() => decodeTracesRaw(junk));
  }
  const valid = encodeExportRequest('traces', pbTraceRequest());
  for (const cut of [1, 10, valid.length >> 1, valid.length - 1]) {
    assertUndecodable(
      () => decodeTraces(valid.subarray(0, cut), 'protobuf'),
      /OTLP\/protobuf ExportTraceServiceRequest/,
    );
  }
  // AnyValue nested 1,000 levels deep (hand-encoded: protobufjs refuses to encode it), which
  // protobufjs' recursion limit refuses to decode; reported as a decode error.
  const field = (no: number, bytes: Uint8Array): Uint8Array =>
    protobuf.Writer.create()
      .uint32((no << 3) | 2)
      .bytes(bytes)
      .finish();
  let anyValue = field(1, Buffer.from('leaf'));
  for (let i = 0; i < 1000; i++) anyValue = field(5, field(1, anyValue)); // AnyValue{array_value{values[0]}}
  const keyValue = Buffer.concat([field(1, Buffer.from('deep')), field(2, anyValue)]);
  const spanBytes = Buffer.concat([
    field(1, hex(TRACE_ID)),
    field(2, hex(SPAN_ID)),
    field(9, keyValue),
  ]);
  const deep = field(1, field(2, field(2, spanBytes))); // request.resource_spans.scope_spans.spans
  assertUndecodable(() => decodeTraces(deep, 'protobuf'), /depth/);
  assertUndecodable(() => decodeTracesRaw(deep), /depth/);

  // The deepest value decodeTraces accepts (MAX_VALUE_DEPTH kvlists, inside an event) is also
  // within protobufjs' own recursion limit, so the raw baseline decodes it too.
  const nested = (levels: number): Record<string, unknown> => {
    let v: Record<string, unknown> = { stringValue: 'leaf' };
    for (let i = 0; i < levels; i++) v = { kvlistValue: { values: [kv('k', v)] } };
    return v;
  };
  const inEvent = (levels: number) =>
    encodeExportRequest('traces', {
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId: hex(TRACE_ID),
                  spanId: hex(SPAN_ID),
                  events: [{ name: 'e', attributes: [kv('deep', nested(levels))] }],
                },
              ],
            },
          ],
        },
      ],
    });
  const ok = decodeTraces(inEvent(MAX_VALUE_DEPTH), 'protobuf');
  assert.equal(ok.spans.length, 1);
  assert.doesNotThrow(() => decodeTracesRaw(inEvent(MAX_VALUE_DEPTH)));
  assertUndecodable(() => decodeTraces(inEvent(MAX_VALUE_DEPTH + 1), 'protobuf'), /nested deeper/);
});

test('undecodable JSON throws OtlpDecodeError (syntax, wrong shapes, deep nesting)', () => {
  const cases: [string, RegExp][] = [
    ['', /invalid JSON/],
    ['{"resourceSpans": [', /invalid JSON/],
    ['[]', /must be a JSON object, got an array/],
    ['[{"resourceSpans": []}]', /must be a JSON object/],
    ['null', /must be a JSON object, got null/],
    ['"text"', /must be a JSON object/],
    ['{"resourceSpans": 5}', /at resourceSpans: expected an array, got a number/],
    ['{"resourceSpans": [5]}', /at resourceSpans\[0\]: expected an object/],
    [
      '{"resourceSpans": [{"scopeSpans": {}}]}',
      /resourceSpans\[0\]\.scopeSpans: expected an array/,
    ],
    [
      JSON.stringify({
        resourceSpans: [
          { scopeSpans: [{ spans: [{ traceId: TRACE_ID, spanId: SPAN_ID, name: 7 }] }] },
        ],
      }),
      /spans\[0\]\.name: expected a string/,
    ],
    [
      JSON.stringify({
        resourceSpans: [
          {
            scopeSpans: [
              { spans: [{ traceId: TRACE_ID, spanId: SPAN_ID, startTimeUnixNano: 'soon' }] },
            ],
          },
        ],
      }),
      /startTimeUnixNano/,
    ],
    [
      JSON.stringify({
        resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 42, spanId: SPAN_ID }] }] }],
      }),
      /traceId: expected a string/,
    ],
    [
      JSON.stringify({
        resourceSpans: [{ scopeSpans: [{ spans: [{ kind: 'SPAN_KIND_SERVER' }] }] }],
      }),
      /kind: expected an integer/,
    ],
    [
      JSON.stringify({
        resourceSpans: [
          { scopeSpans: [{ spans: [{ attributes: [kv('a', { intValue: 'x' })] }] }] },
        ],
      }),
      /attributes\[0\]\.value\.intValue/,
    ],
  ];
  for (const [text, pattern] of cases)
    assertUndecodable(() => decodeTraces(utf8(text), 'json'), pattern);

  // 100k levels: JSON.parse copes, a recursive normalizer would overflow the stack.
  const depth = 100_000;
  const deepValue = '{"arrayValue":{"values":['.repeat(depth) + ']}}'.repeat(depth);
  const deepJson = `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${TRACE_ID}","spanId":"${SPAN_ID}","attributes":[{"key":"k","value":${deepValue}}]}]}]}]}`;
  assertUndecodable(() => decodeTraces(utf8(deepJson), 'json'), /nested deeper/);
  const deepBody =
    '{"kvlistValue":{"values":[{"key":"a","value":'.repeat(depth) + '}]}}'.repeat(depth);
  assertUndecodable(() =>
    decodeLogs(
      utf8(`{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":${deepBody}}]}]}]}`),
      'json',
    ),
  );
  assertUndecodable(() => decodeTraces(utf8('['.repeat(depth) + ']'.repeat(depth)), 'json'));
  assertUndecodable(() => decodeMetrics(utf8('{"resourceMetrics":{}}'), 'json'));
  assertUndecodable(() =>
    decodeLogs(
      utf8('{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"severityText":false}]}]}]}'),
      'json',
    ),
  );
});

test('an empty protobuf body and an empty JSON object are valid empty requests', () => {
  assert.deepEqual(decodeTraces(new Uint8Array(0), 'protobuf'), { spans: [], rejected: 0 });
  assert.deepEqual(decodeTraces(utf8('{}'), 'json'), { spans: [], rejected: 0 });
  assert.deepEqual(decodeLogs(utf8('{}'), 'json'), { logs: [], rejected: 0 });
  assert.deepEqual(decodeMetrics(new Uint8Array(0), 'protobuf'), { dataPoints: 0, rejected: 0 });
});

test('attributes and events are capped; long strings are cut on a character boundary', () => {
  const attributes = Array.from({ length: 10_000 }, (_, i) => kv(`attr.${i}`, { intValue: i }));
  const events = Array.from({ length: 300 }, (_, i) => ({
    name: `e${i}`,
    attributes: attributes.slice(0, 200),
  }));
  const long = 'x'.repeat(10_000);
  const multibyte = 'é'.repeat(3_000); // 6,000 bytes
  const spanPb = {
    traceId: hex(TRACE_ID),
    spanId: hex(SPAN_ID),
    attributes: [
      str('long', long),
      str('multibyte', multibyte),
      str('emoji', '😀'.repeat(2000)),
      ...attributes,
    ],
    events,
  };
  const spanJson = { ...spanPb, traceId: TRACE_ID, spanId: SPAN_ID };
  const pb = decodeTraces(
    encodeExportRequest('traces', { resourceSpans: [{ scopeSpans: [{ spans: [spanPb] }] }] }),
    'protobuf',
  );
  const js = decodeTraces(
    utf8({ resourceSpans: [{ scopeSpans: [{ spans: [spanJson] }] }] }),
    'json',
  );
  for (const r of [pb, js]) {
    const s = r.spans[0]!;
    assert.equal(Object.keys(s.attributes).length, MAX_ATTRIBUTES);
    assert.equal(s.attributes['attr.0'], 0);
    assert.equal(s.attributes['attr.124'], 124);
    assert.equal(s.attributes['attr.125'], undefined);
    assert.equal(s.attributes.long, 'x'.repeat(4096));
    const mb = s.attributes.multibyte as string;
    assert.equal(mb, 'é'.repeat(2048));
    const emoji = s.attributes.emoji as string;
    assert.equal(emoji, '😀'.repeat(1024));
    assert.equal(s.events.length, MAX_EVENTS);
    assert.equal(Object.keys(s.events[0]!.attributes).length, MAX_ATTRIBUTES);
  }
});

test('invalid UTF-8 in a protobuf string field is accepted (replacement characters)', () => {
  const marker = 'MARKER';
  const bytes = Buffer.from(
    encodeExportRequest('traces', {
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId: hex(TRACE_ID),
                  spanId: hex(SPAN_ID),
                  name: marker,
                  attributes: [str('v', marker)],
                },
              ],
            },
          ],
        },
      ],
    }),
  );
  let at = bytes.indexOf(marker);
  while (at >= 0) {
    bytes.set([0x61, 0xff, 0xfe, 0xc3, 0x28, 0x62], at); // "a", two invalid bytes, a broken 2-byte sequence, "b"
    at = bytes.indexOf(marker);
  }
  const r = decodeTraces(bytes, 'protobuf');
  assert.equal(r.spans.length, 1);
  assert.match(r.spans[0]!.name, /^a\uFFFD+\(b$/);
  assert.match(r.spans[0]!.attributes.v as string, /^a\uFFFD+\(b$/);
});

test('JSON accepts 64-bit integers as numbers or strings and ignores unknown fields', () => {
  const asNumbers = {
    resourceSpans: [
      {
        futureField: { anything: [1, 2] },
        resource: { attributes: [str('service.name', 'api')], droppedAttributesCount: 0 },
        schemaUrl: 'https://opentelemetry.io/schemas/1.30.0',
        scopeSpans: [
          {
            scope: { name: 's', attributes: [] },
            spans: [
              {
                traceId: TRACE_ID,
                spanId: SPAN_ID,
                traceState: 'a=b',
                flags: 257,
                // Both exactly representable as doubles (multiples of 2^17 ns).
                startTimeUnixNano: 1767225600000000000,
                endTimeUnixNano: 1767225600262144000,
                links: [{ traceId: TRACE_ID, spanId: SPAN_ID }],
                droppedEventsCount: 3,
                attributes: [kv('n', { intValue: 12, extra: true }), kv('s', { intValue: '12' })],
                status: { code: 1, extra: 'x' },
                dropped_attributes_count: 9,
              },
            ],
          },
        ],
      },
    ],
    extra: 1,
  };
  const r = decodeTraces(utf8(asNumbers), 'json');
  assert.equal(r.rejected, 0);
  const s = r.spans[0]!;
  assert.equal(s.durationMs, 262.144);
  assert.equal(s.startMs, 1767225600000);
  assert.deepEqual(s.attributes, { n: 12, s: 12 });
  assert.equal(s.statusCode, 1);
  // doubles may come as strings for non-finite values (proto3 JSON)
  const d = decodeTraces(
    utf8({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId: TRACE_ID,
                  spanId: SPAN_ID,
                  attributes: [
                    kv('inf', { doubleValue: 'Infinity' }),
                    kv('nan', { doubleValue: 'NaN' }),
                  ],
                },
              ],
            },
          ],
        },
      ],
    }),
    'json',
  );
  assert.equal(d.spans[0]!.attributes.inf, Infinity);
  assert.ok(Number.isNaN(d.spans[0]!.attributes.nan));
});

test('protobuf ignores unknown fields (links, trace_state, future fields)', () => {
  // A superset schema, as a newer sender would have it: extra Span fields and a future one.
  const root = protobuf.parse(`syntax = "proto3";
    message KeyValue { string key = 1; AnyValue value = 2; }
    message AnyValue { string string_value = 1; }
    message Link { bytes trace_id = 1; bytes span_id = 2; }
    message Span {
      bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; string name = 5;
      fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8;
      repeated KeyValue attributes = 9; repeated Link links = 13; fixed32 flags = 16; string future = 99;
    }
    message ScopeSpans { repeated Span spans = 2; string schema_url = 3; }
    message ResourceSpans { repeated ScopeSpans scope_spans = 2; repeated string future = 50; }
    message Req { repeated ResourceSpans resource_spans = 1; uint64 future = 1000; }`).root;
  const Req = root.lookupType('Req');
  const bytes = Req.encode(
    Req.fromObject({
      future: 7,
      resourceSpans: [
        {
          future: ['x'],
          scopeSpans: [
            {
              schemaUrl: 'u',
              spans: [
                {
                  traceId: hex(TRACE_ID),
                  spanId: hex(SPAN_ID),
                  traceState: 'k=v',
                  name: 'n',
                  startTimeUnixNano: '1000',
                  endTimeUnixNano: '3000',
                  attributes: [{ key: 'a', value: { stringValue: 'b' } }],
                  links: [{ traceId: hex(TRACE_ID), spanId: hex(SPAN_ID) }],
                  flags: 0x301,
                  future: 'later',
                },
              ],
            },
          ],
        },
      ],
    }),
  ).finish();
  const r = decodeTraces(bytes, 'protobuf');
  assert.equal(r.spans.length, 1);
  assert.equal(r.spans[0]!.name, 'n');
  assert.equal(r.spans[0]!.durationMs, 0.002);
  assert.deepEqual(r.spans[0]!.attributes, { a: 'b' });
});

test('a "__proto__" attribute key stays plain data', () => {
  const r = decodeTraces(
    utf8({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId: TRACE_ID,
                  spanId: SPAN_ID,
                  attributes: [
                    str('__proto__', 'x'),
                    kv('m', { kvlistValue: { values: [str('__proto__', 'y')] } }),
                  ],
                },
              ],
            },
          ],
        },
      ],
    }),
    'json',
  );
  const attrs = r.spans[0]!.attributes;
  assert.equal(Object.getPrototypeOf(attrs), Object.prototype);
  assert.deepEqual(Object.keys(attrs), ['__proto__', 'm']);
  assert.equal(Object.getOwnPropertyDescriptor(attrs, '__proto__')?.value, 'x');
  const pb = decodeTraces(
    encodeExportRequest('traces', {
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId: hex(TRACE_ID),
                  spanId: hex(SPAN_ID),
                  attributes: [str('__proto__', 'x')],
                },
              ],
            },
          ],
        },
      ],
    }),
    'protobuf',
  );
  assert.equal(Object.getPrototypeOf(pb.spans[0]!.attributes), Object.prototype);
  assert.equal(Object.getOwnPropertyDescriptor(pb.spans[0]!.attributes, '__proto__')?.value, 'x');
});

test('logs: body flattened to text, ids, time fallback, resource, caps and rejections (both formats)', () => {
  const records = [
    {
      timeUnixNano: T0.toString(),
      severityNumber: 17,
      severityText: 'ERROR',
      body: { stringValue: 'boom' },
      traceId: hex(TRACE_ID),
      spanId: hex(SPAN_ID),
      attributes: [str('code.file.path', 'a.ts')],
    },
    {
      observedTimeUnixNano: T0.toString(),
      body: { kvlistValue: { values: [str('msg', 'hi'), kv('n', { intValue: 3 })] } },
    },
    { body: { intValue: 42 } },
    { body: { stringValue: 'y'.repeat(20_000) } },
    { traceId: hex(TRACE_ID).subarray(0, 4), body: { stringValue: 'bad id' } },
    {},
  ];
  const pb = decodeLogs(
    encodeExportRequest('logs', {
      resourceLogs: [
        {
          resource: { attributes: [str('service.name', 'api')] },
          scopeLogs: [{ logRecords: records }],
        },
      ],
    }),
    'protobuf',
  );
  const jsonRecords = records.map((r) => ({
    ...r,
    ...(r.traceId ? { traceId: r.traceId.toString('hex').toUpperCase() } : {}),
    ...(r.spanId ? { spanId: r.spanId.toString('hex') } : {}),
  }));
  const js = decodeLogs(
    utf8({
      resourceLogs: [
        {
          resource: { attributes: [str('service.name', 'api')] },
          scopeLogs: [{ logRecords: jsonRecords }],
        },
      ],
    }),
    'json',
  );
  assert.deepEqual(js.logs, pb.logs);
  assert.equal(js.rejected, 1);
  assert.equal(pb.rejected, 1);
  assert.match(pb.errorMessage ?? '', /1 log record rejected: .*logRecords\[4\]: traceId/);
  const [a, b, c, d, e] = pb.logs;
  assert.ok(a && b && c && d && e);
  assert.equal(pb.logs.length, 5);
  assert.deepEqual(
    { ...a, timeMs: 0 },
    {
      timeMs: 0,
      severityNumber: 17,
      severityText: 'ERROR',
      body: 'boom',
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      attributes: { 'code.file.path': 'a.ts' },
      resource: { service: 'api', environment: '', version: '' },
    },
  );
  assert.equal(Math.round(a.timeMs * 1e3), 1767225600123457);
  assert.equal(b.timeMs, a.timeMs);
  assert.equal(b.body, '{"msg":"hi","n":3}');
  assert.equal(b.traceId, '');
  assert.equal(c.body, '42');
  assert.equal(d.body.length, 16 * 1024);
  assert.equal(e.body, '');
});

test('metrics: data points are counted across all metric kinds (both formats)', () => {
  const dp = (n: number) =>
    Array.from({ length: n }, () => ({ timeUnixNano: T0.toString(), asDouble: 1 }));
  const metrics = [
    { name: 'g', gauge: { dataPoints: dp(2) } },
    { name: 's', sum: { dataPoints: dp(3), aggregationTemporality: 2, isMonotonic: true } },
    { name: 'h', histogram: { dataPoints: [{ count: '4', sum: 1.5 }], aggregationTemporality: 1 } },
    { name: 'e', exponentialHistogram: { dataPoints: [{ count: 1 }, { count: 2 }] } },
    { name: 'q', summary: { dataPoints: [{ count: 1, sum: 2 }] } },
    { name: 'empty' },
  ];
  const req = {
    resourceMetrics: [
      {
        resource: { attributes: [str('service.name', 'api')] },
        scopeMetrics: [{ metrics }, { metrics }],
      },
    ],
  };
  assert.deepEqual(decodeMetrics(encodeExportRequest('metrics', req), 'protobuf'), {
    dataPoints: 18,
    rejected: 0,
  });
  assert.deepEqual(decodeMetrics(utf8(req), 'json'), { dataPoints: 18, rejected: 0 });
});

test('responses: export responses and google.rpc.Status in both formats', () => {
  const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');
  assert.equal(text(encodeExportResponse('traces', 'json')), '{}');
  assert.equal(
    text(encodeExportResponse('traces', 'json', { rejected: 0, errorMessage: '' })),
    '{}',
  );
  assert.equal(
    text(
      encodeExportResponse('traces', 'json', {
        rejected: 3,
        errorMessage: '3 spans had empty traceId',
      }),
    ),
    '{"partialSuccess":{"rejectedSpans":"3","errorMessage":"3 spans had empty traceId"}}',
  );
  assert.equal(
    text(encodeExportResponse('logs', 'json', { rejected: 1, errorMessage: 'x' })),
    '{"partialSuccess":{"rejectedLogRecords":"1","errorMessage":"x"}}',
  );
  assert.equal(
    text(encodeExportResponse('metrics', 'json', { rejected: 2, errorMessage: 'y' })),
    '{"partialSuccess":{"rejectedDataPoints":"2","errorMessage":"y"}}',
  );
  assert.equal(
    text(encodeExportResponse('traces', 'json', { rejected: 0, errorMessage: 'warning only' })),
    '{"partialSuccess":{"errorMessage":"warning only"}}',
  );
  assert.equal(encodeExportResponse('traces', 'protobuf').length, 0);

  const types = otlpTypes();
  const decoded = types.traceResponse.toObject(
    types.traceResponse.decode(
      encodeExportResponse('traces', 'protobuf', { rejected: 3, errorMessage: 'bad ids' }),
    ),
    { longs: String },
  );
  assert.deepEqual(decoded, { partialSuccess: { rejectedSpans: '3', errorMessage: 'bad ids' } });
  const logs = types.logsResponse.toObject(
    types.logsResponse.decode(
      encodeExportResponse('logs', 'protobuf', { rejected: 5, errorMessage: 'm' }),
    ),
    { longs: Number },
  );
  assert.deepEqual(logs, { partialSuccess: { rejectedLogRecords: 5, errorMessage: 'm' } });

  assert.deepEqual(JSON.parse(text(encodeStatus('json', 3, 'invalid hex'))), {
    code: 3,
    message: 'invalid hex',
  });
  assert.deepEqual(
    types.status.toObject(types.status.decode(encodeStatus('protobuf', 3, 'invalid hex'))),
    { code: 3, message: 'invalid hex' },
  );
});

test('decodeTracesRaw decodes without converting', () => {
  const raw = decodeTracesRaw(encodeExportRequest('traces', pbTraceRequest())) as {
    resourceSpans: { scopeSpans: { spans: { name: string }[] }[] }[];
  };
  assert.equal(raw.resourceSpans.length, 2);
  assert.equal(raw.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.name, 'GET /orders/{id}');
});

test('the direct trace decoder reads the field numbers and wire types of the .proto schema', () => {
  const root = otlpTypes().traceRequest.root;
  // (No repeated scalars are read directly, so packed encoding does not come into it.)
  const wireType = (type: string, isMessage: boolean): number => {
    if (isMessage || type === 'string' || type === 'bytes') return 2;
    if (type === 'fixed64' || type === 'sfixed64' || type === 'double') return 1;
    if (type === 'fixed32' || type === 'sfixed32' || type === 'float') return 5;
    return 0;
  };
  let checked = 0;
  for (const [typeName, fields] of Object.entries(TRACE_WIRE_TAGS)) {
    const type = root.lookupType(typeName);
    for (const [fieldName, tag] of Object.entries(fields)) {
      const field = type.fields[fieldName];
      assert.ok(field, `${typeName}.${fieldName} is in the schema`);
      field.resolve();
      const isMessage = field.resolvedType instanceof protobuf.Type;
      assert.equal(
        tag,
        (field.id << 3) | wireType(field.type, isMessage),
        `${typeName}.${fieldName}`,
      );
      checked++;
    }
  }
  assert.ok(checked >= 30);
});

test('the direct trace decoder handles wire-level oddities like the reflection decoder', () => {
  const w = () => protobuf.Writer.create();
  const ld = (no: number, bytes: Uint8Array) =>
    w()
      .uint32((no << 3) | 2)
      .bytes(bytes)
      .finish();
  const span = (...parts: Uint8Array[]) => ld(1, ld(2, ld(2, Buffer.concat(parts)))); // request.resourceSpans.scopeSpans.spans
  const ids = Buffer.concat([ld(1, hex(TRACE_ID)), ld(2, hex(SPAN_ID))]);
  // Repeated singular field: last wins; a known field with the wrong wire type is skipped.
  const name2 = Buffer.concat([
    ld(5, Buffer.from('first')),
    ld(5, Buffer.from('second')),
    w()
      .uint32((6 << 3) | 2)
      .bytes(Buffer.from('x'))
      .finish(),
  ]);
  const r = decodeTraces(span(ids, name2), 'protobuf');
  assert.equal(r.spans[0]!.name, 'second');
  assert.equal(r.spans[0]!.kind, 0);
  // A group-encoded unknown field is skipped.
  const group = w()
    .uint32((20 << 3) | 3)
    .uint32((1 << 3) | 0)
    .uint32(5)
    .uint32((20 << 3) | 4)
    .finish();
  assert.equal(decodeTraces(span(ids, group), 'protobuf').spans.length, 1);
  // A nested length running past its parent is an error, not a silent read of the next message.
  const overrun = Buffer.concat([ids, Buffer.from([(5 << 3) | 2, 50]), Buffer.from('short')]);
  assertUndecodable(() => decodeTraces(span(overrun), 'protobuf'), /index out of range/);
  assertUndecodable(() => decodeTracesRaw(span(overrun)), /index out of range/);
  // Field number 0 and the reserved wire types are errors.
  assertUndecodable(() => decodeTraces(Buffer.from([0x00, 0x01]), 'protobuf'));
  assertUndecodable(() => decodeTraces(Buffer.from([(3 << 3) | 7]), 'protobuf'), /wire type/);
  // A resource given after its spans still applies to them.
  const late = ld(
    1,
    Buffer.concat([
      ld(2, ld(2, ids)),
      ld(
        1,
        ld(
          1,
          Buffer.concat([ld(1, Buffer.from('service.name')), ld(2, ld(1, Buffer.from('late')))]),
        ),
      ),
    ]),
  );
  assert.equal(decodeTraces(late, 'protobuf').spans[0]!.resource.service, 'late');
});

test('repeated keys and values decode correctly span after span (recent-string reuse)', () => {
  const marker = 'ZZZ'; // patched into invalid bytes below
  const values = ['GET', 'GET', 'PUT', 'PUTS', 'é', 'ée', marker, 'GET', '', 'GET'];
  const spans = values.map((v, i) => ({
    traceId: hex(TRACE_ID),
    spanId: hex(SPAN_ID),
    name: v,
    attributes: [str(i % 2 ? 'http.method' : 'http.methoe', v), str('k', v)],
  }));
  const bytes = Buffer.from(
    encodeExportRequest('traces', { resourceSpans: [{ scopeSpans: [{ spans }] }] }),
  );
  for (let at = bytes.indexOf(marker); at >= 0; at = bytes.indexOf(marker))
    bytes.set([0xff, 0x47, 0xc3], at); // invalid, 'G', truncated
  const r = decodeTraces(bytes, 'protobuf');
  const expected = values.map((v) => (v === marker ? '\uFFFDG\uFFFD' : v));
  assert.deepEqual(
    r.spans.map((s) => s.name),
    expected,
  );
  assert.deepEqual(
    r.spans.map((s) => Object.entries(s.attributes)),
    expected.map((v, i) => [
      [i % 2 ? 'http.method' : 'http.methoe', v],
      ['k', v],
    ]),
  );
});

// Interop: the real OpenTelemetry JS SDK exporters (http/protobuf and http/json, with and
// without gzip) send to the embedded receiver, and the store reports exactly what they sent.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { join } from 'node:path';
import { SpanStatusCode, type HrTime } from '@opentelemetry/api';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { createWorkspaceEngine } from '../../src/core/engine/create';
import type { Engine } from '../../src/core/engine/engine';
import type { SpanRecord } from '../../src/core/model';
import { OtlpHttpReceiver } from '../../src/core/receiver/http-receiver';

const WORKSPACE = join(__dirname, '..', 'fixtures', 'workspace');
let engine: Engine;
let receiver: OtlpHttpReceiver;
let url: string;
/** Every span the receiver handed to the engine, as decoded. */
const received: SpanRecord[] = [];

before(async () => {
  ({ engine } = await createWorkspaceEngine(WORKSPACE));
  receiver = new OtlpHttpReceiver({
    port: 0,
    sinks: {
      traces: (s) => {
        received.push(...s);
        engine.ingestSpans(s);
      },
      logs: (l) => engine.ingestLogs(l),
      metrics: (n) => engine.ingestMetricPoints(n),
    },
  });
  url = (await receiver.start()).url;
});

after(async () => {
  await receiver.stop();
});

const combos = [
  {
    name: 'http/protobuf',
    make: (u: string, c: CompressionAlgorithm) =>
      new ProtoTraceExporter({ url: `${u}/v1/traces`, compression: c }),
  },
  {
    name: 'http/json',
    make: (u: string, c: CompressionAlgorithm) =>
      new JsonTraceExporter({ url: `${u}/v1/traces`, compression: c }),
  },
];

describe('real OTel SDK trace exporters', () => {
  for (const combo of combos) {
    for (const compression of [CompressionAlgorithm.NONE, CompressionAlgorithm.GZIP]) {
      test(`${combo.name} ${compression === CompressionAlgorithm.GZIP ? 'gzip' : 'uncompressed'}: every span arrives with exact durations, ids, status and attributes`, async () => {
        const service = `interop-${combo.name.replace('/', '-')}-${compression}`;
        const provider = new BasicTracerProvider({
          resource: resourceFromAttributes({
            'service.name': service,
            'service.version': '9.9.9',
            'deployment.environment.name': 'interop',
          }),
          spanProcessors: [
            new BatchSpanProcessor(combo.make(url, compression), {
              maxExportBatchSize: 16,
              scheduledDelayMillis: 50,
            }),
          ],
        });
        const tracer = provider.getTracer('interop');
        const baseSec = Math.floor(Date.now() / 1000) - 30;
        const sent = new Map<string, { durationNs: number; error: boolean }>();
        const before = engine.counters.spans;
        for (let i = 1; i <= 40; i++) {
          const start: HrTime = [baseSec, 0];
          const durationNs = i * 1_250_001; // odd nanoseconds: precision must survive the wire
          const end: HrTime = [baseSec + Math.floor(durationNs / 1e9), durationNs % 1e9];
          const span = tracer.startSpan('OrderService.placeOrder', {
            startTime: start,
            attributes: {
              'code.file.path': '/srv/app/src/orders.ts',
              'code.function.name': 'OrderService.placeOrder',
              'code.line.number': 12,
              'order.items': i,
            },
          });
          const error = i % 10 === 0;
          if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: 'card declined' });
          sent.set(span.spanContext().spanId, { durationNs, error });
          span.end(end);
        }
        await provider.forceFlush();
        await provider.shutdown();
        assert.equal(engine.counters.spans - before, 40);
        const got = received.filter((s) => s.resource.service === service);
        assert.equal(got.length, 40);
        for (const s of got) {
          const want = sent.get(s.spanId);
          assert.ok(want, `unexpected span id ${s.spanId}`);
          assert.ok(
            Math.abs(s.durationMs - want.durationNs / 1e6) < 1e-9,
            `duration ${s.durationMs} vs ${want.durationNs / 1e6}`,
          );
          assert.equal(s.statusCode === 2, want.error);
          assert.equal(s.resource.version, '9.9.9');
          assert.equal(s.resource.environment, 'interop');
          assert.equal(s.attributes['code.line.number'], 12);
          assert.match(s.traceId, /^[0-9a-f]{32}$/);
        }
        // And the aggregate over them is what was sent: 40 spans, 4 errors, max exact.
        const series = [...engine.allSeries()].filter((s) => s.identity.service === service);
        const w = engine.windowStats(series, 15 * 60_000);
        assert.equal(w.count, 40);
        assert.equal(w.errors, 4);
        assert.ok(Math.abs(w.maxMs - 40 * 1.250001) < 1e-9);
        // Mapped onto the fixture's function through the path suffix and the line.
        const fns = await engine.report({ windowMs: 15 * 60_000 });
        const row = fns.find((f) => f.services.includes(service));
        assert.equal(row?.function.qualifiedName, 'OrderService.placeOrder');
        assert.equal(row?.file, 'src/orders.ts');
      });
    }
  }
});

test('real OTel SDK log exporter (http/protobuf): every record arrives', async () => {
  const before = engine.logsReceived;
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'interop-logs' }),
    processors: [
      new SimpleLogRecordProcessor({ exporter: new ProtoLogExporter({ url: `${url}/v1/logs` }) }),
    ],
  });
  const logger = provider.getLogger('interop');
  for (let i = 0; i < 25; i++)
    logger.emit({ body: `order placed orderId=${i}`, severityText: 'INFO', severityNumber: 9 });
  await provider.forceFlush();
  await provider.shutdown();
  assert.equal(engine.logsReceived - before, 25);
});

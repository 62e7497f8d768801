// Interop: the real OpenTelemetry JS OTLP/gRPC trace exporter sends to the embedded gRPC
// receiver and every span arrives exactly; garbage, oversized and partly bad requests get the
// gRPC status OTLP prescribes, and the receiver keeps serving after each.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';
import {
  Client,
  credentials,
  Metadata,
  status as GrpcStatus,
  type ServiceError,
} from '@grpc/grpc-js';
import { SpanStatusCode, type HrTime } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { LogRecordData, SpanRecord } from '../../src/core/model';
import { encodeExportRequest } from '../../src/core/ingest/request-encode';
import { otlpTypes } from '../../src/core/ingest/proto-root';
import { OtlpGrpcReceiver, PortInUseError } from '../../src/core/receiver/grpc-receiver';

const received: SpanRecord[] = [];
const logs: LogRecordData[] = [];
let receiver: OtlpGrpcReceiver;
let url: string;
let address: string;
const clients: Client[] = [];

before(async () => {
  receiver = new OtlpGrpcReceiver({
    port: 0,
    maxMessageBytes: 256 * 1024,
    sinks: {
      traces: (s) => received.push(...s),
      logs: (l) => logs.push(...l),
      metrics: () => undefined,
    },
  });
  const a = await receiver.start();
  url = a.url;
  address = `${a.host}:${a.port}`;
});

after(async () => {
  for (const c of clients) c.close();
  await receiver.stop();
});

const TRACE_EXPORT = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

/** One raw unary call: bytes in, bytes (or a gRPC error) out. */
function rawCall(path: string, body: Buffer): Promise<{ err: ServiceError | null; res?: Buffer }> {
  const client = new Client(address, credentials.createInsecure());
  clients.push(client);
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      path,
      (b: Buffer) => b,
      (b: Buffer) => b,
      body,
      new Metadata(),
      {},
      (err, res) => resolve({ err, ...(res ? { res } : {}) }),
    );
  });
}

async function sendWithExporter(
  service: string,
  count: number,
  compression: CompressionAlgorithm,
): Promise<Map<string, { durationNs: number; error: boolean }>> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': service,
      'service.version': '1.2.3',
      'deployment.environment.name': 'grpc',
    }),
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url, compression }), {
        maxExportBatchSize: 16,
        scheduledDelayMillis: 50,
      }),
    ],
  });
  const tracer = provider.getTracer('grpc-interop');
  const baseSec = Math.floor(Date.now() / 1000) - 30;
  const sent = new Map<string, { durationNs: number; error: boolean }>();
  for (let i = 1; i <= count; i++) {
    const durationNs = i * 1_250_001 + 7; // odd nanoseconds: precision must survive the wire
    const end: HrTime = [baseSec + Math.floor(durationNs / 1e9), durationNs % 1e9];
    const span = tracer.startSpan('OrderService.placeOrder', {
      startTime: [baseSec, 0],
      attributes: { 'code.line.number': 12, 'order.items': i },
    });
    const error = i % 5 === 0;
    if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: 'card declined' });
    sent.set(span.spanContext().spanId, { durationNs, error });
    span.end(end);
  }
  await provider.forceFlush();
  await provider.shutdown();
  return sent;
}

function checkArrived(
  service: string,
  sent: Map<string, { durationNs: number; error: boolean }>,
): void {
  const got = received.filter((s) => s.resource.service === service);
  assert.equal(got.length, sent.size);
  for (const s of got) {
    const want = sent.get(s.spanId);
    assert.ok(want, `unexpected span id ${s.spanId}`);
    assert.ok(
      Math.abs(s.durationMs - want.durationNs / 1e6) < 1e-9,
      `duration ${s.durationMs} vs ${want.durationNs / 1e6}`,
    );
    assert.equal(s.statusCode === 2, want.error);
    assert.equal(s.resource.version, '1.2.3');
    assert.equal(s.resource.environment, 'grpc');
    assert.equal(s.attributes['code.line.number'], 12);
    assert.match(s.traceId, /^[0-9a-f]{32}$/);
  }
}

test('real OTLP/gRPC exporter: every span arrives with exact durations, status and resource', async () => {
  const sent = await sendWithExporter('grpc-plain', 40, CompressionAlgorithm.NONE);
  checkArrived('grpc-plain', sent);
  assert.equal(receiver.stats.acceptedSpans, 40);
});

test('real OTLP/gRPC exporter with gzip: every span arrives', async () => {
  const sent = await sendWithExporter('grpc-gzip', 25, CompressionAlgorithm.GZIP);
  checkArrived('grpc-gzip', sent);
});

test('a garbage request gets INVALID_ARGUMENT and the receiver keeps serving', async () => {
  const { err } = await rawCall(
    TRACE_EXPORT,
    Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]),
  );
  assert.equal(err?.code, GrpcStatus.INVALID_ARGUMENT, err?.message);
  assert.match(err?.details ?? '', /ExportTraceServiceRequest/);
  const sent = await sendWithExporter('grpc-after-garbage', 3, CompressionAlgorithm.NONE);
  checkArrived('grpc-after-garbage', sent);
});

test('spans with unusable ids are rejected through partialSuccess, the rest are kept', async () => {
  const span = (traceId: Uint8Array, name: string) => ({
    traceId,
    spanId: new Uint8Array(8).fill(2),
    name,
    startTimeUnixNano: '1767225600000000000',
    endTimeUnixNano: '1767225600003000000',
  });
  const body = encodeExportRequest('traces', {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'grpc-partial' } }] },
        scopeSpans: [
          { spans: [span(new Uint8Array(16).fill(1), 'good'), span(new Uint8Array(3), 'bad')] },
        ],
      },
    ],
  });
  const { err, res } = await rawCall(TRACE_EXPORT, Buffer.from(body));
  assert.equal(err, null);
  const decoded = otlpTypes().traceResponse.toObject(
    otlpTypes().traceResponse.decode(res ?? Buffer.alloc(0)),
    { longs: Number },
  ) as { partialSuccess?: { rejectedSpans?: number; errorMessage?: string } };
  assert.equal(decoded.partialSuccess?.rejectedSpans, 1);
  assert.ok(decoded.partialSuccess?.errorMessage);
  assert.deepEqual(
    received
      .filter((s) => s.resource.service === 'grpc-partial')
      .map((s) => [s.name, s.durationMs]),
    [['good', 3]],
  );
});

test('a request past the size cap gets RESOURCE_EXHAUSTED; the logs service answers too', async () => {
  const { err } = await rawCall(TRACE_EXPORT, Buffer.alloc(300 * 1024));
  assert.equal(err?.code, GrpcStatus.RESOURCE_EXHAUSTED, err?.message);
  const body = encodeExportRequest('logs', {
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'grpc-logs' } }] },
        scopeLogs: [
          {
            logRecords: [
              {
                timeUnixNano: '1767225600000000000',
                body: { stringValue: 'order placed' },
                severityNumber: 9,
              },
            ],
          },
        ],
      },
    ],
  });
  const ok = await rawCall(
    '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
    Buffer.from(body),
  );
  assert.equal(ok.err, null);
  assert.deepEqual(
    logs.map((l) => [l.resource.service, l.body]),
    [['grpc-logs', 'order placed']],
  );
});

test('port in use: PortInUseError', async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  const port = (blocker.address() as { port: number }).port;
  try {
    const other = new OtlpGrpcReceiver({
      port,
      sinks: { traces: () => undefined, logs: () => undefined, metrics: () => undefined },
    });
    await assert.rejects(
      other.start(),
      (e: unknown) => e instanceof PortInUseError && e.port === port,
    );
    await other.stop();
  } finally {
    await new Promise<void>((r) => blocker.close(() => r()));
  }
});

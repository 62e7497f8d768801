// Spans made by the real OpenTelemetry SDK and sent through its OTLP/HTTP protobuf exporter, as an
// instrumented service sends them: the e2e tests' one way to put data in front of the extension.
import type { HrTime, Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

/** A time `seconds` ago, on a whole second, and `ms` after it: spans' start and end times. */
export const at = (seconds: number, ms = 0): HrTime => [
  Math.floor(Date.now() / 1000) - seconds,
  ms * 1_000_000,
];

/**
 * Creates spans with `emit` on a tracer of `service` and exports them to the receiver on
 * `port` (small batches, sent quickly); resolves once the SDK has sent them all.
 */
export async function exportSpans(
  port: number,
  resource: Record<string, string>,
  emit: (tracer: Tracer) => void,
): Promise<void> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes(resource),
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: `http://127.0.0.1:${port}/v1/traces` }), {
        maxExportBatchSize: 50,
        scheduledDelayMillis: 50,
      }),
    ],
  });
  emit(provider.getTracer('e2e'));
  await provider.forceFlush();
  await provider.shutdown();
}

/** `count` spans of OrderService.placeOrder in the fixture's src/orders.ts, `ms` each. */
export function placeOrderSpans(count: number, ms: number): (tracer: Tracer) => void {
  return (tracer) => {
    const start = at(2);
    const end: HrTime = [start[0], ms * 1_000_000];
    for (let i = 0; i < count; i++)
      tracer
        .startSpan('placeOrder', {
          startTime: start,
          attributes: {
            'code.file.path': '/srv/shop/src/orders.ts',
            'code.line.number': 12,
            'code.function.name': 'OrderService.placeOrder',
          },
        })
        .end(end);
  };
}

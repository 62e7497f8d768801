'use strict';
// OpenTelemetry SDK setup for demo-shop: traces and logs over OTLP http/protobuf, the format the
// ProdLens receiver expects by default. Required first by server.js so every span and log has a
// provider behind it.
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { BatchLogRecordProcessor } = require('@opentelemetry/sdk-logs');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
const { OTLPLogExporter } = require('@opentelemetry/exporter-logs-otlp-proto');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } = require('@opentelemetry/semantic-conventions');

const endpoint = (process.env.OTEL_EXPORTER_OTLP_ENDPOINT || 'http://127.0.0.1:4318').replace(/\/+$/, '');
// Short delays so data shows up in the editor within a couple of seconds; short export timeouts so
// a missing receiver never delays shutdown for long.
const batch = { scheduledDelayMillis: 1000, exportTimeoutMillis: 5000 };
const exporterOptions = (signal) => ({ url: `${endpoint}/v1/${signal}`, timeoutMillis: 5000 });

const sdk = new NodeSDK({
  resource: resourceFromAttributes({
    [ATTR_SERVICE_NAME]: 'demo-shop',
    [ATTR_SERVICE_VERSION]: process.env.DEMO_SERVICE_VERSION || '1.0.0',
    'deployment.environment.name': 'demo',
  }),
  // sdk-trace-base's BatchSpanProcessor keeps the (exporter, config) signature; sdk-logs' takes one object.
  spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter(exporterOptions('traces')), batch)],
  logRecordProcessors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter(exporterOptions('logs')), ...batch })],
  // No metrics: left unset, NodeSDK would start a default OTLP metric exporter.
  metricReaders: [],
  // Spans are created by hand (tracing.js, server.js) so their names and code.* attributes are exact.
  instrumentations: [],
});
sdk.start();

let stopping;
/** Flushes pending spans and logs; safe to call more than once. */
function shutdownTelemetry() {
  stopping ??= sdk.shutdown().catch(() => undefined);
  return stopping;
}

module.exports = { endpoint, shutdownTelemetry };

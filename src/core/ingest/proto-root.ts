// Parses the OTLP schema once, on first use (keeps extension activation free of the few ms it
// costs), and hands out the message types the decoders and encoders need.
import protobuf from 'protobufjs';
import { OTLP_PROTO_FILES } from './otlp-proto';

export interface OtlpTypes {
  traceRequest: protobuf.Type;
  traceResponse: protobuf.Type;
  logsRequest: protobuf.Type;
  logsResponse: protobuf.Type;
  metricsRequest: protobuf.Type;
  metricsResponse: protobuf.Type;
  status: protobuf.Type;
}

let cached: OtlpTypes | undefined;

export function otlpTypes(): OtlpTypes {
  if (cached) return cached;
  const root = new protobuf.Root();
  for (const file of OTLP_PROTO_FILES) protobuf.parse(file, root);
  root.resolveAll();
  const t = (name: string): protobuf.Type => root.lookupType(name);
  cached = {
    traceRequest: t('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest'),
    traceResponse: t('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse'),
    logsRequest: t('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest'),
    logsResponse: t('opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse'),
    metricsRequest: t('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest'),
    metricsResponse: t('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse'),
    status: t('google.rpc.Status'),
  };
  return cached;
}

/** protobufjs' BufferReader reads strings with the native `utf8Slice`; wrap plain arrays (no copy). */
export function asBuffer(body: Uint8Array): Buffer {
  return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

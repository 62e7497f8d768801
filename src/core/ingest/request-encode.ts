// Encodes OTLP export requests from plain objects with our schema, for tests, the benchmark and
// demo senders. Input follows protobufjs conventions (camelCase keys, ids as Uint8Array, 64-bit
// values as decimal strings, numbers, bigint or Long), not OTLP/JSON (which has hex ids).
import type { OtlpSignal } from './otlp-decode';
import { otlpTypes } from './proto-root';

export function encodeExportRequest(
  signal: OtlpSignal,
  request: Record<string, unknown>,
): Uint8Array {
  const types = otlpTypes();
  const type =
    signal === 'traces'
      ? types.traceRequest
      : signal === 'logs'
        ? types.logsRequest
        : types.metricsRequest;
  return type.encode(type.fromObject(request)).finish();
}

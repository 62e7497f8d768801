// The public decoding entry points: dispatch on wire format, and make sure every failure leaves
// as an OtlpDecodeError (protobufjs throws RangeError/Error; deep input can overflow the stack).
import type { LogRecordData, SpanRecord } from '../model';
import { OtlpDecodeError, toDecodeError } from './errors';
import { jsonDecodeLogs, jsonDecodeMetrics, jsonDecodeTraces } from './json-decode';
import { pbDecodeLogs, pbDecodeMetrics, pbDecodeTracesRaw } from './protobuf-decode';
import { wireDecodeTraces } from './trace-wire-decode';
import type { ScannedTraces, TraceScanner } from './trace-wire-scan';

export { OtlpDecodeError };

export type OtlpFormat = 'protobuf' | 'json';
export type OtlpSignal = 'traces' | 'logs' | 'metrics';

export interface DecodedTraces {
  spans: SpanRecord[];
  /** Spans dropped for unusable ids; the others are kept. */
  rejected: number;
  /** Set when rejected > 0: the count and the first few reasons. */
  errorMessage?: string;
}

export interface DecodedLogs {
  logs: LogRecordData[];
  rejected: number;
  errorMessage?: string;
}

export interface DecodedMetrics {
  /** Data points in the request (metrics are counted, not stored, for now). */
  dataPoints: number;
  rejected: number;
}

function checkFormat(format: string): void {
  if (format !== 'protobuf' && format !== 'json')
    throw new OtlpDecodeError(`unsupported OTLP format ${JSON.stringify(format)}`);
}

/** Decodes an ExportTraceServiceRequest. Throws only OtlpDecodeError. */
export function decodeTraces(body: Uint8Array, format: OtlpFormat): DecodedTraces {
  try {
    checkFormat(format);
    return format === 'json' ? jsonDecodeTraces(body) : wireDecodeTraces(body);
  } catch (err) {
    throw toDecodeError(err, `invalid OTLP/${format} ExportTraceServiceRequest`);
  }
}

/**
 * Scans an OTLP/protobuf ExportTraceServiceRequest for triage (trace-wire-scan.ts). Throws only
 * OtlpDecodeError, and so do the result's `lean` and `whole` (a span decoded later can still turn
 * out malformed).
 */
export function scanTraces(scanner: TraceScanner, body: Uint8Array): ScannedTraces {
  const what = 'invalid OTLP/protobuf ExportTraceServiceRequest';
  const guard =
    (decode: (i: number) => SpanRecord) =>
    (i: number): SpanRecord => {
      try {
        return decode(i);
      } catch (err) {
        throw toDecodeError(err, what);
      }
    };
  try {
    const scanned = scanner.scan(body);
    return { ...scanned, lean: guard(scanned.lean), whole: guard(scanned.whole) };
  } catch (err) {
    throw toDecodeError(err, what);
  }
}

/** Decodes an ExportLogsServiceRequest. Throws only OtlpDecodeError. */
export function decodeLogs(body: Uint8Array, format: OtlpFormat): DecodedLogs {
  try {
    checkFormat(format);
    return format === 'json' ? jsonDecodeLogs(body) : pbDecodeLogs(body);
  } catch (err) {
    throw toDecodeError(err, `invalid OTLP/${format} ExportLogsServiceRequest`);
  }
}

/** Decodes an ExportMetricsServiceRequest far enough to count its data points. */
export function decodeMetrics(body: Uint8Array, format: OtlpFormat): DecodedMetrics {
  try {
    checkFormat(format);
    return format === 'json' ? jsonDecodeMetrics(body) : pbDecodeMetrics(body);
  } catch (err) {
    throw toDecodeError(err, `invalid OTLP/${format} ExportMetricsServiceRequest`);
  }
}

/**
 * protobufjs reflection decode (`Type.decode`) of an ExportTraceServiceRequest with no
 * conversion: the benchmark's "raw decode" baseline. decodeTraces reads the same schema's wire
 * format directly into the model instead (see trace-wire-decode.ts).
 */
export function decodeTracesRaw(body: Uint8Array): unknown {
  try {
    return pbDecodeTracesRaw(body);
  } catch (err) {
    throw toDecodeError(err, 'invalid OTLP/protobuf ExportTraceServiceRequest');
  }
}

// The public decoding entry points: dispatch on wire format, and make sure every failure leaves
// as an OtlpDecodeError (protobufjs throws RangeError/Error; deep input can overflow the stack).
import type { LogRecordData, SpanRecord } from '../model';
import { OtlpDecodeError, toDecodeError } from './errors';
import { jsonDecodeLogs, jsonDecodeMetrics, jsonDecodeTraces } from './json-decode';
import { pbDecodeLogs, pbDecodeMetrics, pbDecodeTracesRaw } from './protobuf-decode';
import { wireDecodeTraces, wireDecodeTracesLean, type LeanTraces } from './trace-wire-decode';
import { traceSampleValue } from './convert-util';

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
 * Decodes an ExportTraceServiceRequest for triage: protobuf spans carry only the attributes in
 * `keep` until `whole` decodes one in full (trace-wire-decode.ts); JSON spans are whole already.
 * Throws only OtlpDecodeError.
 */
export function decodeTracesForTriage(
  body: Uint8Array,
  format: OtlpFormat,
  keep: ReadonlySet<string>,
): LeanTraces {
  try {
    checkFormat(format);
    if (format === 'protobuf') return wireDecodeTracesLean(body, keep);
    const decoded = jsonDecodeTraces(body);
    const traceLow = decoded.spans.map((s) => traceSampleValue(s.traceId));
    return { ...decoded, traceLow, whole: (i) => decoded.spans[i]! };
  } catch (err) {
    throw toDecodeError(err, `invalid OTLP/${format} ExportTraceServiceRequest`);
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

// What both OTLP receivers (HTTP and gRPC) do with a request body once it is read: decode it into
// the sinks (or hand trace bodies to the ingest worker), count what was accepted and rejected, and
// say so in the OTLP partial-success answer.
import type { LogRecordData, SpanRecord } from '../model';
import {
  decodeLogs,
  decodeMetrics,
  decodeTraces,
  type OtlpFormat,
  type OtlpSignal,
} from '../ingest/otlp-decode';

/** What became of one request's items. */
export interface ExportOutcome {
  accepted: number;
  rejected: number;
  errorMessage?: string;
}

export interface ReceiverSinks {
  traces(spans: SpanRecord[]): void;
  /**
   * Decodes and stores a traces body elsewhere (the ingest worker) instead of decoding it here;
   * rejects with OtlpDecodeError when the body is malformed.
   */
  tracesBody?(body: Uint8Array, format: OtlpFormat): Promise<ExportOutcome>;
  logs(logs: LogRecordData[]): void;
  metrics(dataPoints: number): void;
}

/** What every OTLP receiver (HTTP or gRPC) counts. */
export interface IngestCounters {
  /** Requests received (for HTTP: all paths). */
  requests: number;
  acceptedSpans: number;
  rejectedSpans: number;
  acceptedLogs: number;
  rejectedLogs: number;
  acceptedDataPoints: number;
  rejectedDataPoints: number;
  /** Epoch ms of the last request that delivered any data; undefined until then. */
  lastDataAt: number | undefined;
}

/**
 * Decodes a body into the sinks: synchronously here, or — trace bodies with an ingest worker —
 * as a promise. Throws (or rejects with) OtlpDecodeError when the body is malformed.
 */
export function exportBody(
  sinks: ReceiverSinks,
  signal: OtlpSignal,
  format: OtlpFormat,
  body: Uint8Array,
): ExportOutcome | Promise<ExportOutcome> {
  if (signal === 'traces')
    return sinks.tracesBody
      ? sinks.tracesBody(body, format)
      : decodeTracesInto(sinks, format, body);
  if (signal === 'logs') {
    const r = decodeLogs(body, format);
    if (r.logs.length > 0) sinks.logs(r.logs);
    return withMessage(r.logs.length, r.rejected, r.errorMessage);
  }
  const r = decodeMetrics(body, format);
  if (r.dataPoints > 0) sinks.metrics(r.dataPoints);
  return { accepted: r.dataPoints, rejected: r.rejected };
}

/** Decodes a traces body here and hands its spans to `sinks.traces`. */
export function decodeTracesInto(
  sinks: Pick<ReceiverSinks, 'traces'>,
  format: OtlpFormat,
  body: Uint8Array,
): ExportOutcome {
  const r = decodeTraces(body, format);
  if (r.spans.length > 0) sinks.traces(r.spans);
  return withMessage(r.spans.length, r.rejected, r.errorMessage);
}

/** An outcome, with the decoder's message about rejected items when it gave one. */
export function withMessage(
  accepted: number,
  rejected: number,
  errorMessage?: string,
): ExportOutcome {
  return errorMessage !== undefined ? { accepted, rejected, errorMessage } : { accepted, rejected };
}

/** Adds a request's outcome to the counters (and when data last arrived). */
export function countOutcome(c: IngestCounters, signal: OtlpSignal, o: ExportOutcome): void {
  if (signal === 'traces') {
    c.acceptedSpans += o.accepted;
    c.rejectedSpans += o.rejected;
  } else if (signal === 'logs') {
    c.acceptedLogs += o.accepted;
    c.rejectedLogs += o.rejected;
  } else {
    c.acceptedDataPoints += o.accepted;
    c.rejectedDataPoints += o.rejected;
  }
  if (o.accepted > 0) c.lastDataAt = Date.now();
}

/** The OTLP partial success of an outcome: set only when some items were rejected. */
export function partialOf(
  o: ExportOutcome,
): { rejected: number; errorMessage: string } | undefined {
  return o.rejected > 0
    ? { rejected: o.rejected, errorMessage: o.errorMessage ?? `${o.rejected} item(s) rejected` }
    : undefined;
}

// Response bodies: Export*ServiceResponse (200) and google.rpc.Status (4xx/5xx), in the
// request's format. JSON follows the proto3 mapping: lowerCamelCase keys, int64 as a decimal
// string, default values omitted (so full success is `{}`).
import type { OtlpFormat, OtlpSignal } from './otlp-decode';
import { otlpTypes } from './proto-root';

export interface PartialSuccess {
  rejected: number;
  errorMessage: string;
}

/** The `rejected_*` field of each signal's partial-success message (JSON / protobufjs name). */
const REJECTED_FIELD: Record<OtlpSignal, string> = {
  traces: 'rejectedSpans',
  logs: 'rejectedLogRecords',
  metrics: 'rejectedDataPoints',
};

const EMPTY = new Uint8Array(0);
const utf8 = new TextEncoder();

/**
 * The body of a 200 answer. With `partial` (some items rejected, or a warning message) it carries
 * `partial_success`; without it, or with nothing to report, it is the empty message.
 */
export function encodeExportResponse(
  signal: OtlpSignal,
  format: OtlpFormat,
  partial?: PartialSuccess,
): Uint8Array {
  const rejected = partial !== undefined && partial.rejected > 0 ? Math.floor(partial.rejected) : 0;
  const message = partial?.errorMessage ?? '';
  const hasPartial = rejected > 0 || message !== '';
  if (format === 'json') {
    if (!hasPartial) return utf8.encode('{}');
    const partialSuccess: Record<string, string> = {};
    if (rejected > 0) partialSuccess[REJECTED_FIELD[signal]] = String(rejected);
    if (message !== '') partialSuccess.errorMessage = message;
    return utf8.encode(JSON.stringify({ partialSuccess }));
  }
  if (!hasPartial) return EMPTY;
  const types = otlpTypes();
  const type =
    signal === 'traces'
      ? types.traceResponse
      : signal === 'logs'
        ? types.logsResponse
        : types.metricsResponse;
  return type
    .encode(
      type.fromObject({
        partialSuccess: { [REJECTED_FIELD[signal]]: rejected, errorMessage: message },
      }),
    )
    .finish();
}

/** A google.rpc.Status body for error answers; `message` should help the sender's developer. */
export function encodeStatus(format: OtlpFormat, code: number, message: string): Uint8Array {
  if (format === 'json') return utf8.encode(JSON.stringify({ code, message }));
  const type = otlpTypes().status;
  return type.encode(type.fromObject({ code, message })).finish();
}

/** google.rpc.Code values used in Status bodies. */
export const RpcCode = {
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
} as const;

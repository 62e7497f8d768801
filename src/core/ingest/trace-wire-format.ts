// The OTLP trace request's wire format as the hand-written readers see it (trace-wire-decode.ts
// decodes spans, trace-wire-scan.ts scans them for triage): field tags and nested-message bounds.
//
// The tags below are (field number << 3) | wire type for the fields of otlp-proto.ts; a unit test
// checks each one against the parsed schema, so the .proto text stays the source of truth.
import type protobuf from 'protobufjs';

export const LEN = 2;

// ExportTraceServiceRequest
export const REQUEST_RESOURCE_SPANS = (1 << 3) | LEN;
// ResourceSpans
export const RS_RESOURCE = (1 << 3) | LEN;
export const RS_SCOPE_SPANS = (2 << 3) | LEN;
// Resource
export const RESOURCE_ATTRIBUTES = (1 << 3) | LEN;
// ScopeSpans
export const SS_SPANS = (2 << 3) | LEN;
// Span
export const SPAN_TRACE_ID = (1 << 3) | LEN;
export const SPAN_SPAN_ID = (2 << 3) | LEN;
export const SPAN_PARENT_SPAN_ID = (4 << 3) | LEN;
export const SPAN_NAME = (5 << 3) | LEN;
export const SPAN_KIND = (6 << 3) | 0;
export const SPAN_START = (7 << 3) | 1;
export const SPAN_END = (8 << 3) | 1;
export const SPAN_ATTRIBUTES = (9 << 3) | LEN;
export const SPAN_EVENTS = (11 << 3) | LEN;
export const SPAN_STATUS = (15 << 3) | LEN;
// Span.Event
export const EVENT_TIME = (1 << 3) | 1;
export const EVENT_NAME = (2 << 3) | LEN;
export const EVENT_ATTRIBUTES = (3 << 3) | LEN;
// Status
export const STATUS_MESSAGE = (2 << 3) | LEN;
export const STATUS_CODE = (3 << 3) | 0;
// KeyValue
export const KV_KEY = (1 << 3) | LEN;
export const KV_VALUE = (2 << 3) | LEN;
// AnyValue
export const ANY_STRING = (1 << 3) | LEN;
export const ANY_BOOL = (2 << 3) | 0;
export const ANY_INT = (3 << 3) | 0;
export const ANY_DOUBLE = (4 << 3) | 1;
export const ANY_ARRAY = (5 << 3) | LEN;
export const ANY_KVLIST = (6 << 3) | LEN;
export const ANY_BYTES = (7 << 3) | LEN;
// ArrayValue / KeyValueList
export const LIST_VALUES = (1 << 3) | LEN;

/** For the schema cross-check test: message → field name → tag. */
export const TRACE_WIRE_TAGS = {
  'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest': {
    resourceSpans: REQUEST_RESOURCE_SPANS,
  },
  'opentelemetry.proto.trace.v1.ResourceSpans': {
    resource: RS_RESOURCE,
    scopeSpans: RS_SCOPE_SPANS,
  },
  'opentelemetry.proto.resource.v1.Resource': { attributes: RESOURCE_ATTRIBUTES },
  'opentelemetry.proto.trace.v1.ScopeSpans': { spans: SS_SPANS },
  'opentelemetry.proto.trace.v1.Span': {
    traceId: SPAN_TRACE_ID,
    spanId: SPAN_SPAN_ID,
    parentSpanId: SPAN_PARENT_SPAN_ID,
    name: SPAN_NAME,
    kind: SPAN_KIND,
    startTimeUnixNano: SPAN_START,
    endTimeUnixNano: SPAN_END,
    attributes: SPAN_ATTRIBUTES,
    events: SPAN_EVENTS,
    status: SPAN_STATUS,
  },
  'opentelemetry.proto.trace.v1.Span.Event': {
    timeUnixNano: EVENT_TIME,
    name: EVENT_NAME,
    attributes: EVENT_ATTRIBUTES,
  },
  'opentelemetry.proto.trace.v1.Status': { message: STATUS_MESSAGE, code: STATUS_CODE },
  'opentelemetry.proto.common.v1.KeyValue': { key: KV_KEY, value: KV_VALUE },
  'opentelemetry.proto.common.v1.AnyValue': {
    stringValue: ANY_STRING,
    boolValue: ANY_BOOL,
    intValue: ANY_INT,
    doubleValue: ANY_DOUBLE,
    arrayValue: ANY_ARRAY,
    kvlistValue: ANY_KVLIST,
    bytesValue: ANY_BYTES,
  },
  'opentelemetry.proto.common.v1.ArrayValue': { values: LIST_VALUES },
  'opentelemetry.proto.common.v1.KeyValueList': { values: LIST_VALUES },
} as const;

export type Reader = protobuf.Reader;

/**
 * Reads a length prefix and narrows the reader to that nested message; returns the outer limit
 * to restore with `leave`. Every read inside is then bounds-checked against the nested end.
 */
export function enter(r: Reader): number {
  const len = r.uint32();
  const end = r.pos + len;
  if (end > r.len) throw new RangeError(`index out of range: ${r.pos} + ${len} > ${r.len}`);
  const outer = r.len;
  r.len = end;
  return outer;
}

export function leave(r: Reader, outer: number): void {
  r.len = outer;
}

/** Skips a field we do not read (or one with an unexpected wire type), as protobufjs would. */
export function skip(r: Reader, tag: number): void {
  r.skipType(tag & 7, 0, tag >>> 3);
}

/** Where a span sits in its request, as rejection reasons name it. */
export function spanPath(rsIndex: number, scopeIndex: number, spanIndex: number): string {
  return `resourceSpans[${rsIndex}].scopeSpans[${scopeIndex}].spans[${spanIndex}]`;
}

/** Why a span's ids make it unusable (lengths in bytes), or undefined when they are fine. */
export function idsRejection(
  traceLen: number,
  spanLen: number,
  parentLen: number,
): string | undefined {
  if (traceLen !== 16) return `traceId must be 16 bytes, got ${traceLen}`;
  if (spanLen !== 8) return `spanId must be 8 bytes, got ${spanLen}`;
  if (parentLen !== 0 && parentLen !== 8)
    return `parentSpanId must be empty or 8 bytes, got ${parentLen}`;
  return undefined;
}

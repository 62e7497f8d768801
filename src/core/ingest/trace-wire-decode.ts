// OTLP/protobuf traces → SpanRecord in a single pass over the wire, using protobufjs' Reader.
//
// Why not `Type.decode` + convert (as logs and metrics do): traces are the hot path, and the
// reflection decoder first builds a message object per span, KeyValue and AnyValue, a Long per
// timestamp and a Buffer per id, all of which the conversion then throws away. Reading the wire
// directly builds only the model objects, and skips what the model does not keep (scopes,
// links, trace state) without decoding it. Semantics follow the generated decoder: unknown
// fields and known fields with an unexpected wire type are skipped, a repeated singular field
// keeps its last value, nested lengths are bounds-checked against their parent.
//
// The tags below are (field number << 3) | wire type for the fields of otlp-proto.ts; a unit test
// checks each one against the parsed schema, so the .proto text stays the source of truth.
import protobuf from 'protobufjs';
import type {
  AttributeValue,
  Attributes,
  ResourceInfo,
  SpanEventRecord,
  SpanRecord,
} from '../model';
import * as util from './convert-util';
import { asBuffer } from './proto-root';

const LEN = 2;

// ExportTraceServiceRequest
const REQUEST_RESOURCE_SPANS = (1 << 3) | LEN;
// ResourceSpans
const RS_RESOURCE = (1 << 3) | LEN;
const RS_SCOPE_SPANS = (2 << 3) | LEN;
// Resource
const RESOURCE_ATTRIBUTES = (1 << 3) | LEN;
// ScopeSpans
const SS_SPANS = (2 << 3) | LEN;
// Span
const SPAN_TRACE_ID = (1 << 3) | LEN;
const SPAN_SPAN_ID = (2 << 3) | LEN;
const SPAN_PARENT_SPAN_ID = (4 << 3) | LEN;
const SPAN_NAME = (5 << 3) | LEN;
const SPAN_KIND = (6 << 3) | 0;
const SPAN_START = (7 << 3) | 1;
const SPAN_END = (8 << 3) | 1;
const SPAN_ATTRIBUTES = (9 << 3) | LEN;
const SPAN_EVENTS = (11 << 3) | LEN;
const SPAN_STATUS = (15 << 3) | LEN;
// Span.Event
const EVENT_TIME = (1 << 3) | 1;
const EVENT_NAME = (2 << 3) | LEN;
const EVENT_ATTRIBUTES = (3 << 3) | LEN;
// Status
const STATUS_MESSAGE = (2 << 3) | LEN;
const STATUS_CODE = (3 << 3) | 0;
// KeyValue
const KV_KEY = (1 << 3) | LEN;
const KV_VALUE = (2 << 3) | LEN;
// AnyValue
const ANY_STRING = (1 << 3) | LEN;
const ANY_BOOL = (2 << 3) | 0;
const ANY_INT = (3 << 3) | 0;
const ANY_DOUBLE = (4 << 3) | 1;
const ANY_ARRAY = (5 << 3) | LEN;
const ANY_KVLIST = (6 << 3) | LEN;
const ANY_BYTES = (7 << 3) | LEN;
// ArrayValue / KeyValueList
const LIST_VALUES = (1 << 3) | LEN;

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

type Reader = protobuf.Reader;

// Hot helpers bound once, locally: under a CommonJS transform (tsx, ts-node) every use of an
// imported binding is a getter call on the module object, measured at ~30% of decode time here.
// (esbuild bundles are unaffected either way.)
const { MAX_ATTRIBUTES, MAX_EVENTS, MAX_STRING_BYTES, MAX_VALUE_DEPTH, Rejections } = util;
const {
  capString,
  hexAt,
  int64PartsToNumber,
  nsPartsDurationMs,
  nsPartsToMs,
  resourceInfo,
  setAttribute,
  utf8At,
} = util;

/**
 * Recently decoded ASCII strings by slot (attribute key/value position in the span, span name).
 * Senders repeat the same keys, in the same order, and many values, span after span; comparing
 * the bytes against the previous string at that position is far cheaper than a native UTF-8
 * decode, and reusing the string also reuses V8's internalized property key. Bounded (one short
 * string per slot, its bytes kept beside it: comparing two byte arrays is faster than comparing
 * bytes with a string's char codes), no hashing; a mismatch just decodes as usual. Only strings
 * with one UTF-16 unit per byte are kept, so a byte-wise match implies an identical ASCII string.
 */
const RECENT_KEY = 0;
const RECENT_VALUE = MAX_ATTRIBUTES;
const RECENT_NAME = 2 * MAX_ATTRIBUTES;
const NO_SLOT = -1;
/** Longer strings (rarely repeated verbatim) are not kept, so the slots retain little memory. */
const RECENT_MAX_BYTES = 128;
const RECENT_SLOTS = 2 * MAX_ATTRIBUTES + 1;
const recent: string[] = new Array<string>(RECENT_SLOTS).fill('');
const recentBytes = new Uint8Array(RECENT_SLOTS * RECENT_MAX_BYTES);
const recentView = new DataView(recentBytes.buffer);

/** The request being decoded, as a DataView: byte compares read it four bytes at a time. */
let requestView: DataView = new DataView(new ArrayBuffer(0));

function viewRequest(buf: Uint8Array): void {
  requestView = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * Whether `buf[start, start + len)` (the request `viewRequest` set) equals the `len` bytes kept at
 * `at` in `kept`: four bytes at a time through DataViews (twice as fast as byte by byte, measured
 * here), then the tail.
 */
function sameBytes(
  buf: Uint8Array,
  start: number,
  len: number,
  kept: DataView,
  at: number,
): boolean {
  const end = start + len;
  const offset = at - start;
  const words = end - 3;
  const view = requestView;
  let p = start;
  while (p < words && view.getUint32(p, true) === kept.getUint32(p + offset, true)) p += 4;
  while (p < end && buf[p] === kept.getUint8(p + offset)) p++;
  return p === end;
}

/** Copies `len` bytes to `kept` at `at` (a loop: short copies, no subarray to allocate). */
function keepBytes(
  buf: Uint8Array,
  start: number,
  len: number,
  kept: Uint8Array,
  at: number,
): void {
  for (let i = 0; i < len; i++) kept[at + i] = buf[start + i]!;
}

function readString(r: Reader, slot: number): string {
  const len = r.uint32();
  const start = r.pos;
  const end = start + len;
  if (end > r.len) throw new RangeError(`index out of range: ${start} + ${len} > ${r.len}`);
  r.pos = end;
  const buf = r.buf;
  if (slot === NO_SLOT) return utf8At(buf, start, end);
  const last = recent[slot]!;
  const at = slot * RECENT_MAX_BYTES;
  if (last.length === len && sameBytes(buf, start, len, recentView, at)) return last;
  const s = len <= INTERN_MAX_BYTES ? interned(buf, start, len) : utf8At(buf, start, end);
  if (s.length === len && len <= RECENT_MAX_BYTES) {
    recent[slot] = s;
    keepBytes(buf, start, len, recentBytes, at);
  }
  return s;
}

/**
 * Short strings that change from span to span but come from a bounded set (function names, span
 * names, file paths) are found by their bytes in a small direct-mapped table instead of decoded
 * again; a collision just replaces the entry. ASCII only, as for the slots.
 */
const INTERN_ENTRIES = 4096;
const INTERN_MAX_BYTES = 64;
const internString: string[] = new Array<string>(INTERN_ENTRIES).fill('');
const internLength = new Int32Array(INTERN_ENTRIES).fill(-1);
const internBytes = new Uint8Array(INTERN_ENTRIES * INTERN_MAX_BYTES);
const internView = new DataView(internBytes.buffer);

function interned(buf: Uint8Array, start: number, len: number): string {
  // FNV-style over four bytes at a time, then the tail (the table only needs a spread, not FNV).
  const view = requestView;
  const end = start + len;
  let h = 0x811c9dc5 ^ len;
  let p = start;
  for (; p + 3 < end; p += 4) h = Math.imul(h ^ view.getUint32(p, true), 0x01000193);
  for (; p < end; p++) h = Math.imul(h ^ buf[p]!, 0x01000193);
  h ^= h >>> 15;
  const e = (h >>> 0) & (INTERN_ENTRIES - 1);
  const at = e * INTERN_MAX_BYTES;
  if (internLength[e] === len && sameBytes(buf, start, len, internView, at))
    return internString[e]!;
  const s = utf8At(buf, start, start + len);
  if (s.length === len) {
    internString[e] = s;
    internLength[e] = len;
    keepBytes(buf, start, len, internBytes, at);
  }
  return s;
}

/** Placeholder until the enclosing ResourceSpans is complete (its resource may come last). */
const PENDING_RESOURCE: ResourceInfo = { service: '', environment: '', version: '' };

/**
 * Reads a length prefix and narrows the reader to that nested message; returns the outer limit
 * to restore with `leave`. Every read inside is then bounds-checked against the nested end.
 */
function enter(r: Reader): number {
  const len = r.uint32();
  const end = r.pos + len;
  if (end > r.len) throw new RangeError(`index out of range: ${r.pos} + ${len} > ${r.len}`);
  const outer = r.len;
  r.len = end;
  return outer;
}

function leave(r: Reader, outer: number): void {
  r.len = outer;
}

/** Skips a field we do not read (or one with an unexpected wire type), as protobufjs would. */
function skip(r: Reader, tag: number): void {
  r.skipType(tag & 7, 0, tag >>> 3);
}

function anyValue(r: Reader, depth: number, slot: number): AttributeValue {
  let v: AttributeValue = null;
  while (r.pos < r.len) {
    const tag = r.tag();
    switch (tag) {
      case ANY_STRING: {
        const s = readString(r, slot);
        v = s.length * 3 <= MAX_STRING_BYTES ? s : capString(s, MAX_STRING_BYTES);
        break;
      }
      case ANY_INT: {
        const n = r.int64();
        v = int64PartsToNumber(n.high, n.low);
        break;
      }
      case ANY_BOOL:
        v = r.bool();
        break;
      case ANY_DOUBLE:
        v = r.double();
        break;
      case ANY_ARRAY: {
        if (depth >= MAX_VALUE_DEPTH)
          throw new Error(
            `values nested deeper than ${MAX_VALUE_DEPTH} levels (max depth exceeded)`,
          );
        const outer = enter(r);
        const arr: AttributeValue[] = [];
        while (r.pos < r.len) {
          const t = r.tag();
          if (t === LIST_VALUES) {
            const o = enter(r);
            arr.push(anyValue(r, depth + 1, NO_SLOT));
            leave(r, o);
          } else skip(r, t);
        }
        leave(r, outer);
        v = arr;
        break;
      }
      case ANY_KVLIST: {
        if (depth >= MAX_VALUE_DEPTH)
          throw new Error(
            `values nested deeper than ${MAX_VALUE_DEPTH} levels (max depth exceeded)`,
          );
        const outer = enter(r);
        const obj: Attributes = {};
        while (r.pos < r.len) {
          const t = r.tag();
          if (t === LIST_VALUES) keyValue(r, obj, depth + 1, NO_SLOT);
          else skip(r, t);
        }
        leave(r, outer);
        v = obj;
        break;
      }
      case ANY_BYTES: {
        const len = r.uint32();
        const start = r.pos;
        r.skip(len);
        v = (r.buf as Buffer).toString('base64', start, start + len);
        break;
      }
      default:
        skip(r, tag);
    }
  }
  return v;
}

/**
 * Reads one length-prefixed KeyValue into `into`; `ordinal` picks its recent-string slots. With
 * `keep`, a value whose key (read first, as senders write it) is not kept is skipped undecoded.
 */
function keyValue(
  r: Reader,
  into: Attributes,
  depth: number,
  ordinal: number,
  keep?: ReadonlySet<string>,
): void {
  const outer = enter(r);
  let key = '';
  let value: AttributeValue = null;
  while (r.pos < r.len) {
    const tag = r.tag();
    if (tag === KV_KEY) key = readString(r, ordinal === NO_SLOT ? NO_SLOT : RECENT_KEY + ordinal);
    else if (keep !== undefined && tag === KV_VALUE && key !== '' && !keep.has(key)) {
      r.pos = r.len; // the rest of this KeyValue, undecoded
      leave(r, outer);
      return;
    } else if (tag === KV_VALUE) {
      const o = enter(r);
      value = anyValue(r, depth, ordinal === NO_SLOT ? NO_SLOT : RECENT_VALUE + ordinal);
      leave(r, o);
    } else skip(r, tag);
  }
  leave(r, outer);
  if (key === '__proto__') setAttribute(into, key, value);
  else into[key] = value;
}

function event(r: Reader): SpanEventRecord {
  const outer = enter(r);
  let name = '';
  let timeHigh = 0;
  let timeLow = 0;
  let count = 0;
  const attributes: Attributes = {};
  while (r.pos < r.len) {
    const tag = r.tag();
    switch (tag) {
      case EVENT_TIME:
        timeLow = r.fixed32();
        timeHigh = r.fixed32();
        break;
      case EVENT_NAME:
        name = r.string();
        break;
      case EVENT_ATTRIBUTES:
        if (count < MAX_ATTRIBUTES) keyValue(r, attributes, 0, NO_SLOT);
        else skip(r, tag);
        count++;
        break;
      default:
        skip(r, tag);
    }
  }
  leave(r, outer);
  return {
    name: capString(name, MAX_STRING_BYTES),
    timeMs: nsPartsToMs(timeHigh, timeLow),
    attributes,
  };
}

/** The accumulating output of one decode call. */
interface TraceOutput {
  spans: SpanRecord[];
  rejections: util.Rejections;
  /** Lean mode: the span attributes decoded, and where each kept span starts (to decode it whole). */
  keep?: ReadonlySet<string>;
  at?: number[];
  /** Lean mode: each kept span's trace id's last two bytes (what trace sampling reads). */
  traceLow?: number[];
}

/** Lean spans without events share one list (they never leave the ingest worker). */
const NO_EVENTS: SpanEventRecord[] = [];
Object.freeze(NO_EVENTS);

/** Reads one length-prefixed Span; appends it, or records why it was rejected. */
function span(
  r: Reader,
  buf: Buffer,
  out: TraceOutput,
  rsIndex: number,
  scopeIndex: number,
  spanIndex: number,
): void {
  const at = r.pos;
  const keep = out.keep;
  const outer = enter(r);
  // Ids are kept as byte ranges and hex-encoded straight from the request buffer.
  let traceAt = 0;
  let traceLen = 0;
  let spanAt = 0;
  let spanLen = 0;
  let parentAt = 0;
  let parentLen = 0;
  let name = '';
  let kind = 0;
  let startHigh = 0;
  let startLow = 0;
  let endHigh = 0;
  let endLow = 0;
  let statusCode = 0;
  let statusMessage = '';
  let attrCount = 0;
  const attributes: Attributes = {};
  let events: SpanEventRecord[] | undefined;
  while (r.pos < r.len) {
    const tag = r.tag();
    switch (tag) {
      case SPAN_TRACE_ID:
        traceLen = r.uint32();
        traceAt = r.pos;
        r.skip(traceLen);
        break;
      case SPAN_SPAN_ID:
        spanLen = r.uint32();
        spanAt = r.pos;
        r.skip(spanLen);
        break;
      case SPAN_PARENT_SPAN_ID:
        parentLen = r.uint32();
        parentAt = r.pos;
        r.skip(parentLen);
        break;
      case SPAN_NAME:
        name = readString(r, RECENT_NAME);
        break;
      case SPAN_KIND:
        kind = r.int32();
        break;
      case SPAN_START:
        startLow = r.fixed32();
        startHigh = r.fixed32();
        break;
      case SPAN_END:
        endLow = r.fixed32();
        endHigh = r.fixed32();
        break;
      case SPAN_ATTRIBUTES:
        if (attrCount < MAX_ATTRIBUTES) keyValue(r, attributes, 0, attrCount, keep);
        else skip(r, tag);
        attrCount++;
        break;
      case SPAN_EVENTS:
        if (events === undefined) events = [];
        if (events.length < MAX_EVENTS) events.push(event(r));
        else skip(r, tag);
        break;
      case SPAN_STATUS: {
        const o = enter(r);
        while (r.pos < r.len) {
          const t = r.tag();
          if (t === STATUS_CODE) statusCode = r.int32();
          else if (t === STATUS_MESSAGE) statusMessage = r.string();
          else skip(r, t);
        }
        leave(r, o);
        break;
      }
      default:
        skip(r, tag);
    }
  }
  leave(r, outer);
  if (traceLen !== 16 || spanLen !== 8 || (parentLen !== 0 && parentLen !== 8)) {
    const where = `resourceSpans[${rsIndex}].scopeSpans[${scopeIndex}].spans[${spanIndex}]`;
    if (traceLen !== 16) out.rejections.add(`${where}: traceId must be 16 bytes, got ${traceLen}`);
    else if (spanLen !== 8) out.rejections.add(`${where}: spanId must be 8 bytes, got ${spanLen}`);
    else out.rejections.add(`${where}: parentSpanId must be empty or 8 bytes, got ${parentLen}`);
    return;
  }
  if (keep) {
    out.at!.push(at);
    out.traceLow!.push((buf[traceAt + 14]! << 8) | buf[traceAt + 15]!);
  }
  out.spans.push({
    // Lean mode leaves the ids to the whole decode (only a held span needs them).
    traceId: keep ? '' : hexAt(buf, traceAt, 16),
    spanId: keep ? '' : hexAt(buf, spanAt, 8),
    parentSpanId: keep || parentLen === 0 ? '' : hexAt(buf, parentAt, 8),
    name: capString(name, MAX_STRING_BYTES),
    kind,
    startMs: nsPartsToMs(startHigh, startLow),
    durationMs: nsPartsDurationMs(startHigh, startLow, endHigh, endLow),
    statusCode,
    statusMessage: capString(statusMessage, MAX_STRING_BYTES),
    attributes,
    events: events ?? (keep ? NO_EVENTS : []),
    resource: PENDING_RESOURCE,
  });
}

function resourceSpans(r: Reader, buf: Buffer, out: TraceOutput, rsIndex: number): void {
  const outer = enter(r);
  const first = out.spans.length;
  const resourceAttributes: Attributes = {};
  let scopeIndex = 0;
  while (r.pos < r.len) {
    const tag = r.tag();
    if (tag === RS_SCOPE_SPANS) {
      const o = enter(r);
      let spanIndex = 0;
      while (r.pos < r.len) {
        const t = r.tag();
        if (t === SS_SPANS) span(r, buf, out, rsIndex, scopeIndex, spanIndex++);
        else skip(r, t);
      }
      leave(r, o);
      scopeIndex++;
    } else if (tag === RS_RESOURCE) {
      const o = enter(r);
      while (r.pos < r.len) {
        const t = r.tag();
        if (t === RESOURCE_ATTRIBUTES) keyValue(r, resourceAttributes, 0, NO_SLOT);
        else skip(r, t);
      }
      leave(r, o);
    } else skip(r, tag);
  }
  leave(r, outer);
  const resource = resourceInfo(resourceAttributes);
  const spans = out.spans;
  for (let i = first; i < spans.length; i++) spans[i]!.resource = resource;
}

export function wireDecodeTraces(body: Uint8Array): {
  spans: SpanRecord[];
  rejected: number;
  errorMessage?: string;
} {
  return decodeRequest(asBuffer(body), { spans: [], rejections: new Rejections() });
}

/** Spans decoded for triage only, and a way to decode any of them whole. */
export interface LeanTraces {
  /**
   * Each span with only the attributes `keep` names and without ids (`traceId`, `spanId` and
   * `parentSpanId` are empty); everything else as wireDecodeTraces gives it.
   */
  spans: SpanRecord[];
  /** Per span, its trace id's last two bytes (trace sampling's share is chosen by them). */
  traceLow: ArrayLike<number>;
  rejected: number;
  errorMessage?: string;
  /** Span `index` of `spans` decoded whole, exactly as wireDecodeTraces gives it. */
  whole(index: number): SpanRecord;
}

/**
 * The ingest worker's decode: a span it neither holds for drill-down nor reports as an error is
 * only counted in its series, which needs the few attributes that locate its code (`keep`);
 * the values of the others are skipped undecoded, and the spans it does hold are decoded again
 * in full from the same bytes.
 */
export function wireDecodeTracesLean(body: Uint8Array, keep: ReadonlySet<string>): LeanTraces {
  const buf = asBuffer(body);
  const at: number[] = [];
  const traceLow: number[] = [];
  const decoded = decodeRequest(buf, {
    spans: [],
    rejections: new Rejections(),
    keep,
    at,
    traceLow,
  });
  return {
    ...decoded,
    traceLow,
    whole(index) {
      const lean = decoded.spans[index]!;
      viewRequest(buf);
      const r = protobuf.Reader.create(buf);
      r.pos = at[index]!;
      const out: TraceOutput = { spans: [], rejections: new Rejections() };
      span(r, buf, out, 0, 0, 0);
      const full = out.spans[0]!;
      full.resource = lean.resource;
      return full;
    },
  };
}

function decodeRequest(
  buf: Buffer,
  out: TraceOutput,
): { spans: SpanRecord[]; rejected: number; errorMessage?: string } {
  viewRequest(buf);
  const r = protobuf.Reader.create(buf);
  let rsIndex = 0;
  while (r.pos < r.len) {
    const tag = r.tag();
    if (tag === REQUEST_RESOURCE_SPANS) resourceSpans(r, buf, out, rsIndex++);
    else skip(r, tag);
  }
  const errorMessage = out.rejections.message('span');
  return errorMessage === undefined
    ? { spans: out.spans, rejected: 0 }
    : { spans: out.spans, rejected: out.rejections.count, errorMessage };
}

// OTLP/protobuf traces → SpanRecord in a single pass over the wire, using protobufjs' Reader.
//
// Why not `Type.decode` + convert (as logs and metrics do): traces are the hot path, and the
// reflection decoder first builds a message object per span, KeyValue and AnyValue, a Long per
// timestamp and a Buffer per id, all of which the conversion then throws away. Reading the wire
// directly builds only the model objects, and skips what the model does not keep (scopes,
// links, trace state) without decoding it. Semantics follow the generated decoder: unknown
// fields and known fields with an unexpected wire type are skipped, a repeated singular field
// keeps its last value, nested lengths are bounds-checked against their parent. The wire's tags
// are in trace-wire-format.ts.
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
import * as wire from './trace-wire-format';
import * as strings from './wire-strings';

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
} = util;
const {
  REQUEST_RESOURCE_SPANS,
  RS_RESOURCE,
  RS_SCOPE_SPANS,
  RESOURCE_ATTRIBUTES,
  SS_SPANS,
  SPAN_TRACE_ID,
  SPAN_SPAN_ID,
  SPAN_PARENT_SPAN_ID,
  SPAN_NAME,
  SPAN_KIND,
  SPAN_START,
  SPAN_END,
  SPAN_ATTRIBUTES,
  SPAN_EVENTS,
  SPAN_STATUS,
  EVENT_TIME,
  EVENT_NAME,
  EVENT_ATTRIBUTES,
  STATUS_MESSAGE,
  STATUS_CODE,
  KV_KEY,
  KV_VALUE,
  ANY_STRING,
  ANY_BOOL,
  ANY_INT,
  ANY_DOUBLE,
  ANY_ARRAY,
  ANY_KVLIST,
  ANY_BYTES,
  LIST_VALUES,
  enter,
  idsRejection,
  leave,
  skip,
  spanPath,
} = wire;
type Reader = wire.Reader;
const { NO_SLOT, RECENT_KEY, RECENT_NAME, RECENT_VALUE, readString, viewRequest } = strings;

/** Placeholder until the enclosing ResourceSpans is complete (its resource may come last). */
const PENDING_RESOURCE: ResourceInfo = { service: '', environment: '', version: '' };

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
  /** Lean mode (decodeSpanAt for triage): the span attributes decoded. */
  keep?: ReadonlySet<string>;
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
  const unusable = idsRejection(traceLen, spanLen, parentLen);
  if (unusable !== undefined) {
    out.rejections.add(`${spanPath(rsIndex, scopeIndex, spanIndex)}: ${unusable}`);
    return;
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

/** Reads one length-prefixed Resource's attributes into `into` (repeated resources merge). */
export function readResource(r: Reader, into: Attributes): void {
  const outer = enter(r);
  while (r.pos < r.len) {
    const tag = r.tag();
    if (tag === RESOURCE_ATTRIBUTES) keyValue(r, into, 0, NO_SLOT);
    else skip(r, tag);
  }
  leave(r, outer);
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
    } else if (tag === RS_RESOURCE) readResource(r, resourceAttributes);
    else skip(r, tag);
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

/**
 * The span whose length-prefixed message starts at `at` in `buf` (a span the request's decode
 * accepted), decoded alone under `resource`. With `keep`, only those attributes' values are
 * decoded and the ids are left empty, as for triage (trace-wire-scan.ts); without, it equals what
 * wireDecodeTraces gives for it.
 */
export function decodeSpanAt(
  buf: Buffer,
  at: number,
  resource: ResourceInfo,
  keep?: ReadonlySet<string>,
): SpanRecord {
  viewRequest(buf);
  const r = protobuf.Reader.create(buf);
  r.pos = at;
  const out: TraceOutput = { spans: [], rejections: new Rejections() };
  if (keep !== undefined) out.keep = keep;
  span(r, buf, out, 0, 0, 0);
  const decoded = out.spans[0];
  if (decoded === undefined) throw new RangeError(`no span at offset ${at}`);
  decoded.resource = resource;
  return decoded;
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

// The ingest worker's look at an OTLP/protobuf trace request: per span only what the triage needs
// (end, duration, failure, whether it carries a stack trace, its trace id's last two bytes) and a
// number for the bytes that decide where its code is, without decoding strings or building span
// objects. Most spans repeat a function seen before (same resource, name, kind and locating
// attributes, byte for byte): the triage (span-triage.ts) then knows their series from that number
// alone, and decodes a span only the first time its bytes are seen or when it holds it whole.
//
// The scan walks the request as trace-wire-decode.ts does (same tags, bounds checks, rejected ids,
// attribute cap, last value wins), so it accepts and rejects what the decoder does; a unit test
// holds the two to the same series, outcomes and samples.
import protobuf from 'protobufjs';
import type { Attributes, ResourceInfo, SpanRecord } from '../model';
import * as util from './convert-util';
import { FingerprintTable } from './fingerprint-table';
import { asBuffer } from './proto-root';
import { decodeSpanAt, readResource } from './trace-wire-decode';
import * as wire from './trace-wire-format';
import * as strings from './wire-strings';

// Bound locally, as in trace-wire-decode.ts (imported bindings are getters under tsx).
const { MAX_ATTRIBUTES, Rejections, nsPartsDurationMs, nsPartsToMs, resourceInfo } = util;
const {
  REQUEST_RESOURCE_SPANS,
  RS_RESOURCE,
  RS_SCOPE_SPANS,
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
  enter,
  idsRejection,
  leave,
  skip,
  spanPath,
} = wire;
type Reader = wire.Reader;
const { RECENT_KEY, readString, viewRequest } = strings;

/** A request, scanned: per accepted span (in request order) what the triage reads. */
export interface ScannedTraces {
  count: number;
  /** Spans dropped for unusable ids; `errorMessage` says why when there are any. */
  rejected: number;
  errorMessage?: string;
  /** The fingerprint table's generation the numbers below belong to. */
  generation: number;
  /** Per span: the number of its locating bytes, or -1 when they are too long to keep. */
  fingerprint: Int32Array;
  endMs: Float64Array;
  durationMs: Float64Array;
  /** 1 for a failed span (status code 2). */
  error: Uint8Array;
  /** 1 when the span carries a stack trace: exception events, or a string stack attribute. */
  stack: Uint8Array;
  /** The trace id's last two bytes (trace sampling's share is chosen by them). */
  traceLow: Uint16Array;
  /** Span `i` with only the locating and stack attributes and no ids (decodeSpanAt, lean). */
  lean(i: number): SpanRecord;
  /** Span `i` decoded whole, as wireDecodeTraces gives it. */
  whole(i: number): SpanRecord;
}

/** Longest fingerprint kept; a span with a longer one (a huge name) is decoded every time. */
const MAX_FINGERPRINT_BYTES = 2048;
/** Distinct resources numbered before the fingerprints start over. */
const MAX_RESOURCES = 4096;
/** A stack attribute's value: absent, or present and (not) a string. */
const NOT_STACK = -1;

/** The attributes a scan reads (resolver/locating-attributes.ts has the lists). */
export interface ScanKeys {
  /** Every attribute locating a span's code reads. */
  locating: ReadonlySet<string>;
  /** The attribute carrying a span's own stack trace. */
  stack: string;
  /** A route attribute that, as a non-empty string, makes `requestPaths` irrelevant to the series. */
  route: string;
  requestPaths: ReadonlySet<string>;
}

export class TraceScanner {
  private readonly fingerprints = new FingerprintTable();
  /** Each locating attribute's number in a fingerprint; the stack attribute's after them. */
  private readonly keyNumber: Map<string, number>;
  /** By key number: 1 for a request path attribute. */
  private readonly isPath: Uint8Array;
  private readonly routeNumber: number;
  private readonly stackNumber: number;
  /** What a lean span decodes: the locating attributes and the stack attribute. */
  private readonly leanKeys: ReadonlySet<string>;
  /** Resources by what identifies a series (fingerprints name them by number). */
  private readonly resourceNumbers = new Map<string, number>();
  private resourceGeneration = 0;

  // The request being scanned. Per span, grown as needed and copied out at the end.
  private view: DataView = new DataView(new ArrayBuffer(0));
  private count = 0;
  private rejections = new Rejections();
  private resources: ResourceInfo[] = [];
  private at = new Int32Array(1024);
  private resourceOf = new Int32Array(1024);
  private fingerprint = new Int32Array(1024);
  private endMs = new Float64Array(1024);
  private durationMs = new Float64Array(1024);
  private error = new Uint8Array(1024);
  private stack = new Uint8Array(1024);
  private traceLow = new Uint16Array(1024);
  // The span being scanned: its locating attributes (number, value offset and length).
  private readonly kvKey = new Int32Array(MAX_ATTRIBUTES);
  private readonly kvAt = new Int32Array(MAX_ATTRIBUTES);
  private readonly kvLen = new Int32Array(MAX_ATTRIBUTES);
  private kvCount = 0;
  /** Whether the span's route attribute (its last) is a non-empty string. */
  private routed = false;
  // The fingerprint being built.
  private readonly fp = new Uint8Array(MAX_FINGERPRINT_BYTES);
  private readonly fpView = new DataView(this.fp.buffer);

  constructor(keys: ScanKeys) {
    if (keys.locating.has(keys.stack))
      throw new Error(`the stack attribute ${keys.stack} is not a locating attribute`);
    const locating = [...keys.locating];
    this.keyNumber = new Map(locating.map((k, i) => [k, i]));
    this.isPath = Uint8Array.from(locating, (k) => (keys.requestPaths.has(k) ? 1 : 0));
    this.routeNumber = this.keyNumber.get(keys.route) ?? -1;
    this.stackNumber = locating.length;
    this.keyNumber.set(keys.stack, this.stackNumber);
    this.leanKeys = new Set([...locating, keys.stack]);
  }

  /** Scans one ExportTraceServiceRequest; throws (RangeError, Error) on a malformed one. */
  scan(body: Uint8Array): ScannedTraces {
    const buf = asBuffer(body);
    this.fingerprints.settle(this.resourceNumbers.size > MAX_RESOURCES);
    if (this.fingerprints.generation !== this.resourceGeneration) {
      this.resourceNumbers.clear();
      this.resourceGeneration = this.fingerprints.generation;
    }
    viewRequest(buf);
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.count = 0;
    this.rejections = new Rejections();
    this.resources = [];
    const r = protobuf.Reader.create(buf);
    let rsIndex = 0;
    while (r.pos < r.len) {
      const tag = r.tag();
      if (tag === REQUEST_RESOURCE_SPANS) this.resourceSpans(r, buf, rsIndex++);
      else skip(r, tag);
    }
    const n = this.count;
    const at = this.at.slice(0, n);
    const resourceOf = this.resourceOf.slice(0, n);
    const resources = this.resources;
    const leanKeys = this.leanKeys;
    const errorMessage = this.rejections.message('span');
    return {
      count: n,
      rejected: errorMessage === undefined ? 0 : this.rejections.count,
      ...(errorMessage !== undefined ? { errorMessage } : {}),
      generation: this.fingerprints.generation,
      fingerprint: this.fingerprint.slice(0, n),
      endMs: this.endMs.slice(0, n),
      durationMs: this.durationMs.slice(0, n),
      error: this.error.slice(0, n),
      stack: this.stack.slice(0, n),
      traceLow: this.traceLow.slice(0, n),
      lean: (i) => decodeSpanAt(buf, at[i]!, resources[resourceOf[i]!]!, leanKeys),
      whole: (i) => decodeSpanAt(buf, at[i]!, resources[resourceOf[i]!]!),
    };
  }

  private resourceSpans(r: Reader, buf: Buffer, rsIndex: number): void {
    const outer = enter(r);
    // The resource first, wherever it stands: every fingerprint in here includes it.
    const start = r.pos;
    const attributes: Attributes = {};
    while (r.pos < r.len) {
      const tag = r.tag();
      if (tag === RS_RESOURCE) readResource(r, attributes);
      else skip(r, tag);
    }
    r.pos = start;
    const resource = resourceInfo(attributes);
    const resourceIndex = this.resources.push(resource) - 1;
    const identity = `${resource.service}\u0000${resource.environment}\u0000${resource.version}\u0000${resource.revision ?? ''}`;
    let resourceNumber = this.resourceNumbers.get(identity);
    if (resourceNumber === undefined) {
      resourceNumber = this.resourceNumbers.size;
      this.resourceNumbers.set(identity, resourceNumber);
    }
    let scopeIndex = 0;
    while (r.pos < r.len) {
      const tag = r.tag();
      if (tag === RS_SCOPE_SPANS) {
        const o = enter(r);
        let spanIndex = 0;
        while (r.pos < r.len) {
          const t = r.tag();
          if (t === SS_SPANS)
            this.span(r, buf, rsIndex, scopeIndex, spanIndex++, resourceIndex, resourceNumber);
          else skip(r, t);
        }
        leave(r, o);
        scopeIndex++;
      } else skip(r, tag);
    }
    leave(r, outer);
  }

  private span(
    r: Reader,
    buf: Buffer,
    rsIndex: number,
    scopeIndex: number,
    spanIndex: number,
    resourceIndex: number,
    resourceNumber: number,
  ): void {
    const at = r.pos;
    const outer = enter(r);
    let traceAt = 0;
    let traceLen = 0;
    let spanLen = 0;
    let parentLen = 0;
    let nameAt = 0;
    let nameLen = 0;
    let kind = 0;
    let startHigh = 0;
    let startLow = 0;
    let endHigh = 0;
    let endLow = 0;
    let statusCode = 0;
    let events = false;
    let stack = false;
    let attrCount = 0;
    this.kvCount = 0;
    this.routed = false;
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
          r.skip(spanLen);
          break;
        case SPAN_PARENT_SPAN_ID:
          parentLen = r.uint32();
          r.skip(parentLen);
          break;
        case SPAN_NAME:
          nameLen = r.uint32();
          nameAt = r.pos;
          r.skip(nameLen);
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
          if (attrCount < MAX_ATTRIBUTES) {
            const isStack = this.keyValue(r, attrCount);
            if (isStack !== NOT_STACK) stack = isStack === 1;
          } else skip(r, tag);
          attrCount++;
          break;
        case SPAN_EVENTS:
          events = true;
          skip(r, tag);
          break;
        case SPAN_STATUS: {
          const o = enter(r);
          while (r.pos < r.len) {
            const t = r.tag();
            if (t === STATUS_CODE) statusCode = r.int32();
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
      this.rejections.add(`${spanPath(rsIndex, scopeIndex, spanIndex)}: ${unusable}`);
      return;
    }
    const i = this.count++;
    if (i === this.at.length) this.grow();
    const startMs = nsPartsToMs(startHigh, startLow);
    const durationMs = nsPartsDurationMs(startHigh, startLow, endHigh, endLow);
    this.at[i] = at;
    this.resourceOf[i] = resourceIndex;
    this.endMs[i] = startMs + durationMs;
    this.durationMs[i] = durationMs;
    this.error[i] = statusCode === 2 ? 1 : 0;
    this.stack[i] = events || stack ? 1 : 0;
    this.traceLow[i] = (buf[traceAt + 14]! << 8) | buf[traceAt + 15]!;
    this.fingerprint[i] = this.fingerprintOf(resourceNumber, kind, nameAt, nameLen);
  }

  /**
   * Reads one KeyValue of a span: a locating attribute's value is noted for the fingerprint, the
   * stack attribute says whether its value is a string (1) or not (0), others are skipped.
   * Returns NOT_STACK unless it was the stack attribute.
   */
  private keyValue(r: Reader, ordinal: number): number {
    const outer = enter(r);
    let number: number | undefined;
    let valueAt = -1;
    let valueLen = -1;
    while (r.pos < r.len) {
      const tag = r.tag();
      if (tag === KV_KEY) {
        number = this.keyNumber.get(readString(r, RECENT_KEY + ordinal));
        if (number === undefined) {
          r.pos = r.len; // not one the triage reads: the rest of this KeyValue, unread
          break;
        }
      } else if (tag === KV_VALUE) {
        valueLen = r.uint32();
        valueAt = r.pos;
        r.skip(valueLen);
      } else skip(r, tag);
    }
    leave(r, outer);
    if (number === undefined) return NOT_STACK;
    if (number === this.stackNumber)
      return valueAt >= 0 && stringValueLength(r, valueAt, valueLen) >= 0 ? 1 : 0;
    const k = this.kvCount++;
    this.kvKey[k] = number;
    this.kvAt[k] = valueAt;
    this.kvLen[k] = valueLen;
    if (number === this.routeNumber)
      this.routed = valueAt >= 0 && stringValueLength(r, valueAt, valueLen) > 0;
    return NOT_STACK;
  }

  /**
   * The number of the span's locating bytes: its resource's number, kind, name and locating
   * attributes (key number and value bytes, in wire order; a routed span's request path left
   * out); -1 when they are too long to keep.
   */
  private fingerprintOf(
    resourceNumber: number,
    kind: number,
    nameAt: number,
    nameLen: number,
  ): number {
    const skipPaths = this.routed;
    let size = 12 + nameLen;
    for (let k = 0; k < this.kvCount; k++)
      if (!skipPaths || this.isPath[this.kvKey[k]!] === 0) size += 8 + Math.max(0, this.kvLen[k]!);
    if (size > MAX_FINGERPRINT_BYTES) return -1;
    const fp = this.fpView;
    fp.setUint32(0, resourceNumber, true);
    fp.setInt32(4, kind, true);
    fp.setUint32(8, nameLen, true);
    let p = this.copy(nameAt, nameLen, 12);
    for (let k = 0; k < this.kvCount; k++) {
      if (skipPaths && this.isPath[this.kvKey[k]!] === 1) continue;
      const len = this.kvLen[k]!;
      fp.setInt32(p, this.kvKey[k]!, true);
      fp.setInt32(p + 4, len, true);
      p = len > 0 ? this.copy(this.kvAt[k]!, len, p + 8) : p + 8;
    }
    return this.fingerprints.intern(this.fp, fp, p);
  }

  /** Copies `len` request bytes from `from` into the fingerprint at `to`; returns its new end. */
  private copy(from: number, len: number, to: number): number {
    const src = this.view;
    const dst = this.fpView;
    let p = 0;
    for (; p + 3 < len; p += 4) dst.setUint32(to + p, src.getUint32(from + p, true), true);
    for (; p < len; p++) dst.setUint8(to + p, src.getUint8(from + p));
    return to + len;
  }

  private grow(): void {
    const n = 2 * this.at.length;
    const bigger = <T extends Int32Array | Float64Array | Uint8Array | Uint16Array>(
      a: T,
      make: (n: number) => T,
    ): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.at = bigger(this.at, (k) => new Int32Array(k));
    this.resourceOf = bigger(this.resourceOf, (k) => new Int32Array(k));
    this.fingerprint = bigger(this.fingerprint, (k) => new Int32Array(k));
    this.endMs = bigger(this.endMs, (k) => new Float64Array(k));
    this.durationMs = bigger(this.durationMs, (k) => new Float64Array(k));
    this.error = bigger(this.error, (k) => new Uint8Array(k));
    this.stack = bigger(this.stack, (k) => new Uint8Array(k));
    this.traceLow = bigger(this.traceLow, (k) => new Uint16Array(k));
  }
}

/**
 * The UTF-8 length of the AnyValue at `at` when it ends up a string (its last value field is a
 * string's, as the decoder reads it), else -1.
 */
function stringValueLength(r: Reader, at: number, len: number): number {
  const pos = r.pos;
  const limit = r.len;
  r.pos = at;
  r.len = at + len;
  let length = -1;
  while (r.pos < r.len) {
    const tag = r.tag();
    if (tag === ANY_STRING) {
      length = r.uint32();
      r.skip(length);
      continue;
    }
    if (
      tag === ANY_BOOL ||
      tag === ANY_INT ||
      tag === ANY_DOUBLE ||
      tag === ANY_ARRAY ||
      tag === ANY_KVLIST ||
      tag === ANY_BYTES
    )
      length = -1;
    skip(r, tag);
  }
  r.pos = pos;
  r.len = limit;
  return length;
}

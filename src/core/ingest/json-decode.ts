// OTLP/JSON → model: `JSON.parse`, then a hand-written normalizer. protobufjs' `fromObject`
// is not usable here: OTLP/JSON deviates from the proto3 JSON mapping (ids are hex, not base64),
// and we also want lenient 64-bit handling (decimal strings or numbers) with exact durations.
//
// Shape rules: a field that should hold an object/array/string/number but holds another JSON
// type makes the whole request undecodable (400), with the path in the message. Missing fields
// take their proto3 defaults; unknown fields are ignored. Ids that are present but not valid hex
// of the right length reject just that item (partial success), as in the protobuf path.
import type {
  AttributeValue,
  Attributes,
  LogRecordData,
  ResourceInfo,
  SpanEventRecord,
  SpanRecord,
} from '../model';
import {
  MAX_ATTRIBUTES,
  MAX_EVENTS,
  MAX_LOG_BODY_BYTES,
  MAX_STRING_BYTES,
  MAX_VALUE_DEPTH,
  Rejections,
  bodyText,
  capString,
  normalizeHexId,
  nsPartsToMs,
  resourceInfo,
  setAttribute,
} from './convert-util';
import { OtlpDecodeError } from './errors';
import { asBuffer } from './proto-root';

type JsonObject = Record<string, unknown>;

/** A shape problem, with the path from the failing field up to where it was caught. */
class ShapeError extends Error {
  constructor(
    public path: string,
    readonly problem: string,
  ) {
    super(problem);
  }
}

/** Prefixes a ShapeError's path with the enclosing segment and rethrows; other errors pass. */
function rethrowAt(err: unknown, segment: string): never {
  if (err instanceof ShapeError) {
    err.path =
      err.path === ''
        ? segment
        : err.path.startsWith('[')
          ? segment + err.path
          : `${segment}.${err.path}`;
  }
  throw err;
}

function describe(v: unknown): string {
  return v === null
    ? 'null'
    : Array.isArray(v)
      ? 'an array'
      : typeof v === 'object'
        ? 'an object'
        : `a ${typeof v}`;
}

const EMPTY: readonly unknown[] = [];

function arrayField(o: JsonObject, key: string): readonly unknown[] {
  const v = o[key];
  if (v === undefined || v === null) return EMPTY;
  if (!Array.isArray(v)) throw new ShapeError(key, `expected an array, got ${describe(v)}`);
  return v;
}

function objectAt(v: unknown, path: string): JsonObject {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new ShapeError(path, `expected an object, got ${describe(v)}`);
  return v as JsonObject;
}

/** An optional message field: undefined when absent. */
function objectField(o: JsonObject, key: string): JsonObject | undefined {
  const v = o[key];
  return v === undefined || v === null ? undefined : objectAt(v, key);
}

function stringField(o: JsonObject, key: string): string {
  const v = o[key];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new ShapeError(key, `expected a string, got ${describe(v)}`);
  return v;
}

/** int32 / enum fields: integers (as the spec requires for enums); numeric strings tolerated. */
function intField(o: JsonObject, key: string): number {
  const v = o[key];
  if (v === undefined || v === null) return 0;
  const n = typeof v === 'string' && isDecimal(v, true) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n))
    throw new ShapeError(key, `expected an integer, got ${describe(v)}`);
  return n;
}

function isDecimal(s: string, signed: boolean): boolean {
  let i = signed && s.charCodeAt(0) === 45 ? 1 : 0; // '-'
  if (i === s.length) return false;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** uint64/fixed64 as a BigInt, from a decimal string or a (non-negative integer) number. */
function uint64Field(o: JsonObject, key: string): bigint {
  const v = o[key];
  if (v === undefined || v === null) return 0n;
  if (typeof v === 'string' && isDecimal(v, false)) return BigInt(v);
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return BigInt(v);
  throw new ShapeError(
    key,
    `expected an unsigned 64-bit integer (decimal string or number), got ${typeof v === 'string' ? JSON.stringify(v) : describe(v)}`,
  );
}

const LOW_MASK = 0xffffffffn;

function nsToMs(ns: bigint): number {
  return nsPartsToMs(Number(ns >> 32n), Number(ns & LOW_MASK));
}

/** The `values` list of an ArrayValue / KeyValueList. */
function valuesOf(x: unknown, field: string): readonly unknown[] {
  try {
    return arrayField(objectAt(x, ''), 'values');
  } catch (err) {
    rethrowAt(err, field);
  }
}

function value(v: unknown, depth: number): AttributeValue {
  if (v === undefined || v === null) return null;
  const o = objectAt(v, '');
  let x = o.stringValue;
  if (x !== undefined && x !== null) {
    if (typeof x !== 'string')
      throw new ShapeError('stringValue', `expected a string, got ${describe(x)}`);
    return x.length * 3 <= MAX_STRING_BYTES ? x : capString(x, MAX_STRING_BYTES);
  }
  x = o.intValue;
  if (x !== undefined && x !== null) {
    if (typeof x === 'number' && Number.isFinite(x)) return x;
    if (typeof x === 'string' && isDecimal(x, true)) return Number(x);
    throw new ShapeError(
      'intValue',
      `expected a 64-bit integer (decimal string or number), got ${describe(x)}`,
    );
  }
  x = o.boolValue;
  if (x !== undefined && x !== null) {
    if (typeof x !== 'boolean')
      throw new ShapeError('boolValue', `expected a boolean, got ${describe(x)}`);
    return x;
  }
  x = o.doubleValue;
  if (x !== undefined && x !== null) {
    if (typeof x === 'number') return x;
    // proto3 JSON spells non-finite doubles ("NaN", "Infinity", "-Infinity") as strings.
    if (typeof x === 'string') {
      const n = Number(x);
      if (x === 'NaN' || (x.trim() !== '' && !Number.isNaN(n))) return n;
    }
    throw new ShapeError('doubleValue', `expected a number, got ${describe(x)}`);
  }
  if (depth >= MAX_VALUE_DEPTH)
    throw new ShapeError('value', `values nested deeper than ${MAX_VALUE_DEPTH} levels`);
  x = o.arrayValue;
  if (x !== undefined && x !== null) {
    const values = valuesOf(x, 'arrayValue');
    const out = new Array<AttributeValue>(values.length);
    for (let i = 0; i < values.length; i++) {
      try {
        out[i] = value(values[i], depth + 1);
      } catch (err) {
        rethrowAt(err, `arrayValue.values[${i}]`);
      }
    }
    return out;
  }
  x = o.kvlistValue;
  if (x !== undefined && x !== null) {
    const values = valuesOf(x, 'kvlistValue');
    try {
      return attributes(values, Infinity, depth + 1);
    } catch (err) {
      rethrowAt(err, 'kvlistValue.values');
    }
  }
  x = o.bytesValue;
  if (x !== undefined && x !== null) {
    // Standard proto3 JSON base64 (the hex rule covers ids only); re-encode to canonical base64.
    if (typeof x !== 'string')
      throw new ShapeError('bytesValue', `expected a base64 string, got ${describe(x)}`);
    return Buffer.from(x, 'base64').toString('base64');
  }
  return null;
}

function attributes(list: readonly unknown[], max: number, depth: number): Attributes {
  const out: Attributes = {};
  const n = list.length < max ? list.length : max;
  for (let i = 0; i < n; i++) {
    let kv: JsonObject;
    let v: AttributeValue;
    try {
      kv = objectAt(list[i], '');
      try {
        v = value(kv.value, depth);
      } catch (err) {
        rethrowAt(err, 'value');
      }
      setAttribute(out, stringField(kv, 'key'), v);
    } catch (err) {
      rethrowAt(err, `[${i}]`);
    }
  }
  return out;
}

function attributesField(o: JsonObject, key: string, max: number): Attributes {
  const list = arrayField(o, key);
  if (list.length === 0) return {};
  try {
    return attributes(list, max, 0);
  } catch (err) {
    rethrowAt(err, key);
  }
}

function resourceField(o: JsonObject): ResourceInfo {
  try {
    const resource = objectField(o, 'resource');
    return resourceInfo(
      resource === undefined ? {} : attributesField(resource, 'attributes', Infinity),
    );
  } catch (err) {
    rethrowAt(err, 'resource');
  }
}

function events(o: JsonObject): SpanEventRecord[] {
  const list = arrayField(o, 'events');
  const n = list.length < MAX_EVENTS ? list.length : MAX_EVENTS;
  const out = new Array<SpanEventRecord>(n);
  for (let i = 0; i < n; i++) {
    try {
      const e = objectAt(list[i], '');
      out[i] = {
        name: capString(stringField(e, 'name'), MAX_STRING_BYTES),
        timeMs: nsToMs(uint64Field(e, 'timeUnixNano')),
        attributes: attributesField(e, 'attributes', MAX_ATTRIBUTES),
      };
    } catch (err) {
      rethrowAt(err, `events[${i}]`);
    }
  }
  return out;
}

/**
 * Returns the span, or a rejection reason for unusable ids. The whole shape is checked first, so
 * a malformed span fails the request (400) whether or not its ids are also bad.
 */
function span(o: JsonObject, resource: ResourceInfo): SpanRecord | string {
  const rawTrace = stringField(o, 'traceId');
  const rawSpan = stringField(o, 'spanId');
  const rawParent = stringField(o, 'parentSpanId');
  const name = stringField(o, 'name');
  const kind = intField(o, 'kind');
  const start = uint64Field(o, 'startTimeUnixNano');
  const end = uint64Field(o, 'endTimeUnixNano');
  const status = objectField(o, 'status');
  let statusCode = 0;
  let statusMessage = '';
  if (status !== undefined) {
    try {
      statusCode = intField(status, 'code');
      statusMessage = stringField(status, 'message');
    } catch (err) {
      rethrowAt(err, 'status');
    }
  }
  const attrs = attributesField(o, 'attributes', MAX_ATTRIBUTES);
  const evs = events(o);

  const traceId = normalizeHexId(rawTrace, 16);
  if (traceId === undefined)
    return `traceId must be 32 hex characters, got ${JSON.stringify(rawTrace.slice(0, 40))}`;
  const spanId = normalizeHexId(rawSpan, 8);
  if (spanId === undefined)
    return `spanId must be 16 hex characters, got ${JSON.stringify(rawSpan.slice(0, 40))}`;
  const parentSpanId = rawParent === '' ? '' : normalizeHexId(rawParent, 8);
  if (parentSpanId === undefined)
    return `parentSpanId must be empty or 16 hex characters, got ${JSON.stringify(rawParent.slice(0, 40))}`;
  return {
    traceId,
    spanId,
    parentSpanId,
    name: capString(name, MAX_STRING_BYTES),
    kind,
    startMs: nsToMs(start),
    // Exact: the BigInt difference is small, so its conversion to a double loses nothing.
    durationMs: end > start ? Number(end - start) / 1e6 : 0,
    statusCode,
    statusMessage: capString(statusMessage, MAX_STRING_BYTES),
    attributes: attrs,
    events: evs,
    resource,
  };
}

/** UTF-8 bytes → top-level JSON object; anything else is undecodable. */
function parseRoot(body: Uint8Array, message: string): JsonObject {
  let text = asBuffer(body).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (err) {
    throw new OtlpDecodeError(
      `invalid JSON in OTLP/JSON ${message}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (typeof root !== 'object' || root === null || Array.isArray(root)) {
    throw new OtlpDecodeError(`OTLP/JSON ${message} must be a JSON object, got ${describe(root)}`);
  }
  return root as JsonObject;
}

/** Keeps messages readable when the path is very deep (nested values). */
function shortPath(path: string): string {
  return path.length <= 240 ? path : `${path.slice(0, 160)}…${path.slice(-60)}`;
}

/** Runs a normalizer, turning shape problems into one developer-facing OtlpDecodeError. */
function normalize<T>(body: Uint8Array, message: string, fn: (root: JsonObject) => T): T {
  const root = parseRoot(body, message);
  try {
    return fn(root);
  } catch (err) {
    if (err instanceof ShapeError)
      throw new OtlpDecodeError(
        `invalid OTLP/JSON ${message} at ${shortPath(err.path)}: ${err.problem}`,
      );
    throw err;
  }
}

function tracesFrom(root: JsonObject): {
  spans: SpanRecord[];
  rejected: number;
  errorMessage?: string;
} {
  const spans: SpanRecord[] = [];
  const rejections = new Rejections();
  const rsList = arrayField(root, 'resourceSpans');
  for (let r = 0; r < rsList.length; r++) {
    let sc = -1;
    let i = -1;
    try {
      const rs = objectAt(rsList[r], '');
      const resource = resourceField(rs);
      const ssList = arrayField(rs, 'scopeSpans');
      for (sc = 0; sc < ssList.length; sc++) {
        const list = arrayField(objectAt(ssList[sc], ''), 'spans');
        for (i = 0; i < list.length; i++) {
          const result = span(objectAt(list[i], ''), resource);
          if (typeof result === 'string')
            rejections.add(`resourceSpans[${r}].scopeSpans[${sc}].spans[${i}]: ${result}`);
          else spans.push(result);
        }
        i = -1;
      }
      sc = -1;
    } catch (err) {
      const where = sc < 0 ? '' : i < 0 ? `.scopeSpans[${sc}]` : `.scopeSpans[${sc}].spans[${i}]`;
      rethrowAt(err, `resourceSpans[${r}]${where}`);
    }
  }
  const errorMessage = rejections.message('span');
  return errorMessage === undefined
    ? { spans, rejected: 0 }
    : { spans, rejected: rejections.count, errorMessage };
}

export function jsonDecodeTraces(body: Uint8Array): {
  spans: SpanRecord[];
  rejected: number;
  errorMessage?: string;
} {
  return normalize(body, 'ExportTraceServiceRequest', tracesFrom);
}

function logRecord(o: JsonObject, resource: ResourceInfo): LogRecordData | string {
  const rawTrace = stringField(o, 'traceId');
  const rawSpan = stringField(o, 'spanId');
  let t = uint64Field(o, 'timeUnixNano');
  if (t === 0n) t = uint64Field(o, 'observedTimeUnixNano');
  let body: string;
  try {
    // A string body keeps up to the log cap (attribute strings are capped lower).
    const raw = o.body;
    const s = typeof raw === 'object' && raw !== null ? (raw as JsonObject).stringValue : undefined;
    body = typeof s === 'string' ? capString(s, MAX_LOG_BODY_BYTES) : bodyText(value(raw, 0));
  } catch (err) {
    rethrowAt(err, 'body');
  }
  const severityNumber = intField(o, 'severityNumber');
  const severityText = stringField(o, 'severityText');
  const attrs = attributesField(o, 'attributes', MAX_ATTRIBUTES);

  const traceId = rawTrace === '' ? '' : normalizeHexId(rawTrace, 16);
  if (traceId === undefined)
    return `traceId must be empty or 32 hex characters, got ${JSON.stringify(rawTrace.slice(0, 40))}`;
  const spanId = rawSpan === '' ? '' : normalizeHexId(rawSpan, 8);
  if (spanId === undefined)
    return `spanId must be empty or 16 hex characters, got ${JSON.stringify(rawSpan.slice(0, 40))}`;
  return {
    timeMs: nsToMs(t),
    severityNumber,
    severityText: capString(severityText, MAX_STRING_BYTES),
    body,
    traceId,
    spanId,
    attributes: attrs,
    resource,
  };
}

function logsFrom(root: JsonObject): {
  logs: LogRecordData[];
  rejected: number;
  errorMessage?: string;
} {
  const logs: LogRecordData[] = [];
  const rejections = new Rejections();
  const rlList = arrayField(root, 'resourceLogs');
  for (let r = 0; r < rlList.length; r++) {
    let sc = -1;
    let i = -1;
    try {
      const rl = objectAt(rlList[r], '');
      const resource = resourceField(rl);
      const slList = arrayField(rl, 'scopeLogs');
      for (sc = 0; sc < slList.length; sc++) {
        const list = arrayField(objectAt(slList[sc], ''), 'logRecords');
        for (i = 0; i < list.length; i++) {
          const result = logRecord(objectAt(list[i], ''), resource);
          if (typeof result === 'string')
            rejections.add(`resourceLogs[${r}].scopeLogs[${sc}].logRecords[${i}]: ${result}`);
          else logs.push(result);
        }
        i = -1;
      }
      sc = -1;
    } catch (err) {
      const where =
        sc < 0 ? '' : i < 0 ? `.scopeLogs[${sc}]` : `.scopeLogs[${sc}].logRecords[${i}]`;
      rethrowAt(err, `resourceLogs[${r}]${where}`);
    }
  }
  const errorMessage = rejections.message('log record');
  return errorMessage === undefined
    ? { logs, rejected: 0 }
    : { logs, rejected: rejections.count, errorMessage };
}

export function jsonDecodeLogs(body: Uint8Array): {
  logs: LogRecordData[];
  rejected: number;
  errorMessage?: string;
} {
  return normalize(body, 'ExportLogsServiceRequest', logsFrom);
}

const METRIC_KINDS = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] as const;

function metricsFrom(root: JsonObject): { dataPoints: number; rejected: number } {
  let dataPoints = 0;
  const rmList = arrayField(root, 'resourceMetrics');
  for (let r = 0; r < rmList.length; r++) {
    let s = -1;
    let m = -1;
    try {
      const smList = arrayField(objectAt(rmList[r], ''), 'scopeMetrics');
      for (s = 0; s < smList.length; s++) {
        const metrics = arrayField(objectAt(smList[s], ''), 'metrics');
        for (m = 0; m < metrics.length; m++) {
          const metric = objectAt(metrics[m], '');
          for (const kind of METRIC_KINDS) {
            const data = objectField(metric, kind);
            if (data !== undefined) {
              try {
                dataPoints += arrayField(data, 'dataPoints').length;
              } catch (err) {
                rethrowAt(err, kind);
              }
            }
          }
        }
        m = -1;
      }
      s = -1;
    } catch (err) {
      const where =
        s < 0 ? '' : m < 0 ? `.scopeMetrics[${s}]` : `.scopeMetrics[${s}].metrics[${m}]`;
      rethrowAt(err, `resourceMetrics[${r}]${where}`);
    }
  }
  return { dataPoints, rejected: 0 };
}

export function jsonDecodeMetrics(body: Uint8Array): { dataPoints: number; rejected: number } {
  return normalize(body, 'ExportMetricsServiceRequest', metricsFrom);
}

// OTLP/protobuf logs and metrics → model, and the raw trace decode. protobufjs (reflection,
// `Type.decode`) decodes the request into its message objects; these functions then walk them
// once. The shapes below describe what the generated decoders produce for our schema
// (otlp-proto.ts): absent scalars read as the defaults on the message prototype, so an AnyValue
// member's presence needs an own-property check. (Traces, the hot path, skip the intermediate
// objects: see trace-wire-decode.ts.)
import protobuf from 'protobufjs';
import type { AttributeValue, Attributes, LogRecordData, ResourceInfo } from '../model';
import {
  MAX_ATTRIBUTES,
  MAX_LOG_BODY_BYTES,
  MAX_STRING_BYTES,
  Rejections,
  bodyText,
  bytesToHex,
  capString,
  int64PartsToNumber,
  nsPartsToMs,
  resourceInfo,
  setAttribute,
} from './convert-util';
import { asBuffer, otlpTypes } from './proto-root';

/** protobufjs gives 64-bit fields as Long (long.js is its dependency); a bare number otherwise. */
type PbInt64 = { high: number; low: number } | number;

interface PbAnyValue {
  stringValue: string;
  boolValue: boolean;
  intValue: PbInt64;
  doubleValue: number;
  arrayValue: { values: PbAnyValue[] } | null;
  kvlistValue: { values: PbKeyValue[] } | null;
  bytesValue: Uint8Array;
}

interface PbKeyValue {
  key: string;
  value: PbAnyValue | null;
}

interface PbResource {
  attributes: PbKeyValue[];
}

interface PbLogRecord {
  timeUnixNano: PbInt64;
  observedTimeUnixNano: PbInt64;
  severityNumber: number;
  severityText: string;
  body: PbAnyValue | null;
  attributes: PbKeyValue[];
  traceId: Uint8Array;
  spanId: Uint8Array;
}

interface PbLogsRequest {
  resourceLogs: { resource: PbResource | null; scopeLogs: { logRecords: PbLogRecord[] }[] }[];
}

interface PbDataPoints {
  dataPoints: unknown[];
}

interface PbMetricsRequest {
  resourceMetrics: {
    scopeMetrics: {
      metrics: {
        gauge: PbDataPoints | null;
        sum: PbDataPoints | null;
        histogram: PbDataPoints | null;
        exponentialHistogram: PbDataPoints | null;
        summary: PbDataPoints | null;
      }[];
    }[];
  }[];
}

const hasOwn = Object.prototype.hasOwnProperty;

/** Decodes the raw request message; protobufjs errors propagate to the caller's wrapper. */
function decodeMessage(type: protobuf.Type, body: Uint8Array): unknown {
  return type.decode(asBuffer(body));
}

export function pbDecodeTracesRaw(body: Uint8Array): unknown {
  return decodeMessage(otlpTypes().traceRequest, body);
}

function high(v: PbInt64): number {
  return typeof v === 'number' ? Math.floor(v / 4294967296) : v.high;
}

function low(v: PbInt64): number {
  return typeof v === 'number' ? v % 4294967296 : v.low;
}

function pbValue(v: PbAnyValue | null): AttributeValue {
  if (v === null) return null;
  // Strings dominate; a non-empty stringValue can only be the own (set) member. The length test
  // skips the cap call for values that cannot exceed it.
  const s = v.stringValue;
  if (s.length !== 0) return s.length * 3 <= MAX_STRING_BYTES ? s : capString(s, MAX_STRING_BYTES);
  if (hasOwn.call(v, 'stringValue')) return '';
  if (hasOwn.call(v, 'intValue')) return int64PartsToNumber(high(v.intValue), low(v.intValue));
  if (hasOwn.call(v, 'boolValue')) return v.boolValue;
  if (hasOwn.call(v, 'doubleValue')) return v.doubleValue;
  if (v.arrayValue !== null) {
    const values = v.arrayValue.values;
    const out: AttributeValue[] = new Array<AttributeValue>(values.length);
    for (let i = 0; i < values.length; i++) out[i] = pbValue(values[i]!);
    return out;
  }
  if (v.kvlistValue !== null) return pbAttributes(v.kvlistValue.values, Infinity);
  if (hasOwn.call(v, 'bytesValue'))
    return Buffer.from(v.bytesValue.buffer, v.bytesValue.byteOffset, v.bytesValue.length).toString(
      'base64',
    );
  return null;
}

function pbAttributes(list: PbKeyValue[], max: number): Attributes {
  const out: Attributes = {};
  const n = list.length < max ? list.length : max;
  for (let i = 0; i < n; i++) {
    const kv = list[i]!;
    const key = kv.key;
    if (key === '__proto__') setAttribute(out, key, pbValue(kv.value));
    else out[key] = pbValue(kv.value);
  }
  return out;
}

function pbResource(resource: PbResource | null): ResourceInfo {
  return resourceInfo(resource === null ? {} : pbAttributes(resource.attributes, Infinity));
}

/** A string body keeps up to the log cap (attribute strings are capped lower). */
function pbBody(v: PbAnyValue | null): string {
  if (v !== null && v.stringValue.length !== 0) return capString(v.stringValue, MAX_LOG_BODY_BYTES);
  return bodyText(pbValue(v));
}

function logIdProblem(rec: PbLogRecord): string | undefined {
  if (rec.traceId.length !== 0 && rec.traceId.length !== 16)
    return `traceId must be empty or 16 bytes, got ${rec.traceId.length}`;
  if (rec.spanId.length !== 0 && rec.spanId.length !== 8)
    return `spanId must be empty or 8 bytes, got ${rec.spanId.length}`;
  return undefined;
}

export function pbDecodeLogs(body: Uint8Array): {
  logs: LogRecordData[];
  rejected: number;
  errorMessage?: string;
} {
  const req = decodeMessage(otlpTypes().logsRequest, body) as PbLogsRequest;
  const logs: LogRecordData[] = [];
  const rejections = new Rejections();
  for (let r = 0; r < req.resourceLogs.length; r++) {
    const rl = req.resourceLogs[r]!;
    const resource = pbResource(rl.resource);
    for (let sc = 0; sc < rl.scopeLogs.length; sc++) {
      const list = rl.scopeLogs[sc]!.logRecords;
      for (let i = 0; i < list.length; i++) {
        const rec = list[i]!;
        const problem = logIdProblem(rec);
        if (problem !== undefined) {
          rejections.add(`resourceLogs[${r}].scopeLogs[${sc}].logRecords[${i}]: ${problem}`);
          continue;
        }
        // time_unix_nano is optional on the wire; the spec says to fall back to observed time.
        let t = rec.timeUnixNano;
        if (high(t) === 0 && low(t) === 0) t = rec.observedTimeUnixNano;
        logs.push({
          timeMs: nsPartsToMs(high(t), low(t)),
          severityNumber: rec.severityNumber,
          severityText: capString(rec.severityText, MAX_STRING_BYTES),
          body: pbBody(rec.body),
          traceId: rec.traceId.length === 0 ? '' : bytesToHex(rec.traceId),
          spanId: rec.spanId.length === 0 ? '' : bytesToHex(rec.spanId),
          attributes: pbAttributes(rec.attributes, MAX_ATTRIBUTES),
          resource,
        });
      }
    }
  }
  const errorMessage = rejections.message('log record');
  return errorMessage === undefined
    ? { logs, rejected: 0 }
    : { logs, rejected: rejections.count, errorMessage };
}

export function pbDecodeMetrics(body: Uint8Array): { dataPoints: number; rejected: number } {
  const req = decodeMessage(otlpTypes().metricsRequest, body) as PbMetricsRequest;
  let dataPoints = 0;
  for (const rm of req.resourceMetrics) {
    for (const sm of rm.scopeMetrics) {
      for (const m of sm.metrics) {
        const data = m.gauge ?? m.sum ?? m.histogram ?? m.exponentialHistogram ?? m.summary;
        if (data !== null) dataPoints += data.dataPoints.length;
      }
    }
  }
  return { dataPoints, rejected: 0 };
}

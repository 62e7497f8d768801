// Small, allocation-lean helpers shared by the protobuf and JSON converters: limits, ids, times,
// string caps, resource identity. Both converters run per span, so everything here is a plain
// function over primitives (no closures, no regexes).
import type { AttributeValue, Attributes, ResourceInfo } from '../model';

/** Attributes kept per span/event/log record; the rest are dropped silently. */
export const MAX_ATTRIBUTES = 128;
/** Events kept per span. */
export const MAX_EVENTS = 128;
/** Attribute string values (and names/messages) are cut to this many UTF-8 bytes. */
export const MAX_STRING_BYTES = 4 * 1024;
/** Log bodies, flattened to text, are cut to this many UTF-8 bytes. */
export const MAX_LOG_BODY_BYTES = 16 * 1024;
/**
 * AnyValue nesting (arrays/kvlists inside values) deeper than this makes a request undecodable.
 * 30 keeps every accepted request within protobufjs' recursion limit of 100 nested messages
 * (3 per kvlist level, below request › ResourceSpans › ScopeSpans › Span › Event › KeyValue ›
 * AnyValue), so decodeTracesRaw accepts whatever decodeTraces accepts.
 */
export const MAX_VALUE_DEPTH = 30;
/** How many distinct rejection reasons an errorMessage lists. */
export const MAX_REASONS = 3;

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push((i < 16 ? '0' : '') + i.toString(16));

/** Node's native slice encoders, present on every Buffer (protobufjs' reader uses utf8Slice too). */
type NativeSlices = Buffer & {
  hexSlice?: (start: number, end: number) => string;
  utf8Slice?: (start: number, end: number) => string;
};

/**
 * Lowercase hex of `len` id bytes at `start`. Node's native hex encoder, called directly, was
 * measured faster than a byte → two-char table (and `toString('hex')`, which adds an encoding
 * dispatch and argument checks), and it returns a flat string: the table's 16-piece rope must
 * be flattened by V8 before the id can be hashed, which made it ~3× slower once used as a Map
 * key. The table remains for plain Uint8Arrays.
 */
export function hexAt(bytes: Uint8Array, start: number, len: number): string {
  const native = (bytes as NativeSlices).hexSlice;
  if (native !== undefined) return native.call(bytes, start, start + len);
  let out = '';
  for (let i = start; i < start + len; i++) out += HEX[bytes[i]!]!;
  return out;
}

export function bytesToHex(bytes: Uint8Array): string {
  return hexAt(bytes, 0, bytes.length);
}

/** UTF-8 text of a byte range; invalid sequences become U+FFFD (never throws). */
export function utf8At(bytes: Uint8Array, start: number, end: number): string {
  const native = (bytes as NativeSlices).utf8Slice;
  return native !== undefined
    ? native.call(bytes, start, end)
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8', start, end);
}

/** Hex digit value by char code (-1 = not hex); accepts both cases as OTLP/JSON requires. */
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX_VALUE[48 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX_VALUE[65 + i] = 10 + i;
  HEX_VALUE[97 + i] = 10 + i;
}

/**
 * Normalizes an OTLP/JSON hex id: returns it lowercased, or undefined when it is not exactly
 * `bytes` bytes of hex. Already-lowercase ids (the common case) are returned as is.
 */
export function normalizeHexId(s: string, bytes: number): string | undefined {
  if (s.length !== bytes * 2) return undefined;
  let upper = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || HEX_VALUE[c]! < 0) return undefined;
    if (c >= 65 && c <= 70) upper = true;
  }
  return upper ? s.toLowerCase() : s;
}

/**
 * Cuts a string to at most `maxBytes` UTF-8 bytes without splitting a character. Strings of at
 * most maxBytes/3 UTF-16 units cannot exceed the cap (3 bytes per unit at most), so the usual
 * short value costs one length comparison.
 */
export function capString(s: string, maxBytes: number): string {
  if (s.length * 3 <= maxBytes) return s;
  if (Buffer.byteLength(s, 'utf8') <= maxBytes) return s;
  const buf = Buffer.from(s, 'utf8');
  let end = maxBytes;
  // Back up to the first byte of the character that straddles the cut (continuation = 10xxxxxx).
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  return buf.toString('utf8', 0, end);
}

/** Epoch milliseconds (fractional) from the two 32-bit halves of a uint64 nanosecond time. */
export function nsPartsToMs(high: number, low: number): number {
  return (high >>> 0) * 4294.967296 + (low >>> 0) / 1e6;
}

/**
 * end − start in milliseconds, from 64-bit halves. The nanosecond difference is formed exactly
 * in integer steps (each half-difference is a small exact integer), so a 3 ns span stays 3 ns
 * even though both timestamps are ~1.7e18 and far beyond double precision. Negative → 0.
 */
export function nsPartsDurationMs(
  sHigh: number,
  sLow: number,
  eHigh: number,
  eLow: number,
): number {
  const ns = ((eHigh >>> 0) - (sHigh >>> 0)) * 4294967296 + ((eLow >>> 0) - (sLow >>> 0));
  return ns > 0 ? ns / 1e6 : 0;
}

/** Signed int64 halves → JS number (exact up to 2^53, nearest double beyond). */
export function int64PartsToNumber(high: number, low: number): number {
  return (high | 0) * 4294967296 + (low >>> 0);
}

/** Assigns an attribute, keeping a literal `__proto__` key an own property (no prototype swap). */
export function setAttribute(target: Attributes, key: string, value: AttributeValue): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    target[key] = value;
  }
}

/** String form of a resource attribute value (they are strings in practice; be lenient). */
function identityText(v: AttributeValue | undefined): string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/**
 * The resource identity, from already-converted resource attributes. The deprecated
 * `deployment.environment` is honoured when the current `deployment.environment.name` is absent.
 */
export function resourceInfo(attrs: Attributes): ResourceInfo {
  const info: ResourceInfo = {
    service: identityText(attrs['service.name']) || 'unknown_service',
    environment:
      identityText(attrs['deployment.environment.name']) ??
      identityText(attrs['deployment.environment']) ??
      '',
    version: identityText(attrs['service.version']) ?? '',
  };
  // The VCS conventions' revision; a version that is itself a commit id serves too.
  const revision =
    identityText(attrs['vcs.ref.head.revision']) ??
    identityText(attrs['vcs.repository.ref.revision']) ??
    identityText(attrs['git.commit.sha']);
  if (revision) info.revision = revision;
  else if (/^[0-9a-f]{7,40}$/i.test(info.version)) info.revision = info.version;
  return info;
}

/** Collects per-item rejections into a count and a short, developer-facing message. */
export class Rejections {
  count = 0;
  private readonly reasons: string[] = [];

  add(reason: string): void {
    this.count++;
    if (this.reasons.length < MAX_REASONS) this.reasons.push(reason);
  }

  message(noun: string): string | undefined {
    if (this.count === 0) return undefined;
    const more =
      this.count > this.reasons.length ? `; …and ${this.count - this.reasons.length} more` : '';
    return `${this.count} ${noun}${this.count === 1 ? '' : 's'} rejected: ${this.reasons.join('; ')}${more}`;
  }
}

/** A log body as text: strings as is, scalars via String, structures as JSON; capped. */
export function bodyText(value: AttributeValue): string {
  if (value === null) return '';
  const text =
    typeof value === 'string'
      ? value
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);
  return capString(text, MAX_LOG_BODY_BYTES);
}

/**
 * A trace id's last two bytes as a number (0-65535), read from its hex text: trace sampling keeps
 * a share of traces by it, so every span of a kept trace is kept. 0 for an id too short to say.
 */
export function traceSampleValue(traceIdHex: string): number {
  const n = traceIdHex.length;
  if (n < 4) return 0;
  let v = 0;
  for (let i = n - 4; i < n; i++) {
    const c = traceIdHex.charCodeAt(i);
    const d = c <= 57 ? c - 48 : (c | 32) - 87;
    v = (v << 4) | (d >= 0 && d < 16 ? d : 0);
  }
  return v;
}

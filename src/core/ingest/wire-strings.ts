// Strings read from OTLP requests without decoding them again: senders repeat the same keys,
// values and names span after span, so the readers (trace-wire-decode.ts, trace-wire-scan.ts)
// compare bytes against what they decoded before and hand out the same string.
import type { Reader } from './trace-wire-format';
import { MAX_ATTRIBUTES, utf8At } from './convert-util';

/**
 * Recently decoded ASCII strings by slot (attribute key/value position in the span, span name).
 * Senders repeat the same keys, in the same order, and many values, span after span; comparing
 * the bytes against the previous string at that position is far cheaper than a native UTF-8
 * decode, and reusing the string also reuses V8's internalized property key. Bounded (one short
 * string per slot, its bytes kept beside it: comparing two byte arrays is faster than comparing
 * bytes with a string's char codes), no hashing; a mismatch just decodes as usual. Only strings
 * with one UTF-16 unit per byte are kept, so a byte-wise match implies an identical ASCII string.
 */
export const RECENT_KEY = 0;
export const RECENT_VALUE = MAX_ATTRIBUTES;
export const RECENT_NAME = 2 * MAX_ATTRIBUTES;
export const NO_SLOT = -1;
/** Longer strings (rarely repeated verbatim) are not kept, so the slots retain little memory. */
const RECENT_MAX_BYTES = 128;
const RECENT_SLOTS = 2 * MAX_ATTRIBUTES + 1;
const recent: string[] = new Array<string>(RECENT_SLOTS).fill('');
const recentBytes = new Uint8Array(RECENT_SLOTS * RECENT_MAX_BYTES);
const recentView = new DataView(recentBytes.buffer);

/** The request being decoded, as a DataView: byte compares read it four bytes at a time. */
let requestView: DataView = new DataView(new ArrayBuffer(0));

export function viewRequest(buf: Uint8Array): void {
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

export function readString(r: Reader, slot: number): string {
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
  const h = hashBytes(buf, requestView, start, len);
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

/**
 * A hash of `bytes[start, start + len)` (`view` over the same memory) for direct-mapped and
 * open-addressed tables (this file's strings, fingerprint-table.ts): FNV-style, four bytes at a
 * time, then the tail; the tables need a spread, not FNV itself.
 */
export function hashBytes(bytes: Uint8Array, view: DataView, start: number, len: number): number {
  const end = start + len;
  let h = 0x811c9dc5 ^ len;
  let p = start;
  for (; p + 3 < end; p += 4) h = Math.imul(h ^ view.getUint32(p, true), 0x01000193);
  for (; p < end; p++) h = Math.imul(h ^ bytes[p]!, 0x01000193);
  return h ^ (h >>> 15);
}

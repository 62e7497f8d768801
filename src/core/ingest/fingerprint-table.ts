// Numbers for byte strings: the triage scan (trace-wire-scan.ts) turns the bytes that decide where
// a span's code is (its resource, name, kind and locating attributes, as they stand on the wire)
// into a small number, and the triage maps each number to its series once. A span whose bytes
// were seen before then skips decoding, locating and keying. A lookup compares the bytes
// themselves, so a hash collision costs a probe, never a span counted under the wrong function.
import { hashBytes } from './wire-strings';

/** Fingerprints held before the table starts over (each costs its bytes and four ints). */
const MAX_ENTRIES = 16_384;
/** Bytes held before the table starts over. */
const MAX_BYTES = 4 * 1024 * 1024;

export class FingerprintTable {
  /** Bumped each time the table starts over: numbers handed out before mean nothing after. */
  generation = 0;
  private count = 0;
  /** Open addressing over entry numbers + 1 (0 is an empty slot); at most half full. */
  private slots = new Int32Array(1024);
  private hashes = new Int32Array(512);
  private offsets = new Int32Array(512);
  private lengths = new Int32Array(512);
  private arena = new Uint8Array(64 * 1024);
  private arenaView = new DataView(this.arena.buffer);
  private used = 0;

  /** Entries held now. */
  get size(): number {
    return this.count;
  }

  /**
   * Starts over when the table has outgrown its bounds (or `force`). Called between requests
   * only, so every number handed out for one request stays valid until its triage is done.
   */
  settle(force = false): void {
    if (!force && this.count <= MAX_ENTRIES && this.used <= MAX_BYTES) return;
    this.count = 0;
    this.used = 0;
    this.slots = new Int32Array(1024);
    this.arena = new Uint8Array(64 * 1024);
    this.arenaView = new DataView(this.arena.buffer);
    this.generation++;
  }

  /** The number of `bytes[0, len)` (`view` over the same bytes), adding it when it is new. */
  intern(bytes: Uint8Array, view: DataView, len: number): number {
    const h = hashBytes(bytes, view, 0, len);
    const mask = this.slots.length - 1;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const slot = this.slots[s]!;
      if (slot === 0) return this.add(bytes, len, h, s);
      const id = slot - 1;
      if (this.hashes[id] === h && this.lengths[id] === len && this.same(view, len, id)) return id;
    }
  }

  private same(view: DataView, len: number, id: number): boolean {
    const kept = this.arenaView;
    const at = this.offsets[id]!;
    let p = 0;
    for (; p + 3 < len; p += 4)
      if (view.getUint32(p, true) !== kept.getUint32(at + p, true)) return false;
    for (; p < len; p++) if (view.getUint8(p) !== kept.getUint8(at + p)) return false;
    return true;
  }

  private add(bytes: Uint8Array, len: number, h: number, slot: number): number {
    const id = this.count++;
    if (id === this.hashes.length) {
      this.hashes = grow(this.hashes);
      this.offsets = grow(this.offsets);
      this.lengths = grow(this.lengths);
    }
    if (this.used + len > this.arena.length) {
      const arena = new Uint8Array(Math.max(2 * this.arena.length, this.used + len));
      arena.set(this.arena.subarray(0, this.used));
      this.arena = arena;
      this.arenaView = new DataView(arena.buffer);
    }
    this.arena.set(bytes.subarray(0, len), this.used);
    this.hashes[id] = h;
    this.offsets[id] = this.used;
    this.lengths[id] = len;
    this.used += len;
    this.slots[slot] = id + 1;
    if (2 * this.count > this.slots.length) this.rehash();
    return id;
  }

  /** Doubles the slots (the table stays at most half full, so probes stay short). */
  private rehash(): void {
    const slots = new Int32Array(2 * this.slots.length);
    const mask = slots.length - 1;
    for (let id = 0; id < this.count; id++) {
      let s = this.hashes[id]! & mask;
      while (slots[s] !== 0) s = (s + 1) & mask;
      slots[s] = id + 1;
    }
    this.slots = slots;
  }
}

function grow(a: Int32Array): Int32Array<ArrayBuffer> {
  const b = new Int32Array(2 * a.length);
  b.set(a);
  return b;
}

// Latency distribution as a mergeable relative-error quantile sketch (DDSketch). Buckets of any
// window merge into one sketch, so p50/p95/p99 of any window come out with the same 1% relative
// error as a single bucket. This wrapper keeps min/max/sum exact (the library's proto form drops them).
import { DDSketch, LogCollapsingLowestDenseDDSketch } from '@datadog/sketches-js';

/** 1% relative error; 1,024 bins caps a sketch's memory while covering ~1 µs … 10^8 ms at 1%. */
const RELATIVE_ACCURACY = 0.01;
const BIN_LIMIT = 1024;

type AnySketch = DDSketch | LogCollapsingLowestDenseDDSketch;

export class LatencySketch {
  private sketch: AnySketch;
  min = Infinity;
  max = -Infinity;

  constructor(sketch?: AnySketch) {
    this.sketch =
      sketch ??
      new LogCollapsingLowestDenseDDSketch({
        relativeAccuracy: RELATIVE_ACCURACY,
        binLimit: BIN_LIMIT,
      });
  }

  get count(): number {
    return this.sketch.count;
  }

  get sum(): number {
    return this.sketch.sum;
  }

  add(valueMs: number): void {
    // The sketch rejects NaN/negative; a clock skewed span is clamped to zero rather than lost.
    const v = valueMs > 0 && Number.isFinite(valueMs) ? valueMs : 0;
    this.sketch.accept(v);
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  merge(other: LatencySketch): void {
    if (other.count === 0) return;
    this.sketch.merge(other.sketch as DDSketch);
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
  }

  /** Value at quantile q in [0, 1]; NaN when empty. Clamped into [min, max] so p99 never exceeds max. */
  quantile(q: number): number {
    if (this.count === 0) return NaN;
    const v = this.sketch.getValueAtQuantile(q);
    return Math.min(this.max, Math.max(this.min, v));
  }

  toBase64(): string {
    return Buffer.from(this.sketch.toProto()).toString('base64');
  }

  /** The proto form keeps the bins only: min, max and sum travel beside it. */
  static fromBase64(data: string, min: number, max: number, sum: number): LatencySketch {
    const sketch = DDSketch.fromProto(new Uint8Array(Buffer.from(data, 'base64')));
    sketch.sum = sum;
    const s = new LatencySketch(sketch);
    s.min = min;
    s.max = max;
    return s;
  }
}

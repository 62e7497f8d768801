// Time-bucketed aggregates for every series, with hard memory bounds: a cap on series and on
// buckets (oldest-seen series are evicted first), fixed retention (60 one-minute buckets, 7 days
// of hour buckets). Readers get window statistics by merging bucket sketches.
import type { WindowStats } from '../model';
import { LatencySketch } from './latency-sketch';
import { HOUR_MS, MINUTE_MS, Series, SeriesIdentity } from './series';

export const MINUTE_RETENTION_MS = 60 * MINUTE_MS;
export const HOUR_RETENTION_MS = 7 * 24 * HOUR_MS + HOUR_MS;
/** Spans this far ahead of our clock are clamped to now (clock skew), not stored in the future. */
const MAX_FUTURE_SKEW_MS = 5 * MINUTE_MS;
const MIN_COVERED_MS = 10_000;

export interface StoreOptions {
  maxSeries?: number;
  maxBuckets?: number;
  now?: () => number;
}

export interface StoreCounters {
  spans: number;
  /** Spans whose end lies beyond the 7-day retention. */
  tooOld: number;
  /** Series removed to stay within the memory budget. */
  evictedSeries: number;
}

export class AggregateStore {
  private readonly series = new Map<string, Series>();
  private readonly maxSeries: number;
  private readonly maxBuckets: number;
  readonly now: () => number;
  private buckets = 0;
  private lastPruneMinute = 0;
  /** When this store began collecting; rates divide by the time covered since then. */
  collectingSinceMs: number | undefined;
  /** Bumped once per ingested batch; readers memoize on it. */
  generation = 0;
  readonly counters: StoreCounters = { spans: 0, tooOld: 0, evictedSeries: 0 };

  constructor(opts: StoreOptions = {}) {
    this.maxSeries = opts.maxSeries ?? 5_000;
    this.maxBuckets = opts.maxBuckets ?? 150_000;
    this.now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.series.size;
  }

  get bucketTotal(): number {
    return this.buckets;
  }

  get(id: string): Series | undefined {
    return this.series.get(id);
  }

  all(): IterableIterator<Series> {
    return this.series.values();
  }

  /**
   * Records one span's outcome. `identity` is only called when the series is new, so the hot
   * path allocates nothing for known series. Returns the series, or undefined when dropped.
   */
  record(
    key: string,
    identity: () => SeriesIdentity,
    endMs: number,
    durationMs: number,
    isError: boolean,
    now = this.now(),
  ): Series | undefined {
    if (endMs > now + MAX_FUTURE_SKEW_MS || !Number.isFinite(endMs)) endMs = now;
    else if (endMs > now) endMs = now;
    if (endMs < now - HOUR_RETENTION_MS) {
      this.counters.tooOld++;
      return undefined;
    }
    let s = this.series.get(key);
    if (!s) {
      if (this.series.size >= this.maxSeries)
        this.evict(Math.max(1, Math.floor(this.maxSeries / 20)));
      s = new Series(key, identity());
      this.series.set(key, s);
    }
    this.buckets += s.add(endMs, durationMs, isError);
    this.counters.spans++;
    if (this.collectingSinceMs === undefined || endMs < this.collectingSinceMs)
      this.collectingSinceMs = endMs;
    const minute = Math.floor(now / MINUTE_MS);
    if (minute !== this.lastPruneMinute) {
      this.lastPruneMinute = minute;
      this.prune(now);
    }
    if (this.buckets > this.maxBuckets) this.evict(Math.max(1, Math.floor(this.series.size / 20)));
    return s;
  }

  /** Marks the end of an ingested batch so memoized views recompute. */
  commit(): void {
    this.generation++;
  }

  /** Rolls minute buckets past their retention into hour buckets; drops hours past retention and empty series. */
  prune(now = this.now()): void {
    const minuteCut = now - MINUTE_RETENTION_MS - MINUTE_MS;
    const hourCut = now - HOUR_RETENTION_MS - HOUR_MS;
    for (const [key, s] of this.series) {
      this.buckets += s.rollUp(minuteCut);
      for (const start of s.hours.keys())
        if (start < hourCut) {
          s.hours.delete(start);
          this.buckets--;
        }
      if (s.bucketCount === 0) this.series.delete(key);
    }
  }

  /** Removes the `n` least recently seen series. */
  private evict(n: number): void {
    const oldest = [...this.series.values()]
      .sort((a, b) => a.lastSeenMs - b.lastSeenMs)
      .slice(0, n);
    for (const s of oldest) {
      this.series.delete(s.id);
      this.buckets -= s.bucketCount;
      this.counters.evictedSeries++;
    }
  }

  /** Adds a restored series (persistence); replaces any series with the same id. */
  restore(s: Series): void {
    const old = this.series.get(s.id);
    if (old) this.buckets -= old.bucketCount;
    this.series.set(s.id, s);
    this.buckets += s.bucketCount;
  }

  /**
   * Statistics of the given series merged over the window ending now. Windows up to an hour use
   * minute buckets; longer windows use hour buckets (edges rounded to the hour).
   */
  windowStats(
    series: Iterable<Series>,
    windowMs: number,
    points = 15,
    now = this.now(),
  ): WindowStats {
    return this.rangeStats(
      series,
      windowMs,
      points,
      now,
      this.windowStart(windowMs, now),
      Infinity,
    );
  }

  /**
   * The window of the same length just before the current one, for trends and regressions.
   * Bucket-aligned so it never shares a bucket with the current window.
   */
  previousWindowStats(series: Iterable<Series>, windowMs: number, now = this.now()): WindowStats {
    const step = windowMs <= MINUTE_RETENTION_MS ? MINUTE_MS : HOUR_MS;
    const currentFrom = Math.floor((now - windowMs) / step) * step;
    return this.rangeStats(
      series,
      windowMs,
      1,
      now - windowMs,
      currentFrom - Math.ceil(windowMs / step) * step,
      currentFrom,
    );
  }

  /**
   * The part of a window ending at `now` that data has actually been arriving for: rates divide by
   * it (at least 10 s, so the first span does not read as a huge rate), not by the whole window.
   */
  coveredMs(windowMs: number, now = this.now()): number {
    const since = this.collectingSinceMs ?? now;
    const covered = Math.min(windowMs, now - Math.max(now - windowMs, since));
    // Whole seconds: rates do not need more, and a lens row whose series did not change stays the
    // same object for a second (no garbage per refresh for the functions that did not change).
    return Math.max(MIN_COVERED_MS, Math.floor(covered / 1000) * 1000);
  }

  /** Where a window ending at `now` starts: bucket-aligned, so it moves once a minute (an hour for long windows). */
  windowStart(windowMs: number, now = this.now()): number {
    const step = windowMs <= MINUTE_RETENTION_MS ? MINUTE_MS : HOUR_MS;
    return Math.floor((now - windowMs) / step) * step;
  }

  private rangeStats(
    series: Iterable<Series>,
    windowMs: number,
    points: number,
    now: number,
    from: number,
    until: number,
  ): WindowStats {
    const fine = windowMs <= MINUTE_RETENTION_MS;
    const step = fine ? MINUTE_MS : HOUR_MS;
    const merged = new MergedSketch();
    let count = 0;
    let errors = 0;
    const nPoints = Math.max(1, Math.min(points, Math.ceil(windowMs / step)));
    const pointWidth = Math.max(
      step,
      Math.ceil((Math.min(now, until) - from) / nPoints / step) * step,
    );
    const pointSketches: MergedSketch[] = [];
    const pointCounts: number[] = new Array<number>(nPoints).fill(0);
    const pointErrors: number[] = new Array<number>(nPoints).fill(0);
    for (const s of series) {
      // Short windows read minutes; long ones read hours plus the minutes not rolled up yet.
      for (const b of fine ? s.minutes.values() : chain(s.hours.values(), s.minutes.values())) {
        if (b.startMs < from || b.startMs >= until) continue;
        count += b.count;
        errors += b.errors;
        const i = Math.min(nPoints - 1, Math.floor((b.startMs - from) / pointWidth));
        (pointSketches[i] ??= new MergedSketch()).add(b.sketch);
        pointCounts[i] = (pointCounts[i] ?? 0) + b.count;
        pointErrors[i] = (pointErrors[i] ?? 0) + b.errors;
      }
    }
    // The window's sketch from its points': when one point holds all the data (new data, or one
    // bucket per point), it is that point's, not a second copy of the same merge.
    for (const p of pointSketches) if (p) merged.add(p.result());
    const coveredMs = this.coveredMs(windowMs, now);
    const all = merged.result();
    return {
      count,
      errors,
      p50Ms: all.quantile(0.5),
      p90Ms: all.quantile(0.9),
      p95Ms: all.quantile(0.95),
      p99Ms: all.quantile(0.99),
      maxMs: count ? all.max : NaN,
      minMs: count ? all.min : NaN,
      meanMs: count ? all.sum / count : NaN,
      windowMs,
      coveredMs,
      series: pointCounts.map((c, i) => {
        const sk = pointSketches[i]?.result();
        if (!sk) return emptyPoint(from + i * pointWidth);
        return {
          startMs: from + i * pointWidth,
          count: c,
          errors: pointErrors[i] ?? 0,
          p50Ms: sk ? sk.quantile(0.5) : NaN,
          p95Ms: sk ? sk.quantile(0.95) : NaN,
        };
      }),
    };
  }
}

/**
 * The merge of a window's bucket sketches, made only when there are two or more: a window (or a
 * chart point) that one bucket covers reads that bucket's sketch as it is. Lens rows are rebuilt
 * after every batch, and copying a lone bucket's bins into a fresh sketch was most of the garbage
 * a refresh made (and so of its slowest refreshes, scavenges).
 */
class MergedSketch {
  private only: LatencySketch | undefined;
  private merged: LatencySketch | undefined;

  add(sketch: LatencySketch): void {
    if (this.merged) this.merged.merge(sketch);
    else if (!this.only) this.only = sketch;
    else {
      this.merged = new LatencySketch();
      this.merged.merge(this.only);
      this.merged.merge(sketch);
    }
  }

  /** The merged sketch (empty when nothing was added); read it before its buckets change. */
  result(): LatencySketch {
    return this.merged ?? this.only ?? EMPTY_SKETCH;
  }
}

const EMPTY_SKETCH = new LatencySketch();

type Point = WindowStats['series'][number];
/**
 * Chart points without data, one frozen object per start shared by every window that has one: a
 * lens row rebuilt after new data keeps its 15 points, and for a function with sparse traffic most
 * are empty (each one kept was an object every refresh promoted into the old generation).
 */
const emptyPoints = new Map<number, Point>();

function emptyPoint(startMs: number): Point {
  let p = emptyPoints.get(startMs);
  if (!p) {
    if (emptyPoints.size >= 4096) emptyPoints.clear();
    p = Object.freeze({ startMs, count: 0, errors: 0, p50Ms: NaN, p95Ms: NaN });
    emptyPoints.set(startMs, p);
  }
  return p;
}

function* chain<T>(...its: Iterable<T>[]): Iterable<T> {
  for (const it of its) yield* it;
}

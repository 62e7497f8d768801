// One series = the spans of one code location (or span name) of one service, environment and
// version, kept as time buckets: spans land in minute buckets only (one sketch update per span),
// and minute buckets older than the minute retention are rolled up into hour buckets. Mapping onto workspace functions happens later, at query time,
// so aggregates stay valid while the code under them is edited or re-indexed.
import { LatencySketch } from './latency-sketch';
import type { CodeLocation } from '../model';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

export interface SeriesIdentity {
  service: string;
  environment: string;
  version: string;
  /** Code location as the telemetry gave it (before any path mapping). */
  filePath?: string;
  functionName?: string;
  line?: number;
  /** Which attribute supplied the location (`code.file.path`, `code.filepath`, …) or `none`. */
  codeSource: string;
  /** The span name seen first for this series (spans without code attributes are keyed by it). */
  spanName: string;
  kind: number;
  /** The deployed commit, when the resource names one (not part of the key: it follows the version). */
  revision?: string;
  /** A server span's HTTP route (method, template, where it was read), when it has no code attributes. */
  route?: CodeLocation['route'];
  handler?: CodeLocation['handler'];
  layer?: CodeLocation['layer'];
}

export interface Bucket {
  startMs: number;
  count: number;
  errors: number;
  sketch: LatencySketch;
}

export class Series {
  /** Minute buckets (the last hour) and hour buckets (rolled up from older minutes), keyed by start. */
  readonly minutes = new Map<number, Bucket>();
  readonly hours = new Map<number, Bucket>();
  lastSeenMs = 0;
  /** Bumped whenever the buckets change (new spans, roll-up): views derived from them can tell they are current. */
  changes = 0;

  constructor(
    readonly id: string,
    readonly identity: SeriesIdentity,
  ) {}

  add(endMs: number, durationMs: number, isError: boolean): number {
    let created = 0;
    created += addTo(this.minutes, endMs - (endMs % MINUTE_MS), durationMs, isError);
    if (endMs > this.lastSeenMs) this.lastSeenMs = endMs;
    this.changes++;
    return created;
  }

  /** Moves minute buckets that started before `cut` into their hour buckets; returns the change in bucket count. */
  rollUp(cut: number): number {
    let delta = 0;
    for (const [start, b] of this.minutes) {
      if (start >= cut) continue;
      const hour = start - (start % HOUR_MS);
      const h = this.hours.get(hour);
      if (h) {
        h.count += b.count;
        h.errors += b.errors;
        h.sketch.merge(b.sketch);
      } else {
        this.hours.set(hour, { ...b, startMs: hour });
        delta++;
      }
      this.minutes.delete(start);
      delta--;
      this.changes++;
    }
    return delta;
  }

  get bucketCount(): number {
    return this.minutes.size + this.hours.size;
  }
}

function addTo(
  map: Map<number, Bucket>,
  start: number,
  durationMs: number,
  isError: boolean,
): number {
  let b = map.get(start);
  let created = 0;
  if (!b) {
    b = { startMs: start, count: 0, errors: 0, sketch: new LatencySketch() };
    map.set(start, b);
    created = 1;
  }
  b.count++;
  if (isError) b.errors++;
  b.sketch.add(durationMs);
  return created;
}

/** The key that separates series; `\u0000` separates parts as it never occurs in names we key on. */
export function seriesKey(id: SeriesIdentity): string {
  return seriesKeyOf(id.service, id.environment, id.version, id, id.kind, id.spanName);
}

/** The same key from its parts, without building an identity (the ingest hot path). */
/** OTLP's SPAN_KIND_SERVER. */
const SERVER_SPAN_KIND = 2;

export function seriesKeyOf(
  service: string,
  environment: string,
  version: string,
  code: {
    codeSource?: string;
    source?: string;
    filePath?: string | undefined;
    functionName?: string | undefined;
    line?: number | undefined;
  },
  kind: number,
  spanName: string,
): string {
  const source = code.codeSource ?? code.source;
  // A code location is one series, except server spans: one per route the handler serves.
  const c =
    source === 'none'
      ? `s:${kind}:${spanName}`
      : `c:${code.filePath ?? ''}|${code.functionName ?? ''}|${code.line ?? ''}${kind === SERVER_SPAN_KIND ? `|${spanName}` : ''}`;
  return `${service}\u0000${environment}\u0000${version}\u0000${c}`;
}

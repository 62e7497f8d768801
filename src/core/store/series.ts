// One series = the spans of one code location (or span name) of one service, environment and
// version, kept as time buckets. Mapping onto workspace functions happens later, at query time,
// so aggregates stay valid while the code under them is edited or re-indexed.
import { LatencySketch } from './latency-sketch';

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
}

export interface Bucket {
  startMs: number;
  count: number;
  errors: number;
  sketch: LatencySketch;
}

export class Series {
  /** Minute buckets (recent windows) and hour buckets (long windows), keyed by bucket start. */
  readonly minutes = new Map<number, Bucket>();
  readonly hours = new Map<number, Bucket>();
  lastSeenMs = 0;
  /** When a span of this series last went to the drill-down ring (sampling state). */
  lastSampledMs = -Infinity;
  lastErrorSampledMs = -Infinity;

  constructor(
    readonly id: string,
    readonly identity: SeriesIdentity,
  ) {}

  add(endMs: number, durationMs: number, isError: boolean): number {
    let created = 0;
    created += addTo(this.minutes, endMs - (endMs % MINUTE_MS), durationMs, isError);
    created += addTo(this.hours, endMs - (endMs % HOUR_MS), durationMs, isError);
    if (endMs > this.lastSeenMs) this.lastSeenMs = endMs;
    return created;
  }

  get bucketCount(): number {
    return this.minutes.size + this.hours.size;
  }
}

function addTo(map: Map<number, Bucket>, start: number, durationMs: number, isError: boolean): number {
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
export function seriesKeyOf(
  service: string,
  environment: string,
  version: string,
  code: { codeSource?: string; source?: string; filePath?: string | undefined; functionName?: string | undefined; line?: number | undefined },
  kind: number,
  spanName: string,
): string {
  const source = code.codeSource ?? code.source;
  const c = source === 'none' ? `s:${kind}:${spanName}` : `c:${code.filePath ?? ''}|${code.functionName ?? ''}|${code.line ?? ''}`;
  return `${service}\u0000${environment}\u0000${version}\u0000${c}`;
}

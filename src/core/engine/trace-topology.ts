// A bounded window of recent traces, span by span: enough to say which endpoints' traces pass
// through a function ("on the path of 38% of POST /checkout") and to show a whole trace as a
// waterfall. Children usually arrive before their parents (spans export when they end), so
// roots are resolved at query time, not at ingest.
import type { SpanRecord } from '../model';

interface Entry {
  span: SpanRecord;
  seriesId: string;
}

export interface CallerShare {
  /** The root span's series (the endpoint), e.g. `GET /orders/:id` of `shop`. */
  rootSeriesId: string;
  /** Traces of that endpoint in the window that reach the function. */
  traces: number;
  /** All traces of that endpoint in the window. */
  total: number;
}

export interface TraceSummary {
  traceId: string;
  rootName: string;
  rootService: string;
  startMs: number;
  /** Duration of the whole trace as far as its spans are held. */
  durationMs: number;
  spanCount: number;
  error: boolean;
  /** The slowest span of the asked-for series in this trace. */
  matchDurationMs: number;
  matchError: boolean;
}

export interface TraceSpan {
  span: SpanRecord;
  seriesId: string;
}

export class TraceTopology {
  private readonly ring: (Entry | undefined)[];
  private next = 0;
  private readonly byTrace = new Map<string, Entry[]>();

  constructor(readonly capacity = 20_000) {
    this.ring = new Array<Entry | undefined>(capacity);
  }

  add(span: SpanRecord, seriesId: string): void {
    const old = this.ring[this.next];
    if (old) {
      const list = this.byTrace.get(old.span.traceId);
      if (list) {
        const i = list.indexOf(old);
        if (i >= 0) list.splice(i, 1);
        if (list.length === 0) this.byTrace.delete(old.span.traceId);
      }
    }
    const e: Entry = { span, seriesId };
    this.ring[this.next] = e;
    this.next = (this.next + 1) % this.capacity;
    const list = this.byTrace.get(span.traceId);
    if (list) list.push(e);
    else this.byTrace.set(span.traceId, [e]);
  }

  /** Every held span of one trace, in start order (empty when the trace is not held). */
  trace(traceId: string): TraceSpan[] {
    return [...(this.byTrace.get(traceId) ?? [])].sort((a, b) => a.span.startMs - b.span.startMs);
  }

  /** Held traces that pass through any of `seriesIds`, newest first. */
  tracesThrough(seriesIds: ReadonlySet<string>, limit = 500): TraceSummary[] {
    const out: TraceSummary[] = [];
    for (const entries of this.byTrace.values()) {
      let matchDurationMs = -1;
      let matchError = false;
      for (const e of entries) {
        if (!seriesIds.has(e.seriesId)) continue;
        if (e.span.durationMs > matchDurationMs) matchDurationMs = e.span.durationMs;
        if (e.span.statusCode === 2) matchError = true;
      }
      if (matchDurationMs < 0) continue;
      const root = rootOf(entries);
      let start = Infinity;
      let end = -Infinity;
      for (const e of entries) {
        start = Math.min(start, e.span.startMs);
        end = Math.max(end, e.span.startMs + e.span.durationMs);
      }
      out.push({
        traceId: entries[0]!.span.traceId,
        rootName: root?.span.name ?? '(root not received)',
        rootService: root?.span.resource.service ?? '',
        startMs: start,
        durationMs: end - start,
        spanCount: entries.length,
        error: entries.some((e) => e.span.statusCode === 2),
        matchDurationMs,
        matchError,
      });
    }
    return out.sort((a, b) => b.startMs - a.startMs).slice(0, limit);
  }

  /** Endpoints (root series) whose traces contain any of `seriesIds`, busiest share first. */
  callers(seriesIds: ReadonlySet<string>): CallerShare[] {
    const totals = new Map<string, number>();
    const hits = new Map<string, number>();
    for (const entries of this.byTrace.values()) {
      const root = rootOf(entries);
      if (!root) continue;
      totals.set(root.seriesId, (totals.get(root.seriesId) ?? 0) + 1);
      if (entries.some((e) => seriesIds.has(e.seriesId) && e !== root))
        hits.set(root.seriesId, (hits.get(root.seriesId) ?? 0) + 1);
    }
    return [...hits]
      .map(([rootSeriesId, traces]) => ({
        rootSeriesId,
        traces,
        total: totals.get(rootSeriesId) ?? traces,
      }))
      .sort((a, b) => b.traces / b.total - a.traces / a.total || b.traces - a.traces);
  }
}

/** The span without a parent, or failing that the one whose parent is not held. */
function rootOf(entries: Entry[]): Entry | undefined {
  const root = entries.find((e) => e.span.parentSpanId === '');
  if (root) return root;
  const ids = new Set(entries.map((e) => e.span.spanId));
  return entries.find((e) => !ids.has(e.span.parentSpanId));
}

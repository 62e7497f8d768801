// Which endpoints' traces pass through a function: a bounded window of recent spans grouped by
// trace, enough to say "on the path of 38% of POST /checkout" without storing whole traces.
// Children usually arrive before their parents (spans export when they end), so roots are
// resolved at query time, not at ingest.

interface Entry {
  traceId: string;
  spanId: string;
  parentSpanId: string;
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

export class TraceTopology {
  private readonly ring: (Entry | undefined)[];
  private next = 0;
  private readonly byTrace = new Map<string, Entry[]>();

  constructor(readonly capacity = 20_000) {
    this.ring = new Array<Entry | undefined>(capacity);
  }

  add(traceId: string, spanId: string, parentSpanId: string, seriesId: string): void {
    const old = this.ring[this.next];
    if (old) {
      const list = this.byTrace.get(old.traceId);
      if (list) {
        const i = list.indexOf(old);
        if (i >= 0) list.splice(i, 1);
        if (list.length === 0) this.byTrace.delete(old.traceId);
      }
    }
    const e: Entry = { traceId, spanId, parentSpanId, seriesId };
    this.ring[this.next] = e;
    this.next = (this.next + 1) % this.capacity;
    const list = this.byTrace.get(traceId);
    if (list) list.push(e);
    else this.byTrace.set(traceId, [e]);
  }

  /** Endpoints (root series) whose traces contain any of `seriesIds`, busiest share first. */
  callers(seriesIds: ReadonlySet<string>): CallerShare[] {
    const totals = new Map<string, number>();
    const hits = new Map<string, number>();
    for (const spans of this.byTrace.values()) {
      const ids = new Set(spans.map((s) => s.spanId));
      const root = spans.find((s) => s.parentSpanId === '') ?? spans.find((s) => !ids.has(s.parentSpanId));
      if (!root) continue;
      totals.set(root.seriesId, (totals.get(root.seriesId) ?? 0) + 1);
      if (spans.some((s) => seriesIds.has(s.seriesId) && s !== root)) hits.set(root.seriesId, (hits.get(root.seriesId) ?? 0) + 1);
    }
    return [...hits]
      .map(([rootSeriesId, traces]) => ({ rootSeriesId, traces, total: totals.get(rootSeriesId) ?? traces }))
      .sort((a, b) => b.traces / b.total - a.traces / a.total || b.traces - a.traces);
  }
}

// Span metrics of the soak's load, in Prometheus' text format, as the OpenTelemetry Collector's
// spanmetrics connector would export them for the same spans (calls by status, a duration
// histogram in ms, a code function and a code file dimension). The load process serves them and
// the soak's Prometheus scrapes them, so the editor's backend numbers are real answers about the
// very functions the spans land on. Counted in typed arrays: recording costs nothing per span.

/** Histogram bounds in ms (the connector's are configurable; these cover the load's durations). */
const BOUNDS_MS = [5, 10, 25, 50, 100, 250, 500, 1000];

export interface MeteredFunction {
  /** The file as the service reports it (`code.file.path`). */
  file: string;
  name: string;
}

export class SpanMetrics {
  /** Per function and status (index fn * 2 + error). */
  private readonly calls: Float64Array;
  private readonly sums: Float64Array;
  private readonly buckets: Float64Array;

  constructor(
    private readonly service: string,
    private readonly fns: readonly MeteredFunction[],
  ) {
    this.calls = new Float64Array(fns.length * 2);
    this.sums = new Float64Array(fns.length * 2);
    this.buckets = new Float64Array(fns.length * 2 * BOUNDS_MS.length);
  }

  record(fn: number, durationMs: number, error: boolean): void {
    const s = fn * 2 + (error ? 1 : 0);
    this.calls[s]!++;
    this.sums[s]! += durationMs;
    const b = BOUNDS_MS.findIndex((le) => durationMs <= le);
    if (b >= 0) this.buckets[s * BOUNDS_MS.length + b]!++;
  }

  /** The exposition Prometheus scrapes: series appear once they have calls. */
  text(): string {
    const calls = ['# TYPE traces_span_metrics_calls_total counter'];
    const hist = ['# TYPE traces_span_metrics_duration_milliseconds histogram'];
    for (let s = 0; s < this.calls.length; s++) {
      const n = this.calls[s]!;
      if (n === 0) continue;
      const fn = this.fns[s >> 1]!;
      const status = s & 1 ? 'STATUS_CODE_ERROR' : 'STATUS_CODE_UNSET';
      const labels = `service_name="${this.service}",span_name="${fn.name}",span_kind="SPAN_KIND_SERVER",status_code="${status}",code_function_name="${fn.name}",code_file_path="${fn.file}"`;
      calls.push(`traces_span_metrics_calls_total{${labels}} ${n}`);
      let cumulative = 0;
      for (let b = 0; b < BOUNDS_MS.length; b++) {
        cumulative += this.buckets[s * BOUNDS_MS.length + b]!;
        hist.push(
          `traces_span_metrics_duration_milliseconds_bucket{${labels},le="${BOUNDS_MS[b]}"} ${cumulative}`,
        );
      }
      hist.push(`traces_span_metrics_duration_milliseconds_bucket{${labels},le="+Inf"} ${n}`);
      hist.push(`traces_span_metrics_duration_milliseconds_sum{${labels}} ${this.sums[s]}`);
      hist.push(`traces_span_metrics_duration_milliseconds_count{${labels}} ${n}`);
    }
    return `${calls.join('\n')}\n${hist.join('\n')}\n`;
  }
}

// Prometheus as a source: RED numbers per function from span metrics, and its alerting rules.
// Numbers come from a fixed set of grouped instant queries per window (calls, errors, p50, p95,
// p99, exemplars), never one query per function, so a refresh costs the same for 3 functions or
// 3,000. Metric and label names default to the OpenTelemetry Collector's spanmetrics connector or
// Tempo's metrics generator (detected once), and every name and template can be overridden.
import { cachedResult, SourceCache, type SourceResult } from './cache';
import { SourceClient } from './source-client';
import { HttpClient, SourceError } from './http-client';
import {
  type AlertRecord,
  type FunctionStatsRecord,
  type SourceConfig,
  type SourceStatus,
  probeStatus,
} from './source';

export type MetricsFlavor = 'spanmetrics' | 'tempo';

/** PromQL with `$name` placeholders: $calls $bucket $by $filter $errorFilter $window $quantile. */
export interface PromQueryTemplates {
  calls: string;
  errors: string;
  quantile: string;
}

export interface PromMetricNames {
  callsMetric: string;
  bucketMetric: string;
  serviceLabel: string;
  spanNameLabel: string;
  statusLabel: string;
  errorStatus: string;
  /** Unit of the histogram's `le` bounds. */
  durationUnit: 'ms' | 's';
}

export interface PrometheusOptions extends Partial<PromMetricNames> {
  /** `auto` asks Prometheus once which of the two known families it holds. */
  flavor?: 'auto' | MetricsFlavor;
  /** A label carrying the code function (a spanmetrics dimension), e.g. `code_function_name`. */
  codeFunctionLabel?: string;
  /** A label carrying the code file (a spanmetrics dimension), e.g. `code_file_path`. */
  codeFileLabel?: string;
  /** Extra matchers for every query, e.g. `span_kind="SPAN_KIND_SERVER"`. */
  matchers?: string;
  queries?: Partial<PromQueryTemplates>;
  /** How long numbers and alerts are reused before asking again. */
  ttlMs?: number;
  /** Trace ids kept per function. */
  maxExemplars?: number;
}

export const SPANMETRICS_NAMES: PromMetricNames = {
  callsMetric: 'traces_span_metrics_calls_total',
  bucketMetric: 'traces_span_metrics_duration_milliseconds_bucket',
  serviceLabel: 'service_name',
  spanNameLabel: 'span_name',
  statusLabel: 'status_code',
  errorStatus: 'STATUS_CODE_ERROR',
  durationUnit: 'ms',
};

export const TEMPO_NAMES: PromMetricNames = {
  callsMetric: 'traces_spanmetrics_calls_total',
  bucketMetric: 'traces_spanmetrics_latency_bucket',
  serviceLabel: 'service',
  spanNameLabel: 'span_name',
  statusLabel: 'status_code',
  errorStatus: 'STATUS_CODE_ERROR',
  durationUnit: 's',
};

export const DEFAULT_QUERIES: PromQueryTemplates = {
  calls: 'sum by ($by) (increase($calls{$filter}[$window]))',
  errors: 'sum by ($by) (increase($calls{$errorFilter}[$window]))',
  quantile: 'histogram_quantile($quantile, sum by (le, $by) (rate($bucket{$filter}[$window])))',
};

const QUANTILES = [0.5, 0.95, 0.99] as const;
const TRACE_ID_LABELS = ['trace_id', 'traceID', 'traceId', 'TraceID'];

/** Fills a template's `$name` placeholders; unknown names are left as written. */
export function renderQuery(template: string, vars: Record<string, string>): string {
  return template.replace(/\$([A-Za-z]+)/g, (m, name: string) => vars[name] ?? m);
}

/** A PromQL range duration: whole seconds, at least 1 s. */
export function promDuration(ms: number): string {
  return `${Math.max(1, Math.round(ms / 1000))}s`;
}

interface PromEnvelope<T> {
  status?: string;
  data?: T;
  error?: string;
}
interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}
interface ExemplarSeries {
  seriesLabels: Record<string, string>;
  exemplars: { labels: Record<string, string>; value: string; timestamp: number }[];
}
interface PromAlert {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  state?: string;
  activeAt?: string;
}
interface PromRule {
  type?: string;
  name?: string;
  query?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  alerts?: PromAlert[];
}

export class PrometheusSource extends SourceClient {
  private readonly stats: SourceCache<FunctionStatsRecord[]>;
  private readonly alertCache: SourceCache<AlertRecord[]>;
  private names: PromMetricNames | undefined;
  private exemplarsSupported = true;

  constructor(
    config: SourceConfig,
    private readonly opts: PrometheusOptions = {},
    client?: HttpClient,
  ) {
    super(config, `check PRODLENS_PROMETHEUS_TOKEN`, client);
    const ttlMs = opts.ttlMs ?? 30_000;
    this.stats = new SourceCache({ ttlMs, maxEntries: 16 });
    this.alertCache = new SourceCache({ ttlMs: Math.min(ttlMs, 15_000), maxEntries: 1 });
    if (opts.flavor && opts.flavor !== 'auto')
      this.names = this.withOverrides(opts.flavor === 'tempo' ? TEMPO_NAMES : SPANMETRICS_NAMES);
  }

  /** Asks Prometheus for its version: proves the URL, the credentials and that it is Prometheus. */
  async testConnection(signal?: AbortSignal): Promise<SourceStatus> {
    this.lastStatus = await probeStatus(signal, async () => {
      const info = await this.api<{ version?: string }>('api/v1/status/buildinfo', {}, signal);
      return `ok (Prometheus ${info.version ?? 'unknown version'})`;
    });
    return this.lastStatus;
  }

  /** RED numbers per function over the window ending now; cached for the TTL, stale on failure. */
  async functionStats(
    windowMs: number,
    signal?: AbortSignal,
  ): Promise<SourceResult<FunctionStatsRecord[]>> {
    const r = await cachedResult(
      this.stats,
      `w${windowMs}`,
      () => this.loadStats(windowMs),
      signal,
    );
    this.lastStatus = r.status;
    return r;
  }

  /** Firing and pending alerts of the alerting rules, with the rule expression as generatorURL. */
  async alerts(signal?: AbortSignal): Promise<SourceResult<AlertRecord[]>> {
    const r = await cachedResult(this.alertCache, 'alerts', () => this.loadAlerts(), signal);
    this.lastStatus = r.status;
    return r;
  }

  /** The PromQL a refresh runs, for display and tests. */
  queriesFor(
    windowMs: number,
    names: PromMetricNames = this.names ?? this.withOverrides(SPANMETRICS_NAMES),
  ): { calls: string; errors: string; quantiles: string[]; exemplars: string } {
    const by = [
      names.serviceLabel,
      names.spanNameLabel,
      ...(this.opts.codeFunctionLabel ? [this.opts.codeFunctionLabel] : []),
      ...(this.opts.codeFileLabel ? [this.opts.codeFileLabel] : []),
    ].join(', ');
    const extra = this.opts.matchers?.trim() ?? '';
    const status = `${names.statusLabel}="${names.errorStatus}"`;
    const vars = {
      calls: names.callsMetric,
      bucket: names.bucketMetric,
      by,
      window: promDuration(windowMs),
      filter: extra,
      errorFilter: extra ? `${extra}, ${status}` : status,
    };
    const t = { ...DEFAULT_QUERIES, ...this.opts.queries };
    return {
      calls: renderQuery(t.calls, vars),
      errors: renderQuery(t.errors, vars),
      quantiles: QUANTILES.map((q) => renderQuery(t.quantile, { ...vars, quantile: String(q) })),
      exemplars: `${names.bucketMetric}{${extra}}`,
    };
  }

  private async loadStats(windowMs: number): Promise<FunctionStatsRecord[]> {
    const names = this.names ?? (await this.detect());
    const q = this.queriesFor(windowMs, names);
    const time = Date.now() / 1000;
    const [p50q, p95q, p99q] = q.quantiles;
    const [calls, errors, p50, p95, p99, exemplars] = await Promise.all([
      this.vector(q.calls, time),
      this.vector(q.errors, time),
      this.vector(p50q ?? '', time),
      this.vector(p95q ?? '', time),
      this.vector(p99q ?? '', time),
      this.exemplars(q.exemplars, time - windowMs / 1000, time),
    ]);
    const scale = names.durationUnit === 's' ? 1000 : 1;
    const codeLabel = this.opts.codeFunctionLabel;
    const fileLabel = this.opts.codeFileLabel;
    const keyOf = (m: Record<string, string>) =>
      JSON.stringify([
        m[names.serviceLabel] ?? '',
        m[names.spanNameLabel] ?? '',
        codeLabel ? (m[codeLabel] ?? '') : '',
        fileLabel ? (m[fileLabel] ?? '') : '',
      ]);
    const rows = new Map<string, FunctionStatsRecord>();
    const minutes = windowMs / 60_000;
    for (const s of calls as VectorSample[]) {
      const m = s.metric;
      const rec: FunctionStatsRecord = {
        service: m[names.serviceLabel] ?? '',
        spanName: m[names.spanNameLabel] ?? '',
        count: num(s),
        errors: 0,
        p50Ms: NaN,
        p95Ms: NaN,
        p99Ms: NaN,
        ratePerMin: 0,
        exemplarTraceIds: [],
      };
      const fn = codeLabel ? m[codeLabel] : undefined;
      if (fn) rec.codeFunction = fn;
      const file = fileLabel ? m[fileLabel] : undefined;
      if (file) rec.codeFile = file;
      rec.ratePerMin = rec.count / minutes;
      rows.set(keyOf(m), rec);
    }
    const fill = (samples: VectorSample[], set: (r: FunctionStatsRecord, v: number) => void) => {
      for (const s of samples) {
        const r = rows.get(keyOf(s.metric));
        if (r) set(r, num(s));
      }
    };
    fill(errors as VectorSample[], (r, v) => (r.errors = v));
    fill(p50 as VectorSample[], (r, v) => (r.p50Ms = v * scale));
    fill(p95 as VectorSample[], (r, v) => (r.p95Ms = v * scale));
    fill(p99 as VectorSample[], (r, v) => (r.p99Ms = v * scale));
    const max = this.opts.maxExemplars ?? 5;
    for (const series of exemplars as ExemplarSeries[]) {
      const r = rows.get(keyOf(series.seriesLabels ?? {}));
      if (!r) continue;
      const ids = (series.exemplars ?? [])
        .slice()
        .sort((a, b) => b.timestamp - a.timestamp)
        .map((e) => TRACE_ID_LABELS.map((l) => e.labels?.[l]).find((v) => v))
        .filter((v): v is string => !!v);
      for (const id of ids)
        if (!r.exemplarTraceIds.includes(id) && r.exemplarTraceIds.length < max)
          r.exemplarTraceIds.push(id);
    }
    // Functions with no calls in the window (counter flat) are not news.
    return [...rows.values()]
      .filter((r) => r.count > 0 || r.errors > 0)
      .sort((a, b) => b.count - a.count);
  }

  /** Which family of span metrics Prometheus holds: one query, remembered once answered. */
  private async detect(): Promise<PromMetricNames> {
    const wanted = [SPANMETRICS_NAMES.callsMetric, TEMPO_NAMES.callsMetric];
    const found = (await this.vector(
      `count by (__name__) ({__name__=~"${wanted.join('|')}"})`,
      Date.now() / 1000,
    )) as VectorSample[];
    const have = new Set(found.map((s) => s.metric.__name__));
    const names = this.withOverrides(
      have.has(SPANMETRICS_NAMES.callsMetric) || !have.has(TEMPO_NAMES.callsMetric)
        ? SPANMETRICS_NAMES
        : TEMPO_NAMES,
    );
    // Nothing there yet: ask again next time instead of fixing on a guess.
    if (have.size > 0) this.names = names;
    return names;
  }

  private withOverrides(base: PromMetricNames): PromMetricNames {
    const o = this.opts;
    const pick = <K extends keyof PromMetricNames>(k: K): PromMetricNames[K] =>
      (o[k] ?? base[k]) as PromMetricNames[K];
    return {
      callsMetric: pick('callsMetric'),
      bucketMetric: pick('bucketMetric'),
      serviceLabel: pick('serviceLabel'),
      spanNameLabel: pick('spanNameLabel'),
      statusLabel: pick('statusLabel'),
      errorStatus: pick('errorStatus'),
      durationUnit: pick('durationUnit'),
    };
  }

  private async vector(query: string, time: number): Promise<unknown[]> {
    const data = await this.api<{ resultType?: string; result?: unknown }>('api/v1/query', {
      query,
      time: time.toFixed(3),
    });
    if (!Array.isArray(data.result))
      throw new SourceError(
        'bad-response',
        `${this.client.label} at ${this.client.displayUrl} did not answer like Prometheus (no data.result)`,
      );
    if (data.resultType !== 'vector')
      throw new SourceError(
        'bad-response',
        `${this.client.label}: the query returned a ${data.resultType ?? 'untyped'} result, expected an instant vector: ${query}`,
      );
    return data.result as unknown[];
  }

  /** Trace ids from exemplars; quietly none when the server has no exemplar storage or API. */
  private async exemplars(query: string, start: number, end: number): Promise<unknown[]> {
    if (!this.exemplarsSupported) return [];
    try {
      const data = await this.api<unknown>('api/v1/query_exemplars', {
        query,
        start: start.toFixed(3),
        end: end.toFixed(3),
      });
      return Array.isArray(data) ? data : [];
    } catch (e) {
      if (
        e instanceof SourceError &&
        (e.status === 404 || e.status === 400 || e.reason === 'not-json')
      )
        this.exemplarsSupported = false;
      else if (!(e instanceof SourceError) || e.reason !== 'http') throw e;
      return [];
    }
  }

  private async loadAlerts(): Promise<AlertRecord[]> {
    let groups: { rules?: PromRule[] }[];
    try {
      groups =
        (await this.api<{ groups?: { rules?: PromRule[] }[] }>('api/v1/rules', { type: 'alert' }))
          .groups ?? [];
    } catch (e) {
      // Servers without the rules API (or behind a proxy that hides it) still list alerts.
      if (!(e instanceof SourceError && e.status === 404)) throw e;
      const alerts = (await this.api<{ alerts?: PromAlert[] }>('api/v1/alerts', {})).alerts ?? [];
      return alerts.map((a) => this.alertRecord(a, undefined));
    }
    const out: AlertRecord[] = [];
    for (const g of groups)
      for (const rule of g.rules ?? [])
        if (rule.type === 'alerting' || rule.type === undefined)
          for (const a of rule.alerts ?? []) out.push(this.alertRecord(a, rule));
    return out;
  }

  private alertRecord(a: PromAlert, rule: PromRule | undefined): AlertRecord {
    const labels = { ...(a.labels ?? {}) };
    const ann = a.annotations ?? {};
    const name = labels.alertname ?? rule?.name ?? '';
    return {
      name,
      state: a.state ?? 'firing',
      severity: labels.severity ?? '',
      startsAt: a.activeAt ?? '',
      summary: ann.summary ?? ann.description ?? '',
      generatorURL: rule?.query
        ? `${this.client.displayUrl}/graph?g0.expr=${encodeURIComponent(rule.query)}&g0.tab=1`
        : '',
      labels,
      source: 'prometheus',
      environment: this.config.environment,
    };
  }

  /** GET an `/api/v1` endpoint and unwrap Prometheus' `{status, data}` envelope. */
  private async api<T>(
    path: string,
    params: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<T> {
    const body = await this.client.getJson<PromEnvelope<T>>(path, params, signal);
    if (!body || typeof body !== 'object' || body.status !== 'success' || body.data === undefined) {
      const why =
        body && typeof body === 'object' && typeof body.error === 'string'
          ? body.error
          : 'no {"status":"success","data":…} envelope';
      throw new SourceError(
        'bad-response',
        this.client.redact(
          `${this.client.label} at ${this.client.displayUrl} answered ${path} unlike Prometheus: ${why}`,
        ),
      );
    }
    return body.data;
  }
}

function num(s: VectorSample): number {
  const v = Number(s.value?.[1]);
  return Number.isFinite(v) ? v : NaN;
}

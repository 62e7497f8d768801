// Grafana Loki as a log source: LogQL `query_range` over log streams, turned into the store's
// LogRecordData. Loki puts OTLP resource attributes in stream labels (dots → underscores) and
// trace_id / span_id / severity in structured metadata, which query answers merge into the
// stream labels (or, with categorised labels, send as a third value element).
import type { Attributes, LogRecordData } from '../model';
import { SourceClient } from './source-client';
import { HttpClient, SourceError } from './http-client';
import { normalizeId, nsToMs, type SourceConfig, type SourceStatus, probeStatus } from './source';

export interface LokiRangeQuery {
  /** A LogQL log query (metric queries are refused: they return numbers, not lines). */
  query: string;
  startMs: number;
  endMs: number;
  /** Lines returned at most (Loki's default is 100). */
  limit?: number;
  /** `backward` (newest first, Loki's default) or `forward`. */
  direction?: 'backward' | 'forward';
}

export interface LokiQueryOptions {
  /** The stream label holding the service; `service_name` for OTLP ingestion. */
  serviceLabel?: string;
}

interface LokiStream {
  stream?: Record<string, string>;
  values?: unknown[];
}

const SEVERITY_BY_LEVEL: Record<string, number> = {
  trace: 1,
  debug: 5,
  info: 9,
  information: 9,
  notice: 10,
  warn: 13,
  warning: 13,
  error: 17,
  err: 17,
  critical: 21,
  fatal: 21,
};
const LEVEL_LABELS = ['severity_text', 'detected_level', 'level'];
const TRACE_LABELS = ['trace_id', 'traceid', 'traceID', 'trace-id'];
const SPAN_LABELS = ['span_id', 'spanid', 'spanID'];

/** A LogQL double-quoted string literal. */
export function logqlString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** `{service_name="checkout"} |= "order not found"`: a service's lines containing a text. */
export function lokiTextQuery(service: string, text: string, o: LokiQueryOptions = {}): string {
  const sel = `{${o.serviceLabel ?? 'service_name'}=${logqlString(service)}}`;
  return text ? `${sel} |= ${logqlString(text)}` : sel;
}

/**
 * The lines of one trace: the `trace_id` structured-metadata label (OTLP ingestion), or with
 * `inLine` the id anywhere in the line (apps that print it). Without a service every stream
 * with a service label is searched.
 */
export function lokiTraceQuery(
  traceId: string,
  o: LokiQueryOptions & { service?: string; inLine?: boolean } = {},
): string {
  const id = normalizeId(traceId, 16) ?? traceId;
  const label = o.serviceLabel ?? 'service_name';
  const sel = o.service ? `{${label}=${logqlString(o.service)}}` : `{${label}=~".+"}`;
  return o.inLine ? `${sel} |= ${logqlString(id)}` : `${sel} | trace_id=${logqlString(id)}`;
}

/** LogRecordData from a `streams` result. */
export function logsFromLokiStreams(
  result: readonly LokiStream[],
  serviceLabel = 'service_name',
): LogRecordData[] {
  const out: LogRecordData[] = [];
  for (const s of result) {
    const labels = s.stream ?? {};
    for (const v of s.values ?? []) {
      if (!Array.isArray(v) || typeof v[0] !== 'string' || typeof v[1] !== 'string') continue;
      const attrs: Attributes = {};
      for (const [k, val] of Object.entries(labels)) if (k !== '__proto__') attrs[k] = val;
      // Categorised answers: [ts, line, { structuredMetadata, parsed }].
      const extra = v[2] as
        | { structuredMetadata?: Record<string, string>; parsed?: Record<string, string> }
        | undefined;
      for (const group of [extra?.structuredMetadata, extra?.parsed])
        for (const [k, val] of Object.entries(group ?? {})) if (k !== '__proto__') attrs[k] = val;
      const pick = (names: readonly string[]) =>
        names.map((n) => attrs[n]).find((x): x is string => typeof x === 'string' && x !== '');
      const levelText = pick(LEVEL_LABELS) ?? '';
      const sevNum = Number(attrs.severity_number);
      out.push({
        timeMs: nsToMs(v[0]),
        severityNumber:
          Number.isFinite(sevNum) && sevNum > 0
            ? sevNum
            : (SEVERITY_BY_LEVEL[levelText.toLowerCase()] ?? 0),
        severityText: levelText,
        body: v[1],
        traceId: normalizeId(pick(TRACE_LABELS) ?? '', 16) ?? '',
        spanId: normalizeId(pick(SPAN_LABELS) ?? '', 8) ?? '',
        attributes: attrs,
        resource: {
          service: pick([serviceLabel, 'service_name', 'service', 'job']) ?? 'unknown_service',
          environment:
            pick(['deployment_environment_name', 'deployment_environment', 'environment', 'env']) ??
            '',
          version: pick(['service_version']) ?? '',
        },
      });
    }
  }
  return out;
}

export class LokiSource extends SourceClient {
  constructor(
    config: SourceConfig,
    private readonly opts: LokiQueryOptions = {},
    client?: HttpClient,
  ) {
    super(config, 'check PRODLENS_LOKI_TOKEN', client);
  }

  /** Lists labels: proves the URL, the credentials and that it is Loki. */
  async testConnection(signal?: AbortSignal): Promise<SourceStatus> {
    this.lastStatus = await probeStatus(signal, async () => {
      const r = await this.client.getJson<{ status?: string; data?: unknown }>(
        'loki/api/v1/labels',
        {},
        signal,
      );
      if (!r || r.status !== 'success')
        throw this.unlike('loki/api/v1/labels', 'no {"status":"success"} envelope');
      return `ok (Loki, ${Array.isArray(r.data) ? r.data.length : 0} labels)`;
    });
    return this.lastStatus;
  }

  /** Log lines matching a LogQL query, newest first unless asked otherwise. */
  async queryRange(q: LokiRangeQuery, signal?: AbortSignal): Promise<LogRecordData[]> {
    const path = 'loki/api/v1/query_range';
    const body = await this.client.getJson<{
      status?: string;
      data?: { resultType?: string; result?: unknown };
      error?: string;
    }>(
      path,
      {
        query: q.query,
        start: msToNs(q.startMs),
        end: msToNs(q.endMs),
        limit: String(q.limit ?? 100),
        direction: q.direction ?? 'backward',
      },
      signal,
    );
    if (!body || body.status !== 'success' || !body.data || !Array.isArray(body.data.result))
      throw this.unlike(
        path,
        body?.error ?? 'no {"status":"success","data":{"result":[…]}} envelope',
      );
    if (body.data.resultType !== 'streams')
      throw new SourceError(
        'bad-response',
        `${this.client.label}: the query returned a ${body.data.resultType ?? 'untyped'} result, expected log lines (streams): ${q.query}`,
      );
    const logs = logsFromLokiStreams(body.data.result as LokiStream[], this.opts.serviceLabel);
    // Streams come one after another; interleave them by time as asked.
    return logs.sort((a, b) =>
      q.direction === 'forward' ? a.timeMs - b.timeMs : b.timeMs - a.timeMs,
    );
  }

  private unlike(path: string, why: string): SourceError {
    return new SourceError(
      'bad-response',
      this.client.redact(
        `${this.client.label} at ${this.client.displayUrl} answered ${path} unlike Loki: ${why}`,
      ),
    );
  }
}

function msToNs(ms: number): string {
  return (BigInt(Math.floor(ms)) * 1_000_000n).toString();
}

// Zipkin (API v2) as a trace source. Zipkin's span JSON is flat: µs timestamps and durations,
// string-only tags, `kind` absent for internal spans, and any `error` tag marks a failure (its
// value is the status description when OpenTelemetry exported the span).
import type { Attributes, SpanRecord } from '../model';
import { SourceClient } from './source-client';
import { HttpClient, SourceError } from './http-client';
import {
  normalizeId,
  summarizeSpans,
  type SourceConfig,
  type SourceStatus,
  type TraceQuery,
  type TraceSource,
  type TraceSummary,
  probeStatus,
} from './source';

interface ZipkinSpan {
  traceId?: string;
  id?: string;
  parentId?: string;
  name?: string;
  kind?: string;
  timestamp?: number;
  duration?: number;
  localEndpoint?: { serviceName?: string };
  annotations?: { timestamp?: number; value?: string }[];
  tags?: Record<string, string>;
}

const KIND: Record<string, number> = { SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 };
/** Tags that become SpanRecord fields instead of attributes. */
const FIELD_TAGS = new Set(['otel.status_code', 'otel.status_description', 'error']);

/** SpanRecords from Zipkin v2 spans. Spans with unusable ids are dropped. */
export function spansFromZipkin(spans: readonly ZipkinSpan[]): SpanRecord[] {
  const out: SpanRecord[] = [];
  for (const s of spans) {
    const traceId = normalizeId(s.traceId ?? '', 16);
    const spanId = normalizeId(s.id ?? '', 8);
    if (!traceId || !spanId) continue;
    const tags = s.tags ?? {};
    const attributes: Attributes = {};
    for (const [k, v] of Object.entries(tags))
      if (!FIELD_TAGS.has(k) && k !== '__proto__') attributes[k] = v;
    const status = (tags['otel.status_code'] ?? '').toUpperCase();
    const failed = status === 'ERROR' || 'error' in tags;
    out.push({
      traceId,
      spanId,
      parentSpanId: normalizeId(s.parentId ?? '', 8) ?? '',
      name: s.name ?? '',
      // Zipkin omits kind for internal (local) spans.
      kind: s.kind ? (KIND[s.kind.toUpperCase()] ?? 0) : 1,
      startMs: (s.timestamp ?? 0) / 1000,
      durationMs: (s.duration ?? 0) / 1000,
      statusCode: failed ? 2 : status === 'OK' ? 1 : 0,
      statusMessage: tags.error || tags['otel.status_description'] || '',
      attributes,
      events: (s.annotations ?? []).map((a) => ({
        name: a.value ?? '',
        timeMs: (a.timestamp ?? 0) / 1000,
        attributes: {},
      })),
      resource: {
        service: s.localEndpoint?.serviceName || 'unknown_service',
        // OpenTelemetry's Zipkin exporter folds resource attributes into the tags.
        environment: tags['deployment.environment.name'] ?? tags['deployment.environment'] ?? '',
        version: tags['service.version'] ?? '',
      },
    });
  }
  return out;
}

export class ZipkinSource extends SourceClient implements TraceSource {
  constructor(config: SourceConfig, client?: HttpClient) {
    super(config, 'check PRODLENS_ZIPKIN_TOKEN', client);
  }

  /** Lists services: proves the URL, the credentials and that it is Zipkin's API v2. */
  async testConnection(signal?: AbortSignal): Promise<SourceStatus> {
    this.lastStatus = await probeStatus(signal, async () => {
      const r = await this.client.getJson<unknown>('api/v2/services', {}, signal);
      if (!Array.isArray(r)) throw this.unlike('api/v2/services');
      return `ok (Zipkin, ${r.length} services)`;
    });
    return this.lastStatus;
  }

  async traceById(traceId: string, signal?: AbortSignal): Promise<SpanRecord[]> {
    const id = normalizeId(traceId, 16);
    if (!id)
      throw new SourceError(
        'bad-response',
        `${this.client.label}: ${JSON.stringify(traceId.slice(0, 64))} is not a trace id (hex, up to 32 digits)`,
      );
    let body: unknown;
    try {
      body = await this.client.getJson<unknown>(`api/v2/trace/${id}`, {}, signal);
    } catch (e) {
      if (e instanceof SourceError && e.status === 404) return [];
      throw e;
    }
    if (!Array.isArray(body)) throw this.unlike(`api/v2/trace/${id}`);
    return spansFromZipkin(body as ZipkinSpan[]);
  }

  async recentTraces(q: TraceQuery, signal?: AbortSignal): Promise<TraceSummary[]> {
    const body = await this.client.getJson<unknown>(
      'api/v2/traces',
      {
        serviceName: q.service,
        spanName: q.spanName,
        // A bare key matches spans carrying that tag.
        annotationQuery: q.errorsOnly ? 'error' : undefined,
        minDuration: q.minDurationMs ? String(Math.round(q.minDurationMs * 1000)) : undefined,
        endTs: String(Date.now()),
        lookback: String(Math.round(q.windowMs)),
        limit: String(q.limit),
      },
      signal,
    );
    if (!Array.isArray(body) || !body.every(Array.isArray)) throw this.unlike('api/v2/traces');
    return (body as ZipkinSpan[][])
      .map((t) => summarizeSpans(spansFromZipkin(t)))
      .filter((s): s is TraceSummary => s !== undefined && (!q.errorsOnly || s.error))
      .sort((a, b) => b.startMs - a.startMs)
      .slice(0, q.limit);
  }

  private unlike(path: string): SourceError {
    return new SourceError(
      'bad-response',
      `${this.client.label} at ${this.client.displayUrl} answered ${path} unlike Zipkin`,
    );
  }
}

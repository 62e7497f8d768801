// Jaeger as a trace source. API v3 (`/api/v3`, OTLP JSON) is the stable surface and is asked
// first; servers without it (Jaeger v1 all-in-one) answer 404, and then the internal UI API
// (`/api/traces`, Jaeger's own span JSON, µs times) is used and remembered. A v3 404 can also
// mean "no such trace", so v1 is tried before concluding that.
import type { Attributes, AttributeValue, SpanEventRecord, SpanRecord } from '../model';
import { SourceClient } from './source-client';
import { HttpClient, SourceError, type QueryParams } from './http-client';
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
import { spansFromOtlpJson } from './tempo';

type ApiVersion = 'v3' | 'v1';

interface JaegerKeyValue {
  key?: string;
  type?: string;
  value?: unknown;
}
interface JaegerSpan {
  traceID?: string;
  spanID?: string;
  parentSpanID?: string;
  operationName?: string;
  references?: { refType?: string; traceID?: string; spanID?: string }[];
  startTime?: number;
  duration?: number;
  tags?: JaegerKeyValue[];
  logs?: { timestamp?: number; fields?: JaegerKeyValue[] }[];
  processID?: string;
  process?: JaegerProcess;
}
interface JaegerProcess {
  serviceName?: string;
  tags?: JaegerKeyValue[];
}
interface JaegerTrace {
  traceID?: string;
  spans?: JaegerSpan[];
  processes?: Record<string, JaegerProcess>;
}

const KIND_BY_TAG: Record<string, number> = {
  internal: 1,
  server: 2,
  client: 3,
  producer: 4,
  consumer: 5,
};
/** Tags that become SpanRecord fields instead of attributes. */
const FIELD_TAGS = new Set(['span.kind', 'otel.status_code', 'otel.status_description', 'error']);

function tagValue(kv: JaegerKeyValue): AttributeValue {
  const v = kv.value;
  if (kv.type === 'int64' && typeof v === 'string') {
    // Past 2^53 Jaeger sends int64 as a string: keep it exact as text.
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : v;
  }
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return v === undefined || v === null ? null : JSON.stringify(v);
}

function tagsToAttributes(
  tags: readonly JaegerKeyValue[] | undefined,
  skip?: Set<string>,
): Attributes {
  const out: Attributes = {};
  for (const kv of tags ?? []) {
    if (typeof kv.key !== 'string' || skip?.has(kv.key) || kv.key === '__proto__') continue;
    out[kv.key] = tagValue(kv);
  }
  return out;
}

/** SpanRecords from one v1 trace (`data[i]`). Spans with unusable ids are dropped. */
export function spansFromJaegerV1(trace: JaegerTrace): SpanRecord[] {
  const out: SpanRecord[] = [];
  for (const s of trace.spans ?? []) {
    const traceId = normalizeId(s.traceID ?? trace.traceID ?? '', 16);
    const spanId = normalizeId(s.spanID ?? '', 8);
    if (!traceId || !spanId) continue;
    const refs = s.references ?? [];
    const parentRef =
      refs.find(
        (r) => r.refType === 'CHILD_OF' && (!r.traceID || normalizeId(r.traceID, 16) === traceId),
      ) ?? refs.find((r) => !r.traceID || normalizeId(r.traceID, 16) === traceId);
    const parentSpanId = normalizeId(parentRef?.spanID ?? s.parentSpanID ?? '', 8) ?? '';
    const tags = tagsToAttributes(s.tags);
    const statusTag = String(tags['otel.status_code'] ?? '').toUpperCase();
    const failed = statusTag === 'ERROR' || tags.error === true || tags.error === 'true';
    const process = (s.processID ? trace.processes?.[s.processID] : undefined) ?? s.process ?? {};
    const res = tagsToAttributes(process.tags);
    const events: SpanEventRecord[] = (s.logs ?? []).map((l) => {
      const fields = tagsToAttributes(l.fields);
      const name = typeof fields.event === 'string' ? fields.event : 'log';
      delete fields.event;
      return { name, timeMs: (l.timestamp ?? 0) / 1000, attributes: fields };
    });
    out.push({
      traceId,
      spanId,
      parentSpanId: parentSpanId === '0000000000000000' ? '' : parentSpanId,
      name: s.operationName ?? '',
      kind: KIND_BY_TAG[String(tags['span.kind'] ?? '').toLowerCase()] ?? 0,
      startMs: (s.startTime ?? 0) / 1000,
      durationMs: (s.duration ?? 0) / 1000,
      statusCode: failed ? 2 : statusTag === 'OK' ? 1 : 0,
      statusMessage:
        typeof tags['otel.status_description'] === 'string' ? tags['otel.status_description'] : '',
      attributes: tagsToAttributes(s.tags, FIELD_TAGS),
      events,
      resource: {
        service: process.serviceName || 'unknown_service',
        environment: String(
          res['deployment.environment.name'] ?? res['deployment.environment'] ?? '',
        ),
        version: String(res['service.version'] ?? ''),
      },
    });
  }
  return out;
}

/** A Go duration for Jaeger's minDuration parameters: whole microseconds. */
function goDuration(ms: number): string {
  return `${Math.round(ms * 1000)}us`;
}

export interface JaegerOptions {
  /** Skip detection: always use this API. */
  api?: ApiVersion;
}

export class JaegerSource extends SourceClient implements TraceSource {
  private api: ApiVersion | undefined;

  constructor(config: SourceConfig, opts: JaegerOptions = {}, client?: HttpClient) {
    super(config, 'check PRODLENS_JAEGER_TOKEN', client);
    this.api = opts.api;
  }

  /** The API version in use once detected (undefined before the first answer). */
  get apiVersion(): ApiVersion | undefined {
    return this.api;
  }

  /** Lists services (v3, else v1): proves the URL, the credentials and the API. */
  async testConnection(signal?: AbortSignal): Promise<SourceStatus> {
    this.lastStatus = await probeStatus(signal, async () => {
      const n = await this.withFallback(
        async () => {
          const r = await this.client.getJson<{ services?: unknown }>(
            'api/v3/services',
            {},
            signal,
          );
          if (!r || !Array.isArray(r.services)) throw this.unlike('api/v3/services');
          return r.services.length;
        },
        async () => {
          const r = await this.client.getJson<{ data?: unknown }>('api/services', {}, signal);
          if (!r || !Array.isArray(r.data)) throw this.unlike('api/services');
          return r.data.length;
        },
      );
      return `ok (Jaeger API ${this.api ?? 'v3'}, ${n} services)`;
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
    return notFoundAsEmpty(() =>
      this.withFallback(
        async () => {
          const r = await this.client.getJson<{ result?: unknown }>(
            `api/v3/traces/${id}`,
            {},
            signal,
          );
          if (!r || typeof r !== 'object' || !r.result) throw this.unlike(`api/v3/traces/${id}`);
          return spansFromOtlpJson(r.result, `${this.client.label} trace ${id}`);
        },
        async () =>
          (await this.v1Traces(`api/traces/${id}`, {}, signal)).flatMap(spansFromJaegerV1),
      ),
    );
  }

  async recentTraces(q: TraceQuery, signal?: AbortSignal): Promise<TraceSummary[]> {
    const now = Date.now();
    const startMs = now - q.windowMs;
    const summaries = await notFoundAsEmpty(() =>
      this.withFallback(
        async () => {
          const params: QueryParams = {
            'query.service_name': q.service,
            'query.operation_name': q.spanName,
            'query.start_time_min': new Date(startMs).toISOString(),
            'query.start_time_max': new Date(now).toISOString(),
            'query.duration_min': q.minDurationMs ? goDuration(q.minDurationMs) : undefined,
            // Jaeger 2.x reads search_depth, 1.x num_traces; each ignores the other.
            'query.search_depth': String(q.limit),
            'query.num_traces': String(q.limit),
          };
          const r = await this.client.getJson<{ result?: unknown }>(
            'api/v3/traces',
            params,
            signal,
          );
          if (!r || typeof r !== 'object' || !r.result) throw this.unlike('api/v3/traces');
          return groupByTrace(spansFromOtlpJson(r.result, `${this.client.label} search`));
        },
        async () => {
          const params: QueryParams = {
            service: q.service,
            operation: q.spanName,
            start: String(Math.floor(startMs * 1000)),
            end: String(Math.floor(now * 1000)),
            limit: String(q.limit),
            minDuration: q.minDurationMs ? goDuration(q.minDurationMs) : undefined,
            tags: q.errorsOnly ? JSON.stringify({ error: 'true' }) : undefined,
          };
          return (await this.v1Traces('api/traces', params, signal)).map((t) =>
            spansFromJaegerV1(t),
          );
        },
      ),
    );
    // v3 has no status filter, so failures are picked here (v1 already filtered by tag).
    return summaries
      .map((spans) => summarizeSpans(spans))
      .filter((s): s is TraceSummary => s !== undefined && (!q.errorsOnly || s.error))
      .sort((a, b) => b.startMs - a.startMs)
      .slice(0, q.limit);
  }

  /** Runs the v3 call, or v1 when v3 is known absent or answers 404; remembers what worked. */
  private async withFallback<T>(v3: () => Promise<T>, v1: () => Promise<T>): Promise<T> {
    if (this.api === 'v1') return v1();
    try {
      const r = await v3();
      this.api = 'v3';
      return r;
    } catch (e) {
      if (this.api === 'v3' || !(e instanceof SourceError && e.status === 404)) throw e;
    }
    const r = await v1();
    this.api = 'v1';
    return r;
  }

  private async v1Traces(
    path: string,
    params: QueryParams,
    signal: AbortSignal | undefined,
  ): Promise<JaegerTrace[]> {
    const r = await this.client.getJson<{ data?: unknown; errors?: { msg?: string }[] | null }>(
      path,
      params,
      signal,
    );
    if (
      !r ||
      typeof r !== 'object' ||
      (r.data !== null && r.data !== undefined && !Array.isArray(r.data))
    )
      throw this.unlike(path);
    const data = (r.data ?? []) as JaegerTrace[];
    const firstError = r.errors?.[0]?.msg;
    if (data.length === 0 && firstError)
      throw new SourceError(
        'http',
        this.client.redact(
          `${this.client.label} at ${this.client.displayUrl} answered ${path}: ${firstError}`,
        ),
      );
    return data;
  }

  private unlike(path: string): SourceError {
    return new SourceError(
      'bad-response',
      `${this.client.label} at ${this.client.displayUrl} answered ${path} unlike Jaeger`,
    );
  }
}

function groupByTrace(spans: SpanRecord[]): SpanRecord[][] {
  const by = new Map<string, SpanRecord[]>();
  for (const s of spans) {
    const list = by.get(s.traceId);
    if (list) list.push(s);
    else by.set(s.traceId, [s]);
  }
  return [...by.values()];
}

/** "Not found" (both APIs said 404) is an empty answer, not a failure. */
async function notFoundAsEmpty<T>(run: () => Promise<T[]>): Promise<T[]> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof SourceError && e.status === 404) return [];
    throw e;
  }
}

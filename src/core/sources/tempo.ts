// Grafana Tempo as a trace source: TraceQL search for a function's recent, slow and failed
// traces, and whole traces by id. Tempo answers /api/traces/<id> in "mostly compatible" OTLP
// JSON: ids in base64 (standard jsonpb), enums possibly as names, `batches` before 2.6. That is
// normalised into plain OTLP/JSON here so the receiver's own decoder turns it into SpanRecords.
import type { SpanRecord } from '../model';
import { decodeTraces } from '../ingest/otlp-decode';
import { SourceClient } from './source-client';
import { HttpClient, SourceError } from './http-client';
import {
  normalizeId,
  nsToMs,
  type SourceConfig,
  type SourceStatus,
  type TraceQuery,
  type TraceSource,
  type TraceSummary,
  probeStatus,
} from './source';

interface TempoSearchTrace {
  traceID?: string;
  rootServiceName?: string;
  rootTraceName?: string;
  startTimeUnixNano?: string;
  durationMs?: number;
  spanSets?: { spans?: { attributes?: { key?: string; value?: { stringValue?: string } }[] }[] }[];
  spanSet?: { spans?: { attributes?: { key?: string; value?: { stringValue?: string } }[] }[] };
}

const SPAN_KIND: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const STATUS_CODE: Record<string, number> = {
  STATUS_CODE_UNSET: 0,
  STATUS_CODE_OK: 1,
  STATUS_CODE_ERROR: 2,
};
const ID_FIELDS: Record<string, 16 | 8> = { traceId: 16, spanId: 8, parentSpanId: 8 };

/** A TraceQL string literal. */
export function traceqlString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * The TraceQL spanset filter for a query. Unscoped intrinsics (`name`, `status`, `duration`)
 * are used because every Tempo 2.x understands them; `span:name` etc. are newer aliases.
 */
export function traceqlFor(
  q: Pick<TraceQuery, 'service' | 'spanName' | 'minDurationMs' | 'errorsOnly'>,
): string {
  const parts = [`resource.service.name = ${traceqlString(q.service)}`];
  if (q.spanName) parts.push(`name = ${traceqlString(q.spanName)}`);
  if (q.minDurationMs !== undefined && q.minDurationMs > 0)
    parts.push(`duration >= ${Math.round(q.minDurationMs * 1000)}us`);
  if (q.errorsOnly) parts.push('status = error');
  return `{ ${parts.join(' && ')} }`;
}

/** An id from base64 (Tempo) or hex (Jaeger v3, OTLP/JSON) to lowercase hex; undefined if neither. */
function idToHex(v: string, bytes: 16 | 8): string | undefined {
  if (v === '') return '';
  const hex = normalizeId(v, bytes);
  if (hex && v.length === bytes * 2) return hex;
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(v)) {
    const raw = Buffer.from(v, 'base64');
    if (raw.length === bytes || (bytes === 16 && raw.length === 8))
      return raw.toString('hex').padStart(bytes * 2, '0');
  }
  return hex;
}

/** Rewrites Tempo/Jaeger OTLP JSON into OTLP/JSON as the spec writes it (hex ids, int enums). */
function normalizeOtlpJson(node: unknown, key = ''): unknown {
  if (Array.isArray(node)) return node.map((n) => normalizeOtlpJson(n, key));
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    // Pre-2.6 Tempo and old OTLP: `batches` / `instrumentationLibrarySpans`.
    const name =
      k === 'batches'
        ? 'resourceSpans'
        : k === 'instrumentationLibrarySpans'
          ? 'scopeSpans'
          : k === 'instrumentationLibrary'
            ? 'scope'
            : k;
    const bytes = ID_FIELDS[name];
    if (bytes && typeof v === 'string') out[name] = idToHex(v, bytes) ?? v;
    else if (name === 'kind' && typeof v === 'string') out[name] = SPAN_KIND[v] ?? 0;
    else if (name === 'code' && key === 'status' && typeof v === 'string')
      out[name] = STATUS_CODE[v] ?? 0;
    else if (
      name === 'status' ||
      name === 'resourceSpans' ||
      name === 'scopeSpans' ||
      name === 'spans' ||
      name === 'events' ||
      name === 'links' ||
      name === 'scope' ||
      name === 'resource'
    )
      out[name] = normalizeOtlpJson(v, name);
    else out[name] = v;
  }
  return out;
}

/**
 * SpanRecords from an OTLP-JSON-like trace (`{resourceSpans}` or `{batches}`), via the
 * receiver's OTLP/JSON decoder. Spans with unusable ids are dropped, as the receiver does.
 */
export function spansFromOtlpJson(trace: unknown, what: string): SpanRecord[] {
  if (!trace || typeof trace !== 'object')
    throw new SourceError('bad-response', `${what}: expected an OTLP JSON trace object`);
  const normalized = normalizeOtlpJson(trace) as { resourceSpans?: unknown };
  try {
    return decodeTraces(
      Buffer.from(JSON.stringify({ resourceSpans: normalized.resourceSpans ?? [] })),
      'json',
    ).spans;
  } catch (e) {
    throw new SourceError(
      'bad-response',
      `${what}: not an OTLP JSON trace (${(e as Error).message})`,
    );
  }
}

export interface TempoOptions {
  /** Spans per spanset in search answers (Tempo's `spss`); default 3. */
  spansPerSpanSet?: number;
}

export class TempoSource extends SourceClient implements TraceSource {
  constructor(
    config: SourceConfig,
    private readonly opts: TempoOptions = {},
    client?: HttpClient,
  ) {
    super(config, 'check PRODLENS_TEMPO_TOKEN', client);
  }

  /** A one-trace search: proves the URL, the credentials and that it speaks Tempo's search API. */
  async testConnection(signal?: AbortSignal): Promise<SourceStatus> {
    this.lastStatus = await probeStatus(signal, async () => {
      const r = await this.client.getJson<{ traces?: unknown }>(
        'api/search',
        { q: '{}', limit: '1' },
        signal,
      );
      if (!r || typeof r !== 'object' || !Array.isArray(r.traces))
        throw this.unlike('api/search', 'no traces list');
      return 'ok (Tempo)';
    });
    return this.lastStatus;
  }

  async traceById(traceId: string, signal?: AbortSignal): Promise<SpanRecord[]> {
    const id = this.checkId(traceId);
    let body: unknown;
    try {
      body = await this.client.getJson<unknown>(`api/traces/${id}`, {}, signal);
    } catch (e) {
      if (e instanceof SourceError && e.status === 404) return [];
      throw e;
    }
    return spansFromOtlpJson(body, `${this.client.label} trace ${id}`);
  }

  async recentTraces(q: TraceQuery, signal?: AbortSignal): Promise<TraceSummary[]> {
    const end = Math.floor(Date.now() / 1000);
    const start = Math.max(0, Math.floor((Date.now() - q.windowMs) / 1000));
    const body = await this.client.getJson<{ traces?: TempoSearchTrace[] }>(
      'api/search',
      {
        q: traceqlFor(q),
        limit: String(q.limit),
        start: String(start),
        end: String(end),
        spss: String(this.opts.spansPerSpanSet ?? 3),
      },
      signal,
    );
    if (
      !body ||
      typeof body !== 'object' ||
      (body.traces !== undefined && !Array.isArray(body.traces))
    )
      throw this.unlike('api/search', 'no traces list');
    const out: TraceSummary[] = [];
    for (const t of body.traces ?? []) {
      const traceId = normalizeId(t.traceID ?? '', 16);
      if (!traceId) continue;
      const sets = [...(t.spanSets ?? []), ...(t.spanSet ? [t.spanSet] : [])];
      // Search answers carry no status unless selected; a matched span saying so still counts.
      const sawError = sets.some((s) =>
        (s.spans ?? []).some((sp) =>
          (sp.attributes ?? []).some((a) => a.key === 'status' && a.value?.stringValue === 'error'),
        ),
      );
      out.push({
        traceId,
        rootName: t.rootTraceName ?? '',
        service: t.rootServiceName ?? '',
        startMs: nsToMs(t.startTimeUnixNano),
        durationMs: t.durationMs ?? 0,
        error: !!q.errorsOnly || sawError,
      });
    }
    return out.sort((a, b) => b.startMs - a.startMs).slice(0, q.limit);
  }

  private checkId(traceId: string): string {
    const id = normalizeId(traceId, 16);
    if (!id)
      throw new SourceError(
        'bad-response',
        `${this.client.label}: ${JSON.stringify(traceId.slice(0, 64))} is not a trace id (hex, up to 32 digits)`,
      );
    return id;
  }

  private unlike(path: string, why: string): SourceError {
    return new SourceError(
      'bad-response',
      `${this.client.label} at ${this.client.displayUrl} answered ${path} unlike Tempo: ${why}`,
    );
  }
}

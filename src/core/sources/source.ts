// The vocabulary of production backends ("sources"): what each kind can answer, how it is
// configured, how healthy it is, and the records it yields. Plain data only: no I/O.
import type { SpanRecord } from '../model';

/**
 * Backends ProdLens can read from. `SOURCE_KINDS` lists the kinds the CLI's `--source` accepts;
 * the extension's settings also take `EDITOR_SOURCE_KINDS` (Sentry errors, Loki lines on the
 * code, Tempo/Jaeger/Zipkin traces in the details panel).
 */
export type SourceKind =
  'prometheus' | 'alertmanager' | 'tempo' | 'jaeger' | 'zipkin' | 'loki' | 'sentry';

/** Kinds `prodlens.sources` accepts in the editor. */
export const EDITOR_SOURCE_KINDS: readonly SourceKind[] = [
  'prometheus',
  'alertmanager',
  'sentry',
  'loki',
  'tempo',
  'jaeger',
  'zipkin',
];

/** Every kind is accepted by the CLI too; each command reads the kinds it has a use for and says so of the rest. */
export const SOURCE_KINDS: readonly SourceKind[] = EDITOR_SOURCE_KINDS;

export function isEditorSourceKind(v: string): v is SourceKind {
  return (EDITOR_SOURCE_KINDS as readonly string[]).includes(v);
}

/** What a source can be asked for. */
export type Capability = 'functionStats' | 'traces' | 'logs' | 'errors' | 'alerts';

export const CAPABILITIES: Readonly<Record<SourceKind, readonly Capability[]>> = {
  prometheus: ['functionStats', 'alerts'],
  alertmanager: ['alerts'],
  tempo: ['traces'],
  jaeger: ['traces'],
  zipkin: ['traces'],
  loki: ['logs'],
  sentry: ['errors'],
};

/** Kinds with a read-only client (tempo.ts, jaeger.ts, zipkin.ts, loki.ts, sentry.ts). */
export const TRACE_LOG_ERROR_KINDS: readonly SourceKind[] = [
  'tempo',
  'jaeger',
  'zipkin',
  'loki',
  'sentry',
];

export function isSourceKind(v: string): v is SourceKind {
  return (SOURCE_KINDS as readonly string[]).includes(v);
}

export interface SourceConfig {
  kind: SourceKind;
  /** Base URL of the API root, e.g. http://prometheus:9090 (a path prefix is kept). */
  url: string;
  /** The named environment this backend serves, e.g. prod or staging. */
  environment: string;
  /** Sent as `Authorization: Bearer`; never printed, logged or put in an error. */
  token?: string;
  /** Per-request timeout; 10 s when unset. */
  timeoutMs?: number;
}

/** Health of a source after its latest request. */
export interface SourceStatus {
  ok: boolean;
  /** Time of the latest request, retries included. */
  latencyMs: number;
  /** One human sentence: `ok (Prometheus 2.42.0)`, or what failed and what to check. */
  message: string;
  /** True when the values shown come from an earlier successful request. */
  stale: boolean;
}

/** A production alert, whatever backend it came from. */
export interface AlertRecord {
  name: string;
  /** Backend's own word: firing | pending (Prometheus), active | suppressed | unprocessed (Alertmanager). */
  state: string;
  /** The `severity` label, '' when absent. */
  severity: string;
  /** ISO-8601 time the alert started (Prometheus: activeAt). */
  startsAt: string;
  /** `summary` annotation, else `description`, else ''. */
  summary: string;
  /** Link to the expression that raised it, '' when the backend gives none. */
  generatorURL: string;
  labels: Record<string, string>;
  source: SourceKind;
  environment: string;
  /** Trace ids of exemplars behind the alert, when a backend supplied them. */
  exemplarTraceIds?: string[];
}

/** RED numbers of one function (span) over a window, shaped like the engine's numbers. */
export interface FunctionStatsRecord {
  service: string;
  spanName: string;
  /** The code-function dimension, when the metrics carry one. */
  codeFunction?: string;
  /** The code-file dimension, when the metrics carry one. */
  codeFile?: string;
  count: number;
  errors: number;
  /** NaN when the backend has no latency histogram for the function. */
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  ratePerMin: number;
  /** Most recent first, at most a handful. */
  exemplarTraceIds: string[];
}

/** A named identity for messages and grouping: `prometheus (prod)`. */
export function sourceLabel(c: Pick<SourceConfig, 'kind' | 'environment'>): string {
  return c.environment ? `${c.kind} (${c.environment})` : c.kind;
}

/** "Recent, slow and failed traces for a function": what a trace source is asked. */
export interface TraceQuery {
  service: string;
  /** The span (operation) name; any span of the service when unset. */
  spanName?: string;
  /** Only traces at least this long (the matched span's duration, as each backend defines it). */
  minDurationMs?: number;
  errorsOnly?: boolean;
  limit: number;
  /** How far back from now to look. */
  windowMs: number;
}

/** One trace in a search answer. */
export interface TraceSummary {
  /** Lowercase hex, 32 chars. */
  traceId: string;
  /** Name of the root span ('' when the backend has not seen the root). */
  rootName: string;
  /** Service of the root span. */
  service: string;
  startMs: number;
  durationMs: number;
  /** True when some span failed (or the search asked for failures only). */
  error: boolean;
}

/** What every trace backend client offers. Failures reject with SourceError. */
export interface TraceSource {
  readonly config: SourceConfig;
  testConnection(signal?: AbortSignal): Promise<SourceStatus>;
  /** The trace's spans, normalised; [] when the backend does not know the id. */
  traceById(traceId: string, signal?: AbortSignal): Promise<SpanRecord[]>;
  /** Matching traces, newest first, at most `limit`. */
  recentTraces(query: TraceQuery, signal?: AbortSignal): Promise<TraceSummary[]>;
}

/** An error group (Sentry issue), whatever backend it came from. */
export interface ErrorIssueRecord {
  id: string;
  /** Human id, e.g. `CHECKOUT-1A`; '' when none. */
  shortId: string;
  title: string;
  /** Where the backend thinks it happened, e.g. `svc.api in get_order`. */
  culprit: string;
  count: number;
  userCount: number;
  /** ISO-8601. */
  firstSeen: string;
  lastSeen: string;
  level: string;
  status: string;
  permalink: string;
  source: SourceKind;
  environment: string;
}

/**
 * A trace or span id as lowercase hex of `bytes` bytes: 64-bit trace ids (Jaeger, Zipkin) are
 * left-padded to 128 bits; undefined when it is not hex or too long.
 */
export function normalizeId(id: string, bytes: 16 | 8): string | undefined {
  const s = id.trim().toLowerCase();
  if (!/^[0-9a-f]+$/.test(s) || s.length > bytes * 2) return undefined;
  return s.padStart(bytes * 2, '0');
}

/** Epoch ms (fractional) from a nanosecond count given as a decimal string or number, exactly to 1 ns. */
export function nsToMs(ns: string | number | undefined): number {
  if (ns === undefined) return NaN;
  const s = typeof ns === 'number' ? BigInt(Math.trunc(ns)).toString() : ns.trim();
  if (!/^\d+$/.test(s)) return NaN;
  // Split so neither part loses precision as a double.
  return s.length <= 6 ? Number(s) / 1e6 : Number(s.slice(0, -6)) + Number(s.slice(-6)) / 1e6;
}

/** A trace's summary from its spans: root = a span without parent (else the earliest). */
export function summarizeSpans(spans: readonly SpanRecord[]): TraceSummary | undefined {
  const first = spans[0];
  if (!first) return undefined;
  const ids = new Set(spans.map((s) => s.spanId));
  // A true root beats a span whose parent is merely missing from the answer.
  const rank = (s: SpanRecord) => (s.parentSpanId === '' ? 0 : ids.has(s.parentSpanId) ? 2 : 1);
  let root: SpanRecord | undefined;
  let start = Infinity;
  let end = -Infinity;
  for (const s of spans) {
    start = Math.min(start, s.startMs);
    end = Math.max(end, s.startMs + s.durationMs);
    if (!root || rank(s) < rank(root) || (rank(s) === rank(root) && s.startMs < root.startMs))
      root = s;
  }
  root ??= first;
  return {
    traceId: first.traceId,
    rootName: root.name,
    service: root.resource.service,
    startMs: start,
    durationMs: end - start,
    error: spans.some((s) => s.statusCode === 2),
  };
}

/**
 * Runs a connection check and times it: the check returns the success message or throws; a
 * caller's cancellation propagates, every other failure becomes a status with its message.
 */
export async function probeStatus(
  signal: AbortSignal | undefined,
  check: () => Promise<string>,
): Promise<SourceStatus> {
  const started = Date.now();
  try {
    const message = await check();
    return { ok: true, latencyMs: Date.now() - started, message, stale: false };
  } catch (e) {
    if (signal?.aborted) throw e;
    return {
      ok: false,
      latencyMs: Date.now() - started,
      message: (e as Error).message,
      stale: false,
    };
  }
}

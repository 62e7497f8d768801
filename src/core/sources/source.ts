// The vocabulary of production backends ("sources"): what each kind can answer, how it is
// configured, how healthy it is, and the records it yields. Plain data only: no I/O.

/** Backends ProdLens can read from. Only these two are implemented; more kinds join this union. */
export type SourceKind = 'prometheus' | 'alertmanager';

export const SOURCE_KINDS: readonly SourceKind[] = ['prometheus', 'alertmanager'];

/** What a source can be asked for. */
export type Capability = 'functionStats' | 'traces' | 'logs' | 'errors' | 'alerts';

export const CAPABILITIES: Readonly<Record<SourceKind, readonly Capability[]>> = {
  prometheus: ['functionStats', 'alerts'],
  alertmanager: ['alerts'],
};

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

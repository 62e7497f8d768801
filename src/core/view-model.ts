// What the details panel shows about a function, as plain data: numbers, distribution, traces,
// errors, logs and comparisons, NaN-free (null instead) so it crosses to a webview unchanged. Built
// by function-details.ts from the engine; the panel protocol (src/protocol/messages.ts) carries it.
/** One point of the over-time charts; NaN never crosses (null instead). */
export interface PointDto {
  startMs: number;
  count: number;
  errors: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

/** Plain numbers for one function over one window. */
export interface StatsDto {
  count: number;
  errors: number;
  p50Ms: number | null;
  p90Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  ratePerMin: number;
  windowLabel: string;
  coveredLabel: string;
  /** Width of one point, so charts can show throughput per minute. */
  pointWidthMs: number;
  points: PointDto[];
}

/** Latency histogram over the raw spans the engine still holds (a sample, not every span). */
export interface HistogramDto {
  /** Upper edge of each bucket in ms (log-spaced); counts[i] covers (edges[i-1], edges[i]]. */
  edgesMs: number[];
  counts: number[];
  /** How many held spans the histogram is built from. */
  sampleCount: number;
}

/**
 * A trace through the function: one the receiver holds (the engine's trace window shape) or one a
 * trace backend's search found, labelled with its source; a search answer does not say how long
 * the function's own span took or how many spans the trace has (null then).
 */
/** One trace in the panel's lists (the engine's TraceSummary, or a trace backend's row). */
export interface TraceSummaryDto {
  traceId: string;
  rootName: string;
  rootService: string;
  startMs: number;
  /** Duration of the whole trace as far as its spans are held. */
  durationMs: number;
  error: boolean;
  matchError: boolean;
  /** The slowest span of the function in this trace. */
  matchDurationMs: number | null;
  spanCount: number | null;
  /** `tempo (prod)` when a backend found it; absent for the receiver's traces. */
  source?: string;
}

/** A trace backend's answer for the function's lists: which source, and how it went. */
export interface TraceSourceDto {
  label: string;
  ok: boolean;
  /** The lists are an earlier answer: the backend failed its latest search. */
  stale: boolean;
  /** The backend's status sentence (redacted by the client) when not ok; '' otherwise. */
  message: string;
  /** True while the first answer for this function is still on its way. */
  loading: boolean;
}

/** A place in the workspace the webview may ask the host to open. */
export interface CodeLinkDto {
  file: string;
  line: number;
}

export interface StackFrameDto {
  /** The frame's line as printed. */
  text: string;
  /** Set when the frame resolves to a workspace file. */
  code?: CodeLinkDto;
}

/** One distinct exception seen on the function's held spans. */
export interface ErrorGroupDto {
  type: string;
  message: string;
  count: number;
  lastSeenMs: number;
  traceId: string;
  frames: StackFrameDto[];
}

export type AttributeListDto = [key: string, value: string][];

export interface SpanEventDto {
  name: string;
  offsetMs: number;
  attributes: AttributeListDto;
  /** `exception.stacktrace` of exception events, frame by frame. */
  frames?: StackFrameDto[];
}

/** One row of a trace waterfall, in tree order (parents before children). */
export interface WaterfallRowDto {
  spanId: string;
  parentSpanId: string;
  name: string;
  service: string;
  depth: number;
  /** Start relative to the trace's first held span. */
  offsetMs: number;
  durationMs: number;
  error: boolean;
  statusMessage: string;
  /** The span belongs to the function the panel shows. */
  isMatch: boolean;
  attributes: AttributeListDto;
  events: SpanEventDto[];
  /** Where the span's series maps in the workspace, if it does. */
  code?: CodeLinkDto & { qualifiedName: string };
}

export interface TraceDto {
  traceId: string;
  /** The trace backend it came from (`tempo (prod)`); absent when the receiver holds it. */
  source?: string;
  startMs: number;
  durationMs: number;
  rows: WaterfallRowDto[];
}

export interface WindowOptionDto {
  id: string;
  label: string;
}

/** The function's numbers for one version or one environment (series identity fields) over the window. */
export interface CompareGroupDto {
  /** As the telemetry gave it ('' when the spans carried none). */
  value: string;
  count: number;
  errors: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  /** Newest span of the group, so the webview can pick the two most recent versions. */
  lastSeenMs: number;
}

export interface CompareDto {
  /** Most recently seen first. */
  versions: CompareGroupDto[];
  /** Most spans first. */
  environments: CompareGroupDto[];
}

/** A log level as the core reads it from a record's severity ('unknown' when it carried none). */
export type LogLevelDto =
  'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'print' | 'unknown';

/** One log record as printed (the body already cut to 2,000 characters by the core). */
export interface LogLineDto {
  timeMs: number;
  level: LogLevelDto;
  body: string;
  /** '' when the record carried none. */
  traceId: string;
  spanId: string;
  service: string;
}

/** A log statement inside the function with records in the window. */
export interface LogStatementDto {
  file: string;
  /** The statement's line as the file is now (1-based). */
  line: number;
  /** The level of the call as written (`logger.warn` → warn). */
  level: LogLevelDto;
  /** The message as written in the code. */
  template: string;
  count: number;
  byLevel: Partial<Record<LogLevelDto, number>>;
  lastSeenMs: number;
  /** Newest first; the panel's newest lines across all statements, so possibly fewer than `count`. */
  latest: LogLineDto[];
  rule: string;
  confidence: string;
  explanation: string;
}

export interface LogsDto {
  /** Log statements the workspace index found inside the function (with records or not). */
  statementsInFunction: number;
  /** Statements with records in the window, in line order. */
  statements: LogStatementDto[];
  /** Records in the window across those statements (the sum of their counts). */
  records: number;
  /** Lines sent across all statements (at most the host's limit). */
  linesShown: number;
}

export interface FunctionDetailsDto {
  file: string;
  qualifiedName: string;
  startLine: number;
  window: string;
  windows: WindowOptionDto[];
  /** '' = all environments. */
  environment: string;
  /** Environments with data anywhere in the store, for the picker. */
  knownEnvironments: string[];
  stats: StatsDto;
  histogram: HistogramDto;
  mapping: { rule: string; confidence: string; explanation: string };
  services: string[];
  environments: string[];
  traces: {
    recent: TraceSummaryDto[];
    slowest: TraceSummaryDto[];
    failed: TraceSummaryDto[];
    held: number;
    sources?: TraceSourceDto[];
  };
  errors: ErrorGroupDto[];
  logs: LogsDto;
  compare: CompareDto;
}

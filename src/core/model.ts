// The domain vocabulary shared by every part of the core. Plain data only: no vscode, no I/O.
//
// Conventions: lines are 1-based (as telemetry and stack traces print them), columns 0-based (as
// parsers report them). The VS Code adapter converts to its 0-based positions at the boundary.

/** A function or method found in a source file by the parser. */
export interface FunctionRange {
  /** The bare name as written, e.g. `placeOrder`. */
  name: string;
  /** Containers joined with dots, as written in the code, e.g. `OrderService.placeOrder`. */
  qualifiedName: string;
  kind: 'function' | 'method' | 'constructor' | 'arrow' | 'lambda';
  /** First line of the declaration (1-based, decorators/annotations excluded). */
  startLine: number;
  /** Last line of the body (1-based, inclusive). */
  endLine: number;
  /** Where the name token sits, for hovers: 1-based line, 0-based columns. */
  nameLine: number;
  nameColumn: number;
  nameEndColumn: number;
}

/** Languages the function parser understands without any language extension installed. */
export type LanguageId =
  'typescript' | 'tsx' | 'javascript' | 'python' | 'java' | 'go' | 'csharp' | 'ruby' | 'php';

/** OTLP span kind, as the integer enum on the wire. */
export const enum SpanKind {
  Unspecified = 0,
  Internal = 1,
  Server = 2,
  Client = 3,
  Producer = 4,
  Consumer = 5,
}

export type AttributeValue =
  string | number | boolean | AttributeValue[] | { [key: string]: AttributeValue } | null;
export type Attributes = Record<string, AttributeValue>;

/** A span as the store sees it, whatever wire format it came in. */
export interface SpanRecord {
  traceId: string; // lowercase hex, 32 chars
  spanId: string; // lowercase hex, 16 chars
  parentSpanId: string; // '' for roots
  name: string;
  kind: number;
  /** Start time in epoch milliseconds (fractional). */
  startMs: number;
  /** Duration in milliseconds (fractional, exact to the nanosecond the sender gave). */
  durationMs: number;
  /** 0 unset, 1 ok, 2 error. */
  statusCode: number;
  statusMessage: string;
  attributes: Attributes;
  /** Span events (exceptions among them); kept for drill-down. */
  events: SpanEventRecord[];
  resource: ResourceInfo;
}

export interface SpanEventRecord {
  name: string;
  timeMs: number;
  attributes: Attributes;
}

/** The resource identity that partitions aggregates. */
export interface ResourceInfo {
  service: string;
  environment: string;
  version: string;
  /** The commit the service was built from, when the resource says (`vcs.ref.head.revision`). */
  revision?: string;
}

/** Where a span says its code is, read from the OTel `code.*` attributes (current or deprecated). */
export interface CodeLocation {
  filePath?: string;
  line?: number;
  column?: number;
  /** Function name as the telemetry gives it (may be qualified: `com.acme.Orders.get`). */
  functionName?: string;
  /** Which attribute names supplied the location, for the mapping explanation. */
  source: 'code.file.path' | 'code.filepath' | 'code.function.name' | 'code.function' | 'none';
  /** The deployed commit the location refers to (`vcs.ref.head.revision`, or a commit-like service.version). */
  revision?: string;
  /** For a server span without code attributes: the HTTP route it served, mapped to its handler. */
  route?: {
    method: string;
    template: string;
    from: 'http.route' | 'span name' | 'url.path';
    /** The first request's path, tried when the route itself matches no registration (Hapi leaves plugin prefixes out of http.route). */
    path?: string;
  };
  /** A framework span that names its handler exactly (NestJS: controller class and member). */
  handler?: { framework: 'nestjs'; controller: string; callback: string; inner: boolean };
  /** Why a span without any of the above is not mapped: a framework's inner span, or a server span without a route. */
  layer?: { kind: 'framework-inner' | 'no-route'; detail: string };
}

/** How sure a mapping is. `ambiguous` is never shown as a number on code. */
export type Confidence = 'exact' | 'high' | 'medium' | 'low' | 'ambiguous' | 'none';

/** Whether a confidence is enough to put something on code (neither ambiguous nor unfounded). */
export function isSure(c: Confidence): boolean {
  return c !== 'ambiguous' && c !== 'none';
}

/** The answer to "which function in the workspace does this telemetry belong to, and why". */
export interface MappingResult {
  /** Workspace-relative file, forward slashes; undefined when unmapped. */
  file?: string;
  function?: FunctionRange;
  /** The rule that produced the match, e.g. `code.file.path+line`. */
  rule: string;
  confidence: Confidence;
  /** One human sentence: how it matched, or why it did not. */
  explanation: string;
  /** Other candidates when ambiguous (workspace-relative files or qualified names). */
  candidates?: string[];
}

/** Latency and volume for one window, ready to show. */
export interface WindowStats {
  count: number;
  errors: number;
  p50Ms: number;
  p90Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  minMs: number;
  meanMs: number;
  /** The window asked for, and the part of it the store actually covers (data may be younger). */
  windowMs: number;
  coveredMs: number;
  /** Per-point p50 latency over the window, oldest first, for sparklines (NaN where empty). */
  series: { startMs: number; count: number; errors: number; p50Ms: number; p95Ms: number }[];
}

/** A log record as the store sees it. */
export interface LogRecordData {
  timeMs: number;
  severityNumber: number;
  severityText: string;
  /** The body flattened to text (structured bodies as JSON). */
  body: string;
  traceId: string; // '' when absent
  spanId: string; // '' when absent
  attributes: Attributes;
  resource: ResourceInfo;
}

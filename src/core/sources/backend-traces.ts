// A function's traces from the configured trace backends (Tempo, Jaeger, Zipkin) for the details
// panel: recent, slowest and failed traces over the window — one bounded search per list per
// source, TTL-cached and de-duplicated in flight through the shared SourceCache — and one trace by
// id for the waterfall, converted to the panel's TraceDto with each span mapped to code the way
// receiver spans are (the engine's Mapper over the span's code.* attributes). vscode-free: the
// extension passes the sources in and posts the results; nothing here is asked on a hover.
import { LRUCache } from 'lru-cache';
import type { Attributes, AttributeValue, FunctionRange, SpanRecord } from '../model';
import { type CodeResolver, isUsable } from '../resolver/code-resolver';
import type {
  AttributeListDto,
  StackFrameDto,
  TraceDto,
  TraceSummaryDto,
  WaterfallRowDto,
} from '../view-model';
import { cachedResult, SourceCache } from './cache';
import { SourceError } from './http-client';
import {
  sourceLabel,
  type SourceStatus,
  type TraceQuery,
  type TraceSource,
  type TraceSummary,
} from './source';

/** What a function is called in telemetry: its service and span name (as the mapping knows them). */
export interface TraceTarget {
  service: string;
  /** The span (operation) name; any span of the service when unset. */
  spanName?: string;
}

export interface TraceListQuery {
  /** Busiest first; the first is the one searched (one search per list per source). */
  targets: readonly TraceTarget[];
  windowMs: number;
  /** Slowest list: only traces whose matched span took at least this (the function's p95, when known). */
  slowMinMs?: number;
}

export type TraceList = 'recent' | 'slowest' | 'failed';
export const TRACE_LISTS: readonly TraceList[] = ['recent', 'slowest', 'failed'];

/** One source's three lists for a function, with the health of the requests behind them. */
export interface SourceTraceLists {
  label: string;
  recent: TraceSummaryDto[];
  slowest: TraceSummaryDto[];
  failed: TraceSummaryDto[];
  /** ok=false when a search failed; stale when the lists are an earlier answer. */
  status: SourceStatus;
  /** True when some list has an answer (fresh or stale). */
  answered: boolean;
}

/** What the trace by id gave: the waterfall, or one sentence on why not. */
export type BackendTraceResult =
  { ok: true; trace: TraceDto; source: string } | { ok: false; error: string; notFound: boolean };

/** Where a span's code attributes point, when the mapping is usable. */
export type SpanCode = NonNullable<WaterfallRowDto['code']>;

export interface SpanMapperDeps {
  /** The engine's resolver: code attributes, routes and framework handlers, path mappings, drift. */
  resolver: Pick<CodeResolver, 'locateSpan' | 'resolvePath' | 'map'>;
  functions: { get(file: string): Promise<FunctionRange[] | undefined> };
}

export interface BackendTracesOptions {
  /** Per list and source; default 20. */
  limit?: number;
  /** Lists are asked again after this; default 30 s. */
  listTtlMs?: number;
  /** A trace by id is immutable once complete; kept this long (default 5 min). */
  traceTtlMs?: number;
  now?: () => number;
}

export const BACKEND_TRACE_LIMIT = 20;
/** Queries whose last ask and last status are remembered (least recently used dropped first). */
const QUERIES_KEPT = 256;
const MAX_WATERFALL_ROWS = 10_000;
const MAX_ATTR_CHARS = 4_000;

/** A backend's search summary as a row of the panel's lists, labelled with its source. */
export function backendSummaryDto(t: TraceSummary, label: string): TraceSummaryDto {
  // A search answer has no per-span breakdown: the matched span's duration and the span count are unknown.
  return {
    traceId: t.traceId,
    rootName: t.rootName,
    rootService: t.service,
    startMs: t.startMs,
    durationMs: t.durationMs,
    spanCount: null,
    error: t.error,
    matchDurationMs: null,
    matchError: false,
    source: label,
  };
}

/** The search of one list: recent = newest, slowest = at least slowMinMs (sorted by duration), failed = errors only. */
export function listQuery(
  list: TraceList,
  target: TraceTarget,
  q: Pick<TraceListQuery, 'windowMs' | 'slowMinMs'>,
  limit: number,
): TraceQuery {
  const base: TraceQuery = { service: target.service, limit, windowMs: q.windowMs };
  if (target.spanName) base.spanName = target.spanName;
  if (list === 'failed') base.errorsOnly = true;
  const slow = list === 'slowest' ? quantizeMs(q.slowMinMs) : undefined;
  if (slow !== undefined) base.minDurationMs = slow;
  return base;
}

export class BackendTraces {
  private readonly lists: SourceCache<TraceSummary[]>;
  private readonly traces: SourceCache<SpanRecord[]>;
  private readonly limit: number;
  private readonly listTtlMs: number;
  private readonly now: () => number;
  /**
   * When each query was last asked (answered or not), so a failing backend is not asked on every
   * snapshot. The 256 queries last used are kept.
   */
  private readonly attempted = new LRUCache<string, number>({ max: QUERIES_KEPT });
  private readonly inFlight = new Map<string, Promise<SourceTraceLists[]>>();
  /** The latest status per source and query, so a snapshot from memory can say a backend failed. */
  private readonly lastStatus = new LRUCache<string, SourceStatus>({ max: QUERIES_KEPT });

  constructor(
    private readonly sources: () => readonly TraceSource[],
    o: BackendTracesOptions = {},
  ) {
    this.limit = Math.max(1, Math.min(o.limit ?? BACKEND_TRACE_LIMIT, 100));
    this.listTtlMs = o.listTtlMs ?? 30_000;
    this.now = o.now ?? Date.now;
    this.lists = new SourceCache<TraceSummary[]>({
      ttlMs: this.listTtlMs,
      maxEntries: 512,
      ...(o.now ? { now: o.now } : {}),
    });
    this.traces = new SourceCache<SpanRecord[]>({
      ttlMs: o.traceTtlMs ?? 300_000,
      maxEntries: 32,
      ...(o.now ? { now: o.now } : {}),
    });
  }

  get configured(): number {
    return this.sources().length;
  }

  labels(): string[] {
    return this.sources().map((s) => sourceLabel(s.config));
  }

  private key(label: string, list: TraceList, q: TraceListQuery): string | undefined {
    const t = q.targets[0];
    if (!t) return undefined;
    return JSON.stringify([
      label,
      list,
      t.service,
      t.spanName ?? '',
      q.windowMs,
      list === 'slowest' ? (quantizeMs(q.slowMinMs) ?? 0) : 0,
    ]);
  }

  private queryKey(q: TraceListQuery): string {
    const t = q.targets[0];
    return JSON.stringify([
      t?.service ?? '',
      t?.spanName ?? '',
      q.windowMs,
      quantizeMs(q.slowMinMs) ?? 0,
    ]);
  }

  /**
   * The lists from memory only (no request): per source, whatever the cache holds for this query;
   * `fresh` is false when any list is missing or past its TTL (time to ask again).
   */
  peek(q: TraceListQuery): {
    lists: SourceTraceLists[];
    fresh: boolean;
    loading: boolean;
    due: boolean;
  } {
    let fresh = true;
    const lists: SourceTraceLists[] = [];
    for (const s of this.sources()) {
      const label = sourceLabel(s.config);
      const out = noLists(label);
      const st = this.lastStatus.get(JSON.stringify([label, this.queryKey(q)]));
      if (st) out.status = st;
      for (const list of TRACE_LISTS) {
        const k = this.key(label, list, q);
        const hit = k ? this.lists.peek(k) : undefined;
        if (!hit || hit.stale) fresh = false;
        if (hit) {
          out[list] = finish(list, hit.value, label, this.limit);
          out.answered = true;
        }
      }
      lists.push(out);
    }
    const k = this.queryKey(q);
    const loading = this.inFlight.has(k);
    const last = this.attempted.get(k);
    const isFresh = fresh && q.targets.length > 0;
    // Due: worth asking now — something is missing or old, nobody is asking, and not asked within the TTL.
    const due =
      !isFresh &&
      !loading &&
      q.targets.length > 0 &&
      (last === undefined || this.now() - last >= this.listTtlMs);
    return { lists, fresh: isFresh, loading, due };
  }

  /**
   * Asks every trace source for the function's three lists (3 searches per source at most, fewer
   * while cached; concurrent callers share them). Never rejects except on the caller's own
   * cancellation: a failing source gives its status, and its last lists marked stale.
   */
  fetch(q: TraceListQuery, signal?: AbortSignal): Promise<SourceTraceLists[]> {
    const k = this.queryKey(q);
    const pending = this.inFlight.get(k);
    if (pending) return pending;
    this.attempted.set(k, this.now());
    const run = this.fetchNow(q, signal).finally(() => this.inFlight.delete(k));
    this.inFlight.set(k, run);
    return run;
  }

  private async fetchNow(q: TraceListQuery, signal?: AbortSignal): Promise<SourceTraceLists[]> {
    const target = q.targets[0];
    return Promise.all(
      this.sources().map(async (s) => {
        const label = sourceLabel(s.config);
        const out = noLists(label);
        if (!target) return out;
        const results = await Promise.all(
          TRACE_LISTS.map(async (list) => ({
            list,
            r: await cachedResult(
              this.lists,
              this.key(label, list, q)!,
              () => s.recentTraces(listQuery(list, target, q, this.limit), signal),
              signal,
            ),
          })),
        );
        let latency = 0;
        for (const { list, r } of results) {
          latency = Math.max(latency, r.status.latencyMs);
          if (r.value) {
            out[list] = finish(list, r.value, label, this.limit);
            out.answered = true;
          }
          // The first failure speaks for the source (they usually share one cause).
          if (!r.status.ok && out.status.ok) out.status = { ...r.status };
        }
        out.status.latencyMs = latency;
        this.lastStatus.set(JSON.stringify([label, this.queryKey(q)]), out.status);
        return out;
      }),
    );
  }

  /**
   * One trace by id from the source named `label` (or, without one, the first trace source that
   * knows it), as a waterfall. The spans' code attributes go through `deps` (the engine's mapper)
   * so rows link to code; `isMatch` marks the function on show.
   */
  async trace(
    traceId: string,
    label: string | undefined,
    deps: SpanMapperDeps & {
      isMatch?: (span: SpanRecord, code: SpanCode | undefined) => boolean;
      frames?: (stack: string, span: SpanRecord) => StackFrameDto[];
    },
    signal?: AbortSignal,
  ): Promise<BackendTraceResult> {
    const all = this.sources();
    const asked = label === undefined ? all : all.filter((s) => sourceLabel(s.config) === label);
    if (asked.length === 0)
      return {
        ok: false,
        notFound: false,
        error:
          label === undefined
            ? 'No trace backend is configured (prodlens.sources).'
            : `${label} is no longer configured (prodlens.sources).`,
      };
    const failures: string[] = [];
    for (const s of asked) {
      const l = sourceLabel(s.config);
      let spans: SpanRecord[];
      try {
        const r = await this.traces.get(JSON.stringify([l, traceId.toLowerCase()]), async () => {
          const got = await s.traceById(traceId, signal);
          // "Not found" is not kept: the trace may still be arriving.
          if (got.length === 0) throw new NotFound();
          return got;
        });
        spans = r.value;
      } catch (e) {
        if (signal?.aborted) throw e;
        if (e instanceof NotFound) continue;
        failures.push(e instanceof SourceError || e instanceof Error ? e.message : String(e));
        continue;
      }
      const codes = await mapSpans(spans, deps);
      return {
        ok: true,
        source: l,
        trace: {
          ...traceDtoFromSpans(traceId, spans, {
            code: (s) => codes.get(s.spanId),
            isMatch: (s) => deps.isMatch?.(s, codes.get(s.spanId)) ?? false,
            ...(deps.frames ? { frames: deps.frames } : {}),
          }),
          source: l,
        },
      };
    }
    if (failures.length)
      return {
        ok: false,
        notFound: false,
        error: `${failures.join('; ')}. The trace could not be fetched; try again when the backend answers.`,
      };
    const names = asked.map((s) => sourceLabel(s.config)).join(', ');
    return {
      ok: false,
      notFound: true,
      error: `${names} ${asked.length === 1 ? 'does' : 'do'} not know trace ${traceId} (it may be older than the backend keeps traces, or not stored yet).`,
    };
  }

  clear(): void {
    this.lists.clear();
    this.traces.clear();
    this.attempted.clear();
    this.lastStatus.clear();
  }
}

class NotFound extends Error {}

/** Steps 1, 1.5, 2, 3, 5, 7 per decade. */
const STEPS = [1, 1.5, 2, 3, 5, 7];

/**
 * A threshold rounded down to a step of 1, 1.5, 2, 3, 5, 7 per decade: a p95 that drifts a little
 * between snapshots keeps asking the same (cached) search. Undefined for no usable threshold.
 */
export function quantizeMs(ms: number | undefined): number | undefined {
  if (ms === undefined || !Number.isFinite(ms) || ms <= 0) return undefined;
  const decade = Math.pow(10, Math.floor(Math.log10(ms)));
  let best = decade;
  for (const st of STEPS) if (st * decade <= ms * (1 + 1e-9)) best = st * decade;
  return Number(best.toPrecision(12));
}

/** A cached list in the panel's order, bounded. */
function finish(
  list: TraceList,
  traces: readonly TraceSummary[],
  label: string,
  limit: number,
): TraceSummaryDto[] {
  const sorted =
    list === 'slowest'
      ? [...traces].sort((a, b) => b.durationMs - a.durationMs)
      : [...traces].sort((a, b) => b.startMs - a.startMs);
  return sorted.slice(0, limit).map((t) => backendSummaryDto(t, label));
}

/**
 * Each span's code link through the mapper (the receiver's path resolution and function ranges):
 * only high/medium/low mappings to a function; spans without code attributes have none.
 */
export async function mapSpans(
  spans: readonly SpanRecord[],
  deps: SpanMapperDeps,
): Promise<Map<string, SpanCode>> {
  const byLoc = new Map<string, SpanCode | undefined>();
  const out = new Map<string, SpanCode>();
  for (const s of spans) {
    const { loc } = deps.resolver.locateSpan(s);
    if (loc.source === 'none' && !loc.route && !loc.handler) continue;
    const key = JSON.stringify(loc);
    let code = byLoc.get(key);
    if (!byLoc.has(key)) {
      const path = deps.resolver.resolvePath(loc);
      const ranges = path?.file ? await deps.functions.get(path.file) : undefined;
      const m = deps.resolver.map(loc, path, ranges);
      code = isUsable(m)
        ? { file: m.file, line: m.function.startLine, qualifiedName: m.function.qualifiedName }
        : undefined;
      byLoc.set(key, code);
    }
    if (code) out.set(s.spanId, code);
  }
  return out;
}

function str(v: AttributeValue | undefined): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function attributeList(attrs: Attributes): AttributeListDto {
  return Object.entries(attrs).map(([k, v]) => {
    const s = str(v);
    return [k, s.length > MAX_ATTR_CHARS ? `${s.slice(0, MAX_ATTR_CHARS)}…` : s];
  });
}

export interface WaterfallHooks<T> {
  code?: (item: T) => SpanCode | undefined;
  isMatch?: (item: T) => boolean;
  /** `exception.stacktrace` of `span` → frames (linked when they resolve); plain text when unset. */
  frames?: (stack: string, span: SpanRecord) => StackFrameDto[];
}

/**
 * Spans as waterfall rows in tree order (parents before children, siblings by start); spans
 * whose parent is missing become roots; at most 10,000 rows. Shared by receiver and backend traces.
 */
export function waterfallOf<T>(
  traceId: string,
  items: readonly T[],
  spanOf: (item: T) => SpanRecord,
  hooks: WaterfallHooks<T> = {},
): TraceDto {
  const entries = items.slice(0, MAX_WATERFALL_ROWS);
  if (entries.length === 0) return { traceId, startMs: 0, durationMs: 0, rows: [] };
  let start = Infinity;
  let end = -Infinity;
  const ids = new Set<string>();
  for (const e of entries) {
    const s = spanOf(e);
    start = Math.min(start, s.startMs);
    end = Math.max(end, s.startMs + s.durationMs);
    ids.add(s.spanId);
  }
  const children = new Map<string, T[]>();
  const roots: T[] = [];
  for (const e of entries) {
    const s = spanOf(e);
    const p = s.parentSpanId;
    if (p && ids.has(p) && p !== s.spanId) {
      let list = children.get(p);
      if (!list) children.set(p, (list = []));
      list.push(e);
    } else roots.push(e);
  }
  const frames =
    hooks.frames ??
    ((stack: string) =>
      stack
        .split(/\r?\n/)
        .filter((l) => l.trim() !== '')
        .slice(0, 200)
        .map((text) => ({ text })));
  const rows: WaterfallRowDto[] = [];
  const visited = new Set<string>();
  // Iterative depth-first walk: a 2,000-deep chain must not overflow the stack; `visited` guards cycles.
  const stack: { e: T; depth: number }[] = [...roots].reverse().map((e) => ({ e, depth: 0 }));
  while (stack.length) {
    const { e, depth } = stack.pop()!;
    const s = spanOf(e);
    if (visited.has(s.spanId)) continue;
    visited.add(s.spanId);
    const row: WaterfallRowDto = {
      spanId: s.spanId,
      parentSpanId: s.parentSpanId,
      name: s.name,
      service: s.resource.service,
      depth,
      offsetMs: s.startMs - start,
      durationMs: s.durationMs,
      error: s.statusCode === 2,
      statusMessage: s.statusMessage,
      isMatch: hooks.isMatch?.(e) ?? false,
      attributes: attributeList(s.attributes),
      events: s.events.map((ev) => {
        const stackText = ev.name === 'exception' ? str(ev.attributes['exception.stacktrace']) : '';
        return {
          name: ev.name,
          offsetMs: ev.timeMs - start,
          attributes: attributeList(ev.attributes),
          ...(stackText ? { frames: frames(stackText, s) } : {}),
        };
      }),
    };
    const c = hooks.code?.(e);
    if (c) row.code = c;
    rows.push(row);
    const kids = children.get(s.spanId);
    if (kids)
      for (let i = kids.length - 1; i >= 0; i--) stack.push({ e: kids[i]!, depth: depth + 1 });
  }
  return { traceId, startMs: start, durationMs: end - start, rows };
}

/** A backend trace's spans as the panel's waterfall (siblings ordered by start time). */
export function traceDtoFromSpans(
  traceId: string,
  spans: readonly SpanRecord[],
  hooks: WaterfallHooks<SpanRecord> = {},
): TraceDto {
  const ordered = [...spans].sort((a, b) => a.startMs - b.startMs);
  return waterfallOf(traceId.toLowerCase(), ordered, (s) => s, hooks);
}

/** A source's lists before it answered: empty, healthy until told otherwise. */
function noLists(label: string): SourceTraceLists {
  return {
    label,
    recent: [],
    slowest: [],
    failed: [],
    status: { ok: true, latencyMs: 0, message: 'ok', stale: false },
    answered: false,
  };
}

/**
 * The receiver's and the backends' lists merged for the panel: receiver rows first when both
 * hold a trace (they know the matched span), each list in its order and bounded.
 */
export function mergeTraceLists(
  receiver: { recent: TraceSummaryDto[]; slowest: TraceSummaryDto[]; failed: TraceSummaryDto[] },
  backends: readonly SourceTraceLists[],
  limit: number,
): { recent: TraceSummaryDto[]; slowest: TraceSummaryDto[]; failed: TraceSummaryDto[] } {
  const merge = (list: TraceList): TraceSummaryDto[] => {
    const seen = new Set(receiver[list].map((t) => t.traceId));
    const extra: TraceSummaryDto[] = [];
    for (const b of backends)
      for (const t of b[list]) {
        if (seen.has(t.traceId)) continue;
        seen.add(t.traceId);
        extra.push(t);
      }
    const all = [...receiver[list], ...extra];
    if (list === 'slowest')
      all.sort((a, b) => (b.matchDurationMs ?? b.durationMs) - (a.matchDurationMs ?? a.durationMs));
    else all.sort((a, b) => b.startMs - a.startMs);
    return all.slice(0, limit);
  };
  return { recent: merge('recent'), slowest: merge('slowest'), failed: merge('failed') };
}

// The details panel's view of one function, built from the engine as plain data (view-model.ts):
// its numbers over the window with the previous window and per-environment comparisons, the latency
// histogram, the recent, slowest and failed traces held in memory, the errors grouped by throw site,
// one trace's waterfall, and what the trace backends should be searched for. vscode-free: the panel
// host sends these as they are; the unit tests and benchmarks call them directly.
function num(n: number): number | null {
  return Number.isFinite(n) ? n : null;
}

import type { SourcedFunctionStats } from '../engine/backend-stats';
import type { Engine, FunctionStats } from '../engine/engine';
import { waterfallOf, type TraceTarget } from '../sources/backend-traces';
import type { TraceSummary } from '../engine/trace-topology';
import { groupSpanErrors } from '../engine/error-groups';
import { isUsable } from '../resolver/code-resolver';
import { WINDOWS, WINDOW_LABELS, type WindowId } from '../format/windows';
import type { SpanRecord } from '../model';
import { MINUTE_RETENTION_MS } from '../store/aggregate-store';
import { LatencySketch } from '../store/latency-sketch';
import type { Series } from '../store/series';
import type {
  CompareDto,
  CompareGroupDto,
  ErrorGroupDto,
  FunctionDetailsDto,
  HistogramDto,
  PointDto,
  StatsDto,
  TraceDto,
  TraceSummaryDto,
  WaterfallRowDto,
} from '../view-model';
import { functionLogs } from './function-logs';
import { formatDuration } from '../format/numbers';

/** Traces listed per tab (recent, slowest, failed). */
export const LIST_LIMIT = 50;

export interface DetailsQuery {
  window: string;
  windowMs: number;
  environment: string;
}

export function buildDetails(
  engine: Engine,
  fs: FunctionStats,
  q: DetailsQuery,
): FunctionDetailsDto {
  const ids = new Set(fs.seriesIds);
  const from = engine.now() - q.windowMs;
  const summaries = engine.tracesThrough(ids).filter((t) => t.startMs + t.durationMs >= from);
  const held = heldSpans(engine, ids, summaries, from);
  return {
    file: fs.file,
    qualifiedName: fs.function.qualifiedName,
    startLine: fs.function.startLine,
    window: q.window,
    windows: (Object.keys(WINDOWS) as WindowId[]).map((id) => ({ id, label: WINDOW_LABELS[id] })),
    environment: q.environment,
    knownEnvironments: knownEnvironments(engine),
    stats: statsDto(engine, fs, q.windowMs),
    histogram: histogram(held.map((s) => s.durationMs)),
    mapping: {
      rule: fs.mapping.rule,
      confidence: fs.mapping.confidence,
      explanation: fs.mapping.explanation,
    },
    services: fs.services,
    environments: fs.environments,
    traces: {
      recent: summaries.slice(0, LIST_LIMIT).map(summaryDto),
      slowest: [...summaries]
        .sort((a, b) => b.matchDurationMs - a.matchDurationMs)
        .slice(0, LIST_LIMIT)
        .map(summaryDto),
      failed: summaries
        .filter((t) => t.matchError || t.error)
        .slice(0, LIST_LIMIT)
        .map(summaryDto),
      held: summaries.length,
    },
    errors: errorGroups(engine, held),
    logs: functionLogs(
      engine,
      { file: fs.file, startLine: fs.function.startLine, endLine: fs.function.endLine },
      from,
    ),
    compare: compareGroups(engine, fs, q.windowMs),
  };
}

/** Per-version and per-environment numbers of the function's series, for the Compare section. */
function compareGroups(engine: Engine, fs: FunctionStats, windowMs: number): CompareDto {
  const series = engine.seriesOf(fs.seriesIds);
  const groups = (key: (s: Series) => string): CompareGroupDto[] => {
    const by = new Map<string, Series[]>();
    for (const s of series) {
      const k = key(s);
      let list = by.get(k);
      if (!list) by.set(k, (list = []));
      list.push(s);
    }
    const out: CompareGroupDto[] = [];
    for (const [value, list] of by) {
      const w = engine.windowStats(list, windowMs, 1);
      if (w.count === 0) continue;
      out.push({
        value,
        count: w.count,
        errors: w.errors,
        p50Ms: num(w.p50Ms),
        p95Ms: num(w.p95Ms),
        p99Ms: num(w.p99Ms),
        lastSeenMs: Math.max(...list.map((s) => s.lastSeenMs)),
      });
    }
    return out;
  };
  return {
    versions: groups((s) => s.identity.version).sort(
      (a, b) => b.lastSeenMs - a.lastSeenMs || a.value.localeCompare(b.value),
    ),
    environments: groups((s) => s.identity.environment).sort(
      (a, b) => b.count - a.count || a.value.localeCompare(b.value),
    ),
  };
}

function statsDto(engine: Engine, fs: FunctionStats, windowMs: number): StatsDto {
  const s = fs.stats;
  const p99 = pointP99(engine, fs, windowMs);
  const width = s.series.length > 1 ? s.series[1]!.startMs - s.series[0]!.startMs : windowMs;
  const points: PointDto[] = s.series.map((p, i) => ({
    startMs: p.startMs,
    count: p.count,
    errors: p.errors,
    p50Ms: num(p.p50Ms),
    p95Ms: num(p.p95Ms),
    p99Ms: num(p99[i] ?? NaN),
  }));
  return {
    count: s.count,
    errors: s.errors,
    p50Ms: num(s.p50Ms),
    p90Ms: num(s.p90Ms),
    p95Ms: num(s.p95Ms),
    p99Ms: num(s.p99Ms),
    maxMs: num(s.maxMs),
    ratePerMin: (s.count * 60_000) / s.coveredMs,
    windowLabel: formatDuration(s.windowMs),
    coveredLabel: formatDuration(s.coveredMs),
    pointWidthMs: width,
    points,
  };
}

/**
 * p99 per point. The store's points carry p50/p95 only, so this merges the same buckets the
 * store merged (same point layout, read back from the points' start times) and asks for 0.99.
 */
function pointP99(engine: Engine, fs: FunctionStats, windowMs: number): number[] {
  const pts = fs.stats.series;
  if (pts.length === 0) return [];
  const from = pts[0]!.startMs;
  const width = pts.length > 1 ? pts[1]!.startMs - from : Infinity;
  const sketches: (LatencySketch | undefined)[] = new Array<LatencySketch | undefined>(pts.length);
  const fine = windowMs <= MINUTE_RETENTION_MS;
  for (const id of fs.seriesIds) {
    const s = engine.seriesById(id);
    if (!s) continue;
    const buckets = fine ? [...s.minutes.values()] : [...s.hours.values(), ...s.minutes.values()];
    for (const b of buckets) {
      if (b.startMs < from) continue;
      const i = Math.min(pts.length - 1, Math.floor((b.startMs - from) / width));
      (sketches[i] ??= new LatencySketch()).merge(b.sketch);
    }
  }
  return pts.map((_, i) => sketches[i]?.quantile(0.99) ?? NaN);
}

/** Spans of the function still held (trace window + drill-down ring), deduplicated, in the window. */
function heldSpans(
  engine: Engine,
  ids: ReadonlySet<string>,
  summaries: readonly TraceSummary[],
  from: number,
): SpanRecord[] {
  const seen = new Set<string>();
  const out: SpanRecord[] = [];
  const add = (s: SpanRecord) => {
    if (s.startMs + s.durationMs < from || seen.has(s.spanId)) return;
    seen.add(s.spanId);
    out.push(s);
  };
  for (const t of summaries)
    for (const e of engine.trace(t.traceId)) if (ids.has(e.seriesId)) add(e.span);
  for (const s of engine.sampledSpans(ids)) add(s);
  return out;
}

function knownEnvironments(engine: Engine): string[] {
  const envs = new Set<string>();
  for (const s of engine.allSeries()) if (s.identity.environment) envs.add(s.identity.environment);
  return [...envs].sort();
}

function summaryDto(t: TraceSummary): TraceSummaryDto {
  return {
    traceId: t.traceId,
    rootName: t.rootName,
    rootService: t.rootService,
    startMs: t.startMs,
    durationMs: t.durationMs,
    spanCount: t.spanCount,
    error: t.error,
    matchDurationMs: t.matchDurationMs,
    matchError: t.matchError,
  };
}

/** Steps 1, 1.5, 2, 3, 5, 7 per decade: readable bucket edges, about six per decade. */
const STEPS = [1, 1.5, 2, 3, 5, 7];

export function histogram(durations: readonly number[]): HistogramDto {
  if (durations.length === 0) return { edgesMs: [], counts: [], sampleCount: 0 };
  let lo = Infinity;
  let hi = -Infinity;
  for (const d of durations) {
    if (d < lo) lo = d;
    if (d > hi) hi = d;
  }
  const all: number[] = [];
  for (
    let d = Math.pow(10, Math.floor(Math.log10(Math.max(lo, 0.001))));
    all.length === 0 || all[all.length - 1]! < hi;
    d *= 10
  )
    for (const step of STEPS) all.push(step * d);
  // Bucket i covers (edges[i-1], edges[i]]: start at the first edge reaching the fastest sample.
  const edges = all.slice(
    all.findIndex((e) => e >= lo),
    all.findIndex((e) => e >= hi) + 1,
  );
  const counts = new Array<number>(edges.length).fill(0);
  for (const d of durations) {
    let i = 0;
    while (i < edges.length - 1 && d > edges[i]!) i++;
    counts[i]!++;
  }
  return { edgesMs: edges, counts, sampleCount: durations.length };
}

// ---------------------------------------------------------------------------------------------
// Errors and stack frames.

/** The function's exceptions grouped by throw site (as errors on code are), frames linked to code through the engine's resolver. */
function errorGroups(engine: Engine, spans: readonly SpanRecord[]): ErrorGroupDto[] {
  return groupSpanErrors(spans).map((g) => ({
    type: g.type,
    message: g.message,
    count: g.count,
    lastSeenMs: g.lastSeenMs,
    traceId: g.traceId,
    frames: engine.frameLinks(g.stack, g.revision),
  }));
}

// ---------------------------------------------------------------------------------------------
// Trace waterfall.

/** Every held span of a trace as waterfall rows in tree order; spans whose parent is missing become roots. */
export function buildTrace(
  engine: Engine,
  traceId: string,
  matchIds: ReadonlySet<string>,
): TraceDto {
  const entries = engine.trace(traceId);
  const codeOf = new Map<string, WaterfallRowDto['code'] | undefined>();
  const code = (seriesId: string): WaterfallRowDto['code'] | undefined => {
    if (codeOf.has(seriesId)) return codeOf.get(seriesId);
    const series = engine.seriesById(seriesId);
    const m = series ? engine.mappingOf(series) : undefined;
    const c = isUsable(m)
      ? { file: m.file, line: m.function.startLine, qualifiedName: m.function.qualifiedName }
      : undefined;
    codeOf.set(seriesId, c);
    return c;
  };
  return waterfallOf(traceId, entries, (e) => e.span, {
    code: (e) => code(e.seriesId),
    isMatch: (e) => matchIds.has(e.seriesId),
    frames: (stack, span) => engine.frameLinks(stack, span.resource.revision),
  });
}

/**
 * What the trace backends are searched for: the service and span name of the function's receiver
 * series (busiest first), then those of its backend numbers' series, without repeats.
 */
export function traceTargets(
  engine: Engine,
  fs: FunctionStats | undefined,
  fromBackend: readonly SourcedFunctionStats[],
  windowMs: number,
): TraceTarget[] {
  const out: TraceTarget[] = [];
  const seen = new Set<string>();
  const add = (service: string, spanName: string) => {
    const key = `${service}\u0000${spanName}`;
    if (!service || seen.has(key)) return;
    seen.add(key);
    out.push(spanName ? { service, spanName } : { service });
  };
  if (fs) {
    const counted = engine
      .seriesOf(fs.seriesIds)
      .map((s) => ({ s, n: engine.windowStats([s], windowMs, 1).count }))
      .sort((a, b) => b.n - a.n);
    for (const { s } of counted) add(s.identity.service, s.identity.spanName);
  }
  for (const b of fromBackend) for (const sp of b.spans ?? []) add(sp.service, sp.spanName);
  return out;
}

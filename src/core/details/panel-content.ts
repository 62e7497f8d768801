// What the details panel shows for one function, decided without VS Code: the snapshot (the
// receiver's numbers, else a backend's), the trace backends' rows merged into its lists, and the
// answer to "show me this trace" (from memory, else from a trace backend). The panel host only
// moves these between the engine and the webview.
import type { Engine, FunctionStats } from '../engine/engine';
import type { SourcedFunctionStats } from '../engine/backend-stats';
import { formatDuration } from '../format/numbers';
import {
  mergeTraceLists,
  type BackendTraceResult,
  type BackendTraces,
  type SourceTraceLists,
  type TraceListQuery,
} from '../sources/backend-traces';
import type { FunctionDetailsDto, TraceDto, TraceSourceDto } from '../view-model';
import {
  buildDetails,
  buildTrace,
  LIST_LIMIT,
  traceTargets,
  type DetailsQuery,
} from './function-details';

/** The function a panel is about. */
export interface PanelFunctionRef {
  file: string;
  qualifiedName: string;
}

export type PanelContent =
  | { kind: 'empty'; title: string; reason: string }
  | {
      kind: 'details';
      details: FunctionDetailsDto;
      /** Series of the function, so waterfall rows can be marked as "this function". */
      seriesIds: Set<string>;
      /** What the trace backends are asked for this function (none: nothing known to search for). */
      traceQuery: TraceListQuery;
    };

/**
 * The panel's content for `ref`: the receiver's numbers when it has any in the window, else the
 * numbers a backend reported (`fromBackend`), else an empty state saying why.
 */
export function panelContent(
  engine: Engine | undefined,
  ref: PanelFunctionRef | undefined,
  q: DetailsQuery,
  fromBackend: readonly SourcedFunctionStats[],
): PanelContent {
  if (!ref)
    return {
      kind: 'empty',
      title: 'ProdLens',
      reason: 'Open details from a code lens or a hover.',
    };
  if (!engine)
    return { kind: 'empty', title: ref.qualifiedName, reason: 'The engine is still starting.' };
  const same = (s: FunctionStats) => s.function.qualifiedName === ref.qualifiedName;
  const fs = engine
    .fileStats(ref.file, { windowMs: q.windowMs, environment: q.environment, points: 30 })
    .find(same);
  const backendRows = fromBackend.filter(same);
  const shown = fs ?? backendRows[0];
  if (!shown)
    return {
      kind: 'empty',
      title: ref.qualifiedName,
      reason: `No spans mapped to ${ref.qualifiedName} in the last ${formatDuration(q.windowMs)}.`,
    };
  const traceQuery: TraceListQuery = {
    targets: traceTargets(engine, fs, backendRows, q.windowMs),
    windowMs: q.windowMs,
  };
  const p95 = shown.stats.p95Ms;
  if (Number.isFinite(p95) && p95 > 0) traceQuery.slowMinMs = p95;
  return {
    kind: 'details',
    details: buildDetails(engine, shown, q),
    seriesIds: new Set(shown.seriesIds),
    traceQuery,
  };
}

/**
 * The trace backends' rows (what their cache holds now) merged into the receiver's lists, with a
 * status per backend; `loading` marks backends whose first answer is still due.
 */
export function withBackendTraces(
  details: FunctionDetailsDto,
  peek: { lists: SourceTraceLists[]; loading: boolean; due: boolean },
  hasTargets: boolean,
): FunctionDetailsDto {
  const merged = mergeTraceLists(details.traces, peek.lists, LIST_LIMIT);
  const sources: TraceSourceDto[] = peek.lists.map((l) =>
    hasTargets
      ? {
          label: l.label,
          ok: l.status.ok,
          stale: l.status.stale,
          message: l.status.ok ? '' : l.status.message,
          loading: !l.answered && (peek.loading || peek.due),
        }
      : {
          label: l.label,
          ok: false,
          stale: l.status.stale,
          message:
            'no service and span name known for this function yet, so there is nothing to search for',
          loading: false,
        },
  );
  return { ...details, traces: { ...merged, held: details.traces.held, sources } };
}

export type PanelTraceAnswer = ({ ok: true; trace: TraceDto } | { ok: false; error: string }) & {
  /** The trace backend's own answer, for its health (absent when no backend was asked). */
  backend?: BackendTraceResult;
};

export interface PanelTraceRequest {
  traceId: string;
  /** The backend a listed row came from; undefined: the receiver's row. */
  source: string | undefined;
  /** The function on show (its rows are marked in the waterfall). */
  ref: PanelFunctionRef | undefined;
  seriesIds: ReadonlySet<string>;
  traceQuery: TraceListQuery | undefined;
}

/**
 * A trace for the waterfall: the receiver's from memory, or (a backend's row, or a trace the
 * receiver no longer holds) fetched from the trace backends. Rejects only when `signal` aborts.
 */
export async function panelTrace(
  engine: Engine,
  traces: BackendTraces | undefined,
  r: PanelTraceRequest,
  signal: AbortSignal,
): Promise<PanelTraceAnswer> {
  if (r.source === undefined) {
    const held = buildTrace(engine, r.traceId, r.seriesIds);
    if (held.rows.length) return { ok: true, trace: held };
  }
  if (!traces || traces.configured === 0)
    return {
      ok: false,
      error: 'This trace is no longer held in memory (only recent traces are kept).',
    };
  const ref = r.ref;
  const targets = r.traceQuery?.targets ?? [];
  const got = await traces.trace(
    r.traceId,
    r.source,
    {
      resolver: engine.codeLookup().resolver,
      functions: engine.codeLookup().functions,
      isMatch: (span, code) =>
        code && ref
          ? code.file === ref.file && code.qualifiedName === ref.qualifiedName
          : targets.some(
              (t) =>
                t.service === span.resource.service && (!t.spanName || t.spanName === span.name),
            ),
      frames: (stack, span) => engine.frameLinks(stack, span.resource.revision),
    },
    signal,
  );
  if (got.ok) return { ok: true, trace: got.trace, backend: got };
  const error =
    r.source === undefined
      ? `Not held in memory any more, and ${got.error.charAt(0).toLowerCase()}${got.error.slice(1)}`
      : got.error;
  return { ok: false, error, backend: got };
}

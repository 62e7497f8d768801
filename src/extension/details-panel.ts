// The function details panel host: one webview panel, reused, restored after a reload by its
// serializer. It sends complete snapshots built from memory and answers the webview's typed
// requests (a trace's waterfall); the webview never reaches a backend (CSP `connect-src 'none'`)
// and renders every production string as text. With trace backends configured (Tempo, Jaeger,
// Zipkin), the host asks them for the function's lists in the background — the first paint comes
// from memory, the backends' rows follow in a later snapshot — and fetches a backend's trace by id
// when the webview opens it.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { SourcedFunctionStats } from '../core/engine/backend-stats';
import type { Engine, FunctionStats } from '../core/engine/engine';
import { BackendTraces, mergeTraceLists, waterfallOf, type TraceListQuery, type TraceTarget } from '../core/sources/backend-traces';
import type { TraceSummary } from '../core/engine/trace-topology';
import { formatDuration } from '../core/format/numbers';
import { groupSpanErrors } from '../core/insights/error-groups';
import { isUsable } from '../core/resolver/code-resolver';
import { WINDOWS, WINDOW_LABELS, type WindowId } from '../core/format/windows';
import type { SpanRecord } from '../core/model';
import { MINUTE_RETENTION_MS } from '../core/store/aggregate-store';
import { LatencySketch } from '../core/store/latency-sketch';
import type { Series } from '../core/store/series';
import type {
  CompareDto,
  CompareGroupDto,
  ErrorGroupDto,
  FunctionDetailsDto,
  HistogramDto,
  HostMessage,
  PanelState,
  PointDto,
  RequestMessage,
  StatsDto,
  TraceDto,
  TraceSourceDto,
  TraceSummaryDto,
  WaterfallRowDto,
} from '../protocol/messages';
import { isWebviewMessage } from '../protocol/messages';
import { panelHtml } from '../protocol/panel-page';
import type { FunctionRef } from './command-ids';
import { functionLogs } from './details-logs';
import type { Session } from './session';
import type { BackendNumbers } from './sources/backend-numbers';
import type { BackendSources } from './sources/backend-sources';
import { uriOf } from './workspace-paths';
import { updateEffective } from './settings-write';

export const DETAILS_VIEW_TYPE = 'prodlens.details';

const LIST_LIMIT = 50;

/** What the panel reads besides the receiver: backend numbers (for functions only they know) and trace backends. */
export interface PanelBackends {
  sources: BackendSources;
  numbers: BackendNumbers;
}

export class DetailsPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private ref: FunctionRef | undefined;
  private ready = false;
  /** Data changed after the page's HTML was written, so the page needs a snapshot once it is ready. */
  private stale = false;
  /** Series of the function on show, so waterfall rows can be marked as "this function". */
  private seriesIds = new Set<string>();
  /** What the trace backends are asked for the function on show (undefined: nothing to ask). */
  private traceQuery: TraceListQuery | undefined;
  private readonly traces: BackendTraces | undefined;
  /** Cancels the backend requests of the function on show when another one is shown. */
  private listAbort = new AbortController();
  private traceAbort: AbortController | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];
  /** The built page assets, read once (they change only with the extension). */
  private assets: { styles: string[]; script: string } | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly session: Session,
    private readonly backends?: PanelBackends,
  ) {
    this.subscriptions.push(session.onDidChangeData(() => this.post()));
    if (backends) {
      this.traces = new BackendTraces(() => backends.sources.traceSources());
      this.subscriptions.push(
        backends.numbers.onDidChange(() => this.post()),
        backends.sources.onDidChange(() => {
          this.traces?.clear();
          this.post();
        }),
      );
    }
  }

  show(ref: FunctionRef): void {
    if (this.ref?.file !== ref.file || this.ref.qualifiedName !== ref.qualifiedName) this.cancelBackendRequests();
    this.ref = ref;
    this.panel?.reveal(vscode.ViewColumn.Beside, true);
    const created = !this.panel;
    // A new panel's HTML carries the snapshot; an open one gets it as a message.
    if (created) this.attach(vscode.window.createWebviewPanel(DETAILS_VIEW_TYPE, 'ProdLens', vscode.ViewColumn.Beside, this.options()));
    this.panel!.title = `ProdLens: ${ref.qualifiedName}`;
    if (!created) this.post();
  }

  /** Used by the serializer after a window reload. */
  restore(panel: vscode.WebviewPanel, state: PanelState | undefined): void {
    this.ref = state ? { file: state.file, qualifiedName: state.qualifiedName, startLine: state.startLine } : undefined;
    panel.webview.options = this.options();
    this.attach(panel);
    if (state) panel.title = `ProdLens: ${state.qualifiedName}`;
  }

  private options(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview')] };
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    this.ready = false;
    const first = this.snapshot();
    this.stale = first.type !== 'snapshot';
    panel.webview.html = this.html(panel.webview, first);
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.cancelBackendRequests();
    });
    panel.webview.onDidReceiveMessage((m: unknown) => {
      if (!isWebviewMessage(m)) return;
      switch (m.type) {
        case 'ready':
          // The page drew the snapshot in its HTML; another only if the data moved on since.
          this.ready = true;
          if (this.stale) this.post();
          break;
        case 'refresh':
          this.ready = true;
          this.post();
          break;
        case 'openLocation': {
          const uri = uriOf(m.file);
          if (uri) void vscode.window.showTextDocument(uri, { selection: new vscode.Range(m.line - 1, 0, m.line - 1, 0), viewColumn: vscode.ViewColumn.One });
          break;
        }
        case 'setWindow':
          // The session picks the change up from the configuration and refreshes every face.
          if (Object.hasOwn(WINDOWS, m.window)) void this.updateSetting('window', m.window);
          break;
        case 'setEnvironment':
          if (m.environment.length <= 200) void this.updateSetting('environment', m.environment);
          break;
        case 'request':
          void this.answer(m);
          break;
      }
    });
  }

  private async updateSetting(key: string, value: string): Promise<void> {
    await updateEffective(key, value);
  }

  private cancelBackendRequests(): void {
    this.listAbort.abort();
    this.listAbort = new AbortController();
    this.traceAbort?.abort();
    this.traceAbort = undefined;
  }

  /**
   * A trace for the waterfall: the receiver's from memory, or (a row from a backend, or a trace the
   * receiver no longer holds) fetched from the trace backends in the background. The webview shows
   * its loading state meanwhile; a newer request cancels an older one.
   */
  private async answer(m: RequestMessage): Promise<void> {
    if (!this.panel) return;
    const engine = this.session.engine;
    const fail = (error: string): HostMessage => ({ type: 'response', id: m.id, method: m.method, ok: false, error });
    let reply: HostMessage;
    if (!engine) reply = fail('The engine is still starting.');
    else {
      const source = m.params.source;
      const held = source === undefined ? buildTrace(engine, m.params.traceId, this.seriesIds) : undefined;
      if (held?.rows.length) reply = { type: 'response', id: m.id, method: 'getTrace', ok: true, result: held };
      else if (!this.traces || !this.backends || this.traces.configured === 0) reply = fail('This trace is no longer held in memory (only recent traces are kept).');
      else {
        this.traceAbort?.abort();
        const abort = (this.traceAbort = new AbortController());
        const ref = this.ref;
        const targets = this.traceQuery?.targets ?? [];
        try {
          const r = await this.traces.trace(
            m.params.traceId,
            source,
            {
              resolver: engine.resolver,
              functions: engine.functions,
              isMatch: (span, code) => (code && ref ? code.file === ref.file && code.qualifiedName === ref.qualifiedName : targets.some((t) => t.service === span.resource.service && (!t.spanName || t.spanName === span.name))),
              frames: (stack, span) => engine.resolver.frameLinks(stack, span.resource.revision),
            },
            abort.signal,
          );
          this.backends.sources.noteTrace(r.ok ? r.source : source, r);
          reply = r.ok ? { type: 'response', id: m.id, method: 'getTrace', ok: true, result: r.trace } : fail(source === undefined ? `Not held in memory any more, and ${r.error.charAt(0).toLowerCase()}${r.error.slice(1)}` : r.error);
        } catch (e) {
          if (abort.signal.aborted) reply = fail('Cancelled: another trace was opened.');
          else reply = fail((e as Error).message);
        } finally {
          if (this.traceAbort === abort) this.traceAbort = undefined;
        }
      }
    }
    void this.panel?.webview.postMessage(reply);
  }

  private post(): void {
    if (!this.panel) return;
    if (!this.ready) {
      this.stale = true;
      return;
    }
    this.stale = false;
    void this.panel.webview.postMessage(this.snapshot());
  }

  private snapshot(): HostMessage {
    const ref = this.ref;
    const engine = this.session.engine;
    this.traceQuery = undefined;
    if (!ref) return { type: 'empty', title: 'ProdLens', reason: 'Open details from a code lens or a hover.' };
    if (!engine) return { type: 'empty', title: ref.qualifiedName, reason: 'The engine is still starting.' };
    const cfg = this.session.current;
    const stats = engine.fileStats(ref.file, { windowMs: cfg.windowMs, environment: cfg.environment, points: 30 });
    const same = (s: FunctionStats) => s.function.qualifiedName === ref.qualifiedName;
    const fs = stats.find(same);
    // A function only a backend knows (Prometheus numbers): its numbers, and its traces from the trace backends.
    const fromBackend = this.backends?.numbers.fileStats(ref.file).filter(same) ?? [];
    const shown = fs ?? fromBackend[0];
    if (!shown) return { type: 'empty', title: ref.qualifiedName, reason: `No spans mapped to ${ref.qualifiedName} in the last ${formatDuration(cfg.windowMs)}.` };
    this.seriesIds = new Set(shown.seriesIds);
    const details = buildDetails(engine, shown, { window: cfg.window, windowMs: cfg.windowMs, environment: cfg.environment });
    this.addBackendTraces(details, traceTargets(engine, fs, fromBackend, cfg.windowMs), shown.stats.p95Ms, cfg.windowMs);
    return { type: 'snapshot', details };
  }

  /**
   * The trace backends' rows, from memory, merged into the lists; when they are missing or old
   * (and not asked within their TTL), they are asked in the background and a new snapshot follows.
   */
  private addBackendTraces(details: FunctionDetailsDto, targets: TraceTarget[], p95Ms: number, windowMs: number): void {
    const traces = this.traces;
    if (!traces || !this.backends || traces.configured === 0) return;
    const q: TraceListQuery = { targets, windowMs };
    if (Number.isFinite(p95Ms) && p95Ms > 0) q.slowMinMs = p95Ms;
    this.traceQuery = q;
    const peek = traces.peek(q);
    const merged = mergeTraceLists(details.traces, peek.lists, LIST_LIMIT);
    const sources: TraceSourceDto[] = peek.lists.map((l) => ({
      label: l.label,
      ok: l.status.ok,
      stale: l.status.stale,
      message: l.status.ok ? '' : l.status.message,
      loading: !l.answered && (peek.loading || peek.due),
    }));
    if (targets.length === 0) for (const s of sources) Object.assign(s, { ok: false, loading: false, message: 'no service and span name known for this function yet, so there is nothing to search for' });
    details.traces = { ...merged, held: details.traces.held, sources };
    if (!peek.due) return;
    const signal = this.listAbort.signal;
    void this.backends.sources.traceLists(traces, q, signal).then(
      () => {
        if (!signal.aborted) this.post();
      },
      () => undefined,
    );
  }
  /** The page with the bundle inline and, when there is one, the first snapshot (src/protocol/panel-page.ts). */
  private html(webview: vscode.Webview, first: HostMessage | undefined): string {
    const base = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    const assets = (this.assets ??= readPanelAssets(base.fsPath));
    return panelHtml({
      cspSource: webview.cspSource,
      nonce: randomBytes(16).toString('base64'),
      assetsBase: `${webview.asWebviewUri(base).toString()}/`,
      styles: assets.styles,
      script: assets.script,
      first,
    });
  }

  dispose(): void {
    this.cancelBackendRequests();
    this.panel?.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}

function readPanelAssets(dir: string): { styles: string[]; script: string } {
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  return { styles: [read('codicon.css'), read('main.css')], script: read('main.js') };
}

// ---------------------------------------------------------------------------------------------
// Snapshot building: plain functions over the engine, so they can be benchmarked and unit tested.

function num(n: number): number | null {
  return Number.isFinite(n) ? n : null;
}

export interface DetailsQuery {
  window: string;
  windowMs: number;
  environment: string;
}

export function buildDetails(engine: Engine, fs: FunctionStats, q: DetailsQuery): FunctionDetailsDto {
  const ids = new Set(fs.seriesIds);
  const from = engine.store.now() - q.windowMs;
  const summaries = engine.topology.tracesThrough(ids, engine.topology.capacity).filter((t) => t.startMs + t.durationMs >= from);
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
    mapping: { rule: fs.mapping.rule, confidence: fs.mapping.confidence, explanation: fs.mapping.explanation },
    services: fs.services,
    environments: fs.environments,
    traces: {
      recent: summaries.slice(0, LIST_LIMIT).map(summaryDto),
      slowest: [...summaries].sort((a, b) => b.matchDurationMs - a.matchDurationMs).slice(0, LIST_LIMIT).map(summaryDto),
      failed: summaries.filter((t) => t.matchError || t.error).slice(0, LIST_LIMIT).map(summaryDto),
      held: summaries.length,
    },
    errors: errorGroups(engine, held),
    logs: functionLogs(engine, { file: fs.file, startLine: fs.function.startLine, endLine: fs.function.endLine }, from),
    compare: compareGroups(engine, fs, q.windowMs),
  };
}

/** Per-version and per-environment numbers of the function's series, for the Compare section. */
function compareGroups(engine: Engine, fs: FunctionStats, windowMs: number): CompareDto {
  const series = fs.seriesIds.map((id) => engine.store.get(id)).filter((s): s is Series => s !== undefined);
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
      const w = engine.store.windowStats(list, windowMs, 1);
      if (w.count === 0) continue;
      out.push({ value, count: w.count, errors: w.errors, p50Ms: num(w.p50Ms), p95Ms: num(w.p95Ms), p99Ms: num(w.p99Ms), lastSeenMs: Math.max(...list.map((s) => s.lastSeenMs)) });
    }
    return out;
  };
  return {
    versions: groups((s) => s.identity.version).sort((a, b) => b.lastSeenMs - a.lastSeenMs || a.value.localeCompare(b.value)),
    environments: groups((s) => s.identity.environment).sort((a, b) => b.count - a.count || a.value.localeCompare(b.value)),
  };
}

function statsDto(engine: Engine, fs: FunctionStats, windowMs: number): StatsDto {
  const s = fs.stats;
  const p99 = pointP99(engine, fs, windowMs);
  const width = s.series.length > 1 ? s.series[1]!.startMs - s.series[0]!.startMs : windowMs;
  const points: PointDto[] = s.series.map((p, i) => ({ startMs: p.startMs, count: p.count, errors: p.errors, p50Ms: num(p.p50Ms), p95Ms: num(p.p95Ms), p99Ms: num(p99[i] ?? NaN) }));
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
    const s = engine.store.get(id);
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
function heldSpans(engine: Engine, ids: ReadonlySet<string>, summaries: readonly TraceSummary[], from: number): SpanRecord[] {
  const seen = new Set<string>();
  const out: SpanRecord[] = [];
  const add = (s: SpanRecord) => {
    if (s.startMs + s.durationMs < from || seen.has(s.spanId)) return;
    seen.add(s.spanId);
    out.push(s);
  };
  for (const t of summaries) for (const e of engine.topology.trace(t.traceId)) if (ids.has(e.seriesId)) add(e.span);
  for (const s of engine.ring.find(ids, engine.ring.capacity)) add(s);
  return out;
}

function knownEnvironments(engine: Engine): string[] {
  const envs = new Set<string>();
  for (const s of engine.store.all()) if (s.identity.environment) envs.add(s.identity.environment);
  return [...envs].sort();
}

function summaryDto(t: TraceSummary): TraceSummaryDto {
  return { traceId: t.traceId, rootName: t.rootName, rootService: t.rootService, startMs: t.startMs, durationMs: t.durationMs, spanCount: t.spanCount, error: t.error, matchDurationMs: t.matchDurationMs, matchError: t.matchError };
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
  for (let d = Math.pow(10, Math.floor(Math.log10(Math.max(lo, 0.001)))); all.length === 0 || all[all.length - 1]! < hi; d *= 10) for (const step of STEPS) all.push(step * d);
  // Bucket i covers (edges[i-1], edges[i]]: start at the first edge reaching the fastest sample.
  const edges = all.slice(all.findIndex((e) => e >= lo), all.findIndex((e) => e >= hi) + 1);
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
  return groupSpanErrors(spans).map((g) => ({ type: g.type, message: g.message, count: g.count, lastSeenMs: g.lastSeenMs, traceId: g.traceId, frames: engine.resolver.frameLinks(g.stack, g.revision) }));
}


// ---------------------------------------------------------------------------------------------
// Trace waterfall.

/** Every held span of a trace as waterfall rows in tree order; spans whose parent is missing become roots. */
export function buildTrace(engine: Engine, traceId: string, matchIds: ReadonlySet<string>): TraceDto {
  const entries = engine.topology.trace(traceId);
  const codeOf = new Map<string, WaterfallRowDto['code'] | undefined>();
  const code = (seriesId: string): WaterfallRowDto['code'] | undefined => {
    if (codeOf.has(seriesId)) return codeOf.get(seriesId);
    const series = engine.store.get(seriesId);
    const m = series ? engine.mappingOf(series) : undefined;
    const c = isUsable(m) ? { file: m.file, line: m.function.startLine, qualifiedName: m.function.qualifiedName } : undefined;
    codeOf.set(seriesId, c);
    return c;
  };
  return waterfallOf(traceId, entries, (e) => e.span, { code: (e) => code(e.seriesId), isMatch: (e) => matchIds.has(e.seriesId), frames: (stack, span) => engine.resolver.frameLinks(stack, span.resource.revision) });
}

/**
 * What the trace backends are searched for: the service and span name of the function's receiver
 * series (busiest first), then those of its backend numbers' series, without repeats.
 */
export function traceTargets(engine: Engine, fs: FunctionStats | undefined, fromBackend: readonly SourcedFunctionStats[], windowMs: number): TraceTarget[] {
  const out: TraceTarget[] = [];
  const seen = new Set<string>();
  const add = (service: string, spanName: string) => {
    const key = `${service}\u0000${spanName}`;
    if (!service || seen.has(key)) return;
    seen.add(key);
    out.push(spanName ? { service, spanName } : { service });
  };
  if (fs) {
    const series = fs.seriesIds.map((id) => engine.store.get(id)).filter((s): s is Series => s !== undefined);
    const counted = series.map((s) => ({ s, n: engine.store.windowStats([s], windowMs, 1).count })).sort((a, b) => b.n - a.n);
    for (const { s } of counted) add(s.identity.service, s.identity.spanName);
  }
  for (const b of fromBackend) for (const sp of b.spans ?? []) add(sp.service, sp.spanName);
  return out;
}

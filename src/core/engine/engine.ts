// The engine both faces share (extension and CLI): ingest into the store, map series onto
// workspace functions, and answer "what are the numbers for the functions of this file".
// Queries are served from memory and memoized per data generation, so the editor's hot path
// (lenses, hovers) never recomputes more than once per batch of data.
import type {
  CodeLocation,
  FunctionRange,
  LanguageId,
  LogRecordData,
  MappingResult,
  SpanRecord,
  WindowStats,
} from '../model';
import { locationOfIdentity } from '../mapping/code-attributes';
import { RouteIndex } from '../routes/route-index';
import { extractRouteFacts } from '../routes/route-extract';
import { SourceIndex } from '../workspace/source-index';
import type { VersionDrift } from '../mapping/version-drift';
import { levelOfSeverity, LogIndex, type LogMatch } from '../logs/log-index';
import type { LogLevel, LogStatement } from '../logs/log-statements';
import { extractLogStatements } from '../logs/log-statements';
import { StatementLogs, type StatementLogSummary } from '../logs/statement-logs';
import { FunctionIndex } from '../mapping/function-index';
import { CodeResolver, type FrameLink } from '../resolver/code-resolver';
import { PathResolution, WorkspaceFiles } from '../mapping/workspace-files';
import { AggregateStore, StoreOptions, type StoreCounters } from '../store/aggregate-store';
import { Series, seriesKeyOf } from '../store/series';
import { SpanTriage, type TriageBatch, type TriageGroup } from './span-triage';
import { TriageGroups, type SettledGroup } from './triage-groups';
import { fillDeferredShapes, hasDeferredShape } from '../resolver/deferred-shape';
import { SpanRing } from '../store/span-ring';
import { RateMeter } from './rate-meter';
import {
  TraceTopology,
  type CallerShare,
  type TraceSpan,
  type TraceSummary,
} from './trace-topology';
import { ErrorGroups } from './error-groups';
import { deserializeInto, loadStore, saveStore, serializeStore } from '../store/persistence';
import type { IndexBuildResult, IndexProgress } from '../workspace/source-index';
import type { EffectiveRoute } from '../routes/route-tree';
import { BackendLogs, type BackendLogsOptions } from '../sources/backend-logs';
import type { CodeLookup, CodeMapper } from './code-lookup';
import { FileRows, type FunctionStats, type QueryOptions } from './file-rows';

export type { FunctionStats, QueryOptions } from './file-rows';

interface CachedMapping {
  filesVersion: string;
  ranges: readonly FunctionRange[] | undefined;
  result: MappingResult;
}

export interface EngineOptions extends StoreOptions {
  ringCapacity?: number;
}

/**
 * A facade: the faces (extension, CLI), core's builders (details, impact, insights), the tests and
 * the benchmarks read numbers, series, traces and errors through its query methods, which return
 * domain types, and feed the workspace model through it (`files`, parsed functions, workspace
 * text). Its stores and indexes are private; builders that map other sources' data as the engine
 * maps its own get narrow views of its collaborators from `codeLookup()`.
 */
export class Engine {
  private readonly store: AggregateStore;
  private readonly ring: SpanRing;
  /** Telemetry → code: the one place spans, frames and log locations are mapped. */
  private readonly resolver: CodeResolver;
  private readonly ingestRate = new RateMeter();
  private readonly topology = new TraceTopology();
  private readonly errors = new ErrorGroups();
  private readonly routes: RouteIndex;
  /** The workspace's log statements, and the records counted at them. */
  private readonly logStatements = new LogIndex();
  private readonly statementLogs = new StatementLogs(this.logStatements);
  /** Whole-workspace text indexes (routes, log statements); built by the caller, kept current on file changes. */
  private readonly sources: SourceIndex;
  private readonly lookup: CodeLookup;
  private readonly triage: SpanTriage;
  private readonly triageGroups = new TriageGroups({
    settle: (g) => this.settleGroup(g),
    version: () => this.resolver.routesVersion,
  });
  lastDataAtMs: number | undefined;
  logsReceived = 0;
  metricPointsReceived = 0;
  private readonly locations = new Map<string, CodeLocation>();
  private readonly pathOf = new Map<string, PathResolution | undefined>();
  private readonly byFile = new Map<string, Set<Series>>();
  private byFileVersion = '';
  private readonly mappings = new Map<string, CachedMapping>();
  /** The numbers on code, per function of a file (lenses, hovers, reports). */
  private readonly rows: FileRows;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly files: WorkspaceFiles,
    private readonly functions: FunctionIndex,
    opts: EngineOptions = {},
  ) {
    this.store = new AggregateStore(opts);
    this.ring = new SpanRing(opts.ringCapacity);
    this.routes = new RouteIndex(
      (rel) => files.has(rel),
      () => files.list(),
    );
    this.sources = new SourceIndex(
      (rel) => files.absolute(rel),
      [
        {
          update: (f, text) => this.routes.set(f, extractRouteFacts(f, text)),
          remove: (f) => this.routes.delete(f),
          hold: () => this.routes.hold(),
          release: () => this.routes.release(),
        },
        {
          update: (f, text) => this.logStatements.set(f, extractLogStatements(f, text)),
          remove: (f) => this.logStatements.delete(f),
        },
      ],
    );
    this.resolver = new CodeResolver(files, functions, this.routes);
    this.triage = new SpanTriage((span) => this.resolver.locateSpan(span));
    this.lookup = { files, functions, resolver: this.resolver };
    this.rows = new FileRows({
      store: this.store,
      resolver: this.resolver,
      seriesIn: (file) => this.fileIndex().get(file),
      cachedFunctionsIn: (file) => functions.getCached(file),
      mappingOf: (s) => this.mappingOf(s),
    });
    functions.onDidChange(() => this.rows.forgetMemo());
  }

  /** Re-anchors lines of older deployed commits from now on; mappings refresh as diffs arrive. */
  attachDrift(drift: VersionDrift): void {
    this.resolver.attachDrift(drift);
    drift.onDidChange(() => this.emit());
  }

  /** Called once per ingested batch (never per span). */
  onDidIngest(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  ingestSpans(spans: readonly SpanRecord[]): void {
    if (spans.length === 0) return;
    this.applyTriage(this.triage.run(spans, this.store.now()));
  }

  /**
   * The second half of ingesting spans (span-triage.ts has the first): records every span in its
   * series, registers new series, and holds the sampled spans (drill-down ring, trace topology,
   * error groups). A route shape the ingest worker could not know (it has no route index) is
   * filled in here, once per series. `from`/`to` record a slice of the batch (the ingest worker
   * records a large batch in slices, yielding between them).
   */
  applyTriage(batch: TriageBatch, from = 0, to = batch.count): void {
    if (to <= from) return;
    const now = this.store.now();
    this.ingestRate.add(to - from, now);
    const groupOf = this.triageGroups.lookup(batch);
    const kept = new Uint8Array(to - from);
    for (let i = from; i < to; i++) {
      const g = groupOf(batch.group[i]!);
      if (g === undefined) continue;
      const series = this.store.record(
        g.key,
        g.identityOf,
        batch.endMs[i]!,
        batch.durationMs[i]!,
        batch.error[i] === 1,
        now,
      );
      if (!series) continue;
      kept[i - from] = 1;
      if (!this.locations.has(g.key)) this.registerSeries(series, g.loc);
    }
    for (const s of batch.samples) {
      if (s.index < from || s.index >= to) continue;
      if (s.error) this.errors.addSpan(s.span);
      if (kept[s.index - from] !== 1) continue;
      const key = groupOf(batch.group[s.index]!)!.key;
      if (s.topology) this.topology.add(s.span, key);
      if (s.ring) this.ring.push(s.span, key);
    }
    this.store.commit();
    this.lastDataAtMs = now;
    this.emit();
  }

  /** A group with its deferred route shape (from the ingest worker) filled in; undefined without one. */
  private settleGroup(g: TriageGroup): SettledGroup | undefined {
    if (!hasDeferredShape(g.identity.spanName)) return undefined;
    const shape = (text: string) =>
      fillDeferredShapes(text, (m, p) => this.resolver.routeShape(m, p));
    const loc = g.loc.route
      ? { ...g.loc, route: { ...g.loc.route, template: shape(g.loc.route.template) } }
      : g.loc;
    const identity = { ...g.identity, spanName: shape(g.identity.spanName) };
    if (g.identity.route) identity.route = loc.route;
    const key = seriesKeyOf(
      identity.service,
      identity.environment,
      identity.version,
      loc,
      g.kind,
      identity.spanName,
    );
    return { key, identity, loc };
  }

  ingestLogs(logs: readonly LogRecordData[]): void {
    this.logsReceived += logs.length;
    for (const log of logs) {
      if (log.severityNumber >= 17 || 'exception.stacktrace' in log.attributes)
        this.errors.addLog(log);
      this.statementLogs.add(
        log,
        this.matchLog(log.body, log.severityNumber, log.severityText, log.attributes),
      );
    }
    if (logs.length) {
      this.statementLogs.prune(this.store.now());
      this.emit();
    }
  }

  /**
   * The log statement that printed a record: the statement at the record's code.* location when it
   * carries one (Python's logging and several Java appenders do), else the template its body fits.
   */
  matchLog(
    body: string,
    severityNumber: number,
    severityText: string,
    attributes: LogRecordData['attributes'] = {},
  ): LogMatch {
    const at = this.resolver.logLocation(attributes);
    const statement = at ? this.logStatements.at(at.file, at.line) : undefined;
    if (at && statement) {
      return {
        statement,
        rule: `${at.source}+line`,
        confidence: at.path.confidence,
        explanation: `the record says it was logged at ${at.file}:${at.line}; ${at.path.explanation}`,
      };
    }
    return this.matchLogLine(body, levelOfSeverity(severityNumber, severityText));
  }

  /** The log statement whose template a printed line's message fits (no code location to go by). */
  matchLogLine(message: string, level?: LogLevel): LogMatch {
    return this.logStatements.match(message, level);
  }

  ingestMetricPoints(n: number): void {
    this.metricPointsReceived += n;
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }

  private registerSeries(series: Series, loc: CodeLocation): void {
    this.locations.set(series.id, loc);
    const path = this.resolver.resolvePath(loc);
    this.pathOf.set(series.id, path);
    if (path?.file && this.byFileVersion === this.resolver.version)
      this.addToFile(path.file, series);
  }

  private addToFile(file: string, s: Series): void {
    let set = this.byFile.get(file);
    if (!set) this.byFile.set(file, (set = new Set()));
    set.add(s);
  }

  /** The file → series index, rebuilt when the workspace's files or path rules changed. */
  private fileIndex(): Map<string, Set<Series>> {
    if (this.byFileVersion !== this.resolver.version) {
      this.byFile.clear();
      this.pathOf.clear();
      this.byFileVersion = this.resolver.version;
      for (const s of this.store.all()) {
        const loc = this.locationOf(s);
        const path = this.resolver.resolvePath(loc);
        this.pathOf.set(s.id, path);
        if (path?.file) this.addToFile(path.file, s);
      }
    }
    return this.byFile;
  }

  private locationOf(s: Series): CodeLocation {
    let loc = this.locations.get(s.id);
    if (!loc) {
      loc = locationOfIdentity(s.identity);
      this.locations.set(s.id, loc);
    }
    return loc;
  }

  /** How one series maps (memoized on the file set version and the parsed ranges). */
  mappingOf(s: Series): MappingResult {
    this.fileIndex();
    const path = this.pathOf.get(s.id);
    const ranges = path?.file ? this.functions.getCached(path.file) : undefined;
    const cached = this.mappings.get(s.id);
    const version = this.resolver.version;
    if (cached && cached.filesVersion === version && cached.ranges === ranges) return cached.result;
    const result = this.resolver.map(this.locationOf(s), path, ranges);
    this.mappings.set(s.id, { filesVersion: version, ranges, result });
    return result;
  }

  /** Workspace files that have at least one series pointing at them. */
  filesWithData(): string[] {
    return [...this.fileIndex().keys()];
  }

  /**
   * Lets go of what the engine holds outside the JavaScript heap (the parser's WebAssembly memory)
   * and its listeners; an editor window closing or a CLI command ending calls it.
   */
  dispose(): void {
    this.functions.dispose();
    this.rows.clear();
  }

  /**
   * Per-function numbers for one file, from memory only. The file's functions must be in the
   * FunctionIndex cache (the editor puts open documents there); otherwise this returns [].
   */
  fileStats(file: string, q: QueryOptions): FunctionStats[] {
    return this.rows.fileStats(file, q);
  }

  /**
   * Every function with data in the window, parsing the files it needs (CLI reports, panels).
   * Files already parsed are not read again: the cache holds editor buffers (newer than the
   * disk) and the workspace watcher invalidates files changed on disk.
   */
  async report(q: QueryOptions): Promise<FunctionStats[]> {
    const out: FunctionStats[] = [];
    for (const file of this.filesWithData()) {
      if (!this.functions.getCached(file)) await this.functions.get(file);
      out.push(...this.fileStats(file, q));
    }
    return out.sort(
      (a, b) => a.file.localeCompare(b.file) || a.function.startLine - b.function.startLine,
    );
  }

  /**
   * The endpoints whose recent traces pass through these series, with the share of their traces
   * (from the bounded recent-trace window), named by the root span and its service.
   */
  callersOf(seriesIds: readonly string[]): (CallerShare & { endpoint: string; service: string })[] {
    return this.topology.callers(new Set(seriesIds)).map((c) => {
      const root = this.store.get(c.rootSeriesId)?.identity;
      return { ...c, endpoint: root?.spanName ?? '(unknown root)', service: root?.service ?? '' };
    });
  }

  // ---- Time, counts, logs and errors at a file, workspace text, persistence.

  /** The engine's clock (tests and `report --at` move it). */
  now(): number {
    return this.store.now();
  }

  /** Series held (one per service, code location and span kind). */
  get seriesCount(): number {
    return this.store.size;
  }

  /** Route registrations found in the workspace. */
  get routeCount(): number {
    return this.routes.size;
  }

  spansPerMinute(now = this.now()): number {
    return this.ingestRate.perMinute(now);
  }

  /** Whether any log record was counted at a log statement (the editor skips its redraws otherwise). */
  get hasStatementLogs(): boolean {
    return this.statementLogs.size > 0;
  }

  /** The log statements of `file` with the records counted at them since `sinceMs`. */
  logsInFile(file: string, sinceMs: number): StatementLogSummary[] {
    return this.statementLogs.size > 0 ? this.statementLogs.inFile(file, sinceMs) : [];
  }

  /** The log statements the workspace text index found in `file`. */
  logStatementsIn(file: string): LogStatement[] {
    return this.logStatements.inFile(file);
  }

  /** Error groups held from spans and logs. */
  get errorGroupCount(): number {
    return this.errors.size;
  }

  /** The held error groups since `sinceMs`, located in the workspace (cached per `version`). */
  locateErrors(sinceMs: number, version: string): ReturnType<ErrorGroups['locate']> {
    return this.errors.locate(this.resolver, sinceMs, version);
  }

  /** Indexes the workspace's text (routes, log statements) in the background, with progress. */
  indexWorkspace(
    files: readonly string[],
    o?: { signal?: AbortSignal; onProgress?: (p: IndexProgress) => void },
  ): Promise<IndexBuildResult> {
    return this.sources.build(files, o);
  }

  /** A workspace file's text changed (an editor buffer, or read again from disk when omitted). */
  sourceChanged(file: string, text?: string): Promise<void> {
    if (text !== undefined) {
      this.sources.update(file, text);
      return Promise.resolve();
    }
    return this.sources.refresh(file);
  }

  sourceRemoved(file: string): void {
    this.sources.remove(file);
  }

  /** Saves the aggregates into `dir` (atomically); loads them back, merging into what is held. */
  saveAggregates(dir: string): Promise<string> {
    return saveStore(this.store, dir);
  }

  loadAggregates(dir: string): Promise<number> {
    return loadStore(this.store, dir);
  }

  /** The aggregates as `serve` sends them to `report --from`, and their merge on the other side. */
  serializeAggregates(): string {
    return serializeStore(this.store);
  }

  mergeAggregates(text: string): number {
    return deserializeInto(this.store, text);
  }

  /** Log records that matched no log statement: how many, and the latest few with the reason. */
  unmatchedLogs(): {
    count: number;
    samples: readonly { body: string; why: string; timeMs: number }[];
  } {
    return { count: this.statementLogs.unmatched, samples: this.statementLogs.unmatchedSamples };
  }

  /**
   * A feed of a log backend's (Loki's) records counted at the workspace's log statements, apart
   * from the receiver's counts.
   */
  backendLogs(opts?: BackendLogsOptions): BackendLogs {
    return new BackendLogs(this.logStatements, opts);
  }

  // ---- The workspace's parsed functions (the editor feeds its buffers; the watcher, changes on disk).

  /** The functions of a workspace file, parsed from the cache, the editor's buffer or the disk. */
  functionsIn(file: string): Promise<FunctionRange[] | undefined> {
    return this.functions.get(file);
  }

  /** The functions of a file if they are parsed already (lenses never wait for a parse). */
  cachedFunctionsIn(file: string): FunctionRange[] | undefined {
    return this.functions.getCached(file);
  }

  /** Parses an editor buffer's text as the file's functions (kept until the text changes). */
  setFileText(file: string, text: string): FunctionRange[] {
    return this.functions.setText(file, text);
  }

  /** Loads a language's grammar; false when the language cannot be parsed. */
  ensureLanguage(language: LanguageId): Promise<boolean> {
    return this.functions.ensureLanguage(language);
  }

  /** The file changed on disk or was deleted: its functions are parsed again when asked. */
  forgetFunctions(file: string): void {
    this.functions.invalidate(file);
  }

  /** A file's parsed functions changed (or were forgotten). */
  onDidChangeFunctions(listener: (file: string) => void): () => void {
    return this.functions.onDidChange(listener);
  }

  // ---- Mapping: narrow views for builders that map other sources' data, routes, stack frames.

  /**
   * The workspace's files, parsed functions and the engine's resolver, read-only: for builders
   * that map other sources' data (backend numbers, alerts, stack traces, backend traces) exactly
   * as the engine maps its own telemetry.
   */
  codeLookup(): CodeLookup {
    return this.lookup;
  }

  /**
   * A resolver mapping as the engine does (same parsed functions and routes) over another file
   * list: the workspace as it was before a change (impact analysis).
   */
  resolverOver(files: WorkspaceFiles): Pick<CodeMapper, 'resolvePath' | 'map'> {
    return new CodeResolver(files, this.functions, this.routes);
  }

  /** The routes a function handles, given its file's parsed functions. */
  routesHandledBy(
    file: string,
    fn: FunctionRange,
    ranges: readonly FunctionRange[],
  ): EffectiveRoute[] {
    return this.routes.routesHandledBy(file, fn, ranges);
  }

  /** Changes whenever the route index does. */
  get routesVersion(): number {
    return this.resolver.routesVersion;
  }

  /** Resolves when the route index's background join (after an edit or a build) is in place. */
  routesSettled(): Promise<void> {
    return this.routes.settled();
  }

  /** A stack trace's frames linked to workspace code (lines of `revision` carried to the working tree). */
  frameLinks(stack: string, revision: string | undefined): FrameLink[] {
    return this.resolver.frameLinks(stack, revision);
  }

  // ---- Series, traces and held spans, for core's builders (details, insights, impact).

  seriesById(id: string): Series | undefined {
    return this.store.get(id);
  }

  /** The series of these ids still held, in order (an evicted id is left out). */
  seriesOf(ids: readonly string[]): Series[] {
    const out: Series[] = [];
    for (const id of ids) {
      const s = this.store.get(id);
      if (s) out.push(s);
    }
    return out;
  }

  /** Every series held. */
  allSeries(): IterableIterator<Series> {
    return this.store.all();
  }

  /** The series merged over the window ending `now` (points: sparkline resolution). */
  windowStats(
    series: Iterable<Series>,
    windowMs: number,
    points = 15,
    now = this.now(),
  ): WindowStats {
    return this.store.windowStats(series, windowMs, points, now);
  }

  /** The window of the same length just before the current one (bucket-aligned), for trends. */
  previousWindowStats(series: Iterable<Series>, windowMs: number, now = this.now()): WindowStats {
    return this.store.previousWindowStats(series, windowMs, now);
  }

  /** The held traces passing through these series, newest first (all the trace window holds). */
  tracesThrough(seriesIds: ReadonlySet<string>): TraceSummary[] {
    return this.topology.tracesThrough(seriesIds, this.topology.capacity);
  }

  /** A held trace's spans, each with its series. */
  trace(traceId: string): TraceSpan[] {
    return this.topology.trace(traceId);
  }

  /** The drill-down ring's sampled spans of these series (all it holds). */
  sampledSpans(seriesIds: ReadonlySet<string>): SpanRecord[] {
    return this.ring.find(seriesIds, this.ring.capacity);
  }

  /** Series that did not reach a function, with the reason, for "why no data" diagnostics. */
  unmapped(q: QueryOptions): { series: Series; mapping: MappingResult; count: number }[] {
    const out: { series: Series; mapping: MappingResult; count: number }[] = [];
    for (const s of this.store.all()) {
      if (q.environment && s.identity.environment !== q.environment) continue;
      const m = this.mappingOf(s);
      if (m.function) continue;
      const count = this.store.windowStats([s], q.windowMs, 1).count;
      if (count > 0) out.push({ series: s, mapping: m, count });
    }
    return out.sort((a, b) => b.count - a.count);
  }

  // ---- Housekeeping counts (status, benchmarks).

  /** Spans recorded, too old, and series evicted for the memory budget. */
  get counters(): Readonly<StoreCounters> {
    return this.store.counters;
  }

  /** Spans the drill-down ring holds at most. */
  get ringCapacity(): number {
    return this.ring.capacity;
  }

  /** Minute and hour buckets held across all series. */
  get bucketCount(): number {
    return this.store.bucketTotal;
  }

  /** Drops buckets past their retention at `nowMs` (the store does this as it records). */
  pruneAggregates(nowMs = this.now()): void {
    this.store.prune(nowMs);
  }
}

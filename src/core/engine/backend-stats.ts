// Per-function numbers from production backends (Prometheus span metrics), shaped like the
// engine's FunctionStats so lenses, hovers and `prodlens report` show them the same way. Each row
// of a backend answer (service, span name, optional code function / code file labels) becomes a
// CodeLocation and goes through the engine's Mapper; rows that name only a function or a span go
// through the alert resolver's name search (the same one alerts use), so numbers and alerts land
// on the same function. Mapping is done when a refresh arrives (async: it may parse files);
// answering for a file is synchronous and from memory only.
import {
  type CodeLocation,
  type FunctionRange,
  isSure,
  type MappingResult,
  type WindowStats,
} from '../model';
import type { FunctionSource } from '../mapping/function-index';
import { type CodeResolver, isUsable } from '../resolver/code-resolver';
import type { WorkspaceFiles } from '../mapping/workspace-files';
import { AlertResolver } from '../sources/alert-resolution';
import { sourceLabel, type FunctionStatsRecord, type SourceKind } from '../sources/source';
import type { FunctionStats } from './engine';

/** Where a number came from: which backend, and whether it is a last-known value. */
export interface StatsOrigin {
  kind: SourceKind;
  environment: string;
  /** `prometheus (prod)`. */
  label: string;
  /** True when the backend failed its latest refresh and these are the last values it gave. */
  stale: boolean;
  /** When the backend answered with these values (epoch ms). */
  fetchedAt: number;
  /** The backend's status sentence when stale (already redacted by the client). */
  message?: string;
}

/** FunctionStats from a backend, with the backend named. */
export interface SourcedFunctionStats extends FunctionStats {
  origin: StatsOrigin;
  /** The backend's exemplar trace ids, most recent first. */
  exemplarTraceIds: string[];
  /** The series' service and span name, busiest first: what a trace backend is searched for. */
  spans: { service: string; spanName: string }[];
}

/** The origin of a FunctionStats, when it came from a backend (undefined for the receiver's). */
export function originOf(fs: FunctionStats): StatsOrigin | undefined {
  return (fs as Partial<SourcedFunctionStats>).origin;
}

/** One backend's answer for one window. */
export interface BackendAnswer {
  source: { kind: SourceKind; environment: string };
  /** Undefined when the backend failed and nothing was cached: it contributes nothing. */
  rows: readonly FunctionStatsRecord[] | undefined;
  windowMs: number;
  stale: boolean;
  fetchedAt: number;
  message?: string;
}

export interface BackendStatsDeps {
  files: WorkspaceFiles;
  functions: FunctionSource;
  /** The engine's resolver, so backend rows map exactly like spans. */
  resolver: Pick<CodeResolver, 'resolvePath' | 'map'>;
}

/** The code location a metric series' labels give (what a span's `code.*` attributes would). */
export function locationOfRow(row: FunctionStatsRecord): CodeLocation {
  if (row.codeFile) {
    const loc: CodeLocation = { source: 'code.file.path', filePath: row.codeFile };
    if (row.codeFunction) loc.functionName = row.codeFunction;
    return loc;
  }
  if (row.codeFunction) return { source: 'code.function.name', functionName: row.codeFunction };
  return { source: 'none' };
}

/** The labels the alert resolver reads, from a row. */
function labelsOfRow(row: FunctionStatsRecord): Record<string, string> {
  const l: Record<string, string> = { service_name: row.service, span_name: row.spanName };
  if (row.codeFunction) l.code_function_name = row.codeFunction;
  if (row.codeFile) l.code_file_path = row.codeFile;
  return l;
}

interface Placed {
  file: string;
  qualifiedName: string;
  startLine: number;
  mapping: MappingResult;
}

interface Group {
  file: string;
  qualifiedName: string;
  startLine: number;
  mapping: MappingResult;
  origin: StatsOrigin;
  windowMs: number;
  rows: FunctionStatsRecord[];
}

export interface BackendUnmapped {
  source: string;
  row: FunctionStatsRecord;
  reason: string;
}

export class BackendStats {
  /** Bumped by every update: memo keys and callers can tell new data from old. */
  generation = 0;
  private groups = new Map<string, Group[]>();
  private unmappedRows: BackendUnmapped[] = [];
  private readonly placed = new Map<string, Placed | string>();
  private placedVersion = -1;
  private resolver: AlertResolver | undefined;
  private readonly memo = new Map<
    string,
    { key: string; ranges: readonly FunctionRange[] | undefined; value: SourcedFunctionStats[] }
  >();

  constructor(private readonly deps: BackendStatsDeps) {
    // Function edits can rename or move what a name search found: map again on the next update.
    deps.functions.onDidChange(() => (this.functionsChanged = true));
  }

  private functionsChanged = false;

  /** Replaces every backend's rows with this refresh's answers, mapped onto workspace functions. */
  async update(answers: readonly BackendAnswer[]): Promise<void> {
    if (this.placedVersion !== this.deps.files.version || this.functionsChanged) {
      this.functionsChanged = false;
      this.placed.clear();
      this.resolver = undefined;
      this.placedVersion = this.deps.files.version;
    }
    const groups = new Map<string, Group>();
    const unmapped: BackendUnmapped[] = [];
    for (const a of answers) {
      if (!a.rows) continue;
      const label = sourceLabel(a.source);
      const origin: StatsOrigin = {
        kind: a.source.kind,
        environment: a.source.environment,
        label,
        stale: a.stale,
        fetchedAt: a.fetchedAt,
      };
      if (a.message !== undefined) origin.message = a.message;
      for (const row of a.rows) {
        const p = await this.place(row);
        if (typeof p === 'string') {
          unmapped.push({ source: label, row, reason: p });
          continue;
        }
        const key = `${p.file}\u0000${p.qualifiedName}\u0000${p.startLine}\u0000${label}`;
        const g = groups.get(key);
        if (g) g.rows.push(row);
        else groups.set(key, { ...p, origin, windowMs: a.windowMs, rows: [row] });
      }
    }
    const byFile = new Map<string, Group[]>();
    for (const g of groups.values()) {
      let list = byFile.get(g.file);
      if (!list) byFile.set(g.file, (list = []));
      list.push(g);
    }
    this.groups = byFile;
    this.unmappedRows = unmapped;
    this.memo.clear();
    this.generation++;
  }

  /** Files with backend numbers. */
  files(): string[] {
    return [...this.groups.keys()];
  }

  /** Rows that reached no function, with the reason. */
  unmapped(): readonly BackendUnmapped[] {
    return this.unmappedRows;
  }

  /**
   * The backend numbers for one file, from memory. Functions are looked up in `ranges` (or the
   * FunctionIndex cache) by qualified name, so lenses follow edits without asking the backend.
   */
  fileStats(
    file: string,
    q: { environment?: string } = {},
    ranges: readonly FunctionRange[] | undefined = this.deps.functions.getCached(file),
  ): SourcedFunctionStats[] {
    const key = `${this.generation}|${q.environment ?? ''}`;
    const memo = this.memo.get(file);
    if (memo && memo.key === key && memo.ranges === ranges) return memo.value;
    const value = this.compute(file, q, ranges);
    this.memo.set(file, { key, ranges, value });
    return value;
  }

  /** Every function with backend numbers (parsing the files it needs), for the CLI. */
  async report(q: { environment?: string } = {}): Promise<SourcedFunctionStats[]> {
    const out: SourcedFunctionStats[] = [];
    for (const file of this.files()) {
      const ranges = this.deps.functions.getCached(file) ?? (await this.deps.functions.get(file));
      out.push(...this.fileStats(file, q, ranges));
    }
    return out.sort(
      (a, b) =>
        a.file.localeCompare(b.file) ||
        a.function.startLine - b.function.startLine ||
        a.origin.label.localeCompare(b.origin.label),
    );
  }

  private compute(
    file: string,
    q: { environment?: string },
    ranges: readonly FunctionRange[] | undefined,
  ): SourcedFunctionStats[] {
    const groups = this.groups.get(file);
    if (!groups || !ranges) return [];
    const out: SourcedFunctionStats[] = [];
    for (const g of groups) {
      if (q.environment && g.origin.environment && g.origin.environment !== q.environment) continue;
      const fn = closest(
        ranges.filter((r) => r.qualifiedName === g.qualifiedName),
        g.startLine,
      );
      if (!fn) continue;
      out.push(toFunctionStats(g, file, fn));
    }
    return out.sort((a, b) => a.function.startLine - b.function.startLine);
  }

  /** Where a row's labels point: the engine's mapper first, then the shared name search. */
  private async place(row: FunctionStatsRecord): Promise<Placed | string> {
    const key = JSON.stringify([
      row.service,
      row.spanName,
      row.codeFunction ?? '',
      row.codeFile ?? '',
    ]);
    const hit = this.placed.get(key);
    if (hit !== undefined) return hit;
    const result = await this.placeUncached(row);
    this.placed.set(key, result);
    return result;
  }

  private async placeUncached(row: FunctionStatsRecord): Promise<Placed | string> {
    const loc = locationOfRow(row);
    const path = loc.source === 'none' ? undefined : this.deps.resolver.resolvePath(loc);
    if (path?.file) {
      const m = this.deps.resolver.map(loc, path, await this.deps.functions.get(path.file));
      if (isUsable(m))
        return {
          file: m.file,
          qualifiedName: m.function.qualifiedName,
          startLine: m.function.startLine,
          mapping: m,
        };
    }
    this.resolver ??= new AlertResolver({ files: this.deps.files, functions: this.deps.functions });
    const r = await this.resolver.locate(labelsOfRow(row), { what: 'the metric series' });
    if (!r.file || !r.function || r.line === undefined || !isSure(r.confidence))
      return r.unresolvedReason ?? r.explanation;
    const fn = closest(
      ((await this.deps.functions.get(r.file)) ?? []).filter((f) => f.qualifiedName === r.function),
      r.line,
    );
    if (!fn) return `${r.file} no longer defines ${r.function}`;
    const rule =
      r.rule === 'span-name'
        ? 'span_name'
        : r.rule === 'code-labels'
          ? row.codeFile
            ? 'code_file_path label'
            : 'code_function label'
          : r.rule;
    return {
      file: r.file,
      qualifiedName: fn.qualifiedName,
      startLine: fn.startLine,
      mapping: {
        file: r.file,
        function: fn,
        rule,
        confidence: r.confidence,
        explanation: r.explanation,
      },
    };
  }
}

function closest(fns: readonly FunctionRange[], line: number): FunctionRange | undefined {
  let best: FunctionRange | undefined;
  for (const f of fns)
    if (!best || Math.abs(f.startLine - line) < Math.abs(best.startLine - line)) best = f;
  return best;
}

/** Rows merged into one function's numbers: sums for counts, the busiest row's quantiles. */
function toFunctionStats(g: Group, file: string, fn: FunctionRange): SourcedFunctionStats {
  let count = 0;
  let errors = 0;
  let busiest = g.rows[0]!;
  const exemplars: string[] = [];
  for (const r of g.rows) {
    count += r.count;
    errors += r.errors;
    if (r.count > busiest.count) busiest = r;
    for (const id of r.exemplarTraceIds) if (!exemplars.includes(id)) exemplars.push(id);
  }
  // increase() extrapolates, so backend counts are estimates: shown as whole calls.
  const stats: WindowStats = {
    count: Math.round(count),
    errors: Math.round(errors),
    p50Ms: busiest.p50Ms,
    p90Ms: NaN,
    p95Ms: busiest.p95Ms,
    p99Ms: busiest.p99Ms,
    maxMs: NaN,
    minMs: NaN,
    meanMs: NaN,
    windowMs: g.windowMs,
    coveredMs: g.windowMs,
    series: [],
  };
  const mapping: MappingResult = { ...g.mapping, file, function: fn };
  return {
    file,
    function: fn,
    stats,
    mapping,
    seriesIds: g.rows.map((r) => `${g.origin.label}:${r.service}/${r.spanName}`),
    services: [...new Set(g.rows.map((r) => r.service))],
    environments: g.origin.environment ? [g.origin.environment] : [],
    origin: g.origin,
    exemplarTraceIds: exemplars.slice(0, 5),
    spans: [...g.rows]
      .sort((a, b) => b.count - a.count)
      .map((r) => ({ service: r.service, spanName: r.spanName })),
  };
}

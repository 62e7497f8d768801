// The numbers on code, per function of a file: what lenses, hovers and reports show. Served from
// memory and memoized per data generation; after new data only what changed is redone (see
// computeFileStats). The engine owns one and hands it the series, mappings and parsed functions.
import type { FunctionRange, MappingResult, WindowStats } from '../model';
import { rangeChanged } from '../mapping/version-drift';
import { isUsable, type CodeResolver } from '../resolver/code-resolver';
import type { AggregateStore } from '../store/aggregate-store';
import type { Series } from '../store/series';

/** Numbers for one function over one window, and how they were mapped. */
export interface FunctionStats {
  file: string;
  function: FunctionRange;
  stats: WindowStats;
  /** The mapping of the busiest series; `seriesCount` says how many code locations merged in. */
  mapping: MappingResult;
  seriesIds: string[];
  services: string[];
  environments: string[];
  /** The deployed revision (short) when the function was edited since that commit. */
  changedSince?: string;
}

export interface QueryOptions {
  windowMs: number;
  /** Only this deployment environment ('' or undefined = all). */
  environment?: string;
  /** Sparkline resolution. */
  points?: number;
}

/** What the rows are built from: the engine's store, resolver, file index and mappings. */
export interface RowSource {
  store: Pick<AggregateStore, 'now' | 'generation' | 'windowStart' | 'coveredMs' | 'windowStats'>;
  resolver: Pick<CodeResolver, 'version' | 'drift'>;
  /** The series whose code is in `file`. */
  seriesIn(file: string): ReadonlySet<Series> | undefined;
  cachedFunctionsIn(file: string): readonly FunctionRange[] | undefined;
  mappingOf(s: Series): MappingResult;
}

export class FileRows {
  private readonly memo = new Map<string, { key: string; value: FunctionStats[] }>();
  /** Per file: its series grouped by function, and what the grouping depended on. */
  private readonly groupings = new Map<
    string,
    { key: string; ranges: readonly FunctionRange[] | undefined; groups: FunctionGroup[] }
  >();
  /** Per group: its row and the series versions it was built from (dropped with the grouping). */
  private readonly rows = new WeakMap<
    FunctionGroup,
    { changes: number[]; row: FunctionStats | undefined }
  >();

  constructor(private readonly src: RowSource) {}

  /** Parsed functions changed: every file's numbers are looked at again. */
  forgetMemo(): void {
    this.memo.clear();
  }

  clear(): void {
    this.memo.clear();
    this.groupings.clear();
  }

  /** Per-function numbers for one file (Engine.fileStats). */
  fileStats(file: string, q: QueryOptions): FunctionStats[] {
    const slot = Math.floor(this.src.store.now() / 5_000);
    const key = `${this.src.store.generation}|${this.src.resolver.version}|${q.windowMs}|${q.environment ?? ''}|${q.points ?? 15}|${slot}`;
    const memo = this.memo.get(file);
    if (memo && memo.key === key) return memo.value;
    const value = this.computeFileStats(file, q);
    this.memo.set(file, { key, value });
    return value;
  }

  /**
   * A lens refresh after new data redoes only what the data changed: the file's series are grouped
   * by function once per mapping state, window minute and set of series (new data rarely adds a
   * series), and a function's row (the merge of its buckets' sketches, the expensive part) is rebuilt
   * only when one of its series changed. The covered time (for rates) moves with now, so it is
   * always recomputed.
   */
  private computeFileStats(file: string, q: QueryOptions): FunctionStats[] {
    const series = this.src.seriesIn(file);
    if (!series) return [];
    const now = this.src.store.now();
    const windowStart = this.src.store.windowStart(q.windowMs, now);
    const ranges = this.src.cachedFunctionsIn(file);
    const key = `${this.src.resolver.version}|${q.environment ?? ''}|${q.windowMs}|${q.points ?? 15}|${windowStart}|${series.size}`;
    let grouping = this.groupings.get(file);
    if (!grouping || grouping.key !== key || grouping.ranges !== ranges) {
      grouping = { key, ranges, groups: this.groupByFunction(file, series, q, windowStart) };
      this.groupings.set(file, grouping);
    }
    const out: FunctionStats[] = [];
    for (const g of grouping.groups) {
      const row = this.groupRow(file, g, q, now);
      if (row) out.push(row);
    }
    return out;
  }

  /** The file's usable series by the function they map to, each request counted once; by start line. */
  private groupByFunction(
    file: string,
    series: Iterable<Series>,
    q: QueryOptions,
    windowStart: number,
  ): FunctionGroup[] {
    const groups = new Map<FunctionRange, FunctionGroup>();
    for (const s of series) {
      if (q.environment && s.identity.environment !== q.environment) continue;
      if (s.lastSeenMs < windowStart - 60_000) continue;
      const m = this.src.mappingOf(s);
      if (!isUsable(m) || m.file !== file) continue;
      const n = s.minutes.size + s.hours.size;
      const rank = ruleRank(m.rule);
      const g = groups.get(m.function);
      if (!g)
        groups.set(m.function, {
          fn: m.function,
          series: [s],
          rank,
          dropped: new Set(),
          best: { s, m, n },
        });
      else if (rank > g.rank) g.dropped.add(m.rule);
      else {
        // One request is counted once: a more direct rule replaces what a less direct one mapped here.
        if (rank < g.rank) {
          for (const x of g.series) g.dropped.add(this.src.mappingOf(x).rule);
          g.series = [];
          g.rank = rank;
          g.best = { s, m, n };
        }
        g.series.push(s);
        if (n > g.best.n) g.best = { s, m, n };
      }
    }
    return [...groups.values()].sort((a, b) => a.fn.startLine - b.fn.startLine);
  }

  /**
   * One function's row; rebuilt only when one of its series changed since it was built, and the
   * same object while its covered time (whole seconds) is the same too.
   */
  private groupRow(
    file: string,
    g: FunctionGroup,
    q: QueryOptions,
    now: number,
  ): FunctionStats | undefined {
    const coveredMs = this.src.store.coveredMs(q.windowMs, now);
    const cached = this.rows.get(g);
    if (cached && sameVersions(g.series, cached.changes)) {
      if (cached.row && cached.row.stats.coveredMs !== coveredMs)
        cached.row = { ...cached.row, stats: { ...cached.row.stats, coveredMs } };
      return cached.row;
    }
    const row = this.buildRow(file, g, q, now);
    this.rows.set(g, { changes: g.series.map((s) => s.changes), row });
    return row;
  }

  private buildRow(
    file: string,
    g: FunctionGroup,
    q: QueryOptions,
    now: number,
  ): FunctionStats | undefined {
    const stats = this.src.store.windowStats(g.series, q.windowMs, q.points ?? 15, now);
    if (stats.count === 0) return undefined;
    const fn = g.fn;
    const row: FunctionStats = {
      file,
      function: fn,
      stats,
      mapping: g.dropped.size
        ? {
            ...g.best.m,
            explanation: `${g.best.m.explanation}; spans of the same requests also mapped here by ${[...g.dropped].join(', ')} are not counted again`,
          }
        : g.best.m,
      seriesIds: g.series.map((s) => s.id),
      services: unique(g.series.map((s) => s.identity.service)),
      environments: unique(g.series.map((s) => s.identity.environment)),
    };
    const rev = g.best.s.identity.revision;
    const drift =
      rev && this.src.resolver.drift ? this.src.resolver.drift.state(rev, file) : undefined;
    if (rev && drift?.kind === 'drifted' && rangeChanged(drift.hunks, fn.startLine, fn.endLine))
      row.changedSince = rev.slice(0, 8);
    return row;
  }
}

/**
 * How directly a rule names the code: the span's own code attributes, then a framework's name for
 * its handler, then the route's registration. When several map one request onto one function,
 * only the most direct is counted.
 */
function ruleRank(rule: string): number {
  if (rule.startsWith('code.')) return 0;
  if (rule === 'nestjs.controller') return 1;
  if (rule === 'nestjs.handler') return 2;
  return 3;
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** A function's series in a file grouping: those counted, the rules left out, the busiest one. */
interface FunctionGroup {
  fn: FunctionRange;
  series: Series[];
  rank: number;
  dropped: Set<string>;
  best: { s: Series; m: MappingResult; n: number };
}

/** None of the series changed since `changes` was taken of them. */
function sameVersions(series: readonly Series[], changes: readonly number[]): boolean {
  if (series.length !== changes.length) return false;
  for (let i = 0; i < series.length; i++) if (changes[i] !== series[i]!.changes) return false;
  return true;
}

// Functions ranked by production impact: time spent (throughput × mean latency), p95 regression
// (against the previous window of the same length, or against the previous version when the
// window holds two) or errors, filterable by service and environment. Each hotspot carries all
// the figures whatever the order.
import type { Engine, FunctionStats, QueryOptions } from '../engine/engine';
import type { Series } from '../store/series';

export interface Hotspot {
  stats: FunctionStats;
  /** Milliseconds of work per minute of wall time: what the function costs production. */
  timeSpentMsPerMin: number;
  /** p95 now ÷ p95 in the previous window (NaN when either is empty). */
  p95Ratio: number;
  previousP95Ms: number;
  /**
   * Per environment whose window holds two or more versions (`service.version`) of the function:
   * the newest against the one before it. Empty when no environment does.
   */
  versionChanges: VersionChange[];
}

export interface VersionStats {
  version: string;
  count: number;
  p95Ms: number;
}

export interface VersionChange {
  environment: string;
  current: VersionStats;
  previous: VersionStats;
  /** current p95 ÷ previous p95. */
  ratio: number;
}

/** A version needs this many spans in the window before its p95 is compared at all. */
export const MIN_VERSION_SAMPLES = 5;

export type HotspotRanking = 'timeSpent' | 'p95Regression' | 'errors';

export const HOTSPOT_RANKINGS: Record<HotspotRanking, { label: string; detail: string }> = {
  timeSpent: {
    label: 'Time spent',
    detail: 'throughput × mean latency: what the function costs production',
  },
  p95Regression: {
    label: 'p95 regression',
    detail:
      'p95 against the previous window or the previous version, the worse of the two; functions with neither last',
  },
  errors: { label: 'Errors', detail: 'failed calls in the window, then error rate' },
};

export interface HotspotFilter {
  service?: string;
  /** Only this deployment environment, within the query's own environment if it has one. */
  environment?: string;
}

export async function rankHotspots(
  engine: Engine,
  q: QueryOptions,
  filter: HotspotFilter = {},
  by: HotspotRanking = 'timeSpent',
): Promise<Hotspot[]> {
  // A view filter narrows the query's environment; one that contradicts it leaves nothing.
  if (filter.environment && q.environment && filter.environment !== q.environment) return [];
  const query: QueryOptions = filter.environment ? { ...q, environment: filter.environment } : q;
  const all = await engine.report(query);
  const now = engine.now();
  const out: Hotspot[] = [];
  for (const fs of all) {
    if (filter.service && !fs.services.includes(filter.service)) continue;
    const s = fs.stats;
    const series = engine.seriesOf(fs.seriesIds);
    const prev = engine.previousWindowStats(series, query.windowMs, now);
    out.push({
      stats: fs,
      timeSpentMsPerMin: (s.count * s.meanMs * 60_000) / s.coveredMs,
      previousP95Ms: prev.p95Ms,
      p95Ratio: prev.count > 0 && s.count > 0 ? s.p95Ms / prev.p95Ms : NaN,
      versionChanges: versionChanges(engine, series, query.windowMs, now),
    });
  }
  return sortHotspots(out, by);
}

/**
 * The newest version against the one before it, per environment (two environments running
 * different versions are not a regression). Newest is the version whose data starts latest in
 * the window, then the one seen last; versions that cannot be told apart are not compared, nor
 * are spans without a version.
 */
export function versionChanges(
  engine: Engine,
  series: readonly Series[],
  windowMs: number,
  now: number,
): VersionChange[] {
  const byEnv = new Map<string, Map<string, Series[]>>();
  for (const s of series) {
    const { environment, version } = s.identity;
    if (version === '') continue;
    let versions = byEnv.get(environment);
    if (!versions) byEnv.set(environment, (versions = new Map()));
    let list = versions.get(version);
    if (!list) versions.set(version, (list = []));
    list.push(s);
  }
  const out: VersionChange[] = [];
  for (const [environment, versions] of byEnv) {
    if (versions.size < 2) continue;
    const seen: (VersionStats & { firstMs: number; lastMs: number })[] = [];
    for (const [version, list] of versions) {
      const w = engine.windowStats(list, windowMs, 60, now);
      if (w.count < MIN_VERSION_SAMPLES) continue;
      const first = w.series.find((p) => p.count > 0)?.startMs ?? Infinity;
      seen.push({
        version,
        count: w.count,
        p95Ms: w.p95Ms,
        firstMs: first,
        lastMs: Math.max(...list.map((s) => s.lastSeenMs)),
      });
    }
    seen.sort((a, b) => b.firstMs - a.firstMs || b.lastMs - a.lastMs);
    const [cur, prev] = seen;
    if (!cur || !prev || (cur.firstMs === prev.firstMs && cur.lastMs === prev.lastMs)) continue;
    if (!(prev.p95Ms > 0)) continue;
    const strip = (v: typeof cur): VersionStats => ({
      version: v.version,
      count: v.count,
      p95Ms: v.p95Ms,
    });
    out.push({
      environment,
      current: strip(cur),
      previous: strip(prev),
      ratio: cur.p95Ms / prev.p95Ms,
    });
  }
  return out.sort((a, b) => b.ratio - a.ratio || a.environment.localeCompare(b.environment));
}

/** The worst p95 ratio a hotspot shows, against the previous window or version (NaN when nothing to compare with). */
export function regressionOf(h: Hotspot): number {
  const ratios = [h.p95Ratio, ...h.versionChanges.map((c) => c.ratio)].filter((r) =>
    Number.isFinite(r),
  );
  return ratios.length ? Math.max(...ratios) : NaN;
}

/** Highest first; ties (and missing figures, which go last) fall back to time spent, then name. */
export function sortHotspots(hotspots: Hotspot[], by: HotspotRanking): Hotspot[] {
  const key = (h: Hotspot): number[] => {
    if (by === 'p95Regression') {
      const r = regressionOf(h);
      return [Number.isFinite(r) ? r : -Infinity, h.timeSpentMsPerMin];
    }
    if (by === 'errors') {
      const s = h.stats.stats;
      return [s.errors, s.count > 0 ? s.errors / s.count : 0, h.timeSpentMsPerMin];
    }
    return [h.timeSpentMsPerMin];
  };
  const keyed = hotspots.map((h) => ({ h, k: key(h) }));
  keyed.sort((a, b) => {
    for (let i = 0; i < a.k.length; i++) if (a.k[i] !== b.k[i]) return b.k[i]! - a.k[i]!;
    return (
      a.h.stats.file.localeCompare(b.h.stats.file) ||
      a.h.stats.function.startLine - b.h.stats.function.startLine
    );
  });
  return keyed.map((x) => x.h);
}

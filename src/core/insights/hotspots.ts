// Functions ranked by production impact: time spent (throughput × mean latency), p95 regression
// (against the previous window of the same length) or errors, filterable by service and
// environment. Each hotspot carries all three figures whatever the order.
import type { Engine, FunctionStats, QueryOptions } from '../engine/engine';
import type { Series } from '../store/series';

export interface Hotspot {
  stats: FunctionStats;
  /** Milliseconds of work per minute of wall time: what the function costs production. */
  timeSpentMsPerMin: number;
  /** p95 now ÷ p95 in the previous window (NaN when either is empty). */
  p95Ratio: number;
  previousP95Ms: number;
}

export type HotspotRanking = 'timeSpent' | 'p95Regression' | 'errors';

export const HOTSPOT_RANKINGS: Record<HotspotRanking, { label: string; detail: string }> = {
  timeSpent: { label: 'Time spent', detail: 'throughput × mean latency: what the function costs production' },
  p95Regression: { label: 'p95 regression', detail: 'p95 now against the previous window; functions without a previous window last' },
  errors: { label: 'Errors', detail: 'failed calls in the window, then error rate' },
};

export interface HotspotFilter {
  service?: string;
  /** Only this deployment environment, within the query's own environment if it has one. */
  environment?: string;
}

export async function rankHotspots(engine: Engine, q: QueryOptions, filter: HotspotFilter = {}, by: HotspotRanking = 'timeSpent'): Promise<Hotspot[]> {
  // A view filter narrows the query's environment; one that contradicts it leaves nothing.
  if (filter.environment && q.environment && filter.environment !== q.environment) return [];
  const query: QueryOptions = filter.environment ? { ...q, environment: filter.environment } : q;
  const all = await engine.report(query);
  const now = engine.store.now();
  const out: Hotspot[] = [];
  for (const fs of all) {
    if (filter.service && !fs.services.includes(filter.service)) continue;
    const s = fs.stats;
    const series = fs.seriesIds.map((id) => engine.store.get(id)).filter((x): x is Series => x !== undefined);
    const prev = engine.store.previousWindowStats(series, query.windowMs, now);
    out.push({
      stats: fs,
      timeSpentMsPerMin: (s.count * s.meanMs * 60_000) / s.coveredMs,
      previousP95Ms: prev.p95Ms,
      p95Ratio: prev.count > 0 && s.count > 0 ? s.p95Ms / prev.p95Ms : NaN,
    });
  }
  return sortHotspots(out, by);
}

/** The worst p95 ratio a hotspot shows (NaN when nothing to compare with). */
export function regressionOf(h: Hotspot): number {
  return h.p95Ratio;
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
    return a.h.stats.file.localeCompare(b.h.stats.file) || a.h.stats.function.startLine - b.h.stats.function.startLine;
  });
  return keyed.map((x) => x.h);
}

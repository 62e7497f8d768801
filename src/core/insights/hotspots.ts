// Functions ranked by production impact: time spent (throughput × mean latency) first, with the
// p95 change against the previous window of the same length and the error count beside it.
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

export async function rankHotspots(engine: Engine, q: QueryOptions, filter: { service?: string } = {}): Promise<Hotspot[]> {
  const all = await engine.report(q);
  const now = engine.store.now();
  const out: Hotspot[] = [];
  for (const fs of all) {
    if (filter.service && !fs.services.includes(filter.service)) continue;
    const s = fs.stats;
    const series = fs.seriesIds.map((id) => engine.store.get(id)).filter((x): x is Series => x !== undefined);
    const prev = engine.store.previousWindowStats(series, q.windowMs, now);
    out.push({
      stats: fs,
      timeSpentMsPerMin: (s.count * s.meanMs * 60_000) / s.coveredMs,
      previousP95Ms: prev.p95Ms,
      p95Ratio: prev.count > 0 && s.count > 0 ? s.p95Ms / prev.p95Ms : NaN,
    });
  }
  return out.sort((a, b) => b.timeSpentMsPerMin - a.timeSpentMsPerMin);
}

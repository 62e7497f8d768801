// The rows `prodlens report` prints, shared by the table and the --json output.
import type { Engine, FunctionStats, QueryOptions } from '../core/engine/engine';
import { unmappedReasons, type UnmappedReason } from '../core/insights/unmapped-reasons';

/** What `prodlens report --json` prints: the functions with data, and why the rest did not map. */
export interface ReportJson {
  functions: ReportRow[];
  unmapped: UnmappedReason[];
}

/** An engine's report: its functions with data in the window, and why the rest did not map. */
export async function engineReport(engine: Engine, q: QueryOptions): Promise<ReportJson> {
  return { functions: (await engine.report(q)).map(toRow), unmapped: unmappedReasons(engine, q) };
}

export interface ReportRow {
  file: string;
  function: string;
  line: number;
  count: number;
  errors: number;
  errorRate: number;
  ratePerMin: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  mappedBy: string;
  confidence: string;
  services: string[];
  explanation: string;
  /** Rows from a production backend name it (`prometheus (prod)`, `…, stale`); absent for spans. */
  source?: string;
}

function ms(v: number): number | null {
  return Number.isFinite(v) ? Math.round(v * 1000) / 1000 : null;
}

export function toRow(fs: FunctionStats): ReportRow {
  const s = fs.stats;
  return {
    file: fs.file,
    function: fs.function.qualifiedName,
    line: fs.function.startLine,
    count: s.count,
    errors: s.errors,
    errorRate: s.count ? s.errors / s.count : 0,
    ratePerMin: Math.round(((s.count * 60_000) / s.coveredMs) * 100) / 100,
    p50Ms: ms(s.p50Ms),
    p95Ms: ms(s.p95Ms),
    p99Ms: ms(s.p99Ms),
    maxMs: ms(s.maxMs),
    mappedBy: fs.mapping.rule,
    confidence: fs.mapping.confidence,
    services: fs.services,
    explanation: fs.mapping.explanation,
  };
}

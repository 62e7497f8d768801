// `prodlens report`: per-function numbers mapped into a workspace, from a running `prodlens
// serve` (--from) or from OTLP JSON files (one ExportTraceServiceRequest per line, as the
// Collector's file exporter writes them).
import { formatCount, formatErrorRate, formatMs } from '../core/format/numbers';
import { loadEngine } from './engine-input';
import { toRow, type ReportRow } from './report-rows';

export { readOtlpFile } from './engine-input';

export interface ReportOptions {
  workspace: string;
  from?: string;
  otlpFiles: string[];
  windowMs: number;
  environment?: string;
  json: boolean;
}

export async function runReport(o: ReportOptions): Promise<{ rows: ReportRow[]; unmapped: number }> {
  const engine = await loadEngine(o);
  const q = { windowMs: o.windowMs, ...(o.environment ? { environment: o.environment } : {}) };
  const stats = await engine.report(q);
  return { rows: stats.map(toRow), unmapped: engine.unmapped(q).reduce((n, u) => n + u.count, 0) };
}

export function printTable(rows: ReportRow[], unmapped: number): string {
  const head = ['function', 'location', 'count', 'p50', 'p95', 'p99', 'err', 'mapped by'];
  const body = rows.map((r) => [r.function, `${r.file}:${r.line}`, formatCount(r.count), formatMs(r.p50Ms ?? NaN), formatMs(r.p95Ms ?? NaN), formatMs(r.p99Ms ?? NaN), formatErrorRate(r.errors, r.count), `${r.mappedBy} (${r.confidence})`]);
  const all = [head, ...body];
  const widths = head.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
  const lines = all.map((row) => row.map((c, i) => (i >= 2 && i <= 6 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd());
  if (rows.length === 0) lines.push('(no spans mapped to functions in this workspace for the window)');
  if (unmapped > 0) lines.push(`${unmapped} span${unmapped === 1 ? '' : 's'} in the window did not map to a workspace function.`);
  return lines.join('\n');
}

// `prodlens report`: per-function numbers mapped into a workspace, from a running `prodlens
// serve` (--from) or from OTLP JSON files (one ExportTraceServiceRequest per line, as the
// Collector's file exporter writes them).
import { promises as fs } from 'node:fs';
import { createWorkspaceEngine } from '../core/engine/create';
import { formatCount, formatErrorRate, formatMs } from '../core/format/numbers';
import { decodeTraces, OtlpDecodeError } from '../core/ingest/otlp-decode';
import type { SpanRecord } from '../core/model';
import { deserializeInto } from '../core/store/persistence';
import { CliError } from './errors';
import { AGGREGATES_PATH } from './serve';
import { toRow, type ReportRow } from './report-rows';

export interface ReportOptions {
  workspace: string;
  from?: string;
  otlpFiles: string[];
  windowMs: number;
  environment?: string;
  json: boolean;
}

export async function readOtlpFile(file: string): Promise<SpanRecord[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as Error).message}`);
  }
  const spans: SpanRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    try {
      spans.push(...decodeTraces(Buffer.from(line), 'json').spans);
    } catch (e) {
      const last = lines.slice(i + 1).every((l) => l.trim() === '');
      const msg = e instanceof OtlpDecodeError ? e.message : String(e);
      // A torn last line is what a file still being written looks like: warn, keep the rest.
      if (last) process.stderr.write(`prodlens: warning: ${file}:${i + 1}: skipped an incomplete last line (${msg})\n`);
      else throw new CliError(`${file}:${i + 1}: not an OTLP JSON trace request: ${msg}`);
    }
  }
  return spans;
}

async function fetchAggregates(url: string): Promise<string> {
  const target = new URL(AGGREGATES_PATH, url.endsWith('/') ? url : `${url}/`);
  let res: Response;
  try {
    res = await fetch(target, { signal: AbortSignal.timeout(10_000) });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new CliError(`cannot reach ${target.origin}: ${cause?.code ?? cause?.message ?? (e as Error).message}`);
  }
  if (!res.ok) throw new CliError(`${target.href} answered HTTP ${res.status}; is it a \`prodlens serve\`?`);
  return res.text();
}

export async function runReport(o: ReportOptions): Promise<{ rows: ReportRow[]; unmapped: number }> {
  const spans: SpanRecord[] = [];
  for (const f of o.otlpFiles) spans.push(...(await readOtlpFile(f)));
  const remote = o.from ? await fetchAggregates(o.from) : undefined;
  // Windows end at the newest data: a file recorded yesterday still reports its last hour.
  let now = Date.now();
  if (!remote && spans.length) now = Math.max(...spans.map((s) => s.startMs + s.durationMs));
  const { engine } = await createWorkspaceEngine(o.workspace, { now: () => now });
  if (remote) {
    try {
      deserializeInto(engine.store, remote);
    } catch (e) {
      throw new CliError(`${o.from} sent aggregates this version cannot read: ${(e as Error).message}`);
    }
  }
  for (let i = 0; i < spans.length; i += 1000) engine.ingestSpans(spans.slice(i, i + 1000));
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

// `prodlens report`: per-function numbers mapped into a workspace, from a running `prodlens
// serve` (--from), from OTLP JSON files (one ExportTraceServiceRequest per line, as the
// Collector's file exporter writes them), and from production backends (`--source
// prometheus=URL`, or `prodlens.sources` in DIR/.vscode/settings.json, read as `prodlens alerts`
// reads them): one grouped query set per source, rows mapped by the same core as the editor's.
import { BackendStats } from '../core/engine/backend-stats';
import { formatCount, formatErrorRate, formatMs } from '../core/format/numbers';
import { PrometheusSource } from '../core/sources/prometheus';
import { sourceLabel } from '../core/sources/source';
import { fetchServeReport, loadEngine } from './engine-input';
import { unmappedReasons, type UnmappedReason } from '../core/insights/unmapped-reasons';
import { toRow, type ReportRow } from './report-rows';
import { loadSourceSetup, unusedSourceWarnings } from './source-flags';

export { readOtlpFile } from './engine-input';

export interface ReportOptions {
  workspace: string;
  /** Every folder of a multi-root workspace (`--workspace` more than once); default [workspace]. */
  workspaces?: string[];
  from?: string;
  otlpFiles: string[];
  windowMs: number;
  environment?: string;
  json: boolean;
  /** `--source KIND[@ENV]=URL` values; without any, prodlens.sources from the workspace settings. */
  sources?: readonly string[];
  env?: NodeJS.ProcessEnv;
}

export interface ReportResult {
  rows: ReportRow[];
  unmapped: number;
  /** The receiver's unmapped spans grouped by reason (backend rows are counted in `unmapped` only). */
  reasons: UnmappedReason[];
  /** Problems for stderr (a failing source, a token found in settings); never a token. */
  warnings: string[];
  /** True when a source failed (its last values, if any, are still in the rows, marked stale). */
  sourceFailed: boolean;
  /** `serve`: the rows came mapped from the running serve (--from on its workspace), without scanning here. */
  mappedBy: 'serve' | 'here';
}

/** Whether report has anything to read: files, a serve, or a Prometheus source. */
export function reportSources(
  o: Pick<ReportOptions, 'workspace' | 'sources' | 'env'>,
): ReturnType<typeof loadSourceSetup> {
  return loadSourceSetup({
    workspace: o.workspace,
    flags: o.sources ?? [],
    ...(o.env ? { env: o.env } : {}),
  });
}

export async function runReport(o: ReportOptions): Promise<ReportResult> {
  const setup = reportSources(o);
  const prom = setup.sources.filter((c) => c.kind === 'prometheus');
  if ((o.sources ?? []).length)
    setup.warnings.push(
      ...unusedSourceWarnings(
        'report',
        setup.sources,
        ['prometheus'],
        'per-function numbers from the receiver (--from, --source prodlens=URL) and Prometheus',
      ),
    );
  // Ask the backends while the workspace is scanned: both take time.
  const answers = Promise.all(
    prom.map(async (config) => {
      const r = await new PrometheusSource(config, setup.prometheus).functionStats(o.windowMs);
      return { config, r };
    }),
  );
  const q = { windowMs: o.windowMs, ...(o.environment ? { environment: o.environment } : {}) };
  // Only a running serve to read, on this very workspace: it has mapped everything already.
  if (o.from && o.otlpFiles.length === 0 && prom.length === 0) {
    const served = await fetchServeReport(o.from, o.workspaces ?? [o.workspace], q);
    if (served) {
      const reasons = served.unmapped;
      return {
        rows: served.functions,
        unmapped: missingSpans(reasons),
        reasons,
        warnings: [...setup.warnings],
        sourceFailed: false,
        mappedBy: 'serve',
      };
    }
  }
  const engine = await loadEngine(o);
  const stats = await engine.report(q);
  const rows = stats.map(toRow);
  const warnings = [...setup.warnings];
  let sourceFailed = false;
  const reasons = unmappedReasons(engine, q);
  let unmapped = missingSpans(reasons);
  const got = await answers;
  if (got.length) {
    const backend = new BackendStats({
      files: engine.files,
      functions: engine.codeLookup().functions,
      resolver: engine.codeLookup().resolver,
    });
    await backend.update(
      got.map(({ config, r }) => {
        if (!r.status.ok) {
          sourceFailed = true;
          warnings.push(r.status.message);
        }
        return {
          source: { kind: config.kind, environment: config.environment },
          rows: r.value,
          windowMs: o.windowMs,
          stale: r.status.stale,
          fetchedAt: r.fetchedAt ?? Date.now(),
          ...(r.status.ok ? {} : { message: r.status.message }),
        };
      }),
    );
    for (const fs of await backend.report(o.environment ? { environment: o.environment } : {}))
      rows.push({
        ...toRow(fs),
        source: fs.origin.stale ? `${fs.origin.label}, stale` : fs.origin.label,
      });
    unmapped += backend.unmapped().reduce((n, u) => n + Math.round(u.row.count), 0);
    rows.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
    for (const { config, r } of got)
      if (r.status.ok && (r.value?.length ?? 0) === 0)
        warnings.push(
          `${sourceLabel(config)} has no span metrics in the window (is the spanmetrics connector feeding it?)`,
        );
  }
  return { rows, unmapped, reasons, warnings, sourceFailed, mappedBy: 'here' };
}

/** Spans that did not map and should have (framework inner spans and outgoing calls left out on purpose do not count). */
function missingSpans(reasons: readonly UnmappedReason[]): number {
  return reasons.filter((r) => !r.expected).reduce((n, r) => n + r.count, 0);
}

/** Reasons printed under the table; --json has them all. */
const TOP_REASONS = 5;

export function printTable(
  rows: ReportRow[],
  unmapped: number,
  reasons: readonly UnmappedReason[] = [],
): string {
  const head = ['function', 'location', 'count', 'p50', 'p95', 'p99', 'err', 'mapped by'];
  const body = rows.map((r) => [
    r.function,
    `${r.file}:${r.line}`,
    formatCount(r.count),
    formatMs(r.p50Ms ?? NaN),
    formatMs(r.p95Ms ?? NaN),
    formatMs(r.p99Ms ?? NaN),
    formatErrorRate(r.errors, r.count),
    `${r.mappedBy} (${r.confidence})${r.source ? ` · ${r.source}` : ''}`,
  ]);
  const all = [head, ...body];
  const widths = head.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
  const lines = all.map((row) =>
    row
      .map((c, i) => (i >= 2 && i <= 6 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
  if (rows.length === 0)
    lines.push('(no spans mapped to functions in this workspace for the window)');
  if (unmapped > 0)
    lines.push(
      `${unmapped} span${unmapped === 1 ? '' : 's'} (or calls counted by a backend) in the window did not map to a workspace function.`,
    );
  const shown = reasons.filter((r) => !r.expected).slice(0, TOP_REASONS);
  if (shown.length) lines.push('Why:');
  for (const r of shown) {
    lines.push(`  ${formatCount(r.count)} span${r.count === 1 ? '' : 's'}: ${r.reason}`);
    lines.push(`      e.g. ${r.example.service} "${r.example.span}": ${r.example.explanation}`);
    if (r.paths)
      lines.push(
        `      paths: ${r.paths.examples.join(', ')}${r.paths.candidates.length ? `; workspace files: ${r.paths.candidates.join(', ')}` : ''}`,
      );
    if (r.fix) lines.push(`      fix: ${r.fix}`);
  }
  const quiet = reasons.filter((r) => r.expected).reduce((n, r) => n + r.count, 0);
  if (quiet > 0)
    lines.push(
      `(${formatCount(quiet)} more spans are framework inner spans or outgoing calls, left out on purpose; --json lists them.)`,
    );
  return lines.join('\n');
}

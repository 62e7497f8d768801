// Production data for the CLI commands that read it (report, impact): spans from OTLP JSON files
// (one ExportTraceServiceRequest per line, as the Collector's file exporter writes them) and/or
// the aggregates of a running `prodlens serve`, loaded into an Engine for a workspace.
import { promises as fs } from 'node:fs';
import { createWorkspaceEngine } from '../core/engine/create';
import type { Engine } from '../core/engine/engine';
import { decodeTraces, OtlpDecodeError } from '../core/ingest/otlp-decode';
import type { SpanRecord } from '../core/model';
import { CliError } from './errors';
import { AGGREGATES_PATH, REPORT_PATH } from './serve';
import type { ReportJson } from './report-rows';
import { workspaceMappingSettings } from './source-flags';
import { workspaceKey, workspaceSpec } from './workspace-arg';

export interface EngineInput {
  workspace: string;
  /** Every folder of a multi-root workspace; default [workspace]. */
  workspaces?: string[];
  from?: string;
  otlpFiles: readonly string[];
  /** Where warnings go (one line each, no trailing newline); stderr by default. */
  warn?: (line: string) => void;
}

const stderrWarn = (line: string) => void process.stderr.write(`${line}\n`);

export async function readOtlpFile(
  file: string,
  warn: (line: string) => void = stderrWarn,
): Promise<SpanRecord[]> {
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
      if (last)
        warn(`prodlens: warning: ${file}:${i + 1}: skipped an incomplete last line (${msg})`);
      else throw new CliError(`${file}:${i + 1}: not an OTLP JSON trace request: ${msg}`);
    }
  }
  return spans;
}

/** GET from a running serve; unreachable is a one-line CLI error naming its origin. */
async function getFromServe(target: URL, timeoutMs: number): Promise<Response> {
  try {
    return await fetch(target, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new CliError(
      `cannot reach ${target.origin}: ${cause?.code ?? cause?.message ?? (e as Error).message}`,
    );
  }
}

export async function fetchAggregates(url: string): Promise<string> {
  const target = new URL(AGGREGATES_PATH, url.endsWith('/') ? url : `${url}/`);
  const res = await getFromServe(target, 10_000);
  if (!res.ok)
    throw new CliError(`${target.href} answered HTTP ${res.status}; is it a \`prodlens serve\`?`);
  return res.text();
}

/**
 * The report of a running `prodlens serve`, mapped by serve on the workspace it has already
 * scanned, when that workspace is `workspace` (same real path); undefined when it is another one
 * or the serve is too old to say, so the caller maps locally instead.
 */
export async function fetchServeReport(
  url: string,
  workspace: readonly string[],
  q: { windowMs: number; environment?: string },
): Promise<ReportJson | undefined> {
  const target = new URL(REPORT_PATH, url.endsWith('/') ? url : `${url}/`);
  target.searchParams.set('window', String(q.windowMs));
  if (q.environment) target.searchParams.set('environment', q.environment);
  const res = await getFromServe(target, 30_000);
  if (!res.ok) return undefined;
  const answer = (await res.json()) as ReportJson & { workspace?: string };
  const mine = workspaceKey(workspace);
  if (
    answer.workspace !== mine ||
    !Array.isArray(answer.functions) ||
    !Array.isArray(answer.unmapped)
  )
    return undefined;
  return { functions: answer.functions, unmapped: answer.unmapped };
}

/**
 * An engine over the workspace holding the given data; its clock is set as `now` below. Paths map
 * through the workspace's `prodlens.pathMappings` (and skip `prodlens.exclude`), as in the editor.
 */
export async function loadEngine(o: EngineInput): Promise<Engine> {
  const spans: SpanRecord[] = [];
  for (const f of o.otlpFiles) spans.push(...(await readOtlpFile(f, o.warn)));
  const remote = o.from ? await fetchAggregates(o.from) : undefined;
  // Windows end at the newest data: a file recorded yesterday still reports its last hour.
  let now = Date.now();
  if (!remote && spans.length)
    now = spans.reduce((m, s) => Math.max(m, s.startMs + s.durationMs), -Infinity);
  const dirs = o.workspaces ?? [o.workspace];
  const { engine } = await createWorkspaceEngine(workspaceSpec(dirs), {
    now: () => now,
    ...workspaceMappingSettings(dirs),
  });
  if (remote) {
    try {
      engine.mergeAggregates(remote);
    } catch (e) {
      throw new CliError(
        `${o.from} sent aggregates this version cannot read: ${(e as Error).message}`,
      );
    }
  }
  for (let i = 0; i < spans.length; i += 1000) engine.ingestSpans(spans.slice(i, i + 1000));
  return engine;
}

// `prodlens alerts`: the alerts production backends hold right now (Alertmanager API v2,
// Prometheus alerting rules), each placed on a workspace function or told why not. Every source
// reports its own status; one that is down, slow or misconfigured costs its own alerts only.
import { parseArgs } from 'node:util';
import { createWorkspaceEngine } from '../core/engine/create';
import { AlertResolver } from '../core/sources/alert-resolution';
import { dedupeAlerts } from '../core/sources/alert-dedupe';
import { AlertmanagerSource } from '../core/sources/alertmanager';
import type { SourceResult } from '../core/sources/cache';
import { PrometheusSource } from '../core/sources/prometheus';
import { sourceLabel, type AlertRecord, type SourceConfig } from '../core/sources/source';
import { CliError } from './errors';
import { loadSourceSetup, unusedSourceWarnings, workspaceMappingSettings } from './source-flags';
import { workspaceDir } from './workspace-arg';

export const ALERTS_USAGE = `usage: prodlens alerts --workspace DIR [--source KIND[@ENV]=URL]... [--timeout 10s] [--json]
  --source   alertmanager=URL or prometheus=URL, repeatable; without it, prodlens.sources in DIR/.vscode/settings.json
  --timeout  per request (default 10s); tokens come from PRODLENS_<KIND>_TOKEN, sent as a Bearer token
exit status: 0 all sources answered, 1 a source failed (the others' alerts are still printed), 2 usage`;

export interface AlertsIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** One printed alert: the backend's fields plus where it is in the workspace. */
export interface AlertOutput extends Omit<AlertRecord, 'exemplarTraceIds'> {
  file: string | null;
  line: number | null;
  function: string | null;
  rule: string;
  confidence: string;
  unresolvedReason?: string;
  candidates?: string[];
}

export interface SourceOutput {
  kind: string;
  environment: string;
  url: string;
  ok: boolean;
  stale: boolean;
  latencyMs: number;
  message: string;
  alerts: number;
}

export async function runAlerts(
  argv: string[],
  io: AlertsIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      workspace: { type: 'string' },
      source: { type: 'string', multiple: true },
      timeout: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    io.stdout.write(`${ALERTS_USAGE}\n`);
    return 0;
  }
  const workspace = workspaceDir(values.workspace, 'alerts');
  const timeoutMs = parseTimeout(values.timeout);
  const setup = loadSourceSetup({
    workspace,
    flags: values.source ?? [],
    ...(timeoutMs ? { timeoutMs } : {}),
  });
  for (const w of setup.warnings) io.stderr.write(`prodlens: warning: ${w}\n`);
  // Sources named on the command line but of no use here are said; the editor's own ones in settings are not.
  if ((values.source ?? []).length)
    for (const w of unusedSourceWarnings(
      'alerts',
      setup.sources,
      ['alertmanager', 'prometheus'],
      'alerts from Alertmanager and Prometheus',
    ))
      io.stderr.write(`prodlens: warning: ${w}\n`);
  const alertSources = setup.sources.filter(
    (c) => c.kind === 'alertmanager' || c.kind === 'prometheus',
  );
  if (alertSources.length === 0)
    throw new CliError(
      `alerts needs at least one --source alertmanager=URL or prometheus=URL (or prodlens.sources in .vscode/settings.json)\n${ALERTS_USAGE}`,
      2,
    );

  // Ask the backends while the workspace is scanned and parsed: both take time.
  const fetched = Promise.all(alertSources.map((c) => fetchAlerts(c, setup.prometheus)));
  const { engine } = await createWorkspaceEngine(workspace, workspaceMappingSettings(workspace));
  const resolver = new AlertResolver({
    files: engine.files,
    functions: engine.codeLookup().functions,
    mapping: setup.alertMapping,
  });

  const results = await fetched;
  const sources: SourceOutput[] = results.map(({ config, result }) => ({
    kind: config.kind,
    environment: config.environment,
    url: displayUrl(config.url),
    ok: result.status.ok,
    stale: result.status.stale,
    latencyMs: result.status.latencyMs,
    message: result.status.message,
    alerts: result.value?.length ?? 0,
  }));
  const alerts: AlertOutput[] = [];
  for (const a of dedupeAlerts(results.flatMap((r) => r.result.value ?? []))) {
    const r = await resolver.resolve(a);
    const out: AlertOutput = {
      ...a,
      file: r.file ?? null,
      line: r.line ?? null,
      function: r.function ?? null,
      rule: r.rule,
      confidence: r.confidence,
    };
    delete (out as { exemplarTraceIds?: unknown }).exemplarTraceIds;
    if (r.unresolvedReason) out.unresolvedReason = r.unresolvedReason;
    if (r.candidates) out.candidates = r.candidates;
    alerts.push(out);
  }
  for (const s of sources) if (!s.ok) io.stderr.write(`prodlens: ${s.message}\n`);
  io.stdout.write(
    values.json
      ? `${JSON.stringify({ sources, alerts }, null, 2)}\n`
      : `${printAlerts(alerts, sources)}\n`,
  );
  return sources.every((s) => s.ok) ? 0 : 1;
}

async function fetchAlerts(
  config: SourceConfig,
  promOpts: ConstructorParameters<typeof PrometheusSource>[1],
): Promise<{ config: SourceConfig; result: SourceResult<AlertRecord[]> }> {
  try {
    const source =
      config.kind === 'prometheus'
        ? new PrometheusSource(config, promOpts)
        : new AlertmanagerSource(config);
    return { config, result: await source.alerts() };
  } catch (e) {
    // Only a malformed URL gets here: requests themselves never reject.
    return {
      config,
      result: { status: { ok: false, latencyMs: 0, message: (e as Error).message, stale: false } },
    };
  }
}

export function printAlerts(alerts: AlertOutput[], sources: SourceOutput[]): string {
  const lines = sources.map(
    (s) =>
      `${sourceLabel(s as Pick<SourceConfig, 'kind' | 'environment'>)} ${s.url}: ${s.ok ? `${s.alerts} alert${s.alerts === 1 ? '' : 's'}` : s.stale ? `STALE: ${s.message}` : `FAILED: ${s.message}`}`,
  );
  if (alerts.length === 0) lines.push('(no alerts)');
  for (const a of alerts) {
    const where = a.file
      ? `${a.file}:${a.line ?? 1}${a.function ? ` ${a.function}` : ''}`
      : `unresolved: ${a.unresolvedReason ?? 'no code location'}`;
    lines.push(
      `${a.state.padEnd(10)} ${(a.severity || '-').padEnd(9)} ${a.name}  →  ${where}${a.summary ? `\n${' '.repeat(21)}${a.summary}` : ''}`,
    );
  }
  return lines.join('\n');
}

/** `10s`, `500ms`, `2m` or plain milliseconds. */
function parseTimeout(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(v.trim());
  const n = m ? Number(m[1]) * (m[2] === 's' ? 1000 : m[2] === 'm' ? 60_000 : 1) : NaN;
  if (!(n >= 1 && n <= 600_000))
    throw new CliError(`--timeout ${v}: expected a duration such as 500ms, 10s or 1m`, 2);
  return Math.round(n);
}

function displayUrl(url: string): string {
  return url.replace(/\/\/[^/@\s]*@/, '//').replace(/\/$/, '');
}

// The `prodlens` command: the same core as the extension, without an editor.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseWindow } from '../core/format/windows';
import { CliError } from './errors';
import { printTable, reportSources, runReport } from './report';
import type { ReportJson } from './report-rows';
import { runServe } from './serve';
import { IMPACT_USAGE, runImpact } from './impact';
import { LOCATE_USAGE, runLocate } from './locate';
import { ALERTS_USAGE, runAlerts } from './alerts';
import { RUN_USAGE, runWithTelemetry } from './run';
import { splitReceiverSources } from './source-flags';
import { workspaceDirs } from './workspace-arg';

const SERVE_SYNOPSIS =
  'prodlens serve  --workspace DIR [--workspace DIR2...] [--port 4318] [--grpc-port 4317] [--host 127.0.0.1] [--data-dir DIR]';
const REPORT_SYNOPSIS =
  'prodlens report --workspace DIR [--workspace DIR2...] (--from URL | --otlp-file FILE... | --source KIND[@ENV]=URL...) [--window 1h] [--environment ENV] [--json]';

/** Each subcommand's own usage, for `prodlens CMD --help` and after a usage error. */
const COMMAND_USAGE: Record<string, string> = {
  serve: `usage: ${SERVE_SYNOPSIS}
runs the OTLP/HTTP receiver (and OTLP/gRPC with --grpc-port; 0 = any free port) and the store
headless for the workspace DIR (several --workspace: a multi-root workspace, files named folder/path);
prints "listening on URL" when ready; --data-dir keeps aggregates.`,
  report: `usage: ${REPORT_SYNOPSIS}
prints per-function latency, throughput and errors mapped into DIR, then why the rest did not map
(--json: { functions, unmapped }). --from reads a running \`prodlens serve\`; --otlp-file reads OTLP
JSON lines; --source KIND[@ENV]=URL adds Prometheus span metrics (token from PRODLENS_PROMETHEUS_TOKEN).`,
  impact: `usage: ${IMPACT_USAGE}
reviews the working tree's changed functions against production (risk, callers, alerts).`,
  locate: LOCATE_USAGE,
  alerts: ALERTS_USAGE,
  run: RUN_USAGE,
};

const USAGE = `usage:
  ${SERVE_SYNOPSIS}
  ${REPORT_SYNOPSIS}
  ${IMPACT_USAGE}
  ${LOCATE_USAGE.split('\n')[0]!.replace(/^usage: /, '')}
  ${ALERTS_USAGE.split('\n')[0]!.replace(/^usage: /, '')}
  ${RUN_USAGE.split('\n')[0]!.replace(/^usage: /, '')}

serve   runs the OTLP/HTTP receiver (and OTLP/gRPC with --grpc-port; 0 = any free port) and store
        headless; prints "listening on URL" when ready.
report  prints per-function latency, throughput and errors mapped into DIR; --source (or prodlens.sources
        in DIR/.vscode/settings.json) adds Prometheus span metrics, token from PRODLENS_PROMETHEUS_TOKEN;
        --source prodlens=URL is a running \`prodlens serve\` (as --from). KIND: prometheus, alertmanager,
        tempo, jaeger, zipkin, loki, sentry, prodlens (each command reads the kinds it uses, and says so).
impact  reviews the working tree's changed functions against production (risk, callers, alerts).
locate  resolves stack traces, log lines and spans to workspace files, lines and functions.
alerts  lists firing alerts from Alertmanager/Prometheus, each resolved to code.
run     runs your service with OpenTelemetry pointed at ProdLens (Node: auto-instrumentation and code origin).`;

function port(v: string | undefined, fallback: number, flag = '--port'): number {
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v) || Number(v) > 65535)
    throw new CliError(`${flag} ${v}: not a port number (0-65535)`, 2);
  return Number(v);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  // `run`'s own flags end at `--`; what follows is the service's command line.
  const ownArgs =
    command === 'run' && rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  if (
    Object.hasOwn(COMMAND_USAGE, command) &&
    (ownArgs.includes('--help') || ownArgs.includes('-h'))
  ) {
    process.stdout.write(`${COMMAND_USAGE[command]}\n`);
    return 0;
  }
  if (command === 'serve') {
    const { values } = parseArgs({
      args: rest,
      options: {
        workspace: { type: 'string', multiple: true },
        port: { type: 'string' },
        'grpc-port': { type: 'string' },
        host: { type: 'string' },
        'data-dir': { type: 'string' },
      },
      strict: true,
    });
    const workspaces = workspaceDirs(values.workspace);
    const o = {
      workspace: workspaces[0]!,
      workspaces,
      host: values.host ?? '127.0.0.1',
      port: port(values.port, 4318),
      ...(values['grpc-port'] !== undefined
        ? { grpcPort: port(values['grpc-port'], 4317, '--grpc-port') }
        : {}),
    };
    await runServe(values['data-dir'] ? { ...o, dataDir: resolve(values['data-dir']) } : o);
    return 0;
  }
  if (command === 'report') {
    const { values } = parseArgs({
      args: rest,
      options: {
        workspace: { type: 'string', multiple: true },
        from: { type: 'string' },
        'otlp-file': { type: 'string', multiple: true },
        source: { type: 'string', multiple: true },
        window: { type: 'string' },
        environment: { type: 'string' },
        json: { type: 'boolean' },
      },
      strict: true,
    });
    const workspaces = workspaceDirs(values.workspace);
    const workspace = workspaces[0]!;
    const files = values['otlp-file'] ?? [];
    // --source prodlens=URL is the embedded receiver (`prodlens serve`) as a source: --from.
    const { receiver, rest: sources } = splitReceiverSources(values.source ?? []);
    if (receiver && !values.from) values.from = receiver;
    if (
      !values.from &&
      files.length === 0 &&
      !reportSources({ workspace, sources }).sources.some((c) => c.kind === 'prometheus')
    ) {
      throw new CliError(
        'report needs --from URL or at least one --otlp-file FILE, or --source prometheus=URL (or a prometheus entry in prodlens.sources)',
        2,
      );
    }
    if (values.from && !/^https?:\/\//.test(values.from))
      throw new CliError(`--from ${values.from}: expected an http:// or https:// URL`, 2);
    const windowMs = parseWindow(values.window ?? '1h');
    if (windowMs === undefined)
      throw new CliError(
        `--window ${values.window}: expected a duration from 1m to 7d, such as 15m, 1h or 7d`,
        2,
      );
    const { rows, unmapped, reasons, warnings, sourceFailed, mappedBy } = await runReport({
      workspace,
      workspaces,
      otlpFiles: files,
      sources,
      windowMs,
      json: values.json ?? false,
      ...(values.from ? { from: values.from } : {}),
      ...(values.environment ? { environment: values.environment } : {}),
    });
    for (const w of warnings) process.stderr.write(`prodlens: warning: ${w}\n`);
    const json: ReportJson = { functions: rows, unmapped: reasons };
    process.stdout.write(
      values.json
        ? `${JSON.stringify(json, null, 2)}\n`
        : `${printTable(rows, unmapped, reasons)}\n`,
    );
    if (!values.json && mappedBy === 'serve')
      process.stdout.write(
        `(mapped by the serve at ${values.from}, which has this workspace indexed)\n`,
      );
    return sourceFailed ? 1 : 0;
  }
  if (command === 'impact') return runImpact(rest);
  if (command === 'locate') return runLocate(rest);
  if (command === 'alerts') return runAlerts(rest);
  if (command === 'run') return runWithTelemetry(rest);
  throw new CliError(`unknown command "${command}"\n${USAGE}`, 2);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // parseArgs throws TypeErrors with codes like ERR_PARSE_ARGS_UNKNOWN_OPTION: usage errors.
    const code = (e as { code?: string }).code;
    const usage = typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
    const message = e instanceof Error ? e.message : String(e);
    process.exitCode = e instanceof CliError ? e.exitCode : usage ? 2 : 1;
    // A usage error names the command's synopsis too, so the fix is on screen.
    const command = process.argv[2] ?? '';
    const synopsis =
      process.exitCode === 2 && Object.hasOwn(COMMAND_USAGE, command)
        ? `\n${COMMAND_USAGE[command]!.split('\n')[0]}`
        : '';
    process.stderr.write(`prodlens: ${message.split('\n')[0]}${synopsis}\n`);
  },
);

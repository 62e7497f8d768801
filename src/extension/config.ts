// Typed view of the `prodlens.*` settings declared in package.json. Bad values are reported
// (returned as problems for the caller to show) and replaced by defaults, never thrown.
import * as vscode from 'vscode';
import { folderPrefix } from './workspace-paths';
import { rulesUnderFolder, validatePathRules, type PathRule } from '../core/mapping/path-rules';
import { WINDOWS, type WindowId } from '../core/format/windows';
import { DEFAULT_RULES, type LocalAlertRules } from '../core/insights/local-alerts';

export interface ProdLensConfig {
  receiverEnabled: boolean;
  receiverHost: string;
  receiverPort: number;
  /** OTLP/gRPC receiver port; 0 = no gRPC receiver. */
  grpcPort: number;
  maxBodyBytes: number;
  window: WindowId;
  windowMs: number;
  environment: string;
  pathRules: PathRule[];
  excludeDirs: string[];
  codeLensEnabled: boolean;
  showNoData: boolean;
  maxFileLines: number;
  alertRules: LocalAlertRules;
  /** Notify when an alert starts firing (`prodlens.alerts.notify`). */
  alertsNotify: boolean;
  /** Alert label value → workspace function, for alerts whose labels name no code (`prodlens.alerts.codeMapping`). */
  alertCodeMapping: Record<string, string>;
  /** The lowest risk that makes the after-commit check speak up (`prodlens.impact.commitCheck`). */
  commitCheck: CommitCheckLevel;
  /** Also list production exceptions in the Problems view (`prodlens.errors.showInProblems`). */
  errorsInProblems: boolean;
}

export const COMMIT_CHECK_LEVELS = ['off', 'low', 'medium', 'high'] as const;
export type CommitCheckLevel = (typeof COMMIT_CHECK_LEVELS)[number];

export const SECTION = 'prodlens';

export function readConfig(scope?: vscode.Uri): { config: ProdLensConfig; problems: string[] } {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  const problems: string[] = [];
  const windowSetting = c.get<string>('window', '15m');
  // Own keys only: `'toString' in WINDOWS` is true.
  const window: WindowId = Object.hasOwn(WINDOWS, windowSetting)
    ? (windowSetting as WindowId)
    : '15m';
  if (window !== windowSetting)
    problems.push(
      `prodlens.window "${windowSetting}" is not one of ${Object.keys(WINDOWS).join(', ')}; using 15m`,
    );
  let port = c.get<number>('receiver.port', 4318);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    problems.push(`prodlens.receiver.port ${String(port)} is not a port number; using 4318`);
    port = 4318;
  }
  let grpcPort = c.get<number>('receiver.grpcPort', 4317);
  if (!Number.isInteger(grpcPort) || grpcPort < 0 || grpcPort > 65535) {
    problems.push(
      `prodlens.receiver.grpcPort ${String(grpcPort)} is not a port number (0 turns gRPC off); using 4317`,
    );
    grpcPort = 4317;
  }
  const rules = folderPathRules(problems);
  // An untrusted workspace must not widen where the receiver listens.
  const hostInfo = c.inspect<string>('receiver.host');
  let host = hostInfo?.globalValue ?? hostInfo?.defaultValue ?? '127.0.0.1';
  if (vscode.workspace.isTrusted) host = c.get<string>('receiver.host', host);
  const maxMiB = c.get<number>('receiver.maxBodyMiB', 16);
  const config: ProdLensConfig = {
    receiverEnabled: c.get<boolean>('receiver.enabled', true),
    receiverHost: host,
    receiverPort: port,
    grpcPort,
    maxBodyBytes: Math.max(1, Number.isFinite(maxMiB) ? maxMiB : 16) * 1024 * 1024,
    window,
    windowMs: WINDOWS[window],
    environment: c.get<string>('environment', '').trim(),
    pathRules: rules,
    excludeDirs: (c.get<unknown[]>('exclude', []) ?? []).filter(
      (x): x is string => typeof x === 'string',
    ),
    codeLensEnabled: c.get<boolean>('codeLens.enabled', true),
    showNoData: c.get<boolean>('codeLens.showNoData', false),
    maxFileLines: c.get<number>('codeLens.maxFileLines', 20_000),
    alertsNotify: c.get<boolean>('alerts.notify', true) !== false,
    alertCodeMapping: stringMap(
      c.get<unknown>('alerts.codeMapping', {}),
      'prodlens.alerts.codeMapping',
      problems,
    ),
    commitCheck: oneOf(
      c.get<unknown>('impact.commitCheck', 'high'),
      COMMIT_CHECK_LEVELS,
      'high',
      'prodlens.impact.commitCheck',
      problems,
    ),
    errorsInProblems: c.get<boolean>('errors.showInProblems', false) === true,
    alertRules: {
      errorRate: positive(
        c.get<number>('alerts.errorRatePercent', DEFAULT_RULES.errorRate * 100) / 100,
        DEFAULT_RULES.errorRate,
        'prodlens.alerts.errorRatePercent',
        problems,
      ),
      p95Regression: positive(
        c.get<number>('alerts.p95RegressionRatio', DEFAULT_RULES.p95Regression),
        DEFAULT_RULES.p95Regression,
        'prodlens.alerts.p95RegressionRatio',
        problems,
      ),
      minSamples: positive(
        c.get<number>('alerts.minSamples', DEFAULT_RULES.minSamples),
        DEFAULT_RULES.minSamples,
        'prodlens.alerts.minSamples',
        problems,
      ),
    },
  };
  return { config, problems };
}

/** `prodlens.javaAgentPath` for a folder (machine-overridable, so read where the folder is). */
export function javaAgentPath(folder?: vscode.WorkspaceFolder): string {
  return vscode.workspace
    .getConfiguration(SECTION, folder?.uri)
    .get<string>('javaAgentPath', '')
    .trim();
}

function oneOf<T extends string>(
  v: unknown,
  allowed: readonly T[],
  fallback: T,
  key: string,
  problems: string[],
): T {
  if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
  problems.push(
    `${key} ${JSON.stringify(v)} is not one of ${allowed.join(', ')}; using ${fallback}`,
  );
  return fallback;
}

function stringMap(v: unknown, key: string, problems: string[]): Record<string, string> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) {
    problems.push(`${key} must be an object of label values to functions; ignoring it`);
    return {};
  }
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === 'string') out[k] = x;
    else problems.push(`${key}.${k} must be a string; ignoring it`);
  }
  return out;
}

function positive(v: number, fallback: number, key: string, problems: string[]): number {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return v;
  problems.push(`${key} must be a positive number; using ${fallback}`);
  return fallback;
}

/**
 * `prodlens.pathMappings`. In a multi-root workspace each folder's own setting applies to its own
 * files: its rules' targets are put behind the folder's name, as the engine names that folder's files.
 */
function folderPathRules(problems: string[]): PathRule[] {
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
  const scopes = folders.length > 1 ? folders : [undefined];
  const rules: PathRule[] = [];
  for (const folder of scopes) {
    const found = validatePathRules(
      vscode.workspace.getConfiguration(SECTION, folder?.uri).get('pathMappings'),
    );
    const where = folder ? ` (folder ${folder.name})` : '';
    for (const p of found.problems)
      problems.push(
        `prodlens.pathMappings${p.index >= 0 ? `[${p.index}]` : ''}${where}: ${p.message}`,
      );
    rules.push(...rulesUnderFolder(found.rules, folder ? folderPrefix(folder) : ''));
  }
  return rules;
}

// Which production backends a command reads, from `--source KIND[@ENV]=URL` flags (repeatable)
// or, when none is given, from the workspace's `.vscode/settings.json` (`prodlens.sources`).
// Tokens come only from the environment (`PRODLENS_<KIND>[_<ENV>]_TOKEN`): a token in a settings
// file would end up committed, so one found there is ignored with a warning.
import { readFileSync } from 'node:fs';
import { parse as parseJsoncText, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { join } from 'node:path';
import { workspaceRoots } from '../core/mapping/workspace-files';
import { rulesUnderFolder, validatePathRules, type PathRule } from '../core/mapping/path-rules';
import type { PrometheusOptions, PromQueryTemplates } from '../core/sources/prometheus';
import {
  isEditorSourceKind,
  isSourceKind,
  SOURCE_KINDS,
  type SourceConfig,
  type SourceKind,
} from '../core/sources/source';
import { CliError } from './errors';

export interface SourceSetup {
  sources: SourceConfig[];
  /** `prodlens.alerts.codeMapping`: alertname → `file#function`. */
  alertMapping: Record<string, string>;
  prometheus: PrometheusOptions;
  /** Problems worth a line on stderr (never containing a token). */
  warnings: string[];
}

export interface SourceSetupInput {
  workspace: string;
  /** Values of `--source`, in order. */
  flags: readonly string[];
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/**
 * `--source prodlens=URL` is a running `prodlens serve` (the embedded receiver as a source): the
 * same as `--from URL`. Returns the URL and the flags without it.
 */
export function splitReceiverSources(flags: readonly string[]): {
  receiver?: string;
  rest: string[];
} {
  const rest: string[] = [];
  let receiver: string | undefined;
  for (const f of flags) {
    const m = /^prodlens(?:@[^=]*)?=(.*)$/.exec(f);
    if (!m) rest.push(f);
    else if (!/^https?:\/\/[^/]/.test(m[1]!.trim()))
      throw new CliError(
        `--source prodlens=${redactUrl(m[1]!)}: expected an http:// or https:// URL`,
        2,
      );
    else receiver = m[1]!.trim();
  }
  return receiver ? { receiver, rest } : { rest };
}

/** What a command does not read among the configured sources, as warnings (kinds are all valid). */
export function unusedSourceWarnings(
  command: string,
  sources: readonly SourceConfig[],
  used: readonly SourceKind[],
  what: string,
): string[] {
  return sources
    .filter((c) => !used.includes(c.kind))
    .map(
      (c) =>
        `${command} reads ${what}; the ${c.kind} source (${redactUrl(c.url)}) is for the editor (traces, logs and errors on the code) and is not used here`,
    );
}

/** `prometheus=http://h:9090` or `prometheus@staging=http://h:9090`. */
export function parseSourceFlag(
  value: string,
  defaultEnvironment: string,
): Omit<SourceConfig, 'token'> {
  const eq = value.indexOf('=');
  const head = eq < 0 ? '' : value.slice(0, eq);
  const url = eq < 0 ? '' : value.slice(eq + 1).trim();
  const [kind = '', environment] = head.split('@');
  if (!isSourceKind(kind))
    throw new CliError(
      `--source ${redactUrl(value)}: expected KIND=URL with KIND one of ${[...SOURCE_KINDS, 'prodlens'].join(', ')}`,
      2,
    );
  if (!/^https?:\/\/[^/]/.test(url))
    throw new CliError(
      `--source ${kind}=${redactUrl(url)}: expected an http:// or https:// URL`,
      2,
    );
  return { kind, url, environment: environment ?? defaultEnvironment };
}

/** VS Code's settings.json is JSONC: comments and trailing commas are allowed (jsonc-parser, as VS Code reads it). */
export function parseJsonc(text: string): unknown {
  const errors: ParseError[] = [];
  const value = parseJsoncText(text, errors, { allowTrailingComma: true, disallowComments: false });
  const first = errors[0];
  if (first) {
    const line = text.slice(0, first.offset).split('\n').length;
    throw new SyntaxError(`${printParseErrorCode(first.error)} at line ${line}`);
  }
  return value as unknown;
}

/** The `prodlens.*` keys of DIR/.vscode/settings.json; {} when there is no such file. */
export function readWorkspaceSettings(workspace: string): Record<string, unknown> {
  const file = join(workspace, '.vscode', 'settings.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  let parsed: unknown;
  try {
    parsed = text.trim() ? parseJsonc(text) : {};
  } catch (e) {
    throw new CliError(
      `.vscode/settings.json in ${workspace} is not valid JSON with comments: ${(e as Error).message}`,
    );
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
  return Object.fromEntries(Object.entries(parsed).filter(([k]) => k.startsWith('prodlens.')));
}

/**
 * What DIR/.vscode/settings.json says about mapping: `prodlens.pathMappings` (deployed prefix →
 * workspace folder) and `prodlens.exclude`, as the editor applies them.
 */
export function workspaceMappingSettings(workspace: string | readonly string[]): {
  pathRules: PathRule[];
  excludeDirs: string[];
} {
  const dirs = typeof workspace === 'string' ? [workspace] : workspace;
  const names = workspaceRoots(dirs.map((path) => ({ path }))).map((r) => r.name);
  const pathRules: PathRule[] = [];
  const excludeDirs = new Set<string>();
  dirs.forEach((dir, i) => {
    const settings = readWorkspaceSettings(dir);
    const { rules } = validatePathRules(settings['prodlens.pathMappings'] ?? []);
    pathRules.push(...rulesUnderFolder(rules, dirs.length > 1 ? `${names[i]}/` : ''));
    if (Array.isArray(settings['prodlens.exclude']))
      for (const x of settings['prodlens.exclude']) if (typeof x === 'string') excludeDirs.add(x);
  });
  return { pathRules, excludeDirs: [...excludeDirs] };
}

/** The token for a source from the environment: the per-environment variable wins. */
export function tokenFor(
  kind: SourceKind,
  environment: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const envPart = environment.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
  const names = [
    ...(envPart ? [`PRODLENS_${kind.toUpperCase()}_${envPart}_TOKEN`] : []),
    `PRODLENS_${kind.toUpperCase()}_TOKEN`,
  ];
  for (const n of names) {
    const v = env[n]?.trim();
    if (v) return v;
  }
  return undefined;
}

export function loadSourceSetup(input: SourceSetupInput): SourceSetup {
  const settings = readWorkspaceSettings(input.workspace);
  const env = input.env ?? process.env;
  const warnings: string[] = [];
  const defaultEnv = str(settings['prodlens.environment']) ?? '';
  let configs: Omit<SourceConfig, 'token'>[];
  if (input.flags.length > 0) {
    configs = input.flags.map((f) => parseSourceFlag(f, defaultEnv));
  } else {
    configs = [];
    const listed = settings['prodlens.sources'];
    for (const [i, entry] of (Array.isArray(listed) ? listed : []).entries()) {
      const e = (entry ?? {}) as Record<string, unknown>;
      const kind = str(e.kind) ?? '';
      const url = str(e.url) ?? '';
      if ('token' in e)
        warnings.push(
          `prodlens.sources[${i}] has a token in settings.json; it is ignored: set PRODLENS_${kind.toUpperCase() || 'KIND'}_TOKEN in the environment instead`,
        );
      // Sentry, Loki and trace backends feed the editor's errors, log lines and panel; the CLI has no use for them.
      if (isEditorSourceKind(kind) && !isSourceKind(kind)) continue;
      if (!isSourceKind(kind) || !/^https?:\/\//.test(url)) {
        warnings.push(
          `prodlens.sources[${i}] is skipped: it needs "kind" (${SOURCE_KINDS.join(' or ')}) and an http(s) "url"`,
        );
        continue;
      }
      const c: Omit<SourceConfig, 'token'> = {
        kind,
        url,
        environment: str(e.environment) ?? defaultEnv,
      };
      const t = e.timeoutMs;
      if (typeof t === 'number' && t > 0) c.timeoutMs = t;
      configs.push(c);
    }
  }
  const sources = configs.map((c) => {
    const s: SourceConfig = { ...c };
    if (input.timeoutMs) s.timeoutMs = input.timeoutMs;
    const token = tokenFor(c.kind, c.environment, env);
    if (token) s.token = token;
    return s;
  });
  return {
    sources,
    alertMapping: stringMap(settings['prodlens.alerts.codeMapping']),
    prometheus: prometheusOptions(settings),
    warnings,
  };
}

function prometheusOptions(s: Record<string, unknown>): PrometheusOptions {
  const o: PrometheusOptions = {};
  const flavor = str(s['prodlens.prometheus.flavor']);
  if (flavor === 'auto' || flavor === 'spanmetrics' || flavor === 'tempo') o.flavor = flavor;
  for (const k of [
    'callsMetric',
    'bucketMetric',
    'serviceLabel',
    'spanNameLabel',
    'statusLabel',
    'errorStatus',
    'codeFunctionLabel',
    'codeFileLabel',
    'matchers',
  ] as const) {
    const v = str(s[`prodlens.prometheus.${k}`]);
    if (v) o[k] = v;
  }
  const unit = str(s['prodlens.prometheus.durationUnit']);
  if (unit === 'ms' || unit === 's') o.durationUnit = unit;
  const q = stringMap(s['prodlens.prometheus.queries']);
  const queries: Partial<PromQueryTemplates> = {};
  for (const k of ['calls', 'errors', 'quantile'] as const) if (q[k]) queries[k] = q[k];
  if (Object.keys(queries).length) o.queries = queries;
  return o;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

function stringMap(v: unknown): Record<string, string> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
  return Object.fromEntries(
    Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

/** A URL as safe to print: `user:pass@` removed. */
function redactUrl(s: string): string {
  return s.replace(/\/\/[^/@\s]*@/, '//***@');
}

// What "Run with telemetry" changes to run a service with OpenTelemetry pointed at ProdLens, with
// no change to its code: which runtime a folder holds, the OTEL_* environment (endpoint, protocol,
// service name, `deployment.environment.name=local`, the git revision as `vcs.ref.head.revision`),
// and per runtime the agent to load (Node: the auto-instrumentation's register plus ProdLens's
// code-origin preload in NODE_OPTIONS; Python: `opentelemetry-instrument`; Java: `-javaagent`).
// Shared by the editor's command and launch configurations and by `prodlens run`.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';

export type Runtime = 'node' | 'python' | 'java' | 'dotnet' | 'go';

/** The package the Node agent comes from, and the module `--require` loads. */
export const NODE_AGENT_PACKAGE = '@opentelemetry/auto-instrumentations-node';
export const NODE_AGENT_REGISTER = `${NODE_AGENT_PACKAGE}/register`;

const MARKERS: [Runtime, string[]][] = [
  ['node', ['package.json']],
  ['python', ['pyproject.toml', 'requirements.txt', 'setup.py', 'Pipfile', 'manage.py']],
  ['java', ['pom.xml', 'build.gradle', 'build.gradle.kts']],
  ['go', ['go.mod']],
];

/** The runtimes a folder's top-level file names point to. */
export function detectRuntimes(entries: readonly string[]): Runtime[] {
  const names = new Set(entries);
  const found: Runtime[] = MARKERS.filter(([, files]) => files.some((f) => names.has(f))).map(
    ([r]) => r,
  );
  if (entries.some((e) => /\.(csproj|fsproj|sln)$/.test(e))) found.push('dotnet');
  return found;
}

export interface PackageInfo {
  name?: string;
  scripts: Record<string, string>;
  main?: string;
}

/** package.json's name, scripts and main; undefined when it is missing or unreadable. */
export function readPackage(folder: string): PackageInfo | undefined {
  try {
    const pkg = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as {
      name?: unknown;
      scripts?: unknown;
      main?: unknown;
    };
    const scripts: Record<string, string> = {};
    if (pkg.scripts && typeof pkg.scripts === 'object')
      for (const [k, v] of Object.entries(pkg.scripts)) if (typeof v === 'string') scripts[k] = v;
    const info: PackageInfo = { scripts };
    if (typeof pkg.name === 'string' && pkg.name) info.name = pkg.name;
    if (typeof pkg.main === 'string' && pkg.main) info.main = pkg.main;
    return info;
  } catch {
    return undefined;
  }
}

/** Scripts that start a service, in the order a user would pick them. */
export function serviceScripts(scripts: Record<string, string>): string[] {
  const rank = (name: string) => {
    const i = ['start', 'dev', 'serve', 'start:dev', 'start:prod', 'server'].indexOf(name);
    return i >= 0 ? i : /start|serve|dev|run/.test(name) ? 10 : 20;
  };
  return Object.keys(scripts)
    .filter(
      (n) =>
        !/^(pre|post)/.test(n) && !/^(test|lint|build|format|prettier|typecheck|clean)/.test(n),
    )
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

export type PackageManager = 'npm' | 'pnpm' | 'yarn' | 'bun';

export function packageManager(folder: string): PackageManager {
  if (existsSync(join(folder, 'pnpm-lock.yaml'))) return 'pnpm';
  if (existsSync(join(folder, 'yarn.lock'))) return 'yarn';
  if (existsSync(join(folder, 'bun.lockb')) || existsSync(join(folder, 'bun.lock'))) return 'bun';
  return 'npm';
}

/** The command that adds the Node agent as a dev dependency. */
export function installAgentCommand(pm: PackageManager): string {
  const pkgs = `${NODE_AGENT_PACKAGE} @opentelemetry/api`;
  return {
    npm: `npm install --save-dev ${pkgs}`,
    pnpm: `pnpm add -D ${pkgs}`,
    yarn: `yarn add -D ${pkgs}`,
    bun: `bun add -d ${pkgs}`,
  }[pm];
}

/** The command that runs a package script. */
export function runScriptCommand(pm: PackageManager, script: string): string {
  return pm === 'npm' ? `npm run ${script}` : `${pm} run ${script}`;
}

/** Where the folder's Node agent register module is, or undefined when the folder lacks the package. */
export function resolveNodeAgent(folder: string): string | undefined {
  try {
    return createRequire(join(folder, 'package.json')).resolve(NODE_AGENT_REGISTER);
  } catch {
    return undefined;
  }
}

/** An executable on PATH (or in the folder's virtual environment), as a path; undefined when absent. */
export function findExecutable(
  name: string,
  folder: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const exts = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  const dirs = [
    join(folder, '.venv', process.platform === 'win32' ? 'Scripts' : 'bin'),
    join(folder, 'venv', 'bin'),
    ...(env.PATH ?? '').split(delimiter),
  ].filter(Boolean);
  for (const d of dirs)
    for (const e of exts) if (existsSync(join(d, name + e))) return join(d, name + e);
  return undefined;
}

/** NODE_OPTIONS accepts double-quoted values: paths with spaces survive. */
export function nodeOptionRequire(path: string): string {
  return `--require ${/[\s"]/.test(path) ? `"${path.replace(/(["\\])/g, '\\$1')}"` : path}`;
}

export interface TelemetryEnvInput {
  /** The OTLP/HTTP endpoint (the receiver's base URL, without /v1/traces). */
  endpoint: string;
  serviceName: string;
  revision?: string;
  /** The environment it will run in, for appending to NODE_OPTIONS / OTEL_RESOURCE_ATTRIBUTES. */
  base?: NodeJS.ProcessEnv;
}

/** The OTEL_* variables every runtime's SDK reads. */
export function otelEnv(input: TelemetryEnvInput): Record<string, string> {
  const resource = [
    `deployment.environment.name=local`,
    ...(input.revision ? [`vcs.ref.head.revision=${input.revision}`] : []),
  ];
  const existing = input.base?.OTEL_RESOURCE_ATTRIBUTES;
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: input.endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_SERVICE_NAME: input.serviceName,
    OTEL_RESOURCE_ATTRIBUTES: existing ? `${existing},${resource.join(',')}` : resource.join(','),
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_LOGS_EXPORTER: 'otlp',
    OTEL_METRICS_EXPORTER: 'otlp',
    // Short batches: a developer watching lenses wants a request on code in seconds, not in 5 s.
    OTEL_BSP_SCHEDULE_DELAY: '1000',
    OTEL_BLRP_SCHEDULE_DELAY: '1000',
  };
}

/** Node: the OTEL_* variables, and NODE_OPTIONS loading the agent and the code-origin preload. */
export function nodeEnv(
  input: TelemetryEnvInput & { register: string; codeOrigin?: string },
): Record<string, string> {
  const requires = [
    nodeOptionRequire(input.register),
    ...(input.codeOrigin ? [nodeOptionRequire(input.codeOrigin)] : []),
  ].join(' ');
  const prior = input.base?.NODE_OPTIONS?.trim();
  return {
    ...otelEnv(input),
    // Cloud resource detectors probe metadata endpoints that a laptop does not have (seconds of start-up).
    OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process',
    NODE_OPTIONS: prior ? `${prior} ${requires}` : requires,
  };
}

/** The service name: package.json's name (scope dropped), else the folder's name. */
export function serviceNameFor(folderName: string, pkg?: PackageInfo): string {
  const name = pkg?.name?.replace(/^@[^/]+\//, '') ?? folderName;
  return name.replace(/[^\w.-]+/g, '-') || 'service';
}

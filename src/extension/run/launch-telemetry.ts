// Run and Debug with telemetry: launch configurations that say `"prodlensTelemetry": true` get the
// same environment "Run with Telemetry" sets (Node: the auto-instrumentation and the code-origin
// preload in NODE_OPTIONS; Java: `-javaagent` in vmArgs; Python, .NET, Go: the OTEL_* variables),
// and the Run and Debug view offers one such configuration per service script of each folder.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { headCommit } from '../../core/impact/git';
import {
  nodeEnv,
  otelEnv,
  packageManager,
  readPackage,
  serviceNameFor,
  serviceScripts,
} from '../../core/run/telemetry-env';
import {
  ensureNodeAgent,
  javaAgent,
  receiverEndpoint,
  type RunContext,
} from './run-with-telemetry';

/** The launch.json attribute that asks for telemetry. */
export const TELEMETRY_ATTRIBUTE = 'prodlensTelemetry';

const NODE_TYPES = ['node', 'pwa-node'];
const OTHER_TYPES = ['java', 'debugpy', 'python', 'coreclr', 'go'];

type Config = vscode.DebugConfiguration & {
  env?: Record<string, string | null>;
  vmArgs?: string | string[];
  cwd?: string;
};

class TelemetryLaunches implements vscode.DebugConfigurationProvider {
  constructor(
    private readonly ctx: RunContext,
    private readonly type: string,
  ) {}

  async resolveDebugConfigurationWithSubstitutedVariables(
    folder: vscode.WorkspaceFolder | undefined,
    config: Config,
  ): Promise<vscode.DebugConfiguration | undefined> {
    if (config[TELEMETRY_ATTRIBUTE] !== true) return config;
    const endpoint = receiverEndpoint(this.ctx.receiver);
    if (!endpoint) return undefined; // said why; launching without telemetry would look like "no data"
    const dir = config.cwd ?? folder?.uri.fsPath;
    const revision = dir ? await headCommit(dir) : undefined;
    const name = serviceNameFor(basename(dir ?? 'service'), dir ? readPackage(dir) : undefined);
    const base = { endpoint, serviceName: name, ...(revision ? { revision } : {}) };
    const env: Record<string, string | null> = { ...(config.env ?? {}) };
    const inherited = {
      ...process.env,
      ...Object.fromEntries(
        Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'),
      ),
    };
    if (NODE_TYPES.includes(this.type)) {
      const target =
        folder ?? (dir ? vscode.workspace.getWorkspaceFolder(vscode.Uri.file(dir)) : undefined);
      const register = target ? await ensureNodeAgent(target) : undefined;
      if (!register) return undefined;
      Object.assign(
        env,
        nodeEnv({ ...base, register, codeOrigin: this.ctx.codeOriginPath, base: inherited }),
      );
    } else {
      Object.assign(env, otelEnv({ ...base, base: inherited }));
      if (this.type === 'java') {
        const agent = javaAgent(folder);
        if (!agent) return undefined;
        const args = Array.isArray(config.vmArgs)
          ? config.vmArgs
          : config.vmArgs
            ? [config.vmArgs]
            : [];
        config.vmArgs = [...args, `-javaagent:${agent}`].join(' ');
      }
    }
    this.ctx.onStarted?.();
    return { ...config, env };
  }
}

/** Dynamic entries in the Run and Debug view: each service script of each folder, with telemetry. */
function serviceLaunches(folder: vscode.WorkspaceFolder | undefined): vscode.DebugConfiguration[] {
  const folders = folder ? [folder] : (vscode.workspace.workspaceFolders ?? []);
  return folders.flatMap((f) => {
    const pkg = readPackage(f.uri.fsPath);
    if (!pkg) return [];
    const pm = packageManager(f.uri.fsPath);
    return serviceScripts(pkg.scripts).map((script) => ({
      type: 'node',
      request: 'launch',
      name: `ProdLens: ${pm} run ${script} with telemetry${folders.length > 1 ? ` (${f.name})` : ''}`,
      runtimeExecutable: pm,
      runtimeArgs: ['run', script],
      cwd: f.uri.fsPath,
      console: 'integratedTerminal',
      [TELEMETRY_ATTRIBUTE]: true,
    }));
  });
}

export function registerTelemetryLaunches(ctx: RunContext): vscode.Disposable[] {
  return [
    ...[...NODE_TYPES, ...OTHER_TYPES].map((t) =>
      vscode.debug.registerDebugConfigurationProvider(t, new TelemetryLaunches(ctx, t)),
    ),
    // The dynamic entries: the Run and Debug view lists them under Node.js.
    vscode.debug.registerDebugConfigurationProvider(
      'node',
      { provideDebugConfigurations: serviceLaunches },
      vscode.DebugConfigurationProviderTriggerKind.Dynamic,
    ),
  ];
}

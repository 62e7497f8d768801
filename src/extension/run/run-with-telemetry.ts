// "Run with Telemetry": runs the user's own service in a terminal with OpenTelemetry pointed at the
// embedded receiver, with no change to its code. Node gets the auto-instrumentation and the
// code-origin preload through NODE_OPTIONS (offered as a dev dependency, installed in a terminal
// the user sees, when the folder lacks it); Python runs under `opentelemetry-instrument`; Java
// gets `-javaagent` from `prodlens.javaAgentPath` through JAVA_TOOL_OPTIONS; .NET uses the
// auto-instrumentation's `instrument.sh` when OTEL_DOTNET_AUTO_HOME has it; Go has no agent, so
// only the OTEL_* variables its SDK reads are set. A missing agent is a clear message, never a
// service started without telemetry.
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import { headCommit } from '../../core/impact/git';
import {
  detectRuntimes,
  findExecutable,
  installAgentCommand,
  NODE_AGENT_PACKAGE,
  nodeEnv,
  otelEnv,
  packageManager,
  readPackage,
  resolveNodeAgent,
  runScriptCommand,
  type Runtime,
  serviceNameFor,
  serviceScripts,
} from '../../core/run/telemetry-env';
import { Commands } from '../command-ids';
import { javaAgentPath } from '../config';
import { endpointFor, type ReceiverHost } from '../receiver-host';

const RUNTIME_LABELS: Record<Runtime, string> = {
  node: 'Node.js',
  python: 'Python',
  java: 'Java',
  dotnet: '.NET',
  go: 'Go',
};

/** What a run needs from the extension around it. */
export interface RunContext {
  receiver: ReceiverHost;
  /** dist/preload/code-origin.js inside the installed extension. */
  codeOriginPath: string;
  /** Told when a service was started, for the walkthrough. */
  onStarted?: () => void;
}

export async function pickFolder(): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length <= 1) return folders[0];
  return vscode.window.showWorkspaceFolderPick({
    placeHolder: 'Which folder holds the service to run with telemetry?',
  });
}

/** The receiver's endpoint, or undefined after telling the user why there is none. */
export function receiverEndpoint(receiver: ReceiverHost): string | undefined {
  const endpoint = endpointFor(receiver.state);
  if (!endpoint) {
    void vscode.window
      .showErrorMessage(
        'ProdLens: the receiver is not running, so a service would have nowhere to send its telemetry.',
        'Restart Receiver',
      )
      .then((a) => {
        if (a) void vscode.commands.executeCommand(Commands.restartReceiver);
      });
  }
  return endpoint;
}

/** Runs a shell command as a task in a terminal the user sees; resolves with its exit code. */
function runVisibleTask(
  folder: vscode.WorkspaceFolder,
  name: string,
  command: string,
): Promise<number | undefined> {
  const task = new vscode.Task(
    { type: 'shell', prodlens: name },
    folder,
    name,
    'ProdLens',
    new vscode.ShellExecution(command, { cwd: folder.uri.fsPath }),
  );
  task.presentationOptions = {
    reveal: vscode.TaskRevealKind.Always,
    panel: vscode.TaskPanelKind.Dedicated,
  };
  return new Promise((resolve) => {
    const sub = vscode.tasks.onDidEndTaskProcess((e) => {
      if (e.execution.task.name !== name) return;
      sub.dispose();
      resolve(e.exitCode);
    });
    vscode.tasks.executeTask(task).then(undefined, (err: unknown) => {
      sub.dispose();
      void vscode.window.showErrorMessage(`ProdLens: could not run "${command}": ${String(err)}`);
      resolve(undefined);
    });
  });
}

/** The Java agent from `prodlens.javaAgentPath`, or undefined after saying what is missing. */
export function javaAgent(folder: vscode.WorkspaceFolder | undefined): string | undefined {
  const agent = javaAgentPath(folder);
  if (agent && existsSync(agent)) return agent;
  void vscode.window
    .showErrorMessage(
      agent
        ? `ProdLens: prodlens.javaAgentPath points to ${agent}, which does not exist.`
        : 'ProdLens: Java services run with the OpenTelemetry Java agent: download opentelemetry-javaagent.jar and set prodlens.javaAgentPath to it.',
      'Open Settings',
    )
    .then((a) => {
      if (a)
        void vscode.commands.executeCommand(
          'workbench.action.openSettings',
          'prodlens.javaAgentPath',
        );
    });
  return undefined;
}

/** The folder's Node agent, offering to install it when missing; undefined when there is none after all. */
export async function ensureNodeAgent(folder: vscode.WorkspaceFolder): Promise<string | undefined> {
  const found = resolveNodeAgent(folder.uri.fsPath);
  if (found) return found;
  const command = installAgentCommand(packageManager(folder.uri.fsPath));
  const choice = await vscode.window.showWarningMessage(
    `ProdLens: ${folder.name} does not have ${NODE_AGENT_PACKAGE}, the OpenTelemetry auto-instrumentation that makes Node services send traces. Add it as a dev dependency (${command})?`,
    { modal: true },
    'Add Dev Dependency',
  );
  if (choice !== 'Add Dev Dependency') return undefined;
  const code = await runVisibleTask(folder, `install ${NODE_AGENT_PACKAGE}`, command);
  const after = resolveNodeAgent(folder.uri.fsPath);
  if (!after)
    void vscode.window.showErrorMessage(
      `ProdLens: ${command} ${code === 0 ? 'finished, but the package still cannot be found' : `failed (exit ${code ?? 'unknown'})`}; see its terminal.`,
    );
  return after;
}

interface Plan {
  command: string;
  env: Record<string, string>;
}

async function planNode(
  folder: vscode.WorkspaceFolder,
  ctx: RunContext,
  endpoint: string,
  revision: string | undefined,
): Promise<Plan | undefined> {
  const dir = folder.uri.fsPath;
  const pkg = readPackage(dir);
  const pm = packageManager(dir);
  const items: (vscode.QuickPickItem & { command: string })[] = serviceScripts(
    pkg?.scripts ?? {},
  ).map((s) => ({
    label: runScriptCommand(pm, s),
    description: pkg!.scripts[s],
    command: runScriptCommand(pm, s),
  }));
  if (pkg?.main)
    items.push({
      label: `node ${pkg.main}`,
      description: 'package.json main',
      command: `node ${pkg.main}`,
    });
  if (items.length === 0)
    items.push({
      label: 'node .',
      description: 'no start script in package.json',
      command: 'node .',
    });
  const pick =
    items.length === 1
      ? items[0]
      : await vscode.window.showQuickPick(items, {
          title: 'Run with Telemetry',
          placeHolder: 'What starts the service?',
        });
  if (!pick) return undefined;
  const register = await ensureNodeAgent(folder);
  if (!register) return undefined;
  const env = nodeEnv({
    endpoint,
    serviceName: serviceNameFor(folder.name, pkg),
    ...(revision ? { revision } : {}),
    register,
    codeOrigin: ctx.codeOriginPath,
    base: process.env,
  });
  return { command: pick.command, env };
}

async function askCommand(title: string, value: string): Promise<string | undefined> {
  return vscode.window.showInputBox({
    title,
    prompt: 'The command that starts the service, as you would type it',
    value,
    ignoreFocusOut: true,
  });
}

async function planOther(
  runtime: Exclude<Runtime, 'node'>,
  folder: vscode.WorkspaceFolder,
  endpoint: string,
  revision: string | undefined,
): Promise<Plan | undefined> {
  const dir = folder.uri.fsPath;
  const base = otelEnv({
    endpoint,
    serviceName: serviceNameFor(basename(dir)),
    ...(revision ? { revision } : {}),
    base: process.env,
  });
  const files = safeList(dir);
  switch (runtime) {
    case 'python': {
      if (!findExecutable('opentelemetry-instrument', dir)) {
        const install =
          'pip install opentelemetry-distro opentelemetry-exporter-otlp && opentelemetry-bootstrap -a install';
        const a = await vscode.window.showErrorMessage(
          `ProdLens: Python services run under opentelemetry-instrument, which is not installed here (PATH or .venv). Install it with: ${install}`,
          'Install in Terminal',
        );
        if (a) await runVisibleTask(folder, 'install opentelemetry-instrument', install);
        if (!findExecutable('opentelemetry-instrument', dir)) return undefined;
      }
      // Django's autoreloader forks a child the agent does not follow.
      const guess = files.includes('manage.py')
        ? 'python manage.py runserver --noreload'
        : files.includes('main.py')
          ? 'python main.py'
          : 'python app.py';
      const cmd = await askCommand('Run with Telemetry (Python)', guess);
      return cmd
        ? {
            command: `opentelemetry-instrument ${cmd}`,
            env: { ...base, OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED: 'true' },
          }
        : undefined;
    }
    case 'java': {
      const agent = javaAgent(folder);
      if (!agent) return undefined;
      const guess = files.includes('mvnw')
        ? './mvnw spring-boot:run'
        : files.includes('gradlew')
          ? './gradlew bootRun'
          : 'java -jar target/app.jar';
      const cmd = await askCommand('Run with Telemetry (Java)', guess);
      const prior = process.env.JAVA_TOOL_OPTIONS?.trim();
      const javaagent = `-javaagent:${agent}`;
      return cmd
        ? {
            command: cmd,
            env: { ...base, JAVA_TOOL_OPTIONS: prior ? `${prior} ${javaagent}` : javaagent },
          }
        : undefined;
    }
    case 'dotnet': {
      const home = process.env.OTEL_DOTNET_AUTO_HOME;
      if (!home || !existsSync(join(home, 'instrument.sh'))) {
        void vscode.window.showErrorMessage(
          'ProdLens: .NET services run with the OpenTelemetry .NET automatic instrumentation: install it (otel-dotnet-auto-install.sh) and set OTEL_DOTNET_AUTO_HOME before starting VS Code.',
        );
        return undefined;
      }
      const cmd = await askCommand('Run with Telemetry (.NET)', 'dotnet run');
      return cmd
        ? { command: `. "${join(home, 'instrument.sh')}" && ${cmd}`, env: base }
        : undefined;
    }
    case 'go': {
      const cmd = await askCommand(
        'Run with Telemetry (Go: the OTEL_* variables are set; the service needs the OpenTelemetry Go SDK with an OTLP exporter)',
        'go run .',
      );
      return cmd ? { command: cmd, env: base } : undefined;
    }
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** The command: pick the folder and runtime, make sure the agent is there, start it in a terminal. */
export async function runWithTelemetry(
  ctx: RunContext,
  folderArg?: vscode.WorkspaceFolder,
): Promise<vscode.Terminal | undefined> {
  const endpoint = receiverEndpoint(ctx.receiver);
  if (!endpoint) return undefined;
  const folder = folderArg ?? (await pickFolder());
  if (!folder) {
    void vscode.window.showInformationMessage(
      'ProdLens: open the folder of a service first; Run with Telemetry starts the service it holds.',
    );
    return undefined;
  }
  const runtimes = detectRuntimes(safeList(folder.uri.fsPath));
  if (runtimes.length === 0) {
    void vscode.window.showErrorMessage(
      `ProdLens: ${folder.name} has no package.json, pyproject.toml/requirements.txt, pom.xml/build.gradle, *.csproj or go.mod, so there is no service here ProdLens knows how to run.`,
    );
    return undefined;
  }
  const runtime =
    runtimes.length === 1
      ? runtimes[0]!
      : (
          await vscode.window.showQuickPick(
            runtimes.map((r) => ({ label: RUNTIME_LABELS[r], runtime: r })),
            { title: 'Run with Telemetry', placeHolder: 'Which service?' },
          )
        )?.runtime;
  if (!runtime) return undefined;
  const revision = await headCommit(folder.uri.fsPath);
  const plan =
    runtime === 'node'
      ? await planNode(folder, ctx, endpoint, revision)
      : await planOther(runtime, folder, endpoint, revision);
  if (!plan) return undefined;
  const terminal = vscode.window.createTerminal({
    name: `ProdLens: ${plan.env.OTEL_SERVICE_NAME}`,
    cwd: folder.uri,
    env: plan.env,
    iconPath: new vscode.ThemeIcon('pulse'),
  });
  terminal.show();
  terminal.sendText(plan.command);
  ctx.onStarted?.();
  return terminal;
}

// Activation: build the session (engine + persistence), start the receiver, register lenses,
// hovers, the status bar, the details panel and commands. Heavy work (workspace scan, grammar
// loading) runs after activate returns; providers answer "nothing yet" until it is ready.
import * as vscode from 'vscode';
import { ProdLensCodeLensProvider } from './codelens';
import { registerCommands } from './commands';
import { readConfig, SECTION } from './config';
import { DETAILS_VIEW_TYPE, DetailsPanel } from './details-panel';
import { DocumentFunctions } from './document-functions';
import { ProdLensHoverProvider } from './hover';
import { errorMessage, log } from './logging';
import { ReceiverHost } from './receiver-host';
import { Session } from './session';
import { StatusBar } from './status-bar';
import { watchWorkspace } from './workspace-watcher';
import { AlertNotifier, alertNotificationCommands } from './views/alert-notifier';
import { AlertsView } from './views/alerts-view';
import { HotspotsView } from './views/hotspots-view';
import { Insights } from './views/insights';
import { watchCommits } from './impact/commit-check';
import { ImpactController } from './impact/impact-controller';
import { ImpactDecorations } from './impact/impact-decorations';
import { ImpactView } from './impact/impact-view';
import { BackendSources } from './sources/backend-sources';
import { BackendNumbers } from './sources/backend-numbers';
import { BackendFeeds } from './sources/backend-feeds';
import { ErrorDecorations } from './errors/error-decorations';
import { LogDecorations } from './logs/log-decorations';
import { clearSourceToken, setSourceToken, testConnections } from './sources/source-commands';
import { Commands } from './command-ids';
import type { PanelState } from '../protocol/messages';
import { EDITOR_LANGUAGE_IDS } from '../core/languages';
import { runWithTelemetry, type RunContext } from './run/run-with-telemetry';
import { registerTelemetryLaunches } from './run/launch-telemetry';
import { WalkthroughState } from './run/walkthrough-state';

// Every language the parser reads gets lenses and hovers: one table (core/mapping/languages.ts).
const SELECTOR: vscode.DocumentSelector = Object.values(EDITOR_LANGUAGE_IDS)
  .flat()
  .map((language) => ({ scheme: 'file', language }));

let session: Session | undefined;

/** What tests and other extensions can observe. */
export interface ProdLensApi {
  ready: Promise<boolean>;
}

export function activate(context: vscode.ExtensionContext): ProdLensApi {
  try {
    return activateInner(context);
  } catch (e) {
    log().error(`activation failed: ${errorMessage(e)}`);
    void vscode.window.showErrorMessage(`ProdLens failed to activate: ${errorMessage(e)}`);
    return { ready: Promise.resolve(false) };
  }
}

function activateInner(context: vscode.ExtensionContext): ProdLensApi {
  const { config, problems } = readConfig();
  reportProblems(problems);
  const storage = context.storageUri ?? context.globalStorageUri;
  session = new Session(storage, config);
  const s = session;
  const receiver = new ReceiverHost(s);
  let docs: DocumentFunctions | undefined;
  void s.ready.then((engine) => {
    if (!engine) return;
    docs = new DocumentFunctions(engine);
    context.subscriptions.push(watchWorkspace(engine, s.current.excludeDirs, () => s.markDirty()));
  });
  const backends = new BackendSources(context.secrets);
  const numbers = new BackendNumbers(s, backends);
  const feeds = new BackendFeeds(s, backends);
  const walkthrough = new WalkthroughState(context.extension.id);
  const lenses = new ProdLensCodeLensProvider(
    s,
    () => docs,
    numbers,
    () => walkthrough.reach('lens'),
  );
  const details = new DetailsPanel(context.extensionUri, s, { sources: backends, numbers });
  void backends.reload().then(() => insights.schedule(true));
  const insights = new Insights(s, backends);
  const notifier = new AlertNotifier(() => s.current.alertsNotify);
  const status = new StatusBar(s, receiver, insights);
  const wasmDir = vscode.Uri.joinPath(context.extensionUri, 'dist', 'tree-sitter').fsPath;
  const impact = new ImpactController(s, wasmDir);
  const restart = () => receiver.start(s.current);
  const run: RunContext = {
    receiver,
    codeOriginPath: vscode.Uri.joinPath(context.extensionUri, 'dist', 'preload', 'code-origin.js')
      .fsPath,
  };

  context.subscriptions.push(
    s,
    walkthrough,
    receiver,
    status,
    details,
    vscode.languages.registerCodeLensProvider(SELECTOR, lenses),
    vscode.languages.registerHoverProvider(
      SELECTOR,
      new ProdLensHoverProvider(s, () => docs, numbers),
    ),
    s.onDidChangeData(() => {
      lenses.refresh();
      if ((s.engine?.seriesCount ?? 0) > 0) walkthrough.reach('run');
    }),
    receiver.onDidChangeState(
      (state) => state.kind === 'listening' && walkthrough.reach('receiver'),
    ),
    vscode.commands.registerCommand(Commands.runWithTelemetry, (folder?: vscode.WorkspaceFolder) =>
      runWithTelemetry(run, folder),
    ),
    ...registerTelemetryLaunches(run),
    insights,
    insights.onDidChange(() => {
      status.update();
      notifier.update(insights.alerts);
    }),
    alertNotificationCommands(),
    HotspotsView.register(insights),
    ...treeView('prodlens.alerts', new AlertsView(insights)),
    impact,
    new ImpactDecorations(impact),
    new ErrorDecorations(s, feeds),
    new LogDecorations(s, feeds),
    ...treeView('prodlens.impact', new ImpactView(impact)),
    receiver.onDidChangeState(() => status.update()),
    s.onDidChangeStartup(() => status.update()),
    vscode.window.registerWebviewPanelSerializer(DETAILS_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state: unknown) =>
        details.restore(panel, state as PanelState | undefined),
    }),
    vscode.workspace.onDidCloseTextDocument((d) => docs?.forget(d)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(SECTION)) return;
      const next = readConfig();
      reportProblems(next.problems);
      const prev = s.current;
      s.updateConfig(next.config);
      const c = next.config;
      if (
        c.receiverEnabled !== prev.receiverEnabled ||
        c.receiverPort !== prev.receiverPort ||
        c.grpcPort !== prev.grpcPort ||
        c.receiverHost !== prev.receiverHost ||
        c.maxBodyBytes !== prev.maxBodyBytes
      ) {
        void restart();
      }
      lenses.refresh();
      insights.schedule();
    }),
    ...registerCommands(s, receiver, details, restart, insights, impact, numbers),
    backends,
    backends.onDidChange(() => insights.schedule(true)),
    numbers,
    numbers.onDidChange(() => lenses.refresh()),
    feeds,
    vscode.commands.registerCommand(Commands.testConnections, () => testConnections(backends)),
    vscode.commands.registerCommand(Commands.setSourceToken, () =>
      setSourceToken(context.secrets, backends),
    ),
    vscode.commands.registerCommand(Commands.clearSourceToken, () =>
      clearSourceToken(context.secrets, backends),
    ),
  );
  void restart();
  impact.schedule(3_000);
  void watchCommits(s, wasmDir).then((d) => context.subscriptions.push(d));
  return { ready: s.ready.then((e) => e !== undefined) };
}

function reportProblems(problems: string[]): void {
  for (const p of problems) log().warn(`setting: ${p}`);
  if (problems.length) {
    void vscode.window
      .showWarningMessage(
        `ProdLens settings: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`,
        'Open Settings',
      )
      .then((a) => {
        if (a) void vscode.commands.executeCommand('workbench.action.openSettings', 'prodlens');
      });
  }
}

export async function deactivate(): Promise<void> {
  await session?.close();
}

/** A tree view's registration and its provider, both disposed with the extension. */
function treeView<T>(
  id: string,
  provider: vscode.TreeDataProvider<T> & vscode.Disposable,
): vscode.Disposable[] {
  return [vscode.window.registerTreeDataProvider(id, provider), provider];
}

// Command handlers. Each is small; ids live in command-ids.ts.
import * as vscode from 'vscode';
import { WINDOWS, WINDOW_LABELS, type WindowId } from '../core/format/windows';
import { Commands, type FunctionRef } from './command-ids';
import type { DetailsPanel } from './details-panel';
import { log } from './logging';
import { endpointFor, type ReceiverHost } from './receiver-host';
import type { Session } from './session';
import { relPath } from './workspace-paths';
import type { Insights } from './views/insights';
import { openFunction } from './views/open-function';
import type { ImpactController } from './impact/impact-controller';
import { impactMarkdown } from '../core/impact/markdown';
import { whyNoDataHere } from './why-no-data-command';
import type { BackendNumbers } from './sources/backend-numbers';
import { updateEffective } from './settings-write';

export function registerCommands(
  session: Session,
  receiver: ReceiverHost,
  details: DetailsPanel,
  restart: () => Promise<void>,
  insights: Insights,
  impact: ImpactController,
  numbers?: BackendNumbers,
): vscode.Disposable[] {
  const config = () => vscode.workspace.getConfiguration('prodlens');
  return [
    vscode.commands.registerCommand(Commands.copyOtlpEndpoint, async () => {
      const endpoint = endpointFor(receiver.state);
      if (!endpoint) {
        void vscode.window.showWarningMessage(
          'ProdLens: the receiver is not running, so there is no endpoint to copy.',
        );
        return;
      }
      await vscode.env.clipboard.writeText(endpoint);
      void vscode.window.showInformationMessage(
        `Copied ${endpoint}. Set OTEL_EXPORTER_OTLP_ENDPOINT to it (and OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf) in your service.`,
      );
    }),
    vscode.commands.registerCommand(
      Commands.showFunctionDetails,
      async (
        arg?:
          | FunctionRef
          | { stats?: { file: string; function: { qualifiedName: string; startLine: number } } },
      ) => {
        // From a lens or hover: a FunctionRef; from the Hotspots view's context menu: a Hotspot.
        let ref: FunctionRef | undefined =
          arg && 'stats' in arg && arg.stats
            ? {
                file: arg.stats.file,
                qualifiedName: arg.stats.function.qualifiedName,
                startLine: arg.stats.function.startLine,
              }
            : (arg as FunctionRef | undefined);
        ref ??= await functionUnderCursor(session);
        if (!ref) {
          void vscode.window.showInformationMessage(
            'ProdLens: put the cursor inside a function with production data, or click a ProdLens lens.',
          );
          return;
        }
        details.show(ref);
      },
    ),
    vscode.commands.registerCommand(Commands.selectWindow, async () => {
      const current = session.current.window;
      const pick = await vscode.window.showQuickPick(
        (Object.keys(WINDOWS) as WindowId[]).map((id) => ({
          label: `Last ${WINDOW_LABELS[id]}`,
          id,
          picked: id === current,
          description: id === current ? 'current' : '',
        })),
        { title: 'ProdLens: time window of the numbers on code' },
      );
      if (pick) await updateEffective('window', pick.id);
    }),
    vscode.commands.registerCommand(Commands.restartReceiver, restart),
    vscode.commands.registerCommand(Commands.useAnotherPort, async () => {
      const value = await vscode.window.showInputBox({
        title: 'ProdLens receiver port',
        prompt: 'A free TCP port for the OTLP/HTTP receiver (0 picks any free port)',
        value: String(session.current.receiverPort === 4318 ? 4319 : session.current.receiverPort),
        validateInput: (v) =>
          /^\d+$/.test(v) && Number(v) <= 65535
            ? undefined
            : 'Enter a port number between 0 and 65535',
      });
      if (value !== undefined)
        await config().update('receiver.port', Number(value), vscode.ConfigurationTarget.Workspace);
    }),
    vscode.commands.registerCommand(Commands.toggleCodeLens, async () => {
      await updateEffective('codeLens.enabled', !session.current.codeLensEnabled);
    }),
    vscode.commands.registerCommand(Commands.showLogs, () => log().show()),
    vscode.commands.registerCommand(Commands.openFunction, (file: string, line: number) =>
      openFunction(file, line),
    ),
    vscode.commands.registerCommand(Commands.refreshViews, () => insights.run()),
    vscode.commands.registerCommand(Commands.refreshImpact, () => impact.run()),
    vscode.commands.registerCommand(Commands.whyNoData, () => whyNoDataHere(session, numbers)),
    vscode.commands.registerCommand(Commands.copyImpactReport, async () => {
      const report = (await impact.run()) ?? impact.report;
      if (!report) {
        void vscode.window.showWarningMessage(
          `ProdLens: no impact report${impact.problem ? `: ${impact.problem}` : ''}.`,
        );
        return;
      }
      await vscode.env.clipboard.writeText(impactMarkdown(report));
      void vscode.window.showInformationMessage(
        `Copied the production impact report (${report.items.length} changed functions) as Markdown.`,
      );
    }),
    vscode.commands.registerCommand(Commands.statusMenu, async () => {
      const items: (vscode.QuickPickItem & { run: () => unknown })[] = [
        {
          label: '$(copy) Copy OTLP endpoint',
          description: endpointFor(receiver.state) ?? 'receiver not running',
          run: () => vscode.commands.executeCommand(Commands.copyOtlpEndpoint),
        },
        {
          label: '$(clock) Select time window',
          description: `last ${WINDOW_LABELS[session.current.window]}`,
          run: () => vscode.commands.executeCommand(Commands.selectWindow),
        },
        {
          label: '$(plug) Use another receiver port',
          run: () => vscode.commands.executeCommand(Commands.useAnotherPort),
        },
        {
          label: '$(debug-restart) Restart receiver',
          run: () => vscode.commands.executeCommand(Commands.restartReceiver),
        },
        { label: '$(output) Show logs', run: () => log().show() },
      ];
      const pick = await vscode.window.showQuickPick(items, { title: 'ProdLens' });
      await pick?.run();
    }),
  ];
}

async function functionUnderCursor(session: Session): Promise<FunctionRef | undefined> {
  const editor = vscode.window.activeTextEditor;
  const engine = session.engine;
  if (!editor || !engine) return undefined;
  const rel = relPath(editor.document.uri);
  if (!rel) return undefined;
  const fns = await engine.functionsIn(rel);
  const line = editor.selection.active.line + 1;
  const inside = (fns ?? []).filter((f) => f.startLine <= line && line <= f.endLine);
  const fn = inside[inside.length - 1];
  return fn ? { file: rel, qualifiedName: fn.qualifiedName, startLine: fn.startLine } : undefined;
}

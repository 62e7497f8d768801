// The receiver's state at a glance: address, spans/min, last data. Click for the status menu.
import * as vscode from 'vscode';
import { formatAgo, formatCount } from '../core/format/numbers';
import { Commands } from './command-ids';
import { endpointFor, type GrpcState, type ReceiverHost } from './receiver-host';
import type { Session } from './session';
import type { StartupPhase } from '../core/engine/create';
import type { Insights } from './views/insights';
import { byFolder } from './workspace-paths';
import { escapeMarkdown } from '../core/format/presentation';

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(
    'prodlens.status',
    vscode.StatusBarAlignment.Right,
    100,
  );
  private readonly timer: NodeJS.Timeout;
  private lastText = '';

  constructor(
    private readonly session: Session,
    private readonly receiver: ReceiverHost,
    private readonly insights: Insights,
  ) {
    this.item.name = 'ProdLens Receiver';
    this.item.command = Commands.statusMenu;
    this.item.show();
    this.update();
    this.timer = setInterval(() => this.update(), 2_000);
  }

  update(): void {
    const st = this.receiver.state;
    const engine = this.session.engine;
    const now = Date.now();
    const rate = engine ? engine.spansPerMinute(now) : 0;
    let text: string;
    let background: vscode.ThemeColor | undefined;
    const tip = new vscode.MarkdownString('', true);
    tip.isTrusted = {
      enabledCommands: [Commands.copyOtlpEndpoint, Commands.useAnotherPort, Commands.showLogs],
    };
    switch (st.kind) {
      case 'listening': {
        const firing = this.insights.alerts.length;
        const startup = startupText(this.session.startup);
        text = `$(pulse) ProdLens :${st.port}${rate > 0 ? ` · ${formatCount(rate)} spans/min` : ''}${startup ? ` · ${startup}` : ''}${firing ? ` $(bell) ${firing}` : ''}`;
        if (firing) background = new vscode.ThemeColor('statusBarItem.warningBackground');
        const last = engine?.lastDataAtMs;
        tip.appendMarkdown(`**ProdLens receiver** listening on \`${st.url}\`\n\n`);
        tip.appendMarkdown(
          `Spans/min: ${formatCount(rate)} · last data: ${last ? formatAgo(now - last) : 'none yet'}\n\n`,
        );
        if (startup)
          tip.appendMarkdown(
            `Workspace: ${startup}. Spans are accepted meanwhile and mapped onto code as soon as it is done.\n\n`,
          );
        // A multi-root workspace: where the data lands, folder by folder.
        const folders = engine ? byFolder(engine.filesWithData(), (f) => f) : undefined;
        if (folders?.length)
          tip.appendMarkdown(
            `Files with data: ${folders.map((f) => `${escapeMarkdown(f.name)} ${f.items.length}`).join(' · ')}\n\n`,
          );
        tip.appendMarkdown(
          `Set \`OTEL_EXPORTER_OTLP_ENDPOINT=${endpointFor(st)}\` and \`OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf\` in your service.\n\n`,
        );
        tip.appendMarkdown(`${grpcLine(this.receiver.grpc)}\n\n`);
        tip.appendMarkdown(`[Copy endpoint](command:${Commands.copyOtlpEndpoint})`);
        break;
      }
      case 'starting':
        text = '$(loading~spin) ProdLens';
        tip.appendMarkdown('Starting the receiver and indexing the workspace…');
        break;
      case 'disabled':
        text = '$(circle-slash) ProdLens';
        tip.appendMarkdown('The embedded receiver is off (`prodlens.receiver.enabled`).');
        break;
      case 'error':
        text =
          st.portInUse !== undefined
            ? `$(warning) ProdLens: port ${st.portInUse} in use`
            : '$(error) ProdLens';
        background = new vscode.ThemeColor('statusBarItem.warningBackground');
        tip.appendMarkdown(
          `**Receiver not running:** ${st.message.replace(/[<>]/g, '')}\n\n[Use another port](command:${Commands.useAnotherPort}) · [Show logs](command:${Commands.showLogs})`,
        );
        tip.appendMarkdown(`\n\n${grpcLine(this.receiver.grpc)}`);
        break;
    }
    if (text !== this.lastText) {
      this.item.text = text;
      this.lastText = text;
    }
    this.item.backgroundColor = background;
    this.item.tooltip = tip;
    this.item.accessibilityInformation = {
      label: text.replace(/\$\([^)]*\)\s*/g, ''),
      role: 'button',
    };
  }

  dispose(): void {
    clearInterval(this.timer);
    this.item.dispose();
  }
}

/** The workspace scan or index while it runs (`indexing 1.2k/7.4k files`); '' once ready. */
export function startupText(p: StartupPhase): string {
  if (p.phase === 'scanning') return 'scanning workspace';
  if (p.phase === 'indexing')
    return `indexing ${formatCount(p.done)}/${formatCount(p.total)} files`;
  return '';
}

/** The gRPC receiver's line in the tooltip (Markdown; messages stripped of markup). */
export function grpcLine(g: GrpcState): string {
  switch (g.kind) {
    case 'off':
      return 'OTLP/gRPC: off (`prodlens.receiver.grpcPort` is 0)';
    case 'listening':
      return `OTLP/gRPC listening on \`${g.url}\` (\`OTEL_EXPORTER_OTLP_PROTOCOL=grpc\`)`;
    case 'error':
      return `**OTLP/gRPC not running:** ${g.portInUse !== undefined ? `port ${g.portInUse} in use` : g.message.replace(/[<>[\]()*_`\\]/g, '')}`;
  }
}

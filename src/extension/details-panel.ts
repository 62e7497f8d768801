// The function details panel host: one webview panel, reused, restored after a reload by its
// serializer. It sends complete snapshots built from memory; the webview never reaches a backend
// (CSP `connect-src 'none'`) and renders every production string as text.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { FunctionStats } from '../core/engine/engine';
import { formatDuration } from '../core/format/numbers';
import type { HostMessage, FunctionDetailsDto, PanelState, StatsDto } from '../protocol/messages';
import { isWebviewMessage } from '../protocol/messages';
import type { FunctionRef } from './command-ids';
import type { Session } from './session';
import { uriOf } from './workspace-paths';

export const DETAILS_VIEW_TYPE = 'prodlens.details';

export class DetailsPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private ref: FunctionRef | undefined;
  private ready = false;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly session: Session,
  ) {
    this.subscriptions.push(session.onDidChangeData(() => this.post()));
  }

  show(ref: FunctionRef): void {
    this.ref = ref;
    if (!this.panel) this.attach(vscode.window.createWebviewPanel(DETAILS_VIEW_TYPE, 'ProdLens', vscode.ViewColumn.Beside, this.options()));
    else this.panel.reveal(vscode.ViewColumn.Beside, true);
    this.panel!.title = `ProdLens: ${ref.qualifiedName}`;
    this.post();
  }

  /** Used by the serializer after a window reload. */
  restore(panel: vscode.WebviewPanel, state: PanelState | undefined): void {
    this.ref = state;
    panel.webview.options = this.options();
    this.attach(panel);
    if (state) panel.title = `ProdLens: ${state.qualifiedName}`;
  }

  private options(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview')] };
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    this.ready = false;
    panel.webview.html = this.html(panel.webview);
    panel.onDidDispose(() => {
      this.panel = undefined;
    });
    panel.webview.onDidReceiveMessage((m: unknown) => {
      if (!isWebviewMessage(m)) return;
      if (m.type === 'ready' || m.type === 'refresh') {
        this.ready = true;
        this.post();
      } else if (m.type === 'openFunction') {
        const uri = uriOf(m.file);
        if (uri) void vscode.window.showTextDocument(uri, { selection: new vscode.Range(m.line - 1, 0, m.line - 1, 0), viewColumn: vscode.ViewColumn.One });
      }
    });
  }

  private post(): void {
    if (!this.panel || !this.ready) return;
    void this.panel.webview.postMessage(this.snapshot());
  }

  private snapshot(): HostMessage {
    const ref = this.ref;
    const engine = this.session.engine;
    if (!ref) return { type: 'empty', title: 'ProdLens', reason: 'Open details from a code lens or a hover.' };
    if (!engine) return { type: 'empty', title: ref.qualifiedName, reason: 'The engine is still starting.' };
    const cfg = this.session.current;
    const stats = engine.fileStats(ref.file, { windowMs: cfg.windowMs, environment: cfg.environment, points: 30 });
    const fs = stats.find((s) => s.function.qualifiedName === ref.qualifiedName) ;
    if (!fs) return { type: 'empty', title: ref.qualifiedName, reason: `No spans mapped to ${ref.qualifiedName} in the last ${formatDuration(cfg.windowMs)}.` };
    return { type: 'snapshot', details: toDto(fs, engine.ring.find(new Set(fs.seriesIds), 50)) };
  }

  private html(webview: vscode.Webview): string {
    const nonce = randomBytes(16).toString('base64');
    const base = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(base, 'main.js'));
    const codicons = webview.asWebviewUri(vscode.Uri.joinPath(base, 'codicon.css'));
    const csp = [
      "default-src 'none'",
      `script-src 'nonce-${nonce}'`,
      `style-src ${webview.cspSource} 'nonce-${nonce}'`,
      `font-src ${webview.cspSource}`,
      `img-src ${webview.cspSource} data:`,
      "connect-src 'none'",
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${codicons.toString()}">
<link rel="stylesheet" href="${webview.asWebviewUri(vscode.Uri.joinPath(base, 'main.css')).toString()}">
<title>ProdLens</title></head>
<body><main id="app" aria-live="polite"></main>
<script nonce="${nonce}" src="${script.toString()}"></script></body></html>`;
  }

  dispose(): void {
    this.panel?.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}

function num(n: number): number | null {
  return Number.isFinite(n) ? n : null;
}

export function toDto(fs: FunctionStats, spans: readonly import('../core/model').SpanRecord[]): FunctionDetailsDto {
  const s = fs.stats;
  const stats: StatsDto = {
    count: s.count,
    errors: s.errors,
    p50Ms: num(s.p50Ms),
    p90Ms: num(s.p90Ms),
    p95Ms: num(s.p95Ms),
    p99Ms: num(s.p99Ms),
    maxMs: num(s.maxMs),
    ratePerMin: (s.count * 60_000) / s.coveredMs,
    windowLabel: formatDuration(s.windowMs),
    coveredLabel: formatDuration(s.coveredMs),
    points: s.series.map((p) => ({ startMs: p.startMs, count: p.count, errors: p.errors, p50Ms: num(p.p50Ms), p95Ms: num(p.p95Ms) })),
  };
  return {
    file: fs.file,
    qualifiedName: fs.function.qualifiedName,
    startLine: fs.function.startLine,
    stats,
    mapping: { rule: fs.mapping.rule, confidence: fs.mapping.confidence, explanation: fs.mapping.explanation },
    services: fs.services,
    environments: fs.environments,
    recentSpans: spans.map((sp) => ({
      traceId: sp.traceId,
      spanId: sp.spanId,
      name: sp.name,
      startMs: sp.startMs,
      durationMs: sp.durationMs,
      error: sp.statusCode === 2,
      statusMessage: sp.statusMessage,
      service: sp.resource.service,
    })),
  };
}

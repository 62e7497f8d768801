// The function details panel host: one webview panel, reused, restored after a reload by its
// serializer. It sends complete snapshots built from memory and answers the webview's typed
// requests (a trace's waterfall); the webview never reaches a backend (CSP `connect-src 'none'`)
// and renders every production string as text. With trace backends configured (Tempo, Jaeger,
// Zipkin), the host asks them for the function's lists in the background — the first paint comes
// from memory, the backends' rows follow in a later snapshot — and fetches a backend's trace by id
// when the webview opens it.
import * as vscode from 'vscode';
import { panelContent, type PanelTraceAnswer } from '../core/details/panel-content';
import { WINDOWS } from '../core/format/windows';
import type { HostMessage, PanelState, RequestMessage } from '../protocol/messages';
import { isWebviewMessage } from '../protocol/messages';
import type { FunctionRef } from './command-ids';
import type { Session } from './session';
import type { BackendNumbers } from './sources/backend-numbers';
import type { BackendSources } from './sources/backend-sources';
import { PanelTraces } from './details-traces';
import { PanelPage } from './panel-page-host';
import { uriOf } from './workspace-paths';
import { updateEffective } from './settings-write';

export const DETAILS_VIEW_TYPE = 'prodlens.details';

/** What the panel reads besides the receiver: backend numbers (for functions only they know) and trace backends. */
export interface PanelBackends {
  sources: BackendSources;
  numbers: BackendNumbers;
}

export class DetailsPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private ref: FunctionRef | undefined;
  private ready = false;
  /** Data changed after the page's HTML was written, so the page needs a snapshot once it is ready. */
  private stale = false;
  /** Traces for the panel: from memory, and from the trace backends when configured. */
  private readonly traces: PanelTraces;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly page: PanelPage;

  constructor(
    extensionUri: vscode.Uri,
    private readonly session: Session,
    private readonly backends?: PanelBackends,
  ) {
    this.page = new PanelPage(extensionUri);
    this.subscriptions.push(session.onDidChangeData(() => this.post()));
    this.traces = new PanelTraces(backends?.sources);
    if (backends) {
      this.subscriptions.push(
        backends.numbers.onDidChange(() => this.post()),
        backends.sources.onDidChange(() => {
          this.traces.clear();
          this.post();
        }),
      );
    }
  }

  show(ref: FunctionRef): void {
    if (this.ref?.file !== ref.file || this.ref.qualifiedName !== ref.qualifiedName)
      this.traces.cancel();
    this.ref = ref;
    this.panel?.reveal(vscode.ViewColumn.Beside, true);
    const created = !this.panel;
    // A new panel's HTML carries the snapshot; an open one gets it as a message.
    if (created)
      this.attach(
        vscode.window.createWebviewPanel(
          DETAILS_VIEW_TYPE,
          'ProdLens',
          vscode.ViewColumn.Beside,
          this.options(),
        ),
      );
    this.panel!.title = `ProdLens: ${ref.qualifiedName}`;
    if (!created) this.post();
  }

  /** Used by the serializer after a window reload. */
  restore(panel: vscode.WebviewPanel, state: PanelState | undefined): void {
    this.ref = state
      ? { file: state.file, qualifiedName: state.qualifiedName, startLine: state.startLine }
      : undefined;
    panel.webview.options = this.options();
    this.attach(panel);
    if (state) panel.title = `ProdLens: ${state.qualifiedName}`;
  }

  private options(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      localResourceRoots: [this.page.root],
    };
  }

  private attach(panel: vscode.WebviewPanel): void {
    const previous = this.panel;
    this.panel = panel;
    this.ready = false;
    const first = this.snapshot();
    this.stale = first.type !== 'snapshot';
    panel.webview.html = this.page.html(panel.webview, first);
    panel.onDidDispose(() => {
      // A panel closed late (after a newer one was attached) must not clear the newer one.
      if (this.panel !== panel) return;
      this.panel = undefined;
      this.traces.cancel();
    });
    panel.webview.onDidReceiveMessage((m: unknown) => {
      // Only the attached panel speaks for the panel's state.
      if (this.panel !== panel || !isWebviewMessage(m)) return;
      switch (m.type) {
        case 'ready':
          // The page drew the snapshot in its HTML; another only if the data moved on since.
          this.ready = true;
          if (this.stale) this.post();
          break;
        case 'refresh':
          this.ready = true;
          this.post();
          break;
        case 'openLocation': {
          const uri = uriOf(m.file);
          if (uri)
            void vscode.window.showTextDocument(uri, {
              selection: new vscode.Range(m.line - 1, 0, m.line - 1, 0),
              viewColumn: vscode.ViewColumn.One,
            });
          break;
        }
        case 'setWindow':
          // The session picks the change up from the configuration and refreshes every face.
          if (Object.hasOwn(WINDOWS, m.window)) void updateEffective('window', m.window);
          break;
        case 'setEnvironment':
          if (m.environment.length <= 200) void updateEffective('environment', m.environment);
          break;
        case 'request':
          void this.answer(m);
          break;
      }
    });
    // One panel: one revived from a background tab after a reload replaces a panel opened since.
    if (previous && previous !== panel) previous.dispose();
  }

  /** A trace for the waterfall (core/details/panel-content.ts). */
  private async answer(m: RequestMessage): Promise<void> {
    if (!this.panel) return;
    const engine = this.session.engine;
    const { traceId, source } = m.params;
    const answer: PanelTraceAnswer = !engine
      ? { ok: false, error: 'The engine is still starting.' }
      : await this.traces.trace(engine, this.ref, traceId, source);
    const reply: HostMessage = answer.ok
      ? { type: 'response', id: m.id, method: 'getTrace', ok: true, result: answer.trace }
      : { type: 'response', id: m.id, method: m.method, ok: false, error: answer.error };
    void this.panel?.webview.postMessage(reply);
  }

  private post(): void {
    if (!this.panel) return;
    if (!this.ready) {
      this.stale = true;
      return;
    }
    this.stale = false;
    void this.panel.webview.postMessage(this.snapshot());
  }

  private snapshot(): HostMessage {
    const cfg = this.session.current;
    const ref = this.ref;
    const content = panelContent(
      this.session.engine,
      ref,
      { window: cfg.window, windowMs: cfg.windowMs, environment: cfg.environment },
      (ref && this.backends?.numbers.fileStats(ref.file)) ?? [],
    );
    if (content.kind === 'empty')
      return { type: 'empty', title: content.title, reason: content.reason };
    const post = () => this.post();
    const details = this.traces.decorate(
      content.details,
      content.seriesIds,
      content.traceQuery,
      post,
    );
    return { type: 'snapshot', details };
  }

  dispose(): void {
    this.traces.cancel();
    this.panel?.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}

// The function details panel host: one webview panel, reused, restored after a reload by its
// serializer. It sends complete snapshots built from memory and answers the webview's typed
// requests (a trace's waterfall); the webview never reaches a backend (CSP `connect-src 'none'`)
// and renders every production string as text. With trace backends configured (Tempo, Jaeger,
// Zipkin), the host asks them for the function's lists in the background — the first paint comes
// from memory, the backends' rows follow in a later snapshot — and fetches a backend's trace by id
// when the webview opens it.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { FunctionStats } from '../core/engine/engine';
import {
  BackendTraces,
  mergeTraceLists,
  type TraceListQuery,
  type TraceTarget,
} from '../core/sources/backend-traces';
import {
  buildDetails,
  buildTrace,
  LIST_LIMIT,
  traceTargets,
} from '../core/details/function-details';
import { formatDuration } from '../core/format/numbers';
import { WINDOWS } from '../core/format/windows';
import type {
  FunctionDetailsDto,
  HostMessage,
  PanelState,
  RequestMessage,
  TraceSourceDto,
} from '../protocol/messages';
import { isWebviewMessage } from '../protocol/messages';
import { panelHtml } from '../protocol/panel-page';
import type { FunctionRef } from './command-ids';
import type { Session } from './session';
import type { BackendNumbers } from './sources/backend-numbers';
import type { BackendSources } from './sources/backend-sources';
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
  /** Series of the function on show, so waterfall rows can be marked as "this function". */
  private seriesIds = new Set<string>();
  /** What the trace backends are asked for the function on show (undefined: nothing to ask). */
  private traceQuery: TraceListQuery | undefined;
  private readonly traces: BackendTraces | undefined;
  /** Cancels the backend requests of the function on show when another one is shown. */
  private listAbort = new AbortController();
  private traceAbort: AbortController | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];
  /** The built page assets, read once (they change only with the extension). */
  private assets: { styles: string[]; script: string } | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly session: Session,
    private readonly backends?: PanelBackends,
  ) {
    this.subscriptions.push(session.onDidChangeData(() => this.post()));
    if (backends) {
      this.traces = new BackendTraces(() => backends.sources.traceSources());
      this.subscriptions.push(
        backends.numbers.onDidChange(() => this.post()),
        backends.sources.onDidChange(() => {
          this.traces?.clear();
          this.post();
        }),
      );
    }
  }

  show(ref: FunctionRef): void {
    if (this.ref?.file !== ref.file || this.ref.qualifiedName !== ref.qualifiedName)
      this.cancelBackendRequests();
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
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview')],
    };
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    this.ready = false;
    const first = this.snapshot();
    this.stale = first.type !== 'snapshot';
    panel.webview.html = this.html(panel.webview, first);
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.cancelBackendRequests();
    });
    panel.webview.onDidReceiveMessage((m: unknown) => {
      if (!isWebviewMessage(m)) return;
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
          if (Object.hasOwn(WINDOWS, m.window)) void this.updateSetting('window', m.window);
          break;
        case 'setEnvironment':
          if (m.environment.length <= 200) void this.updateSetting('environment', m.environment);
          break;
        case 'request':
          void this.answer(m);
          break;
      }
    });
  }

  private async updateSetting(key: string, value: string): Promise<void> {
    await updateEffective(key, value);
  }

  private cancelBackendRequests(): void {
    this.listAbort.abort();
    this.listAbort = new AbortController();
    this.traceAbort?.abort();
    this.traceAbort = undefined;
  }

  /**
   * A trace for the waterfall: the receiver's from memory, or (a row from a backend, or a trace the
   * receiver no longer holds) fetched from the trace backends in the background. The webview shows
   * its loading state meanwhile; a newer request cancels an older one.
   */
  private async answer(m: RequestMessage): Promise<void> {
    if (!this.panel) return;
    const engine = this.session.engine;
    const fail = (error: string): HostMessage => ({
      type: 'response',
      id: m.id,
      method: m.method,
      ok: false,
      error,
    });
    let reply: HostMessage;
    if (!engine) reply = fail('The engine is still starting.');
    else {
      const source = m.params.source;
      const held =
        source === undefined ? buildTrace(engine, m.params.traceId, this.seriesIds) : undefined;
      if (held?.rows.length)
        reply = { type: 'response', id: m.id, method: 'getTrace', ok: true, result: held };
      else if (!this.traces || !this.backends || this.traces.configured === 0)
        reply = fail('This trace is no longer held in memory (only recent traces are kept).');
      else {
        this.traceAbort?.abort();
        const abort = (this.traceAbort = new AbortController());
        const ref = this.ref;
        const targets = this.traceQuery?.targets ?? [];
        try {
          const r = await this.traces.trace(
            m.params.traceId,
            source,
            {
              resolver: engine.resolver,
              functions: engine.functions,
              isMatch: (span, code) =>
                code && ref
                  ? code.file === ref.file && code.qualifiedName === ref.qualifiedName
                  : targets.some(
                      (t) =>
                        t.service === span.resource.service &&
                        (!t.spanName || t.spanName === span.name),
                    ),
              frames: (stack, span) => engine.resolver.frameLinks(stack, span.resource.revision),
            },
            abort.signal,
          );
          this.backends.sources.noteTrace(r.ok ? r.source : source, r);
          reply = r.ok
            ? { type: 'response', id: m.id, method: 'getTrace', ok: true, result: r.trace }
            : fail(
                source === undefined
                  ? `Not held in memory any more, and ${r.error.charAt(0).toLowerCase()}${r.error.slice(1)}`
                  : r.error,
              );
        } catch (e) {
          if (abort.signal.aborted) reply = fail('Cancelled: another trace was opened.');
          else reply = fail((e as Error).message);
        } finally {
          if (this.traceAbort === abort) this.traceAbort = undefined;
        }
      }
    }
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
    const ref = this.ref;
    const engine = this.session.engine;
    this.traceQuery = undefined;
    if (!ref)
      return {
        type: 'empty',
        title: 'ProdLens',
        reason: 'Open details from a code lens or a hover.',
      };
    if (!engine)
      return { type: 'empty', title: ref.qualifiedName, reason: 'The engine is still starting.' };
    const cfg = this.session.current;
    const stats = engine.fileStats(ref.file, {
      windowMs: cfg.windowMs,
      environment: cfg.environment,
      points: 30,
    });
    const same = (s: FunctionStats) => s.function.qualifiedName === ref.qualifiedName;
    const fs = stats.find(same);
    // A function only a backend knows (Prometheus numbers): its numbers, and its traces from the trace backends.
    const fromBackend = this.backends?.numbers.fileStats(ref.file).filter(same) ?? [];
    const shown = fs ?? fromBackend[0];
    if (!shown)
      return {
        type: 'empty',
        title: ref.qualifiedName,
        reason: `No spans mapped to ${ref.qualifiedName} in the last ${formatDuration(cfg.windowMs)}.`,
      };
    this.seriesIds = new Set(shown.seriesIds);
    const details = buildDetails(engine, shown, {
      window: cfg.window,
      windowMs: cfg.windowMs,
      environment: cfg.environment,
    });
    this.addBackendTraces(
      details,
      traceTargets(engine, fs, fromBackend, cfg.windowMs),
      shown.stats.p95Ms,
      cfg.windowMs,
    );
    return { type: 'snapshot', details };
  }

  /**
   * The trace backends' rows, from memory, merged into the lists; when they are missing or old
   * (and not asked within their TTL), they are asked in the background and a new snapshot follows.
   */
  private addBackendTraces(
    details: FunctionDetailsDto,
    targets: TraceTarget[],
    p95Ms: number,
    windowMs: number,
  ): void {
    const traces = this.traces;
    if (!traces || !this.backends || traces.configured === 0) return;
    const q: TraceListQuery = { targets, windowMs };
    if (Number.isFinite(p95Ms) && p95Ms > 0) q.slowMinMs = p95Ms;
    this.traceQuery = q;
    const peek = traces.peek(q);
    const merged = mergeTraceLists(details.traces, peek.lists, LIST_LIMIT);
    const sources: TraceSourceDto[] = peek.lists.map((l) => ({
      label: l.label,
      ok: l.status.ok,
      stale: l.status.stale,
      message: l.status.ok ? '' : l.status.message,
      loading: !l.answered && (peek.loading || peek.due),
    }));
    if (targets.length === 0)
      for (const s of sources)
        Object.assign(s, {
          ok: false,
          loading: false,
          message:
            'no service and span name known for this function yet, so there is nothing to search for',
        });
    details.traces = { ...merged, held: details.traces.held, sources };
    if (!peek.due) return;
    const signal = this.listAbort.signal;
    void this.backends.sources.traceLists(traces, q, signal).then(
      () => {
        if (!signal.aborted) this.post();
      },
      () => undefined,
    );
  }
  /** The page with the bundle inline and, when there is one, the first snapshot (src/protocol/panel-page.ts). */
  private html(webview: vscode.Webview, first: HostMessage | undefined): string {
    const base = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    const assets = (this.assets ??= readPanelAssets(base.fsPath));
    return panelHtml({
      cspSource: webview.cspSource,
      nonce: randomBytes(16).toString('base64'),
      assetsBase: `${webview.asWebviewUri(base).toString()}/`,
      styles: assets.styles,
      script: assets.script,
      first,
    });
  }

  dispose(): void {
    this.cancelBackendRequests();
    this.panel?.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}

function readPanelAssets(dir: string): { styles: string[]; script: string } {
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  return { styles: [read('codicon.css'), read('main.css')], script: read('main.js') };
}

// Navigation state kept with setState (never data): which function, which trace tab, which trace
// is open. VS Code hands it back to the serializer after a reload, and the webview reopens the trace.
import type { PanelState, TraceTab } from '../../src/protocol/messages';
import type { Host } from './host';

export class UiState {
  private s: PanelState | undefined;

  constructor(private readonly host: Host) {
    this.s = host.getState();
  }

  get tab(): TraceTab {
    return this.s?.tab ?? 'recent';
  }

  get selectedTraceId(): string | undefined {
    return this.s?.selectedTraceId;
  }

  /** The trace backend the open trace came from (undefined: the receiver). */
  get selectedTraceSource(): string | undefined {
    return this.s?.selectedTraceSource;
  }

  /** A snapshot for another function resets what belonged to the previous one. */
  showing(file: string, qualifiedName: string, startLine: number): void {
    const same = this.s?.file === file && this.s.qualifiedName === qualifiedName;
    this.s = same ? { ...this.s!, startLine } : { file, qualifiedName, startLine };
    this.host.setState(this.s);
  }

  update(
    patch: Partial<Pick<PanelState, 'tab' | 'selectedTraceId' | 'selectedTraceSource'>>,
  ): void {
    if (!this.s) return;
    this.s = { ...this.s, ...patch };
    if (patch.selectedTraceId === undefined && 'selectedTraceId' in patch)
      delete this.s.selectedTraceId;
    if (patch.selectedTraceSource === undefined && 'selectedTraceSource' in patch)
      delete this.s.selectedTraceSource;
    this.host.setState(this.s);
  }
}

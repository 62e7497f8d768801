// The details panel's trace backends (Tempo, Jaeger, Zipkin): their rows merged into the function's
// lists from memory, asked again in the background when missing or old, and one trace fetched by
// id when the webview opens a row (the receiver's traces come from memory first). Requests of a function no longer on show are cancelled.
import { BackendTraces, type TraceListQuery } from '../core/sources/backend-traces';
import {
  panelTrace,
  withBackendTraces,
  type PanelFunctionRef,
  type PanelTraceAnswer,
} from '../core/details/panel-content';
import type { Engine } from '../core/engine/engine';
import type { FunctionDetailsDto } from '../protocol/messages';
import type { BackendSources } from './sources/backend-sources';

export class PanelTraces {
  private readonly traces: BackendTraces;
  /** What the backends are asked for the function on show (undefined: nothing to ask). */
  private query: TraceListQuery | undefined;
  /** Series of the function on show, so waterfall rows can be marked as "this function". */
  private seriesIds: ReadonlySet<string> = new Set();
  private listAbort = new AbortController();
  private traceAbort: AbortController | undefined;

  /** Without `sources` (no backends wired), traces come from memory only. */
  constructor(private readonly sources: BackendSources | undefined) {
    this.traces = new BackendTraces(() => sources?.traceSources() ?? []);
  }

  /**
   * The details with the backends' rows merged in; when those are due, asks the backends in the
   * background and calls `onAnswer` when they answered (the panel then posts a new snapshot).
   */
  decorate(
    details: FunctionDetailsDto,
    seriesIds: ReadonlySet<string>,
    q: TraceListQuery,
    onAnswer: () => void,
  ): FunctionDetailsDto {
    this.seriesIds = seriesIds;
    this.query = undefined;
    if (!this.sources || this.traces.configured === 0) return details;
    this.query = q;
    const peek = this.traces.peek(q);
    if (peek.due) {
      const signal = this.listAbort.signal;
      void this.sources.traceLists(this.traces, q, signal).then(
        () => {
          if (!signal.aborted) onAnswer();
        },
        () => undefined,
      );
    }
    return withBackendTraces(details, peek, q.targets.length > 0);
  }

  /** A trace for the waterfall; a newer request cancels an older one. */
  async trace(
    engine: Engine,
    ref: PanelFunctionRef | undefined,
    traceId: string,
    source: string | undefined,
  ): Promise<PanelTraceAnswer> {
    this.traceAbort?.abort();
    const abort = (this.traceAbort = new AbortController());
    try {
      const answer = await panelTrace(
        engine,
        this.traces,
        { traceId, source, ref, seriesIds: this.seriesIds, traceQuery: this.query },
        abort.signal,
      );
      if (answer.backend)
        this.sources?.noteTrace(answer.backend.ok ? answer.backend.source : source, answer.backend);
      return answer;
    } catch (e) {
      return {
        ok: false,
        error: abort.signal.aborted ? 'Cancelled: another trace was opened.' : (e as Error).message,
      };
    } finally {
      if (this.traceAbort === abort) this.traceAbort = undefined;
    }
  }

  /** Forgets the rows (the configured backends changed). */
  clear(): void {
    this.traces.clear();
  }

  /** Cancels the requests of the function on show (another one is shown, or the panel closed). */
  cancel(): void {
    this.listAbort.abort();
    this.listAbort = new AbortController();
    this.traceAbort?.abort();
    this.traceAbort = undefined;
  }
}

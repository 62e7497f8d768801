// The editor's backend refresh, as the soak runs it beside ingest: every few seconds the Prometheus
// source is asked for its alerts and for per-function numbers over the editor's window (what
// BackendSources.alerts / functionStats ask), the numbers are mapped onto the workspace
// (BackendStats, as BackendNumbers does), and every outcome goes through SourceHealth — the
// class the editor's warnings come from — so the soak counts warnings exactly as they would show.
import { BackendStats, type SourcedFunctionStats } from '../src/core/engine/backend-stats';
import type { Engine } from '../src/core/engine/engine';
import type { FunctionRange } from '../src/core/model';
import { PrometheusSource } from '../src/core/sources/prometheus';
import { sourceLabel, type SourceConfig } from '../src/core/sources/source';
import { SourceHealth } from '../src/core/sources/source-health';

/** The editor's default window (prodlens.window: 15m). */
const WINDOW_MS = 15 * 60_000;

export interface PollFigures {
  polls: number;
  /** Requests (per feed) that failed, during outages or not. */
  failedRequests: number;
  /** Warnings the editor would show: one per source going down. */
  warnings: { atMs: number; message: string }[];
  /** "answering again" log lines. */
  recoveries: { atMs: number }[];
  /** Rows of the latest answer that Prometheus gave, and how many reached no workspace function. */
  rows: number;
  unmappedRows: number;
  firingAlerts: number;
  /** Refreshes that threw (the editor logs them as warnings). */
  errors: string[];
}

export class BackendPoller {
  private readonly source: PrometheusSource;
  private readonly config: SourceConfig;
  private readonly health = new SourceHealth();
  private readonly stats: BackendStats;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  readonly figures: PollFigures = {
    polls: 0,
    failedRequests: 0,
    warnings: [],
    recoveries: [],
    rows: 0,
    unmappedRows: 0,
    firingAlerts: 0,
    errors: [],
  };

  constructor(
    url: string,
    engine: Engine,
    private readonly everyMs: number,
    /** The soak's clock (ms since it started), for the times of warnings. */
    private readonly clock: () => number,
  ) {
    this.config = { kind: 'prometheus', url, environment: 'soak', timeoutMs: 5_000 };
    // No caching between polls (the editor's TTL matches its own, slower, refresh): every poll
    // asks Prometheus, so every poll during an outage fails.
    this.source = new PrometheusSource(this.config, {
      flavor: 'spanmetrics',
      codeFunctionLabel: 'code_function_name',
      codeFileLabel: 'code_file_path',
      ttlMs: 0,
    });
    this.stats = new BackendStats({
      files: engine.files,
      functions: engine.codeLookup().functions,
      resolver: engine.codeLookup().resolver,
    });
  }

  start(): void {
    const tick = () => {
      this.running = this.poll()
        .catch((e: unknown) => void this.figures.errors.push((e as Error).message))
        .finally(() => {
          if (this.running) this.timer = setTimeout(tick, this.everyMs);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    const last = this.running;
    this.running = undefined;
    clearTimeout(this.timer);
    await last;
    clearTimeout(this.timer);
  }

  /** The backend's numbers for a file's functions, from memory (what a lens shows). */
  fileStats(file: string, ranges: readonly FunctionRange[] | undefined): SourcedFunctionStats[] {
    return this.stats.fileStats(file, {}, ranges);
  }

  private async poll(): Promise<void> {
    const [alerts, numbers] = await Promise.all([
      this.source.alerts(),
      this.source.functionStats(WINDOW_MS),
    ]);
    this.figures.polls++;
    this.note('alerts', alerts.status, alerts.value !== undefined);
    this.note('numbers', numbers.status, numbers.value !== undefined);
    if (alerts.value) this.figures.firingAlerts = alerts.value.length;
    await this.stats.update([
      {
        source: { kind: this.config.kind, environment: this.config.environment },
        rows: numbers.value,
        windowMs: WINDOW_MS,
        stale: numbers.status.stale,
        fetchedAt: numbers.fetchedAt ?? Date.now(),
        ...(numbers.status.ok ? {} : { message: numbers.status.message }),
      },
    ]);
    if (numbers.status.ok) {
      this.figures.rows = numbers.value?.length ?? 0;
      this.figures.unmappedRows = this.stats.unmapped().length;
    }
  }

  private note(feed: string, status: { ok: boolean; message: string }, haveValues: boolean) {
    if (!status.ok) this.figures.failedRequests++;
    const change = this.health.note(sourceLabel(this.config), feed, status, haveValues);
    const atMs = this.clock();
    if (change?.kind === 'down') this.figures.warnings.push({ atMs, message: change.message });
    else if (change?.kind === 'up') this.figures.recoveries.push({ atMs });
  }
}

// Production numbers from the configured backends (Prometheus) for lenses and hovers. The
// backends are asked in the background — on a timer, when the window, environment or sources
// change — with one grouped query set per source and window (never per function); the answers are
// mapped onto workspace functions by the core (BackendStats) and lenses read them from memory.
import { refreshTriggers } from './refresh-triggers';
import { CoalescedRun } from '../../core/sources/coalesced-run';
import * as vscode from 'vscode';
import {
  BackendStats,
  type BackendUnmapped,
  type SourcedFunctionStats,
} from '../../core/engine/backend-stats';
import type { FunctionRange } from '../../core/model';
import { errorMessage, log } from '../logging';
import type { Session } from '../session';
import type { BackendSources } from './backend-sources';

/** How often backends are asked again (their cache's TTL, 30 s by default, sits under this). */
const REFRESH_MS = 30_000;

export class BackendNumbers implements vscode.Disposable {
  private stats: BackendStats | undefined;
  private readonly refresher = new CoalescedRun(() => this.run());
  private readonly emitter = new vscode.EventEmitter<void>();
  /** Fires after a refresh changed what lenses show. */
  readonly onDidChange = this.emitter.event;
  private readonly triggers: vscode.Disposable;
  /** Refreshes done (for logs and tests). */
  refreshes = 0;
  private lastSummary = '';

  constructor(
    private readonly session: Session,
    private readonly backends: BackendSources,
  ) {
    this.triggers = refreshTriggers(backends, () => void this.refresh(), REFRESH_MS);
  }

  /** Backend numbers for a file, from memory; [] before the first answer. */
  fileStats(file: string, ranges?: readonly FunctionRange[]): SourcedFunctionStats[] {
    if (!this.stats) return [];
    const env = this.session.current.environment;
    return this.stats.fileStats(file, env ? { environment: env } : {}, ranges);
  }

  /** The latest refresh's rows that reached no workspace function, with the reason. */
  unmapped(): readonly BackendUnmapped[] {
    return this.stats?.unmapped() ?? [];
  }

  /** Asks every backend once for the current window; calls made meanwhile coalesce into one more. */
  refresh(): Promise<void> {
    return this.refresher.call();
  }

  private async run(): Promise<void> {
    const engine = await this.session.ready;
    if (!engine) return;
    if (this.backends.configured === 0 && !this.stats) return;
    try {
      this.stats ??= new BackendStats({
        files: engine.files,
        functions: engine.codeLookup().functions,
        resolver: engine.codeLookup().resolver,
      });
      const answers = await this.backends.functionStats(this.session.current.windowMs);
      await this.stats.update(answers);
      this.refreshes++;
      const rows = answers.reduce((n, a) => n + (a.rows?.length ?? 0), 0);
      const summary = `backend numbers: ${rows} series from ${answers.length} source(s), ${this.stats.unmapped().length} not mapped to a workspace function`;
      if (summary !== this.lastSummary) log().info(summary);
      this.lastSummary = summary;
      this.emitter.fire();
    } catch (e) {
      log().warn(`backend numbers: ${errorMessage(e)}`);
    }
  }

  dispose(): void {
    this.triggers.dispose();
    this.emitter.dispose();
  }
}

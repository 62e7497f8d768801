// Errors and log lines from the configured backends (Sentry issues, Loki lines) for the errors on
// the code and the log statements' notes. Asked in the background only — on a timer, when the
// sources, the window or the environment change — never on a hover; the answers are held by the
// core (BackendErrors, BackendLogs) and the decorations read them from memory.
import { refreshTriggers } from './refresh-triggers';
import { CoalescedRun } from '../../core/sources/coalesced-run';
import * as vscode from 'vscode';
import { BackendErrors } from '../../core/insights/backend-errors';
import type { BackendLogs } from '../../core/sources/backend-logs';
import { errorMessage, log } from '../logging';
import type { Session } from '../session';
import type { BackendSources } from './backend-sources';

/** How often the backends are asked again (their caches' TTLs sit under this). */
const REFRESH_MS = 60_000;

export class BackendFeeds implements vscode.Disposable {
  readonly errors = new BackendErrors();
  logs: BackendLogs | undefined;
  private readonly refresher = new CoalescedRun(() => this.run());
  private readonly emitter = new vscode.EventEmitter<void>();
  /** Fires after a refresh changed what the decorations show. */
  readonly onDidChange = this.emitter.event;
  private readonly triggers: vscode.Disposable;

  constructor(
    private readonly session: Session,
    private readonly backends: BackendSources,
  ) {
    this.triggers = refreshTriggers(backends, () => void this.refresh(), REFRESH_MS);
  }

  refresh(): Promise<void> {
    return this.refresher.call();
  }

  private async run(): Promise<void> {
    const engine = await this.session.ready;
    if (!engine) return;
    const windowMs = this.session.current.windowMs;
    const before = `${this.errors.generation}|${this.logs?.generation ?? -1}`;
    this.logs ??= engine.backendLogs();
    const logs = this.logs;
    try {
      await Promise.all([
        this.backends.errors(this.errors, windowMs),
        this.backends.logs(logs, windowMs, (body, n, text, attrs) =>
          engine.matchLog(body, n, text, attrs),
        ),
      ]);
    } catch (e) {
      log().warn(`backend errors and logs: ${errorMessage(e)}`);
    }
    if (`${this.errors.generation}|${logs.generation}` !== before) this.emitter.fire();
  }

  dispose(): void {
    this.triggers.dispose();
    this.emitter.dispose();
  }
}

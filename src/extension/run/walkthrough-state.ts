// The getting-started walkthrough's steps complete from real state: the receiver listening,
// telemetry having arrived, a lens with numbers having been drawn. Each is a context key (the
// steps' `onContext` completion events) and, because VS Code ignores an `onContext` event whose key
// was already true when it registered the walkthrough (it does so lazily, when a walkthrough is
// first shown), the step is also marked complete directly, once.
import * as vscode from 'vscode';
import { log } from '../logging';

/** Step id (package.json walkthrough step) → the context key its completion event names. */
export const WalkthroughSteps = {
  receiver: 'prodlens.receiverListening',
  run: 'prodlens.hasTelemetry',
  lens: 'prodlens.lensShown',
} as const;

export type WalkthroughStep = keyof typeof WalkthroughSteps;

const WALKTHROUGH_ID = 'gettingStarted';

const MARK_RETRIES = 10;
const MARK_RETRY_MS = 2_000;

export class WalkthroughState implements vscode.Disposable {
  private readonly reached = new Set<WalkthroughStep>();
  /** Retries under way, one per step that could not be marked yet (several can wait at once). */
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly extensionId: string) {}

  reach(step: WalkthroughStep): void {
    if (this.reached.has(step)) return;
    this.reached.add(step);
    void vscode.commands.executeCommand('setContext', WalkthroughSteps[step], true);
    void this.markDone(step, 0);
  }

  /** The workbench's own "Mark Done"; it fails until the workbench has registered the walkthrough, so it is retried. */
  private async markDone(step: WalkthroughStep, attempt: number): Promise<void> {
    try {
      await vscode.commands.executeCommand(
        'welcome.markStepComplete',
        `${this.extensionId}#${WALKTHROUGH_ID}#${step}`,
      );
    } catch (e) {
      if (attempt >= MARK_RETRIES) {
        log().warn(`walkthrough: could not mark ${step} done: ${String(e)}`);
        return;
      }
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        void this.markDone(step, attempt + 1);
      }, MARK_RETRY_MS);
      this.timers.add(timer);
    }
  }

  dispose(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

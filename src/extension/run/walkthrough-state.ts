// The getting-started walkthrough's steps complete from real state, through context keys:
// the receiver listening, telemetry having arrived, a lens with numbers having been drawn.
import * as vscode from 'vscode';

export const WalkthroughKeys = {
  receiverListening: 'prodlens.receiverListening',
  hasTelemetry: 'prodlens.hasTelemetry',
  lensShown: 'prodlens.lensShown',
} as const;

export class WalkthroughState {
  private readonly set = new Map<string, boolean>();

  /** Sets a key when its value changes (setContext is a round trip to the renderer). */
  update(key: (typeof WalkthroughKeys)[keyof typeof WalkthroughKeys], value: boolean): void {
    if (this.set.get(key) === value) return;
    this.set.set(key, value);
    void vscode.commands.executeCommand('setContext', key, value);
  }
}

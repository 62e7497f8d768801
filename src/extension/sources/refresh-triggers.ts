// When background backend refreshes run: on a timer, when the sources change, and when the window
// or environment setting changes. One place for the triggers every backend feed shares.
import * as vscode from 'vscode';
import type { BackendSources } from './backend-sources';

export function refreshTriggers(
  backends: BackendSources,
  refresh: () => void,
  intervalMs: number,
): vscode.Disposable {
  const timer = setInterval(refresh, intervalMs);
  const subs = [
    backends.onDidChange(refresh),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (
        e.affectsConfiguration('prodlens.window') ||
        e.affectsConfiguration('prodlens.environment')
      )
        refresh();
    }),
  ];
  return new vscode.Disposable(() => {
    clearInterval(timer);
    for (const s of subs) s.dispose();
  });
}

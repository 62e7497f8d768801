// Raises a notification when a new critical alert starts firing: at most one a minute, and
// never again for an alert already announced; a setting (and a button) mutes them.
import * as vscode from 'vscode';
import type { CodeAlert } from '../../core/insights/local-alerts';
import { openFunction } from './open-function';

const MIN_GAP_MS = 60_000;

export class AlertNotifier {
  private readonly announced = new Set<string>();
  private lastShown = 0;

  update(alerts: readonly CodeAlert[]): void {
    if (!vscode.workspace.getConfiguration('prodlens').get<boolean>('alerts.notify', true)) return;
    const fresh = alerts.filter((a) => a.severity === 'critical' && a.file !== '' && !this.announced.has(a.id));
    if (fresh.length === 0 || Date.now() - this.lastShown < MIN_GAP_MS) return;
    for (const a of fresh) this.announced.add(a.id);
    this.lastShown = Date.now();
    const a = fresh[0]!;
    const more = fresh.length > 1 ? ` (and ${fresh.length - 1} more)` : '';
    void vscode.window.showWarningMessage(`ProdLens: ${a.name} in ${a.function} — ${a.summary}${more}`, 'Open Code', 'Mute Alert Notifications').then(async (pick) => {
      if (pick === 'Open Code') await openFunction(a.file, a.line);
      else if (pick === 'Mute Alert Notifications') await vscode.workspace.getConfiguration('prodlens').update('alerts.notify', false, vscode.ConfigurationTarget.Global);
    });
  }
}

// Raises a notification when a new critical alert starts firing: at most one a minute, and
// never again for an alert already announced. `prodlens.alerts.notify` mutes them: the
// notification's button and the Mute / Unmute Alert Notifications commands set it. Alerts that
// start while muted are not announced after unmuting either (they are not new by then).
import * as vscode from 'vscode';
import type { CodeAlert } from '../../core/insights/local-alerts';
import { Commands } from '../command-ids';
import { openFunction } from './open-function';
import { updateEffective } from '../settings-write';

const MIN_GAP_MS = 60_000;
const MUTE = 'Mute Alert Notifications';

export class AlertNotifier {
  private readonly announced = new Set<string>();
  private lastShown = 0;

  /** @param enabled `prodlens.alerts.notify`, read when alerts change. */
  constructor(private readonly enabled: () => boolean) {}

  update(alerts: readonly CodeAlert[]): void {
    const fresh = alerts.filter(
      (a) => a.severity === 'critical' && a.file !== '' && !this.announced.has(a.id),
    );
    if (!this.enabled()) {
      for (const a of fresh) this.announced.add(a.id);
      return;
    }
    if (fresh.length === 0 || Date.now() - this.lastShown < MIN_GAP_MS) return;
    for (const a of fresh) this.announced.add(a.id);
    this.lastShown = Date.now();
    const a = fresh[0]!;
    const more = fresh.length > 1 ? ` (and ${fresh.length - 1} more)` : '';
    void vscode.window
      .showWarningMessage(
        `ProdLens: ${a.name} in ${a.function} — ${a.summary}${more}`,
        'Open Code',
        MUTE,
      )
      .then(async (pick) => {
        if (pick === 'Open Code') await openFunction(a.file, a.line);
        else if (pick === MUTE) await setNotifications(false);
      });
  }
}

/**
 * Sets `prodlens.alerts.notify` where it takes effect: in the workspace settings when
 * they set it, else in the user settings. Says what happened, and if it still did not take (a
 * more specific setting wins), says that instead.
 */
export async function setNotifications(on: boolean): Promise<void> {
  if (!(await updateEffective('alerts.notify', on))) {
    void vscode.window.showWarningMessage(
      `ProdLens: could not ${on ? 'unmute' : 'mute'} alert notifications: a more specific prodlens.alerts.notify setting overrides it.`,
    );
    return;
  }
  void vscode.window.showInformationMessage(
    on
      ? 'ProdLens: alert notifications are on: new critical alerts raise one notification (at most one a minute).'
      : 'ProdLens: alert notifications muted. The Alerts view and the status bar still show alerts; "ProdLens: Unmute Alert Notifications" turns them back on.',
  );
}

export function alertNotificationCommands(): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(Commands.muteAlertNotifications, () => setNotifications(false)),
    vscode.commands.registerCommand(Commands.unmuteAlertNotifications, () =>
      setNotifications(true),
    ),
  );
}

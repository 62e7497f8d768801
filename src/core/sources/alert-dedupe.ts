// Prometheus and the Alertmanager it notifies report the same alert: keep one per label set and
// environment, preferring Alertmanager's (it knows about silences and carries the generatorURL).
import type { AlertRecord } from './source';

export function dedupeAlerts(alerts: readonly AlertRecord[]): AlertRecord[] {
  const byKey = new Map<string, AlertRecord>();
  for (const a of alerts) {
    const key = `${a.environment}|${JSON.stringify(Object.entries(a.labels).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))}`;
    const seen = byKey.get(key);
    if (!seen || (seen.source !== 'alertmanager' && a.source === 'alertmanager')) byKey.set(key, a);
  }
  return [...byKey.values()];
}

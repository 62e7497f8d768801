// Alerts evaluated on the local store, so the alerts view works with no alerting backend:
// a function's error rate above a threshold, or its p95 regressed against the previous window or
// against the previous version (`service.version`) when the window holds two versions of it.
// All need a minimum number of samples: two errors in three calls is not an alert, and a version
// comparison needs that many spans on both sides.
import { formatErrorRate, formatMs } from '../format/numbers';
import type { Hotspot } from './hotspots';

export interface LocalAlertRules {
  /** Error ratio (0..1) at or above which a function alerts. */
  errorRate: number;
  /** p95 now ÷ p95 before (previous window or previous version) at or above which a function alerts. */
  p95Regression: number;
  /** Spans needed in the window before either rule speaks. */
  minSamples: number;
}

export const DEFAULT_RULES: LocalAlertRules = {
  errorRate: 0.05,
  p95Regression: 1.5,
  minSamples: 20,
};

/**
 * A firing alert clears only once its figure falls this far back towards normal (80 % of the
 * error-rate threshold; 80 % of the p95 excess), so a rate hovering at the threshold does not flap.
 */
export const CLEAR_AT = 0.8;

export interface CodeAlert {
  id: string;
  name: string;
  severity: 'critical' | 'warning';
  state: 'firing';
  summary: string;
  /** `local` for rules evaluated on the store, else the backend (`alertmanager`, `prometheus`). */
  source: string;
  /** Workspace-relative file and 1-based line; '' and 0 when the alert could not be resolved. */
  file: string;
  line: number;
  function: string;
  unresolvedReason?: string;
  /** Where the backend says the alert comes from (generatorURL). */
  url?: string;
}

/** Version and environment names come from production: long ones are cut for one-line summaries. */
function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

/** `firing`: ids of the alerts firing at the last evaluation, which clear at CLEAR_AT instead. */
export function evaluateLocalAlerts(
  hotspots: readonly Hotspot[],
  rules: LocalAlertRules = DEFAULT_RULES,
  firing: ReadonlySet<string> = new Set(),
): CodeAlert[] {
  const alerts: CodeAlert[] = [];
  const errorThreshold = (id: string) =>
    firing.has(id) ? rules.errorRate * CLEAR_AT : rules.errorRate;
  const p95Threshold = (id: string) =>
    firing.has(id) ? 1 + (rules.p95Regression - 1) * CLEAR_AT : rules.p95Regression;
  for (const h of hotspots) {
    const s = h.stats.stats;
    const fn = h.stats.function;
    if (s.count < rules.minSamples) continue;
    const where = {
      file: h.stats.file,
      line: fn.startLine,
      function: fn.qualifiedName,
      state: 'firing' as const,
      source: 'local' as const,
    };
    const rate = s.errors / s.count;
    const ids = {
      errors: `local:errors:${h.stats.file}#${fn.qualifiedName}`,
      p95: `local:p95:${h.stats.file}#${fn.qualifiedName}`,
      version: `local:p95-version:${h.stats.file}#${fn.qualifiedName}`,
    };
    if (rate >= errorThreshold(ids.errors)) {
      alerts.push({
        ...where,
        id: ids.errors,
        name: 'High error rate',
        severity: rate >= rules.errorRate * 2 ? 'critical' : 'warning',
        summary: `${formatErrorRate(s.errors, s.count)} of ${s.count} calls failed (threshold ${formatErrorRate(rules.errorRate * 1000, 1000)})`,
      });
    }
    if (Number.isFinite(h.p95Ratio) && h.p95Ratio >= p95Threshold(ids.p95)) {
      alerts.push({
        ...where,
        id: ids.p95,
        name: 'p95 regression',
        severity: h.p95Ratio >= rules.p95Regression * 2 ? 'critical' : 'warning',
        summary: `p95 ${formatMs(s.p95Ms)}, was ${formatMs(h.previousP95Ms)} in the previous window (×${h.p95Ratio.toFixed(1)})`,
      });
    }
    // The worst environment whose two versions both have enough samples (changes come sorted).
    const change = h.versionChanges.find(
      (c) =>
        c.ratio >= p95Threshold(ids.version) &&
        c.current.count >= rules.minSamples &&
        c.previous.count >= rules.minSamples,
    );
    if (change) {
      const env = change.environment ? ` in ${clip(change.environment)}` : '';
      alerts.push({
        ...where,
        id: ids.version,
        name: 'p95 regression since the previous version',
        severity: change.ratio >= rules.p95Regression * 2 ? 'critical' : 'warning',
        summary: `p95 ${formatMs(change.current.p95Ms)} in version ${clip(change.current.version)}${env}, was ${formatMs(change.previous.p95Ms)} in ${clip(change.previous.version)} (×${change.ratio.toFixed(1)}; n=${change.current.count} vs ${change.previous.count})`,
      });
    }
  }
  return alerts.sort((a, b) =>
    a.severity === b.severity ? 0 : a.severity === 'critical' ? -1 : 1,
  );
}

// Recomputes hotspots and local alerts off the hot path (at most every few seconds, after data
// changed) and hands them to the views, the status badge and the new-alert notifier.
import * as vscode from 'vscode';
import {
  rankHotspots,
  sortHotspots,
  type Hotspot,
  type HotspotRanking,
} from '../../core/insights/hotspots';
import { evaluateLocalAlerts, type CodeAlert } from '../../core/insights/local-alerts';
import { errorMessage, log } from '../logging';
import type { Session } from '../session';
import type { BackendSources } from '../sources/backend-sources';

const MIN_INTERVAL_MS = 5_000;
/** Backends are asked for alerts at most this often (their own cache adds a TTL on top). */
const BACKEND_INTERVAL_MS = 30_000;

export class Insights implements vscode.Disposable {
  /** Every function with data in the window: what the alert rules judge and the filters list. */
  allHotspots: Hotspot[] = [];
  /** What the Hotspots view shows: filtered by service and environment, in the chosen order. */
  hotspots: Hotspot[] = [];
  alerts: CodeAlert[] = [];
  private backendAlerts: CodeAlert[] = [];
  private lastBackendRun = 0;
  serviceFilter: string | undefined;
  environmentFilter: string | undefined;
  ranking: HotspotRanking = 'timeSpent';
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private running = false;
  private lastRun = 0;
  private pending: NodeJS.Timeout | undefined;
  private readonly sub: vscode.Disposable;

  constructor(
    private readonly session: Session,
    private readonly backends: BackendSources,
  ) {
    this.sub = session.onDidChangeData(() => this.schedule());
    this.timer = setInterval(() => {
      if (backends.configured > 0) this.schedule(true);
    }, BACKEND_INTERVAL_MS);
  }

  private readonly timer: NodeJS.Timeout;
  private forceBackends = false;

  schedule(backendsToo = false): void {
    if (backendsToo) this.forceBackends = true;
    if (this.pending) return;
    const wait = Math.max(0, this.lastRun + MIN_INTERVAL_MS - Date.now());
    this.pending = setTimeout(() => {
      this.pending = undefined;
      void this.run();
    }, wait);
  }

  async run(): Promise<void> {
    const engine = this.session.engine;
    if (!engine || this.running) return;
    this.running = true;
    this.lastRun = Date.now();
    try {
      const c = this.session.current;
      const q = { windowMs: c.windowMs, ...(c.environment ? { environment: c.environment } : {}) };
      this.allHotspots = await rankHotspots(engine, q);
      // The view's filters narrow what it shows, never what the alert rules see.
      const service = this.serviceFilter;
      this.hotspots = this.environmentFilter
        ? await rankHotspots(
            engine,
            q,
            { environment: this.environmentFilter, ...(service ? { service } : {}) },
            this.ranking,
          )
        : sortHotspots(
            service
              ? this.allHotspots.filter((h) => h.stats.services.includes(service))
              : [...this.allHotspots],
            this.ranking,
          );
      if (this.forceBackends || Date.now() - this.lastBackendRun >= BACKEND_INTERVAL_MS) {
        this.forceBackends = false;
        this.lastBackendRun = Date.now();
        this.backendAlerts = await this.backends.alerts(
          engine,
          this.session.current.alertCodeMapping,
        );
      }
      // Backend alerts first: they are what on-call is paged for.
      // Alerts firing now clear only well below their threshold (no flapping at the edge).
      const firing = new Set(this.alerts.filter((a) => a.source === 'local').map((a) => a.id));
      this.alerts = [
        ...this.backendAlerts,
        ...evaluateLocalAlerts(this.allHotspots, c.alertRules, firing),
      ];
      this.emitter.fire();
    } catch (e) {
      log().warn(`insights: ${errorMessage(e)}`);
    } finally {
      this.running = false;
    }
  }

  services(): string[] {
    return [...new Set(this.allHotspots.flatMap((h) => h.stats.services))].sort();
  }

  environments(): string[] {
    return [...new Set(this.allHotspots.flatMap((h) => h.stats.environments))]
      .filter((e) => e !== '')
      .sort();
  }

  dispose(): void {
    clearInterval(this.timer);
    if (this.pending) clearTimeout(this.pending);
    this.sub.dispose();
    this.emitter.dispose();
  }
}

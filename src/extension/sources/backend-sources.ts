// The production backends configured in `prodlens.sources` (machine-scoped, ignored in untrusted
// workspaces), with tokens from SecretStorage only. Fetches alerts for the Alerts view and
// per-function numbers for lenses and hovers, and tests connections; an outage is announced once
// when a source goes down (whichever request noticed it), not on every refresh.
import * as vscode from 'vscode';
import type { BackendAnswer } from '../../core/engine/backend-stats';
import type { Engine } from '../../core/engine/engine';
import type { CodeAlert } from '../../core/insights/local-alerts';
import { dedupeAlerts } from '../../core/sources/alert-dedupe';
import { AlertResolver } from '../../core/sources/alert-resolution';
import { AlertmanagerSource } from '../../core/sources/alertmanager';
import { PrometheusSource, type PrometheusOptions } from '../../core/sources/prometheus';
import { isSourceKind, sourceLabel, type AlertRecord, type SourceConfig, type SourceStatus } from '../../core/sources/source';
import { log } from '../logging';

type Source = PrometheusSource | AlertmanagerSource;

export function tokenKey(kind: string, environment: string): string {
  return `prodlens.token.${kind}.${environment || 'default'}`;
}

export class BackendSources implements vscode.Disposable {
  private sources: { config: SourceConfig; source: Source }[] = [];
  private readonly down = new Set<string>();
  /** Latest health per source label and request kind ("alerts", "numbers"). */
  private readonly health = new Map<string, Map<string, boolean>>();
  statuses: { label: string; url: string; status: SourceStatus }[] = [];
  private readonly subs: vscode.Disposable[] = [];
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;

  constructor(private readonly secrets: vscode.SecretStorage) {
    this.subs.push(
      secrets.onDidChange((e) => {
        if (e.key.startsWith('prodlens.token.')) void this.reload();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('prodlens.sources') || e.affectsConfiguration('prodlens.prometheus')) void this.reload();
      }),
    );
  }

  get configured(): number {
    return this.sources.length;
  }

  configs(): SourceConfig[] {
    return this.sources.map((s) => s.config);
  }

  async reload(): Promise<void> {
    const c = vscode.workspace.getConfiguration('prodlens');
    // Sources receive tokens: only the user's own (machine) settings may name them.
    const raw = vscode.workspace.isTrusted ? c.get<unknown[]>('sources', []) : (c.inspect<unknown[]>('sources')?.globalValue ?? []);
    const prom: PrometheusOptions = {};
    const flavor = c.get<string>('prometheus.flavor', 'auto');
    if (flavor === 'auto' || flavor === 'spanmetrics' || flavor === 'tempo') prom.flavor = flavor;
    const codeLabel = c.get<string>('prometheus.codeFunctionLabel', '');
    if (codeLabel) prom.codeFunctionLabel = codeLabel;
    const fileLabel = c.get<string>('prometheus.codeFileLabel', '');
    if (fileLabel) prom.codeFileLabel = fileLabel;
    const next: { config: SourceConfig; source: Source }[] = [];
    for (const [i, entry] of (Array.isArray(raw) ? raw : []).entries()) {
      const e = (entry ?? {}) as Record<string, unknown>;
      const kind = typeof e.kind === 'string' ? e.kind : '';
      const url = typeof e.url === 'string' ? e.url : '';
      if (!isSourceKind(kind) || !/^https?:\/\//.test(url)) {
        log().warn(`setting prodlens.sources[${i}] skipped: needs "kind" (prometheus or alertmanager) and an http(s) "url"`);
        continue;
      }
      const environment = typeof e.environment === 'string' ? e.environment : '';
      const config: SourceConfig = { kind, url, environment };
      const token = await this.secrets.get(tokenKey(kind, environment));
      if (token) config.token = token;
      try {
        next.push({ config, source: kind === 'prometheus' ? new PrometheusSource(config, prom) : new AlertmanagerSource(config) });
      } catch (err) {
        log().warn(`setting prodlens.sources[${i}]: ${(err as Error).message}`);
      }
    }
    this.sources = next;
    this.emitter.fire();
  }

  async testConnections(): Promise<{ label: string; url: string; status: SourceStatus }[]> {
    const out = await Promise.all(this.sources.map(async ({ config, source }) => ({ label: sourceLabel(config), url: config.url, status: await source.testConnection() })));
    this.statuses = out;
    return out;
  }

  /** Alerts from every source, resolved to code; failing sources are reported once per outage. */
  async alerts(engine: Engine, mapping: Record<string, string>): Promise<CodeAlert[]> {
    if (this.sources.length === 0) return [];
    const results = await Promise.all(this.sources.map(async ({ config, source }) => ({ config, result: await source.alerts() })));
    const records: AlertRecord[] = [];
    this.statuses = [];
    for (const { config, result } of results) {
      this.statuses.push({ label: sourceLabel(config), url: config.url, status: result.status });
      if (result.value) records.push(...result.value);
      this.noteHealth(config, 'alerts', result.status, result.value !== undefined);
    }
    const resolver = new AlertResolver({ files: engine.files, functions: engine.functions, mapping });
    const out: CodeAlert[] = [];
    for (const a of dedupeAlerts(records)) {
      const r = await resolver.resolve(a);
      out.push({
        id: `${a.source}:${a.environment}:${a.name}:${JSON.stringify(a.labels)}`,
        name: a.name,
        severity: /crit|page|high|error/i.test(a.severity) ? 'critical' : 'warning',
        state: 'firing',
        summary: a.summary || `${a.state}${a.severity ? ` · ${a.severity}` : ''}`,
        source: a.source,
        file: r.file ?? '',
        line: r.line ?? 0,
        function: r.function ?? (r.unresolvedReason ? `unresolved: ${r.unresolvedReason}` : ''),
        ...(r.unresolvedReason ? { unresolvedReason: r.unresolvedReason } : {}),
        ...(a.generatorURL ? { url: a.generatorURL } : {}),
      });
    }
    return out;
  }

  /**
   * Per-function numbers from every source that has them (Prometheus), for one window: one
   * grouped query set per source, cached for the source's TTL, last-known values marked stale.
   */
  async functionStats(windowMs: number): Promise<BackendAnswer[]> {
    const prom = this.sources.filter((s): s is { config: SourceConfig; source: PrometheusSource } => s.source instanceof PrometheusSource);
    return Promise.all(
      prom.map(async ({ config, source }) => {
        const r = await source.functionStats(windowMs);
        this.noteHealth(config, 'numbers', r.status, r.value !== undefined);
        const a: BackendAnswer = { source: { kind: config.kind, environment: config.environment }, rows: r.value, windowMs, stale: r.status.stale, fetchedAt: r.fetchedAt ?? Date.now() };
        if (!r.status.ok) a.message = r.status.message;
        return a;
      }),
    );
  }

  /** One warning when a source goes down, one log line when every request to it works again. */
  private noteHealth(config: SourceConfig, what: string, status: SourceStatus, haveValues: boolean): void {
    const label = sourceLabel(config);
    let h = this.health.get(label);
    if (!h) this.health.set(label, (h = new Map()));
    h.set(what, status.ok);
    if (!status.ok && !this.down.has(label)) {
      this.down.add(label);
      log().warn(`${label}: ${status.message}`);
      void vscode.window.showWarningMessage(`ProdLens: ${label} is not answering (${status.message}). Its numbers and alerts are ${haveValues ? 'shown as last known, marked stale,' : 'missing'} until it recovers.`);
    } else if (status.ok && [...h.values()].every((ok) => ok) && this.down.delete(label)) {
      log().info(`${label}: answering again`);
    }
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.emitter.dispose();
  }
}

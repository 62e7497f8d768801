// The production backends configured in `prodlens.sources` (machine-scoped, ignored in untrusted
// workspaces), with tokens from SecretStorage only. Fetches alerts for the Alerts view,
// per-function numbers for lenses and hovers, Sentry issues for errors on the code and Loki lines
// for log statements, a function's traces for the details panel, and tests connections; an outage is announced once when a source goes down
// (whichever request noticed it), not on every refresh.
import * as vscode from 'vscode';
import type { BackendAnswer } from '../../core/engine/backend-stats';
import type { Engine } from '../../core/engine/engine';
import type { CodeAlert } from '../../core/insights/local-alerts';
import { dedupeAlerts } from '../../core/sources/alert-dedupe';
import { AlertResolver } from '../../core/sources/alert-resolution';
import { AlertmanagerSource } from '../../core/sources/alertmanager';
import type { BackendErrors } from '../../core/insights/backend-errors';
import type { BackendLogs, LogStreamSource } from '../../core/sources/backend-logs';
import { LokiSource } from '../../core/sources/loki';
import { PrometheusSource, type PrometheusOptions } from '../../core/sources/prometheus';
import { SentrySource } from '../../core/sources/sentry';
import { SourceHealth } from '../../core/sources/source-health';
import type {
  BackendTraceResult,
  BackendTraces,
  SourceTraceLists,
  TraceListQuery,
} from '../../core/sources/backend-traces';
import { JaegerSource } from '../../core/sources/jaeger';
import { TempoSource } from '../../core/sources/tempo';
import { ZipkinSource } from '../../core/sources/zipkin';
import {
  EDITOR_SOURCE_KINDS,
  isEditorSourceKind,
  sourceLabel,
  type AlertRecord,
  type SourceConfig,
  type SourceStatus,
  type TraceSource,
} from '../../core/sources/source';
import { log } from '../logging';

type Source =
  | PrometheusSource
  | AlertmanagerSource
  | SentrySource
  | LokiSource
  | TempoSource
  | JaegerSource
  | ZipkinSource;

/** Lines asked of Loki per refresh at most. */
const LOKI_LIMIT = 1_000;

export function tokenKey(kind: string, environment: string): string {
  return `prodlens.token.${kind}.${environment || 'default'}`;
}

export class BackendSources implements vscode.Disposable {
  private sources: { config: SourceConfig; source: Source; logQuery?: string }[] = [];
  /** Which sources are down, so an outage is announced once (core/sources/source-health.ts). */
  private readonly health = new SourceHealth();
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
        if (
          e.affectsConfiguration('prodlens.sources') ||
          e.affectsConfiguration('prodlens.prometheus')
        )
          void this.reload();
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
    const raw = vscode.workspace.isTrusted
      ? c.get<unknown[]>('sources', [])
      : (c.inspect<unknown[]>('sources')?.globalValue ?? []);
    const prom: PrometheusOptions = {};
    const flavor = c.get<string>('prometheus.flavor', 'auto');
    if (flavor === 'auto' || flavor === 'spanmetrics' || flavor === 'tempo') prom.flavor = flavor;
    const codeLabel = c.get<string>('prometheus.codeFunctionLabel', '');
    if (codeLabel) prom.codeFunctionLabel = codeLabel;
    const fileLabel = c.get<string>('prometheus.codeFileLabel', '');
    if (fileLabel) prom.codeFileLabel = fileLabel;
    const next: { config: SourceConfig; source: Source; logQuery?: string }[] = [];
    for (const [i, entry] of (Array.isArray(raw) ? raw : []).entries()) {
      const e = (entry ?? {}) as Record<string, unknown>;
      const kind = typeof e.kind === 'string' ? e.kind : '';
      const url = typeof e.url === 'string' ? e.url : '';
      if (!isEditorSourceKind(kind) || !/^https?:\/\//.test(url)) {
        log().warn(
          `setting prodlens.sources[${i}] skipped: needs "kind" (${EDITOR_SOURCE_KINDS.join(', ')}) and an http(s) "url"`,
        );
        continue;
      }
      const field = (k: string) => (typeof e[k] === 'string' ? (e[k] as string).trim() : '');
      if (kind === 'sentry' && (!field('organization') || !field('project'))) {
        log().warn(
          `setting prodlens.sources[${i}] skipped: a sentry source needs "organization" and "project" (slugs)`,
        );
        continue;
      }
      if (kind === 'loki' && !/^\{.*\}/s.test(field('query'))) {
        log().warn(
          `setting prodlens.sources[${i}] skipped: a loki source needs "query", a LogQL stream selector such as {service_name="shop"}`,
        );
        continue;
      }
      const environment = typeof e.environment === 'string' ? e.environment : '';
      const config: SourceConfig = { kind, url, environment };
      const token = await this.secrets.get(tokenKey(kind, environment));
      if (token) config.token = token;
      try {
        if (kind === 'sentry')
          next.push({
            config,
            source: new SentrySource(config, {
              organization: field('organization'),
              project: field('project'),
            }),
          });
        else if (kind === 'loki')
          next.push({
            config,
            source: new LokiSource(
              config,
              field('serviceLabel') ? { serviceLabel: field('serviceLabel') } : {},
            ),
            logQuery: field('query'),
          });
        else if (kind === 'tempo') next.push({ config, source: new TempoSource(config) });
        else if (kind === 'jaeger') next.push({ config, source: new JaegerSource(config) });
        else if (kind === 'zipkin') next.push({ config, source: new ZipkinSource(config) });
        else
          next.push({
            config,
            source:
              kind === 'prometheus'
                ? new PrometheusSource(config, prom)
                : new AlertmanagerSource(config),
          });
      } catch (err) {
        log().warn(`setting prodlens.sources[${i}]: ${(err as Error).message}`);
      }
    }
    this.sources = next;
    this.emitter.fire();
  }

  async testConnections(): Promise<{ label: string; url: string; status: SourceStatus }[]> {
    const out = await Promise.all(
      this.sources.map(async ({ config, source }) => ({
        label: sourceLabel(config),
        url: config.url,
        status: await source.testConnection(),
      })),
    );
    this.statuses = out;
    return out;
  }

  /** Alerts from every source, resolved to code; failing sources are reported once per outage. */
  async alerts(engine: Engine, mapping: Record<string, string>): Promise<CodeAlert[]> {
    const alerting = this.sources.filter(
      (s): s is { config: SourceConfig; source: PrometheusSource | AlertmanagerSource } =>
        s.source instanceof PrometheusSource || s.source instanceof AlertmanagerSource,
    );
    if (alerting.length === 0) return [];
    const results = await Promise.all(
      alerting.map(async ({ config, source }) => ({ config, result: await source.alerts() })),
    );
    const records: AlertRecord[] = [];
    this.statuses = [];
    for (const { config, result } of results) {
      this.statuses.push({ label: sourceLabel(config), url: config.url, status: result.status });
      if (result.value) records.push(...result.value);
      this.noteHealth(config, 'alerts', result.status, result.value !== undefined);
    }
    const resolver = new AlertResolver({
      files: engine.files,
      functions: engine.codeLookup().functions,
      mapping,
    });
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
    const prom = this.sources.filter(
      (s): s is { config: SourceConfig; source: PrometheusSource } =>
        s.source instanceof PrometheusSource,
    );
    return Promise.all(
      prom.map(async ({ config, source }) => {
        const r = await source.functionStats(windowMs);
        this.noteHealth(config, 'numbers', r.status, r.value !== undefined);
        const a: BackendAnswer = {
          source: { kind: config.kind, environment: config.environment },
          rows: r.value,
          windowMs,
          stale: r.status.stale,
          fetchedAt: r.fetchedAt ?? Date.now(),
        };
        if (!r.status.ok) a.message = r.status.message;
        return a;
      }),
    );
  }

  /** Sentry issues and their latest events into `feed` (cached there); failing sources are reported once per outage. */
  async errors(feed: BackendErrors, windowMs: number): Promise<void> {
    const sentry = this.sources.flatMap((s) =>
      s.source instanceof SentrySource ? [s.source] : [],
    );
    if (sentry.length === 0 && feed.size === 0) return;
    for (const r of await feed.refresh(sentry, windowMs))
      this.noteHealth(r.config, 'errors', r.status, r.issues > 0);
  }

  /** Loki lines of the window into `feed`, one bounded query_range per source; outages reported once. */
  async logs(
    feed: BackendLogs,
    windowMs: number,
    match: Parameters<BackendLogs['refresh']>[2],
  ): Promise<void> {
    const loki: LogStreamSource[] = this.sources.flatMap((s) =>
      s.source instanceof LokiSource && s.logQuery
        ? [{ source: s.source, query: s.logQuery, limit: LOKI_LIMIT }]
        : [],
    );
    if (loki.length === 0 && feed.sourceCount === 0) return;
    for (const r of await feed.refresh(loki, windowMs, match))
      this.noteHealth(r.config, 'logs', r.status, r.lines > 0);
  }

  /** The configured trace backends (Tempo, Jaeger, Zipkin). */
  traceSources(): TraceSource[] {
    return this.sources.flatMap((s) =>
      s.source instanceof TempoSource ||
      s.source instanceof JaegerSource ||
      s.source instanceof ZipkinSource
        ? [s.source]
        : [],
    );
  }

  /** A function's trace lists from every trace backend (cached in `traces`); outages reported once. */
  async traceLists(
    traces: BackendTraces,
    q: TraceListQuery,
    signal?: AbortSignal,
  ): Promise<SourceTraceLists[]> {
    const lists = await traces.fetch(q, signal);
    for (const l of lists) {
      const config = this.configByLabel(l.label);
      if (config) this.noteHealth(config, 'traces', l.status, l.answered);
    }
    return lists;
  }

  /** Notes a trace-by-id answer's health (a failure, not a trace the backend does not know). */
  noteTrace(label: string | undefined, r: BackendTraceResult): void {
    const config = label === undefined ? undefined : this.configByLabel(label);
    if (!config) return;
    if (r.ok)
      this.noteHealth(
        config,
        'traces',
        { ok: true, latencyMs: 0, message: 'ok', stale: false },
        true,
      );
    else if (!r.notFound)
      this.noteHealth(
        config,
        'traces',
        { ok: false, latencyMs: 0, message: r.error, stale: false },
        false,
      );
  }

  private configByLabel(label: string): SourceConfig | undefined {
    return this.sources.find((s) => sourceLabel(s.config) === label)?.config;
  }

  /** One warning when a source goes down, one log line when every request to it works again. */
  private noteHealth(
    config: SourceConfig,
    what: string,
    status: SourceStatus,
    haveValues: boolean,
  ): void {
    const label = sourceLabel(config);
    const change = this.health.note(label, what, status, haveValues);
    if (change?.kind === 'down') {
      log().warn(`${label}: ${status.message}`);
      // Whichever feed notices the outage first, the message speaks for all of the source's feeds.
      void vscode.window.showWarningMessage(
        `ProdLens: ${label} is not answering (${status.message}). What it gave is ${change.kept ? 'shown as last known, marked stale,' : 'missing'} until it recovers.`,
      );
    } else if (change?.kind === 'up') {
      log().info(`${label}: answering again`);
    }
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.emitter.dispose();
  }
}

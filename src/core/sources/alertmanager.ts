// Alertmanager as a source: the alerts it holds (API v2), whichever Prometheus sent them.
import { cachedResult, SourceCache, type SourceResult } from './cache';
import { SourceClient } from './source-client';
import { HttpClient, SourceError } from './http-client';
import { type AlertRecord, type SourceConfig, type SourceStatus, probeStatus } from './source';

interface GettableAlert {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  generatorURL?: string;
  status?: { state?: string };
}

export interface AlertmanagerOptions {
  ttlMs?: number;
  /** Include silenced and inhibited alerts (state `suppressed`); on by default, as the API does. */
  includeSuppressed?: boolean;
}

export class AlertmanagerSource extends SourceClient {
  private readonly cache: SourceCache<AlertRecord[]>;

  constructor(
    config: SourceConfig,
    private readonly opts: AlertmanagerOptions = {},
    client?: HttpClient,
  ) {
    super(config, 'check PRODLENS_ALERTMANAGER_TOKEN', client);
    this.cache = new SourceCache({ ttlMs: opts.ttlMs ?? 15_000, maxEntries: 1 });
  }

  /** Asks for Alertmanager's status: proves the URL, the credentials and that it is Alertmanager. */
  async testConnection(signal?: AbortSignal): Promise<SourceStatus> {
    this.lastStatus = await probeStatus(signal, async () => {
      const s = await this.client.getJson<{
        versionInfo?: { version?: string };
        cluster?: unknown;
      }>('api/v2/status', {}, signal);
      if (!s || typeof s !== 'object' || !('cluster' in s))
        throw new SourceError(
          'bad-response',
          `${this.client.label} at ${this.client.displayUrl} answered api/v2/status unlike Alertmanager`,
        );
      return `ok (Alertmanager ${s.versionInfo?.version ?? 'unknown version'})`;
    });
    return this.lastStatus;
  }

  async alerts(signal?: AbortSignal): Promise<SourceResult<AlertRecord[]>> {
    const r = await cachedResult(this.cache, 'alerts', () => this.load(), signal);
    this.lastStatus = r.status;
    return r;
  }

  private async load(): Promise<AlertRecord[]> {
    const suppressed = String(this.opts.includeSuppressed ?? true);
    const body = await this.client.getJson<unknown>('api/v2/alerts', {
      active: 'true',
      silenced: suppressed,
      inhibited: suppressed,
    });
    if (!Array.isArray(body))
      throw new SourceError(
        'bad-response',
        `${this.client.label} at ${this.client.displayUrl} answered api/v2/alerts with something other than a list of alerts`,
      );
    return (body as GettableAlert[]).map((a) => {
      const labels = { ...(a.labels ?? {}) };
      const ann = a.annotations ?? {};
      return {
        name: labels.alertname ?? '',
        state: a.status?.state ?? 'active',
        severity: labels.severity ?? '',
        startsAt: a.startsAt ?? '',
        summary: ann.summary ?? ann.description ?? '',
        generatorURL: a.generatorURL ?? '',
        labels,
        source: 'alertmanager' as const,
        environment: this.config.environment,
      };
    });
  }
}

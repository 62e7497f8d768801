// What every backend client shares: an HTTP client for the source's URL with its token and
// timeout, and the health of its latest request (a test connection or a query). Each client
// (prometheus.ts, tempo.ts, …) adds what it asks and how it reads the answers.
import { HttpClient } from './http-client';
import { sourceLabel, type SourceConfig, type SourceStatus } from './source';

export abstract class SourceClient {
  readonly client: HttpClient;
  protected lastStatus: SourceStatus = {
    ok: true,
    latencyMs: 0,
    message: 'not asked yet',
    stale: false,
  };

  /** `authHint` is what a 401/403 tells the user to check (the source's token variable). */
  protected constructor(
    readonly config: SourceConfig,
    authHint: string,
    client?: HttpClient,
  ) {
    this.client =
      client ??
      new HttpClient({
        baseUrl: config.url,
        label: sourceLabel(config),
        authHint,
        ...(config.token ? { token: config.token } : {}),
        ...(config.timeoutMs ? { timeoutMs: config.timeoutMs } : {}),
      });
  }

  status(): SourceStatus {
    return this.lastStatus;
  }
}

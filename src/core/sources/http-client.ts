// The one way sources talk HTTP. Every request is bounded: a timeout per attempt (headers and
// body), a cap on the bytes read, a few retries with backoff for the failures that are worth
// retrying (429/502/503/504 and connection errors; never timeouts, so nothing waits for
// minutes), and the caller's AbortSignal. Failures become a SourceError with one clear sentence;
// the token never reaches a message.

export type SourceErrorReason =
  | 'unreachable'
  | 'timeout'
  | 'aborted'
  | 'auth'
  | 'http'
  | 'not-json'
  | 'too-large'
  | 'bad-response';

export class SourceError extends Error {
  constructor(
    readonly reason: SourceErrorReason,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'SourceError';
  }
}

export type QueryParams = Record<string, string | readonly string[] | undefined>;

export interface HttpClientOptions {
  /** API root; a path prefix (`https://host/prometheus/`) is kept. */
  baseUrl: string;
  token?: string;
  /** Per attempt, covering headers and body. */
  timeoutMs?: number;
  /** Extra attempts after a retryable failure. */
  retries?: number;
  backoffMs?: number;
  maxBytes?: number;
  /** Names the source in messages, e.g. `prometheus (prod)`. */
  label?: string;
  /** Appended to credential failures, e.g. `set PRODLENS_PROMETHEUS_TOKEN`. */
  authHint?: string;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;
const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
const MAX_RETRY_AFTER_MS = 5_000;

export class HttpClient {
  /** HTTP attempts sent so far (retries included): lets tests bound the queries per refresh. */
  requestCount = 0;
  readonly label: string;
  private readonly base: URL;
  private readonly authorization: string | undefined;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly maxBytes: number;
  private readonly secrets: string[];

  constructor(private readonly o: HttpClientOptions) {
    this.label = o.label ?? 'source';
    this.timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.retries = o.retries ?? 2;
    this.backoffMs = o.backoffMs ?? 250;
    this.maxBytes = o.maxBytes ?? DEFAULT_MAX_BYTES;
    this.secrets = o.token ? [o.token, encodeURIComponent(o.token)] : [];
    let base: URL;
    try {
      base = new URL(o.baseUrl);
    } catch {
      throw new SourceError(
        'bad-response',
        `${this.label}: ${this.redact(o.baseUrl)} is not a URL`,
      );
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:')
      throw new SourceError(
        'bad-response',
        `${this.label}: ${base.protocol} URLs are not supported (use http:// or https://)`,
      );
    // fetch refuses URLs with credentials: move them to a Basic header, and out of every message.
    let authorization = o.token ? `Bearer ${o.token}` : undefined;
    if (base.username || base.password) {
      const user = decodeURIComponent(base.username);
      const pass = decodeURIComponent(base.password);
      if (pass) this.secrets.push(pass, base.password);
      authorization ??= `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
      base.username = '';
      base.password = '';
    }
    if (authorization) this.secrets.push(authorization.slice(authorization.indexOf(' ') + 1));
    this.authorization = authorization;
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    this.base = base;
  }

  /** The base URL as safe to show: no credentials. */
  get displayUrl(): string {
    return this.base.href.replace(/\/$/, '');
  }

  /** Removes the token (and URL passwords) from any text about to be shown or thrown. */
  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) if (s.length >= 4) out = out.split(s).join('***');
    return out;
  }

  url(path: string, params: QueryParams = {}): URL {
    const u = new URL(path.replace(/^\/+/, ''), this.base);
    for (const [k, v] of Object.entries(params)) {
      if (v === undefined) continue;
      for (const one of typeof v === 'string' ? [v] : v) u.searchParams.append(k, one);
    }
    return u;
  }

  /** GET `path` and parse JSON, retrying what is worth retrying. Rejects with SourceError only. */
  async getJson<T = unknown>(path: string, params?: QueryParams, signal?: AbortSignal): Promise<T> {
    const target = this.url(path, params);
    for (let attempt = 0; ; attempt++) {
      try {
        return (await this.once(target, signal)) as T;
      } catch (e) {
        const err = this.toSourceError(e, target, signal);
        const retryAfter = (e as { retryAfterMs?: number }).retryAfterMs;
        if (attempt >= this.retries || !isRetryable(err)) throw err;
        const delay =
          retryAfter ?? this.backoffMs * 2 ** attempt + Math.random() * (this.backoffMs / 2);
        await sleep(Math.min(delay, MAX_RETRY_AFTER_MS), signal).catch(() => {
          throw new SourceError('aborted', `${this.label}: request cancelled`);
        });
      }
    }
  }

  private async once(target: URL, outer: AbortSignal | undefined): Promise<unknown> {
    if (outer?.aborted) throw new SourceError('aborted', `${this.label}: request cancelled`);
    this.requestCount++;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = outer ? AbortSignal.any([outer, timeout]) : timeout;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.authorization) headers.authorization = this.authorization;
    const res = await fetch(target, { headers, signal, redirect: 'follow' });
    const body = await readCapped(res, this.maxBytes, () =>
      this.fail(
        'too-large',
        `answered more than ${formatBytes(this.maxBytes)} for ${target.pathname}; narrow the query or raise the limit`,
      ),
    );
    const type = res.headers.get('content-type') ?? '';
    if (!res.ok) throw this.httpFailure(res, target, type, body);
    const text = body.toString('utf8');
    const looksJson = /[/+]json\b/i.test(type) || (!type && /^\s*[[{]/.test(text));
    if (!looksJson) {
      const what =
        /html/i.test(type) || /^\s*</.test(text) ? 'an HTML page' : `${type || 'an untyped body'}`;
      throw this.fail(
        'not-json',
        `answered ${target.pathname} with ${what} instead of JSON; is ${this.displayUrl} the API root and not a login page or UI proxy?`,
      );
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw this.fail('not-json', `answered ${target.pathname} with malformed JSON`);
    }
  }

  private httpFailure(res: Response, target: URL, type: string, body: Buffer): SourceError {
    const s = res.status;
    const detail = errorDetail(type, body);
    if (s === 401 || s === 403) {
      const why = this.authorization
        ? 'rejected the credentials'
        : 'requires credentials and none were given';
      return this.fail(
        'auth',
        `${why} (HTTP ${s})${this.o.authHint ? `; ${this.o.authHint}` : ''}`,
        s,
      );
    }
    const e = this.fail(
      'http',
      `answered HTTP ${s} for ${target.pathname}${detail ? `: ${detail}` : ''}${s === 404 ? `; is ${this.displayUrl} the API root?` : ''}`,
      s,
    );
    const ra = res.headers.get('retry-after');
    if (RETRYABLE_STATUS.has(s) && ra && /^\d+$/.test(ra))
      (e as SourceError & { retryAfterMs?: number }).retryAfterMs = Number(ra) * 1000;
    return e;
  }

  private fail(reason: SourceErrorReason, what: string, status?: number): SourceError {
    return new SourceError(
      reason,
      this.redact(`${this.label} at ${this.displayUrl} ${what}`),
      status,
    );
  }

  private toSourceError(e: unknown, target: URL, outer: AbortSignal | undefined): SourceError {
    if (e instanceof SourceError) return e;
    if (outer?.aborted) return new SourceError('aborted', `${this.label}: request cancelled`);
    const name = (e as { name?: string }).name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      return this.fail(
        'timeout',
        `did not answer ${target.pathname} within ${formatMs(this.timeoutMs)}`,
      );
    }
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const code = cause?.code ?? cause?.message ?? (e as Error).message ?? String(e);
    return this.fail(
      'unreachable',
      `cannot be reached (${code}); is it running and is the URL right?`,
    );
  }
}

function isRetryable(e: SourceError): boolean {
  return (
    e.reason === 'unreachable' ||
    (e.reason === 'http' && e.status !== undefined && RETRYABLE_STATUS.has(e.status))
  );
}

/** Reads at most `max` bytes; past that, stops reading (so a huge answer costs only `max`). */
async function readCapped(res: Response, max: number, tooLarge: () => Error): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max) {
    await res.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (!res.body) return Buffer.alloc(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** The server's own reason, short: Prometheus' `error` field, or the first words of a text body. */
function errorDetail(type: string, body: Buffer): string {
  const text = body.subarray(0, 4096).toString('utf8').trim();
  if (!text) return '';
  if (/json/i.test(type) || /^[[{]/.test(text)) {
    try {
      const j = JSON.parse(body.toString('utf8')) as { error?: unknown; message?: unknown };
      const m =
        typeof j.error === 'string' ? j.error : typeof j.message === 'string' ? j.message : '';
      if (m) return m.slice(0, 300);
    } catch {
      // fall through to the raw text
    }
  }
  if (/html/i.test(type) || text.startsWith('<')) return 'an HTML error page';
  return text.replace(/\s+/g, ' ').slice(0, 200);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error('aborted'));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round(n / (1024 * 1024))} MiB` : `${Math.round(n / 1024)} KiB`;
}

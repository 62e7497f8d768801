// Values fetched from sources, kept for a TTL. Concurrent asks for one key share one load; a
// failed load is never cached: the last good value is served marked stale (with the error), or
// the error goes to the caller when there is nothing to fall back on.

import type { SourceStatus } from './source';

export interface CachedValue<T> {
  value: T;
  /** True when the value is older than the TTL because the refresh failed. */
  stale: boolean;
  fetchedAt: number;
  /** Why a refresh failed, when stale. */
  error?: unknown;
}

interface Entry<T> {
  value: T;
  fetchedAt: number;
}

export interface SourceCacheOptions {
  ttlMs: number;
  /** Entries kept; the oldest go first. */
  maxEntries?: number;
  now?: () => number;
}

export class SourceCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly inFlight = new Map<string, Promise<CachedValue<T>>>();
  private readonly now: () => number;

  constructor(private readonly o: SourceCacheOptions) {
    this.now = o.now ?? Date.now;
  }

  /**
   * The value for `key`: cached while fresh, else loaded (once, however many callers ask).
   * `signal` only stops this caller waiting; the shared load goes on and fills the cache.
   */
  get(key: string, load: () => Promise<T>, signal?: AbortSignal): Promise<CachedValue<T>> {
    const hit = this.entries.get(key);
    if (hit && this.now() - hit.fetchedAt < this.o.ttlMs)
      return Promise.resolve({ value: hit.value, stale: false, fetchedAt: hit.fetchedAt });
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.refresh(key, load).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return signal ? raceAbort(pending, signal) : pending;
  }

  /** The last good value without loading anything. */
  peek(key: string): CachedValue<T> | undefined {
    const hit = this.entries.get(key);
    return (
      hit && {
        value: hit.value,
        stale: this.now() - hit.fetchedAt >= this.o.ttlMs,
        fetchedAt: hit.fetchedAt,
      }
    );
  }

  clear(): void {
    this.entries.clear();
  }

  private async refresh(key: string, load: () => Promise<T>): Promise<CachedValue<T>> {
    try {
      const value = await load();
      const fetchedAt = this.now();
      this.entries.delete(key); // re-insert so Map order is age order for eviction
      this.entries.set(key, { value, fetchedAt });
      const max = this.o.maxEntries ?? 256;
      while (this.entries.size > max) {
        const oldest = this.entries.keys().next().value;
        if (oldest === undefined) break;
        this.entries.delete(oldest);
      }
      return { value, stale: false, fetchedAt };
    } catch (error) {
      const old = this.entries.get(key);
      if (!old) throw error;
      return { value: old.value, stale: true, fetchedAt: old.fetchedAt, error };
    }
  }
}

function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function abortError(): Error {
  const e = new Error('cancelled');
  e.name = 'AbortError';
  return e;
}

/** A cached answer with the health of the request behind it. */
export interface SourceResult<T> {
  /** Undefined only when the request failed and nothing was cached before. */
  value?: T;
  status: SourceStatus;
  fetchedAt?: number;
}

/**
 * `cache.get` that never rejects (except for the caller's own cancellation): failures become a
 * status message, and an earlier value comes back marked stale.
 */
export async function cachedResult<T>(
  cache: SourceCache<T>,
  key: string,
  load: () => Promise<T>,
  signal: AbortSignal | undefined,
  okMessage = 'ok',
): Promise<SourceResult<T>> {
  const started = Date.now();
  try {
    const r = await cache.get(key, load, signal);
    const latencyMs = Date.now() - started;
    if (!r.stale)
      return {
        value: r.value,
        fetchedAt: r.fetchedAt,
        status: { ok: true, latencyMs, message: okMessage, stale: false },
      };
    const age = new Date(r.fetchedAt).toISOString();
    return {
      value: r.value,
      fetchedAt: r.fetchedAt,
      status: {
        ok: false,
        latencyMs,
        message: `${messageOf(r.error)}; showing values from ${age}`,
        stale: true,
      },
    };
  } catch (e) {
    if (signal?.aborted) throw e;
    return {
      status: { ok: false, latencyMs: Date.now() - started, message: messageOf(e), stale: false },
    };
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

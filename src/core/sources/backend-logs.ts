// Log lines from a log backend (Loki) counted at the log statements that printed them, beside the
// receiver's: one bounded `query_range` per source and refresh (the window's newest lines, up to a
// limit), cached for a TTL, each line matched to its statement by the engine's matcher and
// counted in a store of its own, so views can say which backend a count came from. A failing
// source keeps its last counts, marked stale. Nothing here queries on a view's request.
import type { LogRecordData } from '../model';
import type { LogIndex, LogMatch } from '../logs/log-index';
import { StatementLogs, type StatementLogSummary } from '../logs/statement-logs';
import { cachedResult, SourceCache } from './cache';
import type { LokiRangeQuery } from './loki';
import { sourceLabel, type SourceConfig, type SourceStatus } from './source';

/** A log source with the stream selector (and bounds) to ask it for. */
export interface LogStreamSource {
  source: {
    readonly config: SourceConfig;
    queryRange(q: LokiRangeQuery, signal?: AbortSignal): Promise<LogRecordData[]>;
  };
  /** LogQL log query, e.g. `{service_name="shop"}`. */
  query: string;
  /** Lines per refresh at most. */
  limit: number;
}

/** The engine's matcher: `engine.matchLog`. */
export type MatchLog = (
  body: string,
  severityNumber: number,
  severityText: string,
  attributes: LogRecordData['attributes'],
) => LogMatch;

export interface LogsOrigin {
  /** `loki (prod)`. */
  label: string;
  /** The environment the backend serves ('' = unnamed). */
  environment: string;
  stale: boolean;
  fetchedAt: number;
  /** True when the answer held `limit` lines: older lines of the window were not asked for. */
  truncated: boolean;
  limit: number;
  /** The backend's status sentence when stale. */
  message?: string;
}

export interface SourcedStatementLogs {
  summary: StatementLogSummary;
  origin: LogsOrigin;
}

export interface BackendLogsResult {
  config: SourceConfig;
  status: SourceStatus;
  /** Lines held for the source (stale ones included). */
  lines: number;
  /** Lines that matched no statement. */
  unmatched: number;
}

interface Held {
  key: string;
  origin: LogsOrigin;
  store: StatementLogs;
  lines: number;
  indexVersion: number;
}

export interface BackendLogsOptions {
  /** TTL of one source's answer (default 30 s). */
  ttlMs?: number;
  now?: () => number;
}

export class BackendLogs {
  private readonly cache: SourceCache<LogRecordData[]>;
  private held = new Map<string, Held>();
  private readonly now: () => number;
  /** Bumped when what is held changed. */
  generation = 0;

  constructor(
    private readonly index: LogIndex,
    o: BackendLogsOptions = {},
  ) {
    this.now = o.now ?? Date.now;
    this.cache = new SourceCache({ ttlMs: o.ttlMs ?? 30_000, maxEntries: 32, now: this.now });
  }

  get sourceCount(): number {
    return this.held.size;
  }

  /** One bounded query per source for the window ending now; lines re-matched when new or when the statements changed. */
  async refresh(
    sources: readonly LogStreamSource[],
    windowMs: number,
    match: MatchLog,
    signal?: AbortSignal,
  ): Promise<BackendLogsResult[]> {
    const next = new Map<string, Held>();
    const results: BackendLogsResult[] = [];
    let changed = sources.length !== this.held.size;
    for (const s of sources) {
      const c = s.source.config;
      const id = `${c.kind}|${c.url}|${c.environment}|${s.query}`;
      const key = `${id}|${windowMs}|${s.limit}`;
      const r = await cachedResult(
        this.cache,
        key,
        () => {
          const endMs = this.now();
          return s.source.queryRange(
            {
              query: s.query,
              startMs: endMs - windowMs,
              endMs,
              limit: s.limit,
              direction: 'backward',
            },
            signal,
          );
        },
        signal,
      );
      const prev = this.held.get(id);
      let held = prev;
      if (
        r.value &&
        r.fetchedAt !== undefined &&
        (!prev ||
          prev.key !== key ||
          prev.origin.fetchedAt !== r.fetchedAt ||
          prev.indexVersion !== this.index.version ||
          prev.origin.stale !== r.status.stale)
      ) {
        const store = new StatementLogs(this.index);
        for (const rec of r.value)
          store.add(rec, match(rec.body, rec.severityNumber, rec.severityText, rec.attributes));
        const origin: LogsOrigin = {
          label: sourceLabel(c),
          environment: c.environment,
          stale: r.status.stale,
          fetchedAt: r.fetchedAt,
          truncated: r.value.length >= s.limit,
          limit: s.limit,
        };
        if (r.status.stale) origin.message = r.status.message;
        held = { key, origin, store, lines: r.value.length, indexVersion: this.index.version };
        changed = true;
      } else if (prev && !r.value && !prev.origin.stale) {
        // Failed with nothing cached for this window: what was shown stays, marked stale.
        held = { ...prev, origin: { ...prev.origin, stale: true, message: r.status.message } };
        changed = true;
      }
      if (held) next.set(id, held);
      results.push({
        config: c,
        status: r.status,
        lines: held?.lines ?? 0,
        unmatched: held?.store.unmatched ?? 0,
      });
    }
    this.held = next;
    if (changed) this.generation++;
    return results;
  }

  /** Statements of a file with backend lines since `sinceMs`, each with its source. */
  inFile(file: string, sinceMs: number): SourcedStatementLogs[] {
    const out: SourcedStatementLogs[] = [];
    for (const h of this.held.values())
      for (const summary of h.store.inFile(file, sinceMs)) out.push({ summary, origin: h.origin });
    return out.sort(
      (a, b) =>
        a.summary.statement.line - b.summary.statement.line ||
        a.origin.label.localeCompare(b.origin.label),
    );
  }

  /** Files with matched backend lines. */
  files(): string[] {
    return [...new Set([...this.held.values()].flatMap((h) => h.store.files()))];
  }
}

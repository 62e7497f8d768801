// Errors on the code from an error backend (Sentry): a project's issues and each issue's latest
// event, fetched in the background through TTL caches (an issue's event is asked again only when
// the issue was seen again), then resolved to the throwing line by the same StackResolver as the
// receiver's exceptions, so both show up as LocatedErrors marked with the backend they came from.
// Network (refresh) and resolution (locate) are separate: views resolve from memory only.
import type { ExceptionInfo } from '../stacktrace/frame';
import type { ResolvesFrames } from '../stacktrace/resolve';
import { cachedResult, SourceCache } from '../sources/cache';
import type { SentryEventStack, SentryIssueQuery } from '../sources/sentry';
import type { ErrorIssueRecord, SourceConfig, SourceStatus } from '../sources/source';
import type { ErrorGroup, LocatedError } from '../engine/error-groups';

/** What the feed needs from an error source (SentrySource has it). */
export interface ErrorIssueSource {
  readonly config: SourceConfig;
  issues(q: SentryIssueQuery, signal?: AbortSignal): Promise<ErrorIssueRecord[]>;
  latestEventStack(issueId: string, signal?: AbortSignal): Promise<SentryEventStack>;
}

export interface BackendErrorsOptions {
  /** TTL of an issue list (default 60 s). */
  ttlMs?: number;
  /** Issues per source whose latest event is fetched (default 25): Sentry's order, most relevant first. */
  maxIssues?: number;
  now?: () => number;
}

/** One source's refresh: its health, and whether it has values to show. */
export interface BackendErrorsResult {
  config: SourceConfig;
  status: SourceStatus;
  /** Issues held for the source (stale ones included). */
  issues: number;
  /** Issues whose latest event could not be read this refresh. */
  eventFailures: number;
}

interface Held {
  issue: ErrorIssueRecord;
  event: SentryEventStack | undefined;
  label: string;
  environment: string;
  stale: boolean;
}

const DAY = 24 * 3_600_000;

/** `Sentry (prod)`: the source named for people. */
export function backendDisplayLabel(c: Pick<SourceConfig, 'kind' | 'environment'>): string {
  const kind = c.kind === 'sentry' ? 'Sentry' : c.kind;
  return c.environment ? `${kind} (${c.environment})` : kind;
}

/** Sentry's issue list takes a stats period of `24h` or `14d` only. */
export function sentryStatsPeriod(windowMs: number): '24h' | '14d' {
  return windowMs <= DAY ? '24h' : '14d';
}

export class BackendErrors {
  private readonly issueCache: SourceCache<ErrorIssueRecord[]>;
  private readonly eventCache: SourceCache<SentryEventStack>;
  private held: Held[] = [];
  private readonly located = new Map<
    string,
    { version: string; value: Omit<LocatedError, 'group'> | null }
  >();
  private readonly now: () => number;
  /** Bumped by every refresh that changed what is held. */
  generation = 0;

  constructor(private readonly o: BackendErrorsOptions = {}) {
    this.now = o.now ?? Date.now;
    this.issueCache = new SourceCache({ ttlMs: o.ttlMs ?? 60_000, now: this.now });
    // An event is keyed by its issue's lastSeen: a new occurrence asks again, an old one never does.
    this.eventCache = new SourceCache({ ttlMs: 7 * DAY, maxEntries: 1_000, now: this.now });
  }

  get size(): number {
    return this.held.length;
  }

  /**
   * Asks every source for its issues in the window (cached for the TTL) and the latest event of
   * each (cached per occurrence). A failing source keeps its last issues, marked stale.
   */
  async refresh(
    sources: readonly ErrorIssueSource[],
    windowMs: number,
    signal?: AbortSignal,
  ): Promise<BackendErrorsResult[]> {
    const statsPeriod = sentryStatsPeriod(windowMs);
    const results: BackendErrorsResult[] = [];
    const held: Held[] = [];
    for (const source of sources) {
      const c = source.config;
      const label = backendDisplayLabel(c);
      const key = `${c.kind}|${c.url}|${c.environment}|${statsPeriod}`;
      const r = await cachedResult(
        this.issueCache,
        key,
        () => source.issues({ statsPeriod }, signal),
        signal,
      );
      const issues = (r.value ?? []).slice(0, this.o.maxIssues ?? 25);
      let eventFailures = 0;
      for (const issue of issues) {
        const ek = `${key}|${issue.id}|${issue.lastSeen}`;
        const ev = await cachedResult(
          this.eventCache,
          ek,
          () => source.latestEventStack(issue.id, signal),
          signal,
        );
        if (!ev.value) eventFailures++;
        held.push({
          issue,
          event: ev.value,
          label,
          environment: c.environment,
          stale: r.status.stale,
        });
      }
      results.push({ config: c, status: r.status, issues: issues.length, eventFailures });
    }
    const before = JSON.stringify(this.held.map(fingerprint));
    this.held = held;
    if (JSON.stringify(held.map(fingerprint)) !== before) this.generation++;
    return results;
  }

  /**
   * Issues last seen since `sinceMs`, each at its throwing line in the workspace (issues whose
   * frames all lie outside it, or without an event, are left out). Resolutions are cached until
   * `version` (files and parsed functions) changes.
   */
  async locate(
    resolver: ResolvesFrames,
    sinceMs: number,
    version: string,
  ): Promise<LocatedError[]> {
    const out: LocatedError[] = [];
    const keep = new Set<string>();
    for (const h of this.held) {
      const lastSeenMs = Date.parse(h.issue.lastSeen);
      if (!h.event || !(lastSeenMs >= sinceMs)) continue;
      const key = `${h.label}|${h.issue.id}|${h.event.eventId}`;
      keep.add(key);
      let cached = this.located.get(key);
      if (!cached || cached.version !== version) {
        cached = { version, value: await resolveEvent(h.event, resolver) };
        this.located.set(key, cached);
      }
      if (cached.value) out.push({ ...cached.value, group: groupOf(h, lastSeenMs) });
    }
    for (const k of this.located.keys()) if (!keep.has(k)) this.located.delete(k);
    return out.sort((a, b) => b.group.count - a.group.count);
  }
}

function fingerprint(h: Held): string {
  return `${h.label}|${h.issue.id}|${h.issue.count}|${h.issue.lastSeen}|${h.event?.eventId ?? ''}|${h.stale}`;
}

/** The exception Sentry names the issue after: the last of a chain (its causes come first). */
function mainException(ev: SentryEventStack): ExceptionInfo | undefined {
  const ex = ev.stack.exceptions;
  for (let i = ex.length - 1; i >= 0; i--) if (ex[i]!.frames.length > 0) return ex[i];
  return ex[ex.length - 1];
}

async function resolveEvent(
  ev: SentryEventStack,
  resolver: ResolvesFrames,
): Promise<Omit<LocatedError, 'group'> | null> {
  const ex = mainException(ev);
  if (!ex || ex.frames.length === 0) return null;
  const frames = ex.innermostFirst ? ex.frames : [...ex.frames].reverse();
  const resolved = await resolver.resolveAll(frames);
  const top = resolved.find((r) => r.inWorkspace && r.file !== null && r.line !== null);
  return top ? { top, frames: resolved } : null;
}

function groupOf(h: Held, lastSeenMs: number): ErrorGroup {
  const ex = h.event ? mainException(h.event) : undefined;
  const [titleType, ...rest] = h.issue.title.split(': ');
  const type = ex?.type ?? (rest.length ? titleType! : 'Error');
  const message = ex?.message ?? (rest.length ? rest.join(': ') : h.issue.title);
  const firstSeenMs = Date.parse(h.issue.firstSeen);
  return {
    key: `${h.label}\u0000${h.issue.id}`,
    type,
    message,
    stack: '',
    count: h.issue.count,
    firstSeenMs: Number.isFinite(firstSeenMs) ? firstSeenMs : lastSeenMs,
    lastSeenMs,
    service: h.issue.culprit,
    traceId: '',
    origin: 'backend',
    backend: {
      label: h.label,
      environment: h.environment,
      stale: h.stale,
      url: h.issue.permalink,
      shortId: h.issue.shortId,
    },
  };
}

// Exceptions from production grouped by where they were thrown, for "errors on the code": the
// throwing line shows the count, the last time and the message. Exceptions recorded as span
// events and as log records both count. Grouping is cheap at ingest (a key from the type and the
// frame lines); parsing and resolving to workspace lines happens at query time, once per group.
import type { LogRecordData, SpanRecord } from '../model';
import { parseStackTrace } from '../stacktrace/parse';
import type { FrameResolution, ResolvesFrames } from '../stacktrace/resolve';
import {
  stackTracesOfLog,
  stackTracesOfSpan,
  type StackTraceSource,
} from '../stacktrace/span-exceptions';

export interface ErrorGroup {
  key: string;
  type: string;
  /** The latest message (messages vary per occurrence: ids, amounts). */
  message: string;
  /** The latest stack trace text. */
  stack: string;
  count: number;
  firstSeenMs: number;
  lastSeenMs: number;
  service: string;
  /** Trace of the latest occurrence, when it came with one. */
  traceId: string;
  /** The deployed commit of the latest occurrence (its resource's), whose lines the stack names. */
  revision?: string;
  origin: 'span event' | 'log record' | 'backend';
  /** Set when the group came from an error backend (Sentry) rather than the receiver. */
  backend?: ErrorBackendOrigin;
}

/** Which backend an error group came from, and how fresh it is. */
export interface ErrorBackendOrigin {
  /** For display: `Sentry (prod)`. */
  label: string;
  /** The environment the backend serves ('' = unnamed). */
  environment: string;
  /** True when the backend failed its latest refresh and this is its last answer. */
  stale: boolean;
  /** The backend's page for the issue, '' when none. */
  url: string;
  /** The backend's id, e.g. `CHECKOUT-1A`. */
  shortId: string;
}

export interface LocatedError {
  group: ErrorGroup;
  /** The innermost frame inside the workspace: the throwing line as far as our code goes. */
  top: FrameResolution;
  /** Every frame, innermost first, resolved or marked outside. */
  frames: FrameResolution[];
}

const MAX_GROUPS = 500;
const MAX_KEY_FRAMES = 12;

/**
 * Where an exception was thrown, as a grouping key: its type and its frame lines (the header line
 * carries the message, which varies per occurrence: ids, amounts). One key for the editor's
 * errors on code and the details panel's error list, so both count the same exception alike.
 */
export function throwSite(s: Pick<StackTraceSource, 'text' | 'type'>): {
  type: string;
  site: string;
} {
  const frames = s.text
    .split('\n')
    .filter((l) => /^\s+(at |File |#\d)|^\s*\S+\.(go|rb|php):\d+/.test(l))
    .slice(0, MAX_KEY_FRAMES)
    .map((l) => l.trim())
    .join('\n');
  const type = s.type ?? s.text.split('\n')[0]?.split(':')[0]?.trim() ?? 'Error';
  return { type, site: `${type}\u0000${frames}` };
}

/** The exceptions of a set of spans (a function's held spans), grouped by throw site. */
export interface SpanErrorGroup {
  type: string;
  /** The latest occurrence's message and stack. */
  message: string;
  stack: string;
  count: number;
  lastSeenMs: number;
  traceId: string;
  /** The deployed commit of the latest occurrence with a stack. */
  revision: string | undefined;
}

/** Most frequent first; a failed span without an exception event is grouped by its status message. */
export function groupSpanErrors(spans: readonly SpanRecord[], limit = 20): SpanErrorGroup[] {
  const groups = new Map<string, SpanErrorGroup>();
  for (const s of spans) {
    if (s.statusCode !== 2) continue;
    const traces = stackTracesOfSpan(s);
    const found = traces.length
      ? traces.map((t) => ({
          ...throwSite(t),
          message: t.message ?? t.text.split('\n')[0] ?? '',
          stack: t.text,
          at: s.startMs + s.durationMs,
        }))
      : [
          {
            type: 'error status',
            site: `error status\u0000${s.statusMessage}`,
            message: s.statusMessage,
            stack: '',
            at: s.startMs + s.durationMs,
          },
        ];
    for (const f of found) {
      const g = groups.get(f.site);
      if (!g)
        groups.set(f.site, {
          type: f.type,
          message: f.message,
          stack: f.stack,
          count: 1,
          lastSeenMs: f.at,
          traceId: s.traceId,
          revision: s.resource.revision,
        });
      else {
        g.count++;
        if (f.at > g.lastSeenMs)
          Object.assign(g, {
            lastSeenMs: f.at,
            traceId: s.traceId,
            message: f.message,
            stack: f.stack || g.stack,
            revision: f.stack ? s.resource.revision : g.revision,
          });
      }
    }
  }
  return [...groups.values()]
    .sort((a, b) => b.count - a.count || b.lastSeenMs - a.lastSeenMs)
    .slice(0, limit);
}

export class ErrorGroups {
  private readonly groups = new Map<string, ErrorGroup>();
  private readonly located = new Map<string, { version: string; value: LocatedError | null }>();
  /** Bumped when a group is added or counted, so views know to refresh. */
  generation = 0;

  get size(): number {
    return this.groups.size;
  }

  addSpan(span: SpanRecord): void {
    if (span.events.length === 0 && span.statusCode !== 2) return;
    for (const s of stackTracesOfSpan(span))
      this.add(
        s,
        span.startMs + span.durationMs,
        span.resource.service,
        span.traceId,
        'span event',
        span.resource.revision,
      );
  }

  addLog(log: LogRecordData): void {
    for (const s of stackTracesOfLog(log))
      this.add(
        s,
        log.timeMs,
        log.resource.service,
        log.traceId,
        'log record',
        log.resource.revision,
      );
  }

  private add(
    s: StackTraceSource,
    atMs: number,
    service: string,
    traceId: string,
    origin: ErrorGroup['origin'],
    revision: string | undefined,
  ): void {
    const { type, site } = throwSite(s);
    const key = `${service}\u0000${site}`;
    let g = this.groups.get(key);
    if (!g) {
      if (this.groups.size >= MAX_GROUPS) this.evictOldest();
      g = {
        key,
        type,
        message: '',
        stack: '',
        count: 0,
        firstSeenMs: atMs,
        lastSeenMs: atMs,
        service,
        traceId: '',
        origin,
      };
      this.groups.set(key, g);
    }
    g.count++;
    if (atMs >= g.lastSeenMs) {
      g.lastSeenMs = atMs;
      g.message = s.message ?? s.text.split('\n')[0] ?? '';
      g.stack = s.text;
      if (traceId) g.traceId = traceId;
      if (revision) g.revision = revision;
      else delete g.revision;
    }
    this.generation++;
  }

  private evictOldest(): void {
    let oldest: ErrorGroup | undefined;
    for (const g of this.groups.values())
      if (!oldest || g.lastSeenMs < oldest.lastSeenMs) oldest = g;
    if (oldest) {
      this.groups.delete(oldest.key);
      this.located.delete(oldest.key);
    }
  }

  /**
   * Groups seen since `sinceMs`, each resolved to its throwing line in the workspace (groups
   * whose frames all lie outside the workspace are left out). `version` changes when the
   * workspace's files, parsed functions or version drift changed, which invalidates the cached
   * resolutions; so does a new deployed revision of the group.
   */
  async locate(
    resolver: ResolvesFrames,
    sinceMs: number,
    version: string,
  ): Promise<LocatedError[]> {
    const out: LocatedError[] = [];
    for (const g of this.groups.values()) {
      if (g.lastSeenMs < sinceMs) continue;
      const v = `${version}:${g.revision ?? ''}`;
      let cached = this.located.get(g.key);
      if (!cached || cached.version !== v) {
        cached = { version: v, value: await resolveGroup(g, resolver) };
        this.located.set(g.key, cached);
      }
      if (cached.value) out.push({ ...cached.value, group: g });
    }
    return out.sort((a, b) => b.group.count - a.group.count);
  }
}

async function resolveGroup(g: ErrorGroup, resolver: ResolvesFrames): Promise<LocatedError | null> {
  const parsed = parseStackTrace(g.stack);
  const first = parsed.exceptions[0];
  if (!first) return null;
  const frames = first.innermostFirst ? first.frames : [...first.frames].reverse();
  const resolved = await resolver.resolveAll(frames, g.revision);
  const top = resolved.find((r) => r.inWorkspace && r.file !== null && r.line !== null);
  return top ? { group: g, top, frames: resolved } : null;
}

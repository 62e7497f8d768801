// Log records counted at the statement that printed them: per-minute counts by level and the latest
// lines (bounded), keyed by the statement's file, level and template rather than its line, so the
// counts follow the statement when edits above it move it. Records no statement explains are
// counted with a few recent samples, for "why no data" answers.
import type { LogRecordData } from '../model';
import { levelOfSeverity, LogIndex, type LogMatch } from './log-index';
import type { LogLevel, LogStatement } from './log-statements';

export interface LogLine {
  timeMs: number;
  level: LogLevel | 'unknown';
  body: string;
  traceId: string;
  spanId: string;
  service: string;
}

export interface StatementLogSummary {
  statement: LogStatement;
  count: number;
  byLevel: Partial<Record<LogLevel | 'unknown', number>>;
  lastSeenMs: number;
  latest: LogLine[];
  /** How the records were matched to the statement (the last match's rule and confidence). */
  rule: string;
  confidence: LogMatch['confidence'];
  explanation: string;
}

interface Entry {
  file: string;
  level: LogLevel;
  template: string;
  line: number;
  minutes: Map<number, Partial<Record<LogLevel | 'unknown', number>>>;
  latest: LogLine[];
  lastSeenMs: number;
  match: LogMatch;
}

const MINUTE = 60_000;
const KEEP_MS = 7 * 24 * 3_600_000;
const LATEST = 20;
const MAX_BODY = 2_000;
const MAX_ENTRIES = 20_000;

export class StatementLogs {
  private readonly entries = new Map<string, Entry>();
  unmatched = 0;
  readonly unmatchedSamples: { body: string; why: string; timeMs: number }[] = [];
  generation = 0;

  constructor(private readonly index: LogIndex) {}

  get size(): number {
    return this.entries.size;
  }

  add(record: LogRecordData, match: LogMatch): void {
    const s = match.statement;
    if (!s) {
      this.unmatched++;
      this.unmatchedSamples.push({
        body: record.body.slice(0, 300),
        why: match.explanation,
        timeMs: record.timeMs,
      });
      if (this.unmatchedSamples.length > 20) this.unmatchedSamples.shift();
      return;
    }
    const key = `${s.file}\u0000${s.level}\u0000${s.template}`;
    let e = this.entries.get(key);
    if (!e) {
      if (this.entries.size >= MAX_ENTRIES) return;
      e = {
        file: s.file,
        level: s.level,
        template: s.template,
        line: s.line,
        minutes: new Map(),
        latest: [],
        lastSeenMs: 0,
        match,
      };
      this.entries.set(key, e);
    }
    const level = levelOfSeverity(record.severityNumber, record.severityText) ?? 'unknown';
    const minute = record.timeMs - (record.timeMs % MINUTE);
    const counts = e.minutes.get(minute) ?? {};
    counts[level] = (counts[level] ?? 0) + 1;
    e.minutes.set(minute, counts);
    e.lastSeenMs = Math.max(e.lastSeenMs, record.timeMs);
    e.line = s.line;
    e.match = match;
    e.latest.push({
      timeMs: record.timeMs,
      level,
      body: record.body.length > MAX_BODY ? `${record.body.slice(0, MAX_BODY)}…` : record.body,
      traceId: record.traceId,
      spanId: record.spanId,
      service: record.resource.service,
    });
    if (e.latest.length > LATEST) e.latest.shift();
    this.generation++;
  }

  private prunedAt = 0;

  /** Drops minutes older than the longest window (at most once a minute: it walks every entry). */
  prune(nowMs: number): void {
    if (nowMs - this.prunedAt < MINUTE) return;
    this.prunedAt = nowMs;
    for (const [k, e] of this.entries) {
      for (const m of e.minutes.keys()) if (m < nowMs - KEEP_MS) e.minutes.delete(m);
      if (e.minutes.size === 0) this.entries.delete(k);
    }
  }

  /** The statements of a file with records in the window, at their current lines. */
  inFile(file: string, sinceMs: number): StatementLogSummary[] {
    const current = this.index.inFile(file);
    const out: StatementLogSummary[] = [];
    for (const e of this.entries.values()) {
      if (e.file !== file || e.lastSeenMs < sinceMs) continue;
      // The statement as the file is now: same template and level, the nearest to where it was.
      const same = current.filter((s) => s.level === e.level && s.template === e.template);
      const statement = same.sort(
        (a, b) => Math.abs(a.line - e.line) - Math.abs(b.line - e.line),
      )[0];
      if (!statement) continue;
      const byLevel: StatementLogSummary['byLevel'] = {};
      let count = 0;
      for (const [m, counts] of e.minutes) {
        if (m + MINUTE <= sinceMs) continue;
        for (const [lvl, n] of Object.entries(counts) as [LogLevel | 'unknown', number][]) {
          byLevel[lvl] = (byLevel[lvl] ?? 0) + n;
          count += n;
        }
      }
      if (count === 0) continue;
      out.push({
        statement,
        count,
        byLevel,
        lastSeenMs: e.lastSeenMs,
        latest: e.latest
          .filter((l) => l.timeMs >= sinceMs)
          .slice()
          .reverse(),
        rule: e.match.rule,
        confidence: e.match.confidence,
        explanation: e.match.explanation,
      });
    }
    return out.sort((a, b) => a.statement.line - b.statement.line);
  }

  /** Files with matched records, for views that list all of them. */
  files(): string[] {
    return [...new Set([...this.entries.values()].map((e) => e.file))];
  }
}

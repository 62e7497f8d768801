// The details panel's Logs section, host side: the log statements inside one function and the
// records counted at them in the window, bounded for the webview (the newest lines across all
// statements, not each statement's own latest). vscode-free, so it is unit tested on the core's
// real log index.
import type { LogStatement } from '../logs/log-statements';
import type { StatementLogSummary } from '../logs/statement-logs';
import type { LogLineDto, LogsDto, LogStatementDto } from '../view-model';

/** Lines sent to the panel across all of the function's statements, newest first. */
export const LOG_LINE_LIMIT = 50;
/** Statements listed (a function with more is rare; the busiest are kept). */
export const LOG_STATEMENT_LIMIT = 50;
const MAX_TEMPLATE_CHARS = 500;

/** The engine answers these; the unit tests give the core's log index and counts directly. */
export interface LogSources {
  /** The log statements found in a file. */
  logStatementsIn(file: string): LogStatement[];
  /** A file's log statements with the records counted at them since `sinceMs` ([] when none were counted). */
  logsInFile(file: string, sinceMs: number): StatementLogSummary[];
}

export interface FunctionLines {
  file: string;
  startLine: number;
  endLine: number;
}

const inside = (line: number, fn: FunctionLines) => line >= fn.startLine && line <= fn.endLine;

export function functionLogs(
  src: LogSources,
  fn: FunctionLines,
  sinceMs: number,
  lineLimit = LOG_LINE_LIMIT,
): LogsDto {
  const statementsInFunction = src
    .logStatementsIn(fn.file)
    .filter((s) => inside(s.line, fn)).length;
  const found =
    statementsInFunction > 0
      ? src.logsInFile(fn.file, sinceMs).filter((s) => inside(s.statement.line, fn))
      : [];
  const kept =
    found.length > LOG_STATEMENT_LIMIT
      ? [...found]
          .sort((a, b) => b.count - a.count)
          .slice(0, LOG_STATEMENT_LIMIT)
          .sort((a, b) => a.statement.line - b.statement.line)
      : found;
  // The newest `lineLimit` lines across the statements, each left under its own statement.
  const all = kept.flatMap((s, i) => s.latest.map((l) => ({ i, l })));
  const newest = all.sort((a, b) => b.l.timeMs - a.l.timeMs).slice(0, Math.max(0, lineLimit));
  const lines = kept.map((): LogLineDto[] => []);
  for (const { i, l } of newest)
    lines[i]!.push({
      timeMs: l.timeMs,
      level: l.level,
      body: l.body,
      traceId: l.traceId,
      spanId: l.spanId,
      service: l.service,
    });
  const statements = kept.map((s, i): LogStatementDto => ({
    file: s.statement.file,
    line: s.statement.line,
    level: s.statement.level,
    template:
      s.statement.template.length > MAX_TEMPLATE_CHARS
        ? `${s.statement.template.slice(0, MAX_TEMPLATE_CHARS)}…`
        : s.statement.template,
    count: s.count,
    byLevel: { ...s.byLevel },
    lastSeenMs: s.lastSeenMs,
    latest: lines[i]!,
    rule: s.rule,
    confidence: s.confidence,
    explanation: s.explanation,
  }));
  return {
    statementsInFunction,
    statements,
    records: statements.reduce((n, s) => n + s.count, 0),
    linesShown: newest.length,
  };
}

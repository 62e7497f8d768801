// One line of a log file as a record: JSON lines (pino, bunyan, winston, structlog, zap, logrus,
// ECS), logfmt (`level=info msg="order placed" id=7`), or plain text (`2026-01-01 12:00:00 ERROR
// orders: payment failed …`). The message is what a log statement's template is matched against;
// level and trace id come along when the line carries them.
import type { LogLevel } from './log-statements';
import { levelOfSeverity } from './log-index';
import { stripAnsi } from '../stacktrace/parse';

export interface ParsedLogLine {
  format: 'json' | 'logfmt' | 'text';
  message: string;
  level?: LogLevel;
  traceId?: string;
  timeMs?: number;
  /** True when the message is the whole line (plain text): it may carry a prefix before the logged text. */
  prefixed: boolean;
}

const MESSAGE_KEYS = ['msg', 'message', '@message', 'body', 'event', 'log', 'text'];
const LEVEL_KEYS = [
  'level',
  'severity',
  'lvl',
  'levelname',
  'log.level',
  '@level',
  'severity_text',
  'loglevel',
];
const TRACE_KEYS = [
  'trace_id',
  'traceId',
  'traceid',
  'trace.id',
  'otelTraceID',
  'dd.trace_id',
  'traceID',
];
const TIME_KEYS = ['time', 'timestamp', '@timestamp', 'ts', 'datetime', 'asctime'];
const MAX_LINE = 64 * 1024;

export function parseLogLine(raw: string): ParsedLogLine {
  const line = stripAnsi(raw.length > MAX_LINE ? raw.slice(0, MAX_LINE) : raw).replace(
    /\r?\n$/,
    '',
  );
  const trimmed = line.trim();
  if (trimmed.startsWith('{')) {
    const json = tryJson(trimmed);
    if (json) return fromFields(json, 'json', line);
  }
  const kv = logfmt(trimmed);
  if (kv && MESSAGE_KEYS.some((k) => k in kv)) return fromFields(kv, 'logfmt', line);
  return plain(line);
}

function tryJson(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function field(obj: Record<string, unknown>, keys: readonly string[]): unknown {
  for (const k of keys) {
    if (k in obj) return obj[k];
    // Dotted keys also as nested objects (ECS `log.level`, `trace.id`).
    if (k.includes('.')) {
      const v = k
        .split('.')
        .reduce<unknown>(
          (o, p) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[p] : undefined),
          obj,
        );
      if (v !== undefined) return v;
    }
  }
  return undefined;
}

function fromFields(
  obj: Record<string, unknown>,
  format: 'json' | 'logfmt',
  line: string,
): ParsedLogLine {
  const msg = field(obj, MESSAGE_KEYS);
  const out: ParsedLogLine = {
    format,
    message: typeof msg === 'string' ? msg : msg === undefined ? line : JSON.stringify(msg),
    prefixed: msg === undefined,
  };
  const lvl = field(obj, LEVEL_KEYS);
  // pino/bunyan numeric levels: 10 trace … 60 fatal.
  const level =
    typeof lvl === 'number'
      ? lvl >= 60
        ? 'fatal'
        : lvl >= 50
          ? 'error'
          : lvl >= 40
            ? 'warn'
            : lvl >= 30
              ? 'info'
              : lvl >= 20
                ? 'debug'
                : 'trace'
      : typeof lvl === 'string'
        ? levelOfSeverity(0, lvl)
        : undefined;
  if (level) out.level = level;
  const trace = field(obj, TRACE_KEYS);
  if (typeof trace === 'string' && /^[0-9a-f]{16,32}$/i.test(trace))
    out.traceId = trace.toLowerCase().padStart(32, '0');
  const time = field(obj, TIME_KEYS);
  const ms =
    typeof time === 'number'
      ? time > 1e14
        ? time / 1e6
        : time > 1e11
          ? time
          : time * 1000
      : typeof time === 'string'
        ? Date.parse(time)
        : NaN;
  if (Number.isFinite(ms)) out.timeMs = ms;
  return out;
}

/** key=value pairs with optional double-quoted values; undefined unless the line is mostly pairs. */
function logfmt(text: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  const re = /([\w.@-]+)=("(?:[^"\\]|\\.)*"|\S*)/g;
  let pairs = 0;
  let covered = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const v = m[2]!;
    out[m[1]!] = v.startsWith('"') ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v;
    pairs++;
    covered += m[0].length;
  }
  return pairs >= 2 && covered >= text.replace(/\s/g, '').length * 0.6 ? out : undefined;
}

const PLAIN_LEVEL =
  /\b(TRACE|DEBUG|INFO|NOTICE|WARN(?:ING)?|ERROR|ERR|FATAL|CRITICAL|PANIC|trace|debug|info|warn(?:ing)?|error|fatal|critical)\b/;

function plain(line: string): ParsedLogLine {
  const out: ParsedLogLine = { format: 'text', message: line, prefixed: true };
  const lvl = PLAIN_LEVEL.exec(line.slice(0, 120));
  if (lvl) {
    const level = levelOfSeverity(0, lvl[1]!);
    if (level) out.level = level;
  }
  const trace = /\btrace[_-]?id[=:]\s*"?([0-9a-f]{32})\b/i.exec(line);
  if (trace) out.traceId = trace[1]!.toLowerCase();
  const time =
    /^\s*\[?(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?)/.exec(line);
  if (time) {
    const ms = Date.parse(time[1]!.replace(',', '.').replace(' ', 'T'));
    if (Number.isFinite(ms)) out.timeMs = ms;
  }
  return out;
}

// Where stack traces travel in OTLP: `exception` span events and log records carry
// `exception.stacktrace` (with `exception.type` / `exception.message`); spans and logs may carry
// `code.stacktrace` (semconv `code.*`, same representation).
import type { Attributes, LogRecordData, SpanRecord } from '../model';

export interface StackTraceSource {
  text: string;
  attribute: 'exception.stacktrace' | 'code.stacktrace';
  /** Where the attribute was found: `span event #2 "exception"`, `span attributes`, `log record`. */
  origin: string;
  type?: string;
  message?: string;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function fromAttributes(
  attrs: Attributes,
  origin: string,
  withException: boolean,
): StackTraceSource[] {
  const out: StackTraceSource[] = [];
  const exc = withException ? str(attrs['exception.stacktrace']) : undefined;
  if (exc) {
    const s: StackTraceSource = { text: exc, attribute: 'exception.stacktrace', origin };
    const type = str(attrs['exception.type']);
    const message = str(attrs['exception.message']);
    if (type) s.type = type;
    if (message) s.message = message;
    out.push(s);
  }
  const code = str(attrs['code.stacktrace']);
  if (code) out.push({ text: code, attribute: 'code.stacktrace', origin });
  return out;
}

/** The stack traces of a span: its exception events (in order), then its own `code.stacktrace`. */
export function stackTracesOfSpan(span: SpanRecord): StackTraceSource[] {
  const out: StackTraceSource[] = [];
  span.events.forEach((e, i) => {
    // Semconv requires the name `exception`; the attributes are checked too, as some SDKs vary.
    const isException =
      e.name === 'exception' || str(e.attributes['exception.stacktrace']) !== undefined;
    out.push(...fromAttributes(e.attributes, `span event #${i} "${e.name}"`, isException));
  });
  out.push(...fromAttributes(span.attributes, 'span attributes', false));
  return out;
}

/** The stack traces of a log record (exception logs per semconv ≥ 1.40, and `code.stacktrace`). */
export function stackTracesOfLog(log: LogRecordData): StackTraceSource[] {
  return fromAttributes(log.attributes, 'log record attributes', true);
}

// Reads stack traces out of arbitrary text. Formats are detected line by line, so one text may
// mix them (a Python traceback quoted inside a Java exception message, two services' logs).
// Bounded: the text, each line and the kept frames are capped; every regex is anchored with at
// most one unbounded group, so garbage costs linear time and never throws.
import {
  classifyFrame,
  ExceptionInfo,
  ExceptionRelation,
  FrameMatch,
  ParsedStack,
  StackFrame,
  StackLanguage,
} from './frame';
import { dotnetInnerHeader, isDotnetFiller, isDotnetInnerEnd, matchDotnet } from './parse-dotnet';
import { goPanicHeader, goroutineHeader, matchGo } from './parse-go';
import { javaChainHeader, javaOmitted, matchJava } from './parse-java';
import { matchPhp, matchPhpHeader } from './parse-php';
import {
  isPythonFrameFiller,
  isPythonTracebackStart,
  matchPython,
  pythonChainMarker,
  stripGroupPrefix,
} from './parse-python';
import { matchRuby } from './parse-ruby';
import { matchV8 } from './parse-v8';

export interface ParseOptions {
  /** Frames kept; the rest are counted in `truncatedFrames`. */
  maxFrames?: number;
  /** Longer lines are skipped (minified bundles, binary junk). */
  maxLineLength?: number;
  /** Characters of text read at all. */
  maxTextLength?: number;
}

export const DEFAULT_MAX_FRAMES = 2_000;
export const DEFAULT_MAX_LINE = 4_096;
export const DEFAULT_MAX_TEXT = 16 * 1024 * 1024;
const RAW_CAP = 500;

/** One line: a frame of whichever format recognises it (cheap checks first, most specific first). */
function matchFrame(line: string, next: string | undefined): FrameMatch | undefined {
  const t = line.trimStart();
  if (t.startsWith('at ')) return matchJava(line) ?? matchDotnet(line) ?? matchV8(line);
  if (t.startsWith('File "') || t.startsWith('|')) return matchPython(line);
  if (t.startsWith('#')) return matchPhp(line);
  return matchRuby(line) ?? matchPhpHeader(line) ?? matchGo(line, next);
}

interface Header {
  type: string;
  message?: string;
  relation: ExceptionRelation;
  lineIndex: number;
}

/**
 * `Type: message` or a bare `SomethingError` line. The type is checked with a flat character
 * class, so no regex backtracks over the line.
 */
export function exceptionHeader(line: string): { type: string; message?: string } | undefined {
  let t = line.trim();
  const thread = /^Exception in thread "[^"]*" /.exec(t);
  if (thread) t = t.slice(thread[0].length);
  t = t.replace(/^(?:Uncaught |\[cause\]: |\[errors\]: )/, '');
  const colon = t.indexOf(':');
  // Node system errors print their code after the name: `Error [ERR_MODULE_NOT_FOUND]: …`.
  const type = (colon < 0 ? t : t.slice(0, colon)).replace(/ \[[A-Z0-9_]+\]$/, '');
  if (!/^[A-Za-z_$][\w$.\\<>]*(?:::[A-Za-z_][\w]*)*$/.test(type) || type.length > 200)
    return undefined;
  if (colon < 0)
    return /(?:Error|Exception|Throwable|Interrupt|Exit|Panic|Fault)$/.test(type)
      ? { type }
      : undefined;
  const rest = t.slice(colon + 1);
  if (rest.length > 0 && !rest.startsWith(' ')) return undefined; // `host:port`, `file:12`
  // Log prefixes such as `INFO: started` are not exceptions: require an exception-like or qualified type.
  if (
    !/(?:Error|Exception|Throwable|Interrupt|Exit|Panic|Fault|Warning)$/.test(type) &&
    !/[.\\]/.test(type)
  )
    return undefined;
  return { type, message: rest.trim() };
}

/** Parses every stack frame out of `text`. Never throws; cost is linear in the text read. */
// eslint-disable-next-line no-control-regex -- the escape character is what is being removed
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

/** The text without ANSI escape sequences (colours, bold). */
export function stripAnsi(text: string): string {
  return text.includes('\u001b') ? text.replace(ANSI, '') : text;
}

export function parseStackTrace(text: string, opts: ParseOptions = {}): ParsedStack {
  const maxFrames = opts.maxFrames ?? DEFAULT_MAX_FRAMES;
  const maxLine = opts.maxLineLength ?? DEFAULT_MAX_LINE;
  const maxText = opts.maxTextLength ?? DEFAULT_MAX_TEXT;
  const truncatedText = text.length > maxText;
  // Terminal colours (NestJS's logger prints stacks with them) are not part of any frame.
  const lines = stripAnsi(truncatedText ? text.slice(0, maxText) : text).split(/\r?\n|\r/);

  const out: ParsedStack = {
    frames: [],
    exceptions: [],
    truncatedFrames: 0,
    unparsedLines: 0,
    oversizedLines: 0,
    truncatedText,
    languages: [],
  };
  const languages = new Set<StackLanguage>();
  let current: ExceptionInfo | undefined;
  let pending: Header | undefined;
  // Python prints the exception line after its frames: a block opened by `Traceback` awaits it.
  let pythonAwaitingType: ExceptionInfo | undefined;
  let pythonRelation: ExceptionRelation | undefined;
  let lastWasPythonFrame = false;

  const open = (
    h: { type?: string; message?: string; relation: ExceptionRelation; lineIndex: number },
    language?: StackLanguage,
  ): ExceptionInfo => {
    const e: ExceptionInfo = {
      relation: h.relation,
      frames: [],
      innermostFirst: language !== 'python',
      lineIndex: h.lineIndex,
    };
    if (h.type !== undefined) e.type = h.type;
    if (h.message !== undefined) e.message = h.message;
    if (language) e.language = language;
    if (current && h.relation !== 'first') e.relatedTo = out.exceptions.indexOf(current);
    out.exceptions.push(e);
    current = e;
    return e;
  };
  // A header seen before any frame of its own still becomes an exception (.NET outer exceptions).
  const flushPending = (): void => {
    if (pending) open(pending);
    pending = undefined;
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.length > maxLine) {
      out.oversizedLines++;
      lastWasPythonFrame = false;
      continue;
    }
    if (line.trim().length === 0) continue;
    const next = lines[i + 1];
    const m = matchFrame(line, next !== undefined && next.length <= maxLine ? next : undefined);
    if (m) {
      const f = m.fields;
      languages.add(f.language);
      if (m.header) {
        flushPending();
        open({ ...m.header, relation: current ? 'cause' : 'first', lineIndex: i }, f.language);
      } else if (pending) {
        const p = pending;
        pending = undefined;
        open(p, f.language);
      } else if (f.language === 'python' && pythonAwaitingType && current === pythonAwaitingType) {
        // Frames of the open traceback.
      } else if (
        !current ||
        (current.language !== undefined && family(current.language) !== family(f.language))
      ) {
        // Another language's frames: they belong to the last header still waiting for frames
        // (a Java exception whose message quoted a Python traceback), else to a new trace.
        const waiting = lastWaiting(out.exceptions);
        if (waiting) current = waiting;
        else open({ relation: 'first', lineIndex: i }, f.language);
      }
      const exc = current!;
      exc.language ??= f.language;
      if (f.language === 'python') exc.innermostFirst = false;
      if (out.frames.length >= maxFrames) out.truncatedFrames++;
      else {
        const cls = classifyFrame(f);
        const raw = m.consumed > 1 ? `${line.trim()} ${next?.trim() ?? ''}` : line.trim();
        const frame: StackFrame = {
          ...f,
          raw: raw.length > RAW_CAP ? `${raw.slice(0, RAW_CAP)}…` : raw,
          lineIndex: i,
          kind: cls.kind,
          exception: out.exceptions.indexOf(exc),
        };
        if (cls.reason) frame.kindReason = cls.reason;
        exc.frames.push(frame);
        out.frames.push(frame);
      }
      lastWasPythonFrame = f.language === 'python';
      i += m.consumed - 1;
      continue;
    }

    // Lines between frames: chain markers, headers, and filler.
    if (lastWasPythonFrame && isPythonFrameFiller(line)) continue;
    lastWasPythonFrame = false;
    if (isPythonTracebackStart(line)) {
      flushPending();
      const relation = pythonRelation ?? 'first';
      pythonAwaitingType = open({ relation, lineIndex: i }, 'python');
      pythonRelation = undefined;
      continue;
    }
    const pyMarker = pythonChainMarker(line);
    if (pyMarker) {
      pythonRelation = pyMarker;
      continue;
    }
    if (pythonAwaitingType && current === pythonAwaitingType) {
      const h = exceptionHeader(stripGroupPrefix(line)) ?? pythonBareHeader(stripGroupPrefix(line));
      if (h) {
        pythonAwaitingType.type = h.type;
        if (h.message !== undefined) pythonAwaitingType.message = h.message;
        pythonAwaitingType = undefined;
        continue;
      }
    }
    const omitted = javaOmitted(line);
    if (omitted !== undefined) {
      if (current) current.omittedFrames = omitted;
      continue;
    }
    const chain = javaChainHeader(line);
    if (chain) {
      flushPending();
      const h = exceptionHeader(chain.rest);
      pending = {
        type: h?.type ?? chain.rest.trim(),
        relation: chain.relation,
        lineIndex: i,
        ...(h?.message !== undefined ? { message: h.message } : {}),
      };
      continue;
    }
    const inner = dotnetInnerHeader(line);
    if (inner !== undefined) {
      flushPending();
      const h = exceptionHeader(inner);
      pending = {
        type: h?.type ?? inner.trim(),
        relation: 'cause',
        lineIndex: i,
        ...(h?.message !== undefined ? { message: h.message } : {}),
      };
      continue;
    }
    if (isDotnetInnerEnd(line)) {
      // Back to the exception that announced the inner one.
      flushPending();
      const outer = current?.relatedTo;
      if (outer !== undefined) current = out.exceptions[outer];
      continue;
    }
    if (isDotnetFiller(line)) continue;
    const goroutine = goroutineHeader(line);
    if (goroutine) {
      // A panic's first goroutine belongs to the panic; later ones are other goroutines.
      if (pending?.type === 'panic' || pending?.type === 'fatal error') continue;
      flushPending();
      pending = { ...goroutine, relation: current ? 'goroutine' : 'first', lineIndex: i };
      continue;
    }
    const panic = goPanicHeader(line);
    if (panic) {
      flushPending();
      pending = { ...panic, relation: 'first', lineIndex: i };
      continue;
    }
    if (/^\s*\[cause\]: /.test(line)) {
      const h = exceptionHeader(line);
      if (h) {
        flushPending();
        pending = { ...h, relation: 'cause', lineIndex: i };
        continue;
      }
    }
    const h = exceptionHeader(line);
    if (h) {
      flushPending();
      pending = { ...h, relation: 'first', lineIndex: i };
      continue;
    }
    // util.inspect's braces and elisions around `[cause]` / `[errors]`.
    if (
      /^\s*[{}\]]+,?\s*$|^\s*\[(?:errors|cause)\]: \[?\s*$|^\s*\.\.\. \d+ lines matching cause stack trace \.\.\.$/.test(
        line,
      )
    )
      continue;
    out.unparsedLines++;
  }
  // Drop the pending header only if nothing followed it: a lone header is not a trace.
  out.languages = [...languages];
  return out;
}

/** Python's exception line for custom classes without a conventional suffix: `OrderNotFound: A1`. */
function pythonBareHeader(line: string): { type: string; message?: string } | undefined {
  const m = /^([A-Za-z_][\w.]*)(?:: (.*))?$/.exec(line.trim());
  if (!m || !m[1]) return undefined;
  return m[2] !== undefined ? { type: m[1], message: m[2] } : { type: m[1] };
}

/** The most recent exception announced by a header that got no frames yet (looked up a few back). */
function lastWaiting(exceptions: ExceptionInfo[]): ExceptionInfo | undefined {
  for (let i = exceptions.length - 1; i >= Math.max(0, exceptions.length - 8); i--) {
    const e = exceptions[i]!;
    if (e.frames.length === 0 && e.language === undefined && e.type !== undefined) return e;
  }
  return undefined;
}

/** Languages whose frames may share one exception (PHP's OTel format is Java-shaped). */
function family(l: StackLanguage): string {
  return l === 'php' ? 'java' : l;
}

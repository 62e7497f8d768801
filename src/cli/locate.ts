// `prodlens locate`: where in the workspace do these stack frames (or log line, or spans) point?
// Prints one resolution per frame or record; with --json an array of objects that always carry
// file (workspace-relative or null), line, function, rule, confidence and inWorkspace.
import { promises as fs } from 'node:fs';
import { parseArgs } from 'node:util';
import { createWorkspaceEngine } from '../core/engine/create';
import type { Engine } from '../core/engine/engine';
import { decodeTraces, OtlpDecodeError } from '../core/ingest/otlp-decode';
import { languageForPath } from '../core/languages';
import type { Confidence, SpanRecord } from '../core/model';
import {
  classifyFrame,
  ExceptionInfo,
  FrameFields,
  StackFrame,
  StackLanguage,
} from '../core/stacktrace/frame';
import { parseStackTrace } from '../core/stacktrace/parse';
import type { FrameResolution } from '../core/stacktrace/resolve';
import type { CodeMapper } from '../core/engine/code-lookup';
import { stackTracesOfSpan } from '../core/stacktrace/span-exceptions';
import { parseLogLine } from '../core/logs/log-lines';
import { functionAt } from '../core/function-lookup';
import { anchorDeployedLine, VersionDrift } from '../core/mapping/version-drift';
import { CliError } from './errors';
import { workspaceDir } from './workspace-arg';

export const LOCATE_USAGE = `usage: prodlens locate --workspace DIR (--stack FILE [--revision REV] | --log "LINE" | --log-file FILE | --span FILE) [--json]
  --stack FILE     a stack trace (any mix of Node, Python, Java/Kotlin, Go, .NET, Ruby, PHP); - reads stdin
  --log LINE       a log line (JSON, logfmt or plain text): the log statement that printed it, and any
                   stack trace or file:line references it carries
  --log-file FILE  the same for every line of a log file; - reads stdin
  --span FILE      OTLP JSON trace requests (one per line, or one pretty-printed): every exception stack and code.* location
                   (lines from a span's deployed commit, vcs.ref.head.revision, are carried to the working tree)
  --revision REV   with --stack: the commit the code that threw was built from; its lines are carried to the working tree`;

const MAX_INPUT_BYTES = 64 * 1024 * 1024;
const MAX_LOG_CHARS = 1024 * 1024;
/** A log file's lines beyond this are counted, not located one by one. */
const MAX_LOG_FILE_LINES = 100_000;

export interface LocateIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin?: NodeJS.ReadableStream;
}

/** One printed resolution. */
export interface LocateRecord {
  /** Where the input came from: `stack`, `log`, `span "GET /orders" 5b8e… event #0 "exception"`. */
  source: string;
  /** A span's own location: `code-attributes`, its `route`'s handler, or the NestJS `framework-handler` it names. */
  kind:
    | 'frame'
    | 'code-attributes'
    | 'route'
    | 'framework-handler'
    | 'file-reference'
    | 'log-statement';
  raw: string;
  language: StackLanguage | null;
  frameKind: string | null;
  exception: { type: string | null; message: string | null; relation: string } | null;
  /** The function as the telemetry names it. */
  frameFunction: string | null;
  file: string | null;
  line: number | null;
  column: number | null;
  /** Qualified name of the workspace function, when one was found. */
  function: string | null;
  rule: string;
  confidence: Confidence;
  inWorkspace: boolean;
  outside: string | null;
  explanation: string;
  candidates?: string[];
  sourceMap?: { bundle: string; status: string; detail: string };
  note?: string;
}

interface Summary {
  source: string;
  frames: number;
  truncatedFrames: number;
  unparsedLines: number;
  oversizedLines: number;
}

async function readInput(file: string, stdin: NodeJS.ReadableStream): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of stdin) {
      const b = typeof c === 'string' ? Buffer.from(c) : (c as Buffer);
      size += b.length;
      if (size > MAX_INPUT_BYTES)
        throw new CliError(`stdin: larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB`);
      chunks.push(b);
    }
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) throw new CliError(`${file}: not a file`);
    if (st.size > MAX_INPUT_BYTES)
      throw new CliError(`${file}: larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB`);
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`cannot read ${file}: ${(e as Error).message}`);
  }
}

function frameRecord(
  source: string,
  r: FrameResolution,
  exc: ExceptionInfo | undefined,
  kind: LocateRecord['kind'] = 'frame',
): LocateRecord {
  const f = r.frame;
  const rec: LocateRecord = {
    source,
    kind,
    raw: f.raw,
    language: f.language,
    frameKind: f.kind,
    exception: exc
      ? { type: exc.type ?? null, message: exc.message ?? null, relation: exc.relation }
      : null,
    frameFunction: f.function ?? null,
    file: r.file,
    line: r.line,
    column: r.column,
    function: r.function?.qualifiedName ?? null,
    rule: r.rule,
    confidence: r.confidence,
    inWorkspace: r.inWorkspace,
    outside: r.outside ?? null,
    explanation: r.explanation,
  };
  if (r.candidates) rec.candidates = r.candidates;
  if (r.sourceMap) rec.sourceMap = r.sourceMap;
  return rec;
}

/**
 * Runs a lookup; when it asked git for a diff (telemetry from an older deployed commit), waits
 * for the diff and runs it again, so a one-shot run answers as the editor does once it knows.
 */
async function withDrift<T>(drift: VersionDrift | undefined, lookup: () => Promise<T>): Promise<T> {
  const before = drift?.version;
  const first = await lookup();
  // A diff may also have finished while the lookup awaited: then the version moved.
  if (!drift || (!drift.pending && drift.version === before)) return first;
  await drift.settled();
  return lookup();
}

async function locateStack(
  text: string,
  source: string,
  resolver: CodeMapper,
  summaries: Summary[],
  revision: string | undefined,
  drift: VersionDrift | undefined,
): Promise<LocateRecord[]> {
  const parsed = parseStackTrace(text);
  summaries.push({
    source,
    frames: parsed.frames.length,
    truncatedFrames: parsed.truncatedFrames,
    unparsedLines: parsed.unparsedLines,
    oversizedLines: parsed.oversizedLines,
  });
  const resolved = await withDrift(drift, () => resolver.resolveAll(parsed.frames, revision));
  return resolved.map((r) => frameRecord(source, r, parsed.exceptions[r.frame.exception]));
}

/** `path/to/file.ext:12(:3)` references in free text (log lines that name a location). */
function fileReferences(text: string): FrameFields[] {
  const out: FrameFields[] = [];
  const re = /(?:^|[\s("'=[])((?:[A-Za-z]:)?[\w.\-/\\@]*[\w-]\.[A-Za-z]{1,6}):(\d+)(?::(\d+))?/g;
  for (let m = re.exec(text); m && out.length < 100; m = re.exec(text)) {
    const file = m[1]!;
    const lang = languageForPath(file);
    const language: StackLanguage =
      lang === 'typescript' || lang === 'tsx' || lang === 'javascript'
        ? 'javascript'
        : lang === 'csharp'
          ? 'dotnet'
          : (lang ??
            (file.endsWith('.rb') ? 'ruby' : file.endsWith('.php') ? 'php' : 'javascript'));
    const f: FrameFields = { language, file, line: Number(m[2]) };
    if (m[3] !== undefined) f.column = Number(m[3]);
    out.push(f);
  }
  return out;
}

/** The log statement that printed a line, as a record (always one, resolved or not). */
async function locateStatement(
  line: string,
  source: string,
  engine: Engine,
): Promise<LocateRecord> {
  const parsed = parseLogLine(line);
  const m = engine.matchLogLine(parsed.message, parsed.level);
  const s = m.statement;
  const fn = s ? functionAt((await engine.functionsIn(s.file)) ?? [], s.line) : undefined;
  const rec: LocateRecord = {
    source,
    kind: 'log-statement',
    raw: line.length > 300 ? `${line.slice(0, 300)}…` : line,
    language: null,
    frameKind: null,
    exception: null,
    frameFunction: null,
    file: s?.file ?? null,
    line: s?.line ?? null,
    column: null,
    function: fn?.qualifiedName ?? null,
    rule: m.rule,
    confidence: m.confidence,
    inWorkspace: s !== undefined,
    outside: s ? null : m.confidence === 'ambiguous' ? 'ambiguous' : 'not-found',
    explanation: `${parsed.format} line${parsed.level ? ` (${parsed.level})` : ''}: ${m.explanation}`,
  };
  if (m.candidates) rec.candidates = m.candidates;
  return rec;
}

async function locateLog(
  line: string,
  source: string,
  engine: Engine,
  resolver: CodeMapper,
  summaries: Summary[],
): Promise<LocateRecord[]> {
  let text = line.length > MAX_LOG_CHARS ? line.slice(0, MAX_LOG_CHARS) : line;
  const out: LocateRecord[] = [await locateStatement(text.split('\n')[0]!, source, engine)];
  // JSON-logged lines carry their stack with escaped newlines.
  if (!text.includes('\n') && text.includes('\\n'))
    text = text.replace(/(?:\\r)?\\n/g, '\n').replace(/\\t/g, '\t');
  const stack = await locateStack(text, source, resolver, [], undefined, undefined);
  if (stack.length > 0) {
    summaries.push({
      source,
      frames: stack.length,
      truncatedFrames: 0,
      unparsedLines: 0,
      oversizedLines: 0,
    });
    return [...out, ...stack];
  }
  for (const fields of fileReferences(text)) {
    const cls = classifyFrame(fields);
    const frame: StackFrame = {
      ...fields,
      raw: `${fields.file}:${fields.line}${fields.column !== undefined ? `:${fields.column}` : ''}`,
      lineIndex: 0,
      kind: cls.kind,
      exception: -1,
    };
    if (cls.reason) frame.kindReason = cls.reason;
    out.push({
      ...frameRecord(source, await resolver.resolveFrame(frame), undefined, 'file-reference'),
      language: null,
    });
  }
  return out;
}

/** Every line of a log file: its statement (stack traces inside JSON lines too). */
async function locateLogFile(
  text: string,
  file: string,
  engine: Engine,
  resolver: CodeMapper,
  summaries: Summary[],
  notes: string[],
): Promise<LocateRecord[]> {
  const lines = text.split('\n').filter((l) => l.trim().length > 0);
  if (lines.length > MAX_LOG_FILE_LINES)
    notes.push(
      `${file}: only the first ${MAX_LOG_FILE_LINES} of ${lines.length} lines were located`,
    );
  const out: LocateRecord[] = [];
  for (let i = 0; i < Math.min(lines.length, MAX_LOG_FILE_LINES); i++)
    out.push(...(await locateLog(lines[i]!, `${file}:${i + 1}`, engine, resolver, summaries)));
  return out;
}

function decodeSpanFile(text: string, file: string): SpanRecord[] {
  const trimmed = text.trim();
  if (!trimmed) return [];
  // One pretty-printed request, or one request per line as the Collector's file exporter writes.
  try {
    return decodeTraces(Buffer.from(trimmed), 'json').spans;
  } catch {
    // fall through to JSON lines
  }
  const spans: SpanRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (!l) continue;
    try {
      spans.push(...decodeTraces(Buffer.from(l), 'json').spans);
    } catch (e) {
      throw new CliError(
        `${file}:${i + 1}: not an OTLP JSON trace request: ${e instanceof OtlpDecodeError ? e.message : String(e)}`,
      );
    }
  }
  return spans;
}

async function locateSpans(
  spans: SpanRecord[],
  engine: Engine,
  summaries: Summary[],
): Promise<LocateRecord[]> {
  const out: LocateRecord[] = [];
  for (const span of spans) {
    const label = `span "${span.name}" ${span.spanId}`;
    const revision = span.resource.revision;
    const resolver = engine.codeLookup().resolver;
    const { loc, mapping: m } = await withDrift(resolver.drift, () => resolver.mapSpan(span));
    if (loc.source !== 'none' || loc.route || loc.handler) {
      const line =
        loc.line !== undefined && m.file
          ? anchorDeployedLine(resolver.drift, revision, m.file, loc.line).line
          : loc.line;
      const raw = loc.route
        ? `${loc.route.method} ${loc.route.template} (${loc.route.from})`
        : loc.handler
          ? `${loc.handler.controller}.${loc.handler.callback} (nestjs)`
          : [
              loc.functionName,
              loc.filePath && `${loc.filePath}${loc.line !== undefined ? `:${loc.line}` : ''}`,
            ]
              .filter(Boolean)
              .join(' @ ');
      const rec: LocateRecord = {
        source: `${label} attributes`,
        kind: loc.source !== 'none' ? 'code-attributes' : loc.route ? 'route' : 'framework-handler',
        raw,
        language: null,
        frameKind: null,
        exception: null,
        frameFunction: loc.functionName ?? null,
        file: m.file ?? null,
        line: m.function ? (line ?? m.function.startLine) : (line ?? null),
        column: loc.column ?? null,
        function: m.function?.qualifiedName ?? null,
        rule: m.rule,
        confidence: m.confidence,
        inWorkspace: m.file !== undefined,
        outside: m.file ? null : 'not-found',
        explanation: m.explanation,
      };
      if (m.candidates) rec.candidates = m.candidates;
      out.push(rec);
    }
    for (const st of stackTracesOfSpan(span))
      out.push(
        ...(await locateStack(
          st.text,
          `${label} ${st.origin} ${st.attribute}`,
          engine.codeLookup().resolver,
          summaries,
          revision,
          engine.codeLookup().resolver.drift,
        )),
      );
  }
  return out;
}

function printText(records: LocateRecord[], summaries: Summary[], notes: string[]): string {
  const lines: string[] = [...notes.map((n) => `note: ${n}`)];
  let source = '';
  let exception = '';
  for (const r of records) {
    if (r.source !== source) {
      source = r.source;
      exception = '';
      lines.push(`${source}:`);
    }
    const e = r.exception
      ? `${r.exception.relation === 'first' ? '' : `(${r.exception.relation}) `}${r.exception.type ?? '(exception)'}${r.exception.message ? `: ${r.exception.message}` : ''}`
      : '';
    if (e && e !== exception) lines.push(` ${e.length > 200 ? `${e.slice(0, 200)}…` : e}`);
    exception = e;
    lines.push(`  ${r.raw}`);
    if (r.inWorkspace && r.file) {
      const where = `${r.file}${r.line !== null ? `:${r.line}` : ''}`;
      lines.push(
        `    → ${where}${r.function ? ` in ${r.function}` : ''}  [${r.rule}, ${r.confidence}]${r.sourceMap && r.sourceMap.status !== 'mapped' ? ` (source map: ${r.sourceMap.status})` : ''}`,
      );
    } else {
      lines.push(
        `    ✗ ${r.outside === 'dependency' || r.outside === 'runtime' ? `outside the workspace (${r.outside})` : r.outside === 'ambiguous' ? 'ambiguous' : 'not in the workspace'}: ${r.explanation}`,
      );
    }
  }
  for (const s of summaries) {
    const extra = [
      s.truncatedFrames ? `${s.truncatedFrames} more frames not kept` : '',
      s.unparsedLines ? `${s.unparsedLines} lines not recognised` : '',
      s.oversizedLines ? `${s.oversizedLines} over-long lines skipped` : '',
    ].filter(Boolean);
    if (s.frames === 0)
      lines.push(
        `${s.source}: no stack frames recognised${extra.length ? ` (${extra.join(', ')})` : ''}`,
      );
    else if (extra.length) lines.push(`${s.source}: ${extra.join(', ')}`);
  }
  if (records.length === 0 && summaries.length === 0)
    lines.push('nothing to locate: no stack traces or code.* attributes found');
  const inWs = records.filter((r) => r.inWorkspace).length;
  lines.push(
    `${records.length} location${records.length === 1 ? '' : 's'}, ${inWs} in the workspace`,
  );
  return lines.join('\n');
}

export async function runLocate(
  argv: string[],
  io: LocateIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      workspace: { type: 'string' },
      stack: { type: 'string' },
      revision: { type: 'string' },
      log: { type: 'string' },
      'log-file': { type: 'string' },
      span: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    io.stdout.write(`${LOCATE_USAGE}\n`);
    return 0;
  }
  const workspace = workspaceDir(values.workspace, 'locate');
  const inputs = [values.stack, values.log, values['log-file'], values.span].filter(
    (v) => v !== undefined,
  );
  if (
    values.revision !== undefined &&
    (values.stack === undefined || !VersionDrift.isRevision(values.revision))
  )
    throw new CliError(
      `--revision takes a commit (7 to 40 hex digits) and goes with --stack\n${LOCATE_USAGE}`,
      2,
    );
  if (inputs.length !== 1)
    throw new CliError(
      `locate needs exactly one of --stack FILE, --log "LINE", --log-file FILE or --span FILE\n${LOCATE_USAGE}`,
      2,
    );
  // Read the input before scanning the workspace, so a bad file fails fast.
  const stackText =
    values.stack !== undefined
      ? await readInput(values.stack, io.stdin ?? process.stdin)
      : undefined;
  const spans =
    values.span !== undefined
      ? decodeSpanFile(await readInput(values.span, io.stdin ?? process.stdin), values.span)
      : undefined;
  const logFile = values['log-file'];
  const logText =
    logFile !== undefined ? await readInput(logFile, io.stdin ?? process.stdin) : undefined;

  const { engine } = await createWorkspaceEngine(workspace);
  const resolver = engine.codeLookup().resolver;
  const summaries: Summary[] = [];
  const notes: string[] = [];
  let records: LocateRecord[];
  if (stackText !== undefined)
    records = await locateStack(
      stackText,
      'stack',
      resolver,
      summaries,
      values.revision,
      resolver.drift,
    );
  else if (spans !== undefined) records = await locateSpans(spans, engine, summaries);
  else if (logText !== undefined)
    records = await locateLogFile(
      logText,
      logFile === '-' ? 'stdin' : logFile!,
      engine,
      resolver,
      summaries,
      notes,
    );
  else records = await locateLog(values.log ?? '', 'log', engine, resolver, summaries);
  if (values.json) {
    if (notes.length) io.stderr.write(notes.map((n) => `prodlens: note: ${n}\n`).join(''));
    io.stdout.write(`${JSON.stringify(records, null, 2)}\n`);
  } else io.stdout.write(`${printText(records, summaries, notes)}\n`);
  return 0;
}

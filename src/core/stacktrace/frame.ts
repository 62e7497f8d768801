// The vocabulary of parsed stack traces: one frame per call site as the runtime printed it, grouped
// into the exceptions (and their cause chains) the text describes. Plain data, no I/O.
//
// Conventions: `line` is 1-based as every runtime prints it; `column` is kept as printed (V8
// columns are 1-based), and `undefined` when the format has none.

/** The runtime format a frame was read in (not necessarily the source language: see `file`). */
export type StackLanguage = 'javascript' | 'python' | 'java' | 'go' | 'dotnet' | 'ruby' | 'php';

/**
 * Whose code a frame is in, judged from the text alone: `app` (possibly in the workspace),
 * `dependency` (installed packages: node_modules, site-packages, vendor, .m2, Go module cache…),
 * `runtime` (the language runtime or standard library: node:internal, java.base, <frozen …>,
 * Go's runtime package…), `unknown` when the frame names no file to judge by.
 */
export type FrameKind = 'app' | 'dependency' | 'runtime' | 'unknown';

export interface StackFrame {
  /** The frame's line as printed (trimmed, capped in length); Go frames join their two lines. */
  raw: string;
  /** 0-based index of the (first) line of the frame in the parsed text. */
  lineIndex: number;
  language: StackLanguage;
  /** Function as printed: `OrderService.load`, `com.acme.Svc.run`, `main.(*Server).handle`, `Order#load`. */
  function?: string;
  /** Java-style frames: the fully qualified class (`com.acme.OrderService`), which locates the file. */
  className?: string;
  /** File as printed: absolute, relative, `file://` URL, or a simple name (Java). */
  file?: string;
  line?: number;
  column?: number;
  kind: FrameKind;
  /** Why the frame got its kind, when not `app`. */
  kindReason?: string;
  /** V8 `async` frames, Go `created by` frames, eval'd code (file/line are where eval was called). */
  async?: boolean;
  createdBy?: boolean;
  eval?: boolean;
  /** Index into ParsedStack.exceptions of the exception this frame belongs to. */
  exception: number;
}

/** How an exception relates to the one it was printed after (`relatedTo`). */
export type ExceptionRelation =
  | 'first' // the first exception of a trace, or a new unrelated trace in the same text
  | 'cause' // Java `Caused by:`, .NET ` ---> `, Node `[cause]:`: this one caused `relatedTo`
  | 'effect' // Python "direct cause": `relatedTo` caused this one (Python prints causes first)
  | 'context' // Python "during handling of the above exception"
  | 'suppressed' // Java `Suppressed:`
  | 'goroutine'; // another goroutine of a Go dump

export interface ExceptionInfo {
  /** `java.lang.IllegalStateException`, `KeyError`, `TypeError`, `panic`, `goroutine 7`, … */
  type?: string;
  message?: string;
  language?: StackLanguage;
  relation: ExceptionRelation;
  relatedTo?: number;
  /** Frames in text order (Python prints the innermost call last, the others first). */
  frames: StackFrame[];
  innermostFirst: boolean;
  /** Java `... N more`: frames shared with the enclosing trace and not printed again. */
  omittedFrames?: number;
  /** 0-based line of the header (or first frame) in the parsed text. */
  lineIndex: number;
}

export interface ParsedStack {
  /** Every kept frame in text order (also reachable through `exceptions`). */
  frames: StackFrame[];
  exceptions: ExceptionInfo[];
  /** Frames past the cap: recognised and counted, not kept. */
  truncatedFrames: number;
  /** Non-empty lines that were neither frames, exception headers, nor known filler. */
  unparsedLines: number;
  /** Lines too long to be a frame (minified code, binary junk): skipped unread. */
  oversizedLines: number;
  /** Set when the text itself was longer than the parser reads. */
  truncatedText: boolean;
  languages: StackLanguage[];
}

/** What a format parser extracts from a frame line; parse.ts adds the bookkeeping. */
export interface FrameFields {
  language: StackLanguage;
  function?: string;
  className?: string;
  file?: string;
  line?: number;
  column?: number;
  async?: boolean;
  createdBy?: boolean;
  eval?: boolean;
}

export interface FrameMatch {
  fields: FrameFields;
  /** Lines the frame used (Go frames span two). */
  consumed: number;
  /** Ruby's first line carries the exception too: `file:1:in 'm': message (Type)`. */
  header?: { type: string; message: string };
}

// Path fragments that mark installed third-party code, by runtime.
const DEPENDENCY_MARKERS: readonly [string, string][] = [
  ['/node_modules/', 'an npm package (node_modules)'],
  ['/site-packages/', 'an installed Python package (site-packages)'],
  ['/dist-packages/', 'an installed Python package (dist-packages)'],
  ['/vendor/', 'vendored code (vendor/)'],
  ['/.m2/repository/', 'a Maven dependency (.m2)'],
  ['/.gradle/caches/', 'a Gradle dependency'],
  ['/pkg/mod/', 'a Go module dependency (pkg/mod)'],
  ['/gems/', 'a Ruby gem'],
  ['/.nuget/packages/', 'a NuGet package'],
];

// Path fragments of language runtimes and standard libraries.
const RUNTIME_MARKERS: readonly [RegExp, string][] = [
  [/^node:/, 'Node.js internals'],
  [/^internal\//, 'Node.js internals'],
  [/^<frozen /, 'the Python runtime (frozen module)'],
  [
    /\/lib\/python\d+(?:\.\d+)*\/(?!site-packages\/|dist-packages\/)/,
    'the Python standard library',
  ],
  [/^<(?:string|stdin|frozen|internal:)/, 'code without a source file'],
  [/^<internal:/, 'the Ruby runtime'],
  [/\/lib\/ruby\/\d+\.\d+\.\d+\//, 'the Ruby standard library'],
  [
    /\/(?:usr\/local\/go|usr\/lib\/go(?:-[\d.]+)?|opt\/go)\/src\/|^\$GOROOT\//,
    'the Go standard library (GOROOT)',
  ],
  [/^\[internal function\]$/, 'the PHP runtime'],
];

// Java/.NET namespaces of the platform itself, and of libraries seen in most traces.
const JVM_RUNTIME = /^(?:java|javax|jdk|sun|com\.sun|kotlin|kotlinx\.coroutines|scala)\./;
const JVM_DEPENDENCY =
  /^(?:org\.springframework|org\.apache|org\.hibernate|io\.netty|io\.micrometer|io\.opentelemetry|com\.fasterxml|reactor\.|org\.junit|com\.google|okhttp3|io\.grpc|ch\.qos)\b/;
const DOTNET_RUNTIME = /^(?:System|Microsoft)\./;
const GO_RUNTIME_FUNCS = /^(?:runtime|reflect|sync|syscall|internal\/[\w/]+|net\/http|testing)\./;

// Helpers TypeScript (tslib inlined), Babel and regenerator emit to run down-levelled async code:
// they sit on top of a trace in place of the user's function. The generic names count only in
// build output, where the compiler put them.
const HELPERS_ANYWHERE =
  /^(?:__awaiter|__generator|_asyncToGenerator|asyncGeneratorStep|Generator\.next|Generator\.throw)$/;
const HELPERS_IN_BUILD =
  /^(?:fulfilled|rejected|step|_next|_throw|tryCatch|Object\.next|Object\.throw|new Promise)$/;
/** Folders compilers write to (a frame there without a source map is not the source). */
export const BUILD_OUTPUT = /(?:^|\/)(?:dist|build|out|lib|\.next|\.output)\//;

function isCompilerHelper(fn: string, file: string | undefined): boolean {
  const name = fn.replace(/^async /, '');
  return (
    HELPERS_ANYWHERE.test(name) ||
    (HELPERS_IN_BUILD.test(name) && !!file && BUILD_OUTPUT.test(file))
  );
}

/** Judges whose code a frame is in from its file path and function name. */
export function classifyFrame(f: FrameFields): { kind: FrameKind; reason?: string } {
  const file = f.file?.replace(/\\/g, '/');
  if (file) {
    const p = file.startsWith('/') || /^[a-z]+:/i.test(file) ? file : `/${file}`;
    for (const [marker, why] of DEPENDENCY_MARKERS)
      if (p.includes(marker)) return { kind: 'dependency', reason: `${file} is in ${why}` };
    for (const [re, why] of RUNTIME_MARKERS)
      if (re.test(file)) return { kind: 'runtime', reason: `${file} is ${why}` };
  }
  const fn = f.function ?? '';
  if (f.language === 'java' && f.className) {
    if (JVM_RUNTIME.test(f.className))
      return { kind: 'runtime', reason: `${f.className} is in the Java platform` };
    if (JVM_DEPENDENCY.test(f.className))
      return { kind: 'dependency', reason: `${f.className} is in a common library` };
  }
  if (f.language === 'dotnet' && DOTNET_RUNTIME.test(fn))
    return { kind: 'runtime', reason: `${fn} is in the .NET platform` };
  if (f.language === 'go' && GO_RUNTIME_FUNCS.test(fn))
    return { kind: 'runtime', reason: `${fn} is in the Go standard library` };
  if (f.language === 'javascript' && isCompilerHelper(fn, file))
    return {
      kind: 'runtime',
      reason: `${fn} is a compiler helper emitted into ${file ?? 'the build'} (async/await down-levelled); the user's frame is the next one`,
    };
  // V8 prints builtins without a location: `at Array.map (<anonymous>)`, `at async Promise.all (index 0)`.
  if (!file && f.language === 'javascript')
    return {
      kind: 'runtime',
      reason: `${fn || 'the frame'} is a JavaScript builtin (no source location)`,
    };
  if (!file) return { kind: 'unknown', reason: 'the frame names no file' };
  return { kind: 'app' };
}

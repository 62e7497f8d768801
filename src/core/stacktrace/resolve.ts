// Resolves parsed stack frames to workspace locations: the file through WorkspaceFiles (path
// rules, then longest suffix), the function through FunctionIndex at the frame's line. Bundled
// JavaScript goes through its source map first. Every frame gets an answer: a location with a
// rule, confidence and explanation, or the reason it is outside the workspace.
import { promises as fs } from 'node:fs';
import { type Confidence, type FunctionRange, isSure } from '../model';
import { functionAt, functionsNamed, nameMatchLength } from '../function-lookup';
import type { FunctionSource } from '../mapping/function-index';
import { weakest } from '../mapping/mapper';
import { normalizeDeployedPath } from '../mapping/path-rules';
import { anchorDeployedLine, type VersionDrift } from '../mapping/version-drift';
import type { PathResolution, WorkspaceFiles } from '../mapping/workspace-files';
import { BUILD_OUTPUT, type StackFrame } from './frame';
import { ReadText, SourceMaps, SourceMapStatus } from './source-map';

export type OutsideReason = 'dependency' | 'runtime' | 'no-file' | 'not-found' | 'ambiguous';

export interface FrameResolution {
  frame: StackFrame;
  /** Workspace-relative file (forward slashes), or null when the frame is outside the workspace. */
  file: string | null;
  /** 1-based line in `file` (after source mapping), null when outside. */
  line: number | null;
  /** Column as the trace prints it (1-based for V8), after source mapping; null when unknown. */
  column: number | null;
  /** The workspace function containing the line, when the file's language is parsed. */
  function: FunctionRange | null;
  rule: 'stack-frame' | 'stack-frame+source-map' | 'none';
  confidence: Confidence;
  explanation: string;
  inWorkspace: boolean;
  outside?: OutsideReason;
  candidates?: string[];
  /** Set for JavaScript frames in a file that was checked for a source map. */
  sourceMap?: { bundle: string; status: SourceMapStatus; detail: string };
}

export interface StackResolverOptions {
  files: WorkspaceFiles;
  functions: FunctionSource;
  /** Reads files on disk (bundles, source maps); defaults to node:fs with a size cap. */
  readText?: ReadText;
  /** Whether a workspace-relative path exists on disk (bundles live in unscanned dist/ folders). */
  exists?: (absPath: string) => Promise<boolean>;
  /** Carries lines of an older deployed commit to the working tree (the mapper's tracker). */
  drift?: VersionDrift;
}

const MAX_READ_BYTES = 64 * 1024 * 1024;
const JS_FILE = /\.(?:js|mjs|cjs)$/i;
const BUNDLE_SUFFIX_SEGMENTS = 6;

async function readTextCapped(path: string): Promise<string | undefined> {
  try {
    const st = await fs.stat(path);
    if (!st.isFile() || st.size > MAX_READ_BYTES) return undefined;
    return await fs.readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await fs.stat(path)).isFile();
  } catch {
    return false;
  }
}

/** What resolving a trace needs: the engine's CodeResolver, or a bare StackResolver. */
export type ResolvesFrames = Pick<StackResolver, 'resolveAll'>;

export class StackResolver {
  private readonly files: WorkspaceFiles;
  private readonly functions: FunctionSource;
  private readonly maps: SourceMaps;
  private readonly exists: (absPath: string) => Promise<boolean>;
  private readonly bundles = new Map<string, Promise<string | undefined>>();
  /** Carries lines of an older deployed commit to the working tree; set when the git state is known. */
  drift: VersionDrift | undefined;
  private readonly readText: ReadText;

  constructor(opts: StackResolverOptions) {
    this.readText = opts.readText ?? readTextCapped;
    this.drift = opts.drift;
    this.files = opts.files;
    this.functions = opts.functions;
    this.maps = new SourceMaps(this.readText);
    this.exists = opts.exists ?? isFile;
  }

  /**
   * Resolves frames in order; never rejects. `revision` is the deployed commit the trace came
   * from (its resource's), whose lines are carried to the working tree when it is an older one.
   */
  async resolveAll(frames: readonly StackFrame[], revision?: string): Promise<FrameResolution[]> {
    const out: FrameResolution[] = [];
    for (const f of frames) out.push(await this.resolveFrame(f, revision));
    return out;
  }

  async resolveFrame(frame: StackFrame, revision?: string): Promise<FrameResolution> {
    try {
      return await this.resolveUnsafe(frame, revision);
    } catch (e) {
      return outside(
        frame,
        'not-found',
        `could not resolve: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }

  private async resolveUnsafe(
    frame: StackFrame,
    revision: string | undefined,
  ): Promise<FrameResolution> {
    if (frame.kind === 'dependency' || frame.kind === 'runtime')
      return outside(frame, frame.kind, frame.kindReason ?? `a ${frame.kind} frame`);
    if (!frame.file)
      return outside(
        frame,
        'no-file',
        `the frame names no file${frame.function ? ` (only the function ${frame.function})` : ''}`,
      );
    const path = this.resolvePath(frame);
    if (frame.language === 'javascript' && JS_FILE.test(frame.file) && frame.line !== undefined) {
      const mapped = await this.throughSourceMap(frame, path, revision);
      if (mapped) return mapped;
    }
    if (!path.file) {
      const r = outside(
        frame,
        path.confidence === 'ambiguous' ? 'ambiguous' : 'not-found',
        path.explanation,
      );
      if (path.candidates) r.candidates = path.candidates;
      if (path.confidence === 'ambiguous') r.confidence = 'ambiguous';
      return r;
    }
    return this.inFile(
      frame,
      path.file,
      frame.line,
      frame.column,
      'stack-frame',
      path.confidence,
      path.explanation,
      revision,
    );
  }

  /**
   * The workspace file a frame names, synchronously and without reading anything (no source maps,
   * no parse): for drawing a printed trace with links. Undefined outside the workspace or unsure.
   */
  locateSync(frame: StackFrame): string | undefined {
    if (
      frame.kind === 'dependency' ||
      frame.kind === 'runtime' ||
      !frame.file ||
      frame.line === undefined
    )
      return undefined;
    const path = this.resolvePath(frame);
    return path.file && isSure(path.confidence) ? path.file : undefined;
  }

  /** The deployed path to look up; Java frames print only a simple file name, so add the package. */
  private resolvePath(frame: StackFrame): PathResolution {
    const file = frame.file!;
    if (frame.className && !/[\\/]/.test(file)) {
      const segs = frame.className.split('.');
      const pkg = segs.slice(0, -1).join('/');
      const withPackage = this.files.resolve(pkg ? `/${pkg}/${file}` : `/${file}`);
      if (withPackage.file || withPackage.confidence === 'ambiguous' || !pkg) {
        return {
          ...withPackage,
          explanation: `${frame.className} in ${file}: ${withPackage.explanation}`,
        };
      }
    }
    return this.files.resolve(file);
  }

  /** Maps a bundled JS frame to its original source; undefined when there is no bundle to map. */
  private async throughSourceMap(
    frame: StackFrame,
    path: PathResolution,
    revision: string | undefined,
  ): Promise<FrameResolution | undefined> {
    const bundleRel = path.file ?? (await this.bundleOnDisk(frame.file!));
    if (!bundleRel) return undefined;
    const bundleAbs = this.files.absolute(bundleRel);
    const pos = await this.maps.original(bundleAbs, frame.line!, frame.column);
    const sourceMap = { bundle: bundleRel, status: pos.status, detail: pos.detail };
    if (pos.status === 'no-map' && path.file) return undefined; // plain JavaScript, not a bundle
    if (pos.status === 'mapped' && pos.source !== undefined && pos.line !== undefined) {
      const original = this.originalFile(pos.source);
      if (original.file) {
        // Bundled function names are minified: the frame's name says nothing about the source.
        const why = `${bundleRel}:${frame.line}:${frame.column ?? '?'} maps through ${pos.detail} to ${original.file}:${pos.line}`;
        const r = await this.inFile(
          frame,
          original.file,
          pos.line,
          pos.column,
          'stack-frame+source-map',
          original.confidence,
          why,
          revision,
          false,
        );
        r.sourceMap = sourceMap;
        return r;
      }
      sourceMap.detail = `${pos.detail} maps to ${pos.source}, which is not in the workspace (${original.explanation})`;
    }
    if (pos.status !== 'mapped' && BUILD_OUTPUT.test(bundleRel)) {
      const bySource = await this.byCompiledSource(frame, bundleRel, pos.detail);
      if (bySource) {
        bySource.sourceMap = sourceMap;
        return bySource;
      }
    }
    // Keep the bundle location, marked: better than nothing, and says why it is not the source.
    const why =
      pos.status === 'mapped'
        ? sourceMap.detail
        : BUILD_OUTPUT.test(bundleRel)
          ? `build output, no source map (${pos.detail})`
          : pos.detail;
    const r = await this.inFile(
      frame,
      bundleRel,
      frame.line,
      frame.column,
      'stack-frame',
      weakest(path.confidence === 'none' ? 'medium' : path.confidence, 'low'),
      `${frame.file} is the bundle ${bundleRel}; not mapped to its source: ${why}`,
      revision,
    );
    r.sourceMap = sourceMap;
    return r;
  }

  /**
   * TypeScript compiled without source maps (`dist/routes/users.js` from `src/routes/users.ts`):
   * the source file by its path; the line by the compiled statement's text, which tsc keeps (the
   * one line of the source that holds it, `yield` read as `await`), else the function by the
   * frame's name. Undefined when neither is unique.
   */
  private async byCompiledSource(
    frame: StackFrame,
    bundleRel: string,
    mapDetail: string,
  ): Promise<FrameResolution | undefined> {
    const m = BUILD_OUTPUT.exec(bundleRel)!;
    const before = bundleRel.slice(0, m.index + (m[0].startsWith('/') ? 1 : 0));
    const stem = bundleRel.slice(m.index + m[0].length).replace(/\.[cm]?js$/, '');
    const source = [`${before}src/`, before]
      .flatMap((dir) =>
        ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx'].map((ext) => `${dir}${stem}${ext}`),
      )
      .find((f) => this.files.has(f));
    if (!source) return undefined;
    const ranges = await this.functions.get(source);
    if (!ranges) return undefined;
    const base = `${bundleRel} is build output without a source map (${mapDetail}); its source is ${source} by path`;
    const hit = (line: number, fn: FunctionRange, how: string): FrameResolution => ({
      frame,
      file: source,
      line,
      column: null,
      function: fn,
      rule: 'stack-frame',
      confidence: 'medium',
      explanation: `${base}, ${how}`,
      inWorkspace: true,
    });
    const compiled =
      frame.line !== undefined
        ? (await this.readText(this.files.absolute(bundleRel)))?.split('\n')[frame.line - 1]
        : undefined;
    const sourceText =
      compiled !== undefined ? await this.readText(this.files.absolute(source)) : undefined;
    if (compiled !== undefined && sourceText !== undefined) {
      const wanted = statementText(compiled);
      const lines = sourceText.split('\n');
      // tsc re-flows some statements (`if (!user) throw …` becomes two lines): the source line holds the compiled one.
      const same =
        wanted.length >= 8
          ? lines.flatMap((l, i) => (statementText(l).includes(wanted) ? [i + 1] : []))
          : [];
      const fn = same.length === 1 ? functionAt(ranges, same[0]!) : undefined;
      if (fn)
        return hit(
          same[0]!,
          fn,
          `and line ${frame.line} reads as its line ${same[0]} does, inside ${fn.qualifiedName}`,
        );
    }
    const name = comparableName(frame);
    const named = name ? functionsNamed(ranges, name) : [];
    if (named.length !== 1) return undefined;
    const fn = named[0]!;
    return hit(
      fn.nameLine,
      fn,
      `and the frame's ${name} is ${fn.qualifiedName} there by name (compiled line numbers are not the source's, so the line shown is the function's)`,
    );
  }

  /** Bundles usually live in folders the workspace scan skips (dist/, build/): look on disk. */
  private bundleOnDisk(deployed: string): Promise<string | undefined> {
    let p = this.bundles.get(deployed);
    if (!p) {
      p = this.findOnDisk(deployed);
      this.bundles.set(deployed, p);
    }
    return p;
  }

  private async findOnDisk(deployed: string): Promise<string | undefined> {
    const p = normalizeDeployedPath(deployed);
    const inside = this.files.relativeOf(p);
    if (inside !== undefined && (await this.exists(p))) return inside;
    const segs = p.split('/').filter((s) => s.length > 0 && s !== '..' && s !== '.');
    for (let k = Math.min(segs.length, BUNDLE_SUFFIX_SEGMENTS); k >= 1; k--) {
      for (const prefix of this.files.prefixes) {
        const rel = prefix + segs.slice(-k).join('/');
        if (await this.exists(this.files.absolute(rel))) return rel;
      }
    }
    return undefined;
  }

  /** A source-map source (absolute path, `webpack://pkg/./src/x.ts`, URL) to a workspace file. */
  private originalFile(source: string): PathResolution {
    // `webpack://app/./src/x.ts` → `/./src/x.ts`; file:// URLs are normalized by WorkspaceFiles.
    return this.files.resolve(source.replace(/^webpack:\/\/[^/]*\//, '/'));
  }

  private async inFile(
    frame: StackFrame,
    file: string,
    line: number | undefined,
    column: number | undefined,
    rule: FrameResolution['rule'],
    pathConfidence: Confidence,
    why: string,
    revision: string | undefined,
    compareNames = true,
  ): Promise<FrameResolution> {
    const r: FrameResolution = {
      frame,
      file,
      line: line ?? null,
      column: column ?? null,
      function: null,
      rule,
      confidence: pathConfidence,
      explanation: why,
      inWorkspace: true,
    };
    if (line === undefined) {
      r.explanation = `${why}; the frame gives no line`;
      return r;
    }
    // The line is the deployed commit's: carry it to the working tree first.
    const anchor = anchorDeployedLine(this.drift, revision, file, line);
    line = anchor.line;
    if (anchor.changed) pathConfidence = weakest(pathConfidence, 'medium');
    why += anchor.note;
    Object.assign(r, { line, confidence: pathConfidence, explanation: why });
    const ranges = await this.functions.get(file);
    if (!ranges) {
      r.explanation = `${why}; ${file} is not a parsed language, so only the line is known`;
      return r;
    }
    const fn = functionAt(ranges, line);
    if (!fn) {
      r.explanation = `${why}; line ${line} is top-level code (outside every function)`;
      return r;
    }
    r.function = fn;
    const name = compareNames ? comparableName(frame) : undefined;
    if (name === undefined || nameMatchLength(fn, name) > 0) {
      r.explanation = `${why}; line ${line} is inside ${fn.qualifiedName}`;
    } else {
      r.confidence = weakest(pathConfidence, 'low');
      r.explanation = `${why}; line ${line} is inside ${fn.qualifiedName}, but the frame names ${frame.function} (the deployed code may differ from this file)`;
    }
    return r;
  }
}

/** A line as a statement, for comparing compiled output with its source: `yield` was `await`, spacing and `;` aside. */
function statementText(line: string): string {
  return line
    .trim()
    .replace(/\byield\b/g, 'await')
    .replace(/\s+/g, ' ')
    .replace(/;$/, '');
}

function outside(frame: StackFrame, reason: OutsideReason, explanation: string): FrameResolution {
  return {
    frame,
    file: null,
    line: null,
    column: null,
    function: null,
    rule: 'none',
    confidence: 'none',
    explanation,
    inWorkspace: false,
    outside: reason,
  };
}

/**
 * The frame's function name in a form the function index can compare, or undefined when the frame
 * names no comparable function (anonymous code, module top level, PHP call sites).
 */
export function comparableName(frame: StackFrame): string | undefined {
  let n = frame.function?.trim();
  // Functions defined inside eval'd code are not in the file; the line is where eval ran.
  if (!n || frame.eval) return undefined;
  switch (frame.language) {
    case 'javascript': {
      n = n.replace(/^async /, '').replace(/ \[as [^\]]*\]$/, '');
      if (n.startsWith('new ')) n = `${n.slice(4)}.constructor`;
      if (n.includes('<anonymous>') || n === 'eval') return undefined;
      return n;
    }
    case 'python':
      return n.startsWith('<') ? undefined : n;
    case 'java': {
      const cls = frame.className?.split('.').pop() ?? '';
      const method = n.slice(n.lastIndexOf('.') + 1);
      const lambda = /^lambda\$(\w+?)\$\d+$/.exec(method);
      if (method === '<init>') return `${cls}.${cls.split('$').pop() ?? cls}`;
      if (method.startsWith('<') || method.startsWith('access$')) return undefined;
      return `${cls}.${lambda ? lambda[1] : method}`;
    }
    case 'go':
      // Closures print as `pkg.outer.func1.2`: the enclosing declared function is what the index knows.
      return n.replace(/(?:\.(?:func|gowrap)\d+(?:\.\d+)*)+$/, '');
    case 'dotnet': {
      const m = /<([\w]+)>[a-z]__\w*(?:\.MoveNext)?$/.exec(n);
      return m ? n.slice(0, m.index).replace(/\.$/, '').concat(`.${m[1]}`) : n;
    }
    case 'ruby': {
      const s = n.replace(/^(?:block(?: \(\d+ levels\))?|rescue|ensure) in /, '');
      return s.startsWith('<') ? undefined : s;
    }
    case 'php':
      // Native PHP frames print the call site's file and line with the callee's name.
      return frame.className ? n : undefined;
  }
}

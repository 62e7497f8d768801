// The one place telemetry becomes code: a span (its code.* attributes, a framework's handler name,
// its HTTP route or request path), a stack frame, or a log record's location, each turned into
// {file, line, function, rule, confidence, explanation} — or the reason it cannot be. It owns the
// one rule for whether a mapping is usable on code, and version drift (lines of an older deployed
// commit carried to the working tree). The engine, the details panel, error decorations, backend
// traces and alerts, the impact review and `prodlens locate` all ask it.
import {
  type Attributes,
  type CodeLocation,
  type FunctionRange,
  isSure,
  type MappingResult,
} from '../model';
import type { RouteIndex } from '../routes/route-index';
import { parseStackTrace } from '../stacktrace/parse';
import type { StackFrame } from '../stacktrace/frame';
import {
  type FrameResolution,
  StackResolver,
  type StackResolverOptions,
} from '../stacktrace/resolve';
import { readCodeLocation } from '../mapping/code-attributes';
import { pathShape } from '../mapping/framework-spans';
import { locateSpan, type SpanShape } from './span-location';
import type { FunctionSource } from '../mapping/function-index';
import { Mapper } from '../mapping/mapper';
import { anchorDeployedLine, type VersionDrift } from '../mapping/version-drift';
import type { PathResolution, WorkspaceFiles } from '../mapping/workspace-files';

export type { SpanShape };

/** A mapping that may be shown on code: a function found, neither ambiguous nor unfounded. */
export type UsableMapping = MappingResult & { file: string; function: FunctionRange };

/** The one rule: a number goes on code only when its mapping found a function and is sure enough to say so. */
export function isUsable(m: MappingResult | undefined): m is UsableMapping {
  return !!m && !!m.file && !!m.function && isSure(m.confidence);
}

/** A printed stack line, linked to the workspace line it names when its path resolves there. */
export interface FrameLink {
  text: string;
  code?: { file: string; line: number };
}

const SHAPE_CACHE_LIMIT = 5_000;
const MAX_STACK_LINES = 200;
const MAX_LINE_CHARS = 500;

export class CodeResolver {
  private readonly mapper: Mapper;
  private readonly stacks: StackResolver;
  private readonly shapes = new Map<string, string>();
  private readonly shapeOf = (method: string, path: string) => this.routeShape(method, path);
  private shapesVersion = -1;

  constructor(
    private readonly files: WorkspaceFiles,
    private readonly functions: FunctionSource,
    private readonly routes?: RouteIndex,
    stackOptions: Partial<Pick<StackResolverOptions, 'readText' | 'exists'>> = {},
  ) {
    this.mapper = new Mapper(files, routes);
    this.stacks = new StackResolver({ files, functions, ...stackOptions });
  }

  /** Carries lines of older deployed commits to the working tree from now on. */
  attachDrift(drift: VersionDrift): void {
    this.mapper.drift = drift;
    this.stacks.drift = drift;
  }

  get drift(): VersionDrift | undefined {
    return this.mapper.drift;
  }

  /** Changes when anything a mapping depends on changed (files, path rules, routes, drift). */
  get version(): string {
    return this.mapper.version;
  }

  /**
   * Where a span says its code is, and the name its series goes by. Without code attributes: a
   * NestJS span names its controller and member; a server span its HTTP route, named the way the
   * HTTP conventions name such spans (`GET /orders/:id`), so an instrumentation that names them
   * by method only still gets one series per route; without a route, its request path matched
   * against the workspace's routes. Anything else is noted as a framework's inner span or as
   * lacking a route.
   */
  locateSpan(span: SpanShape): { loc: CodeLocation; name: string } {
    return locateSpan(span, this.shapeOf);
  }

  /**
   * The route template a request path was served by, when a registration in the workspace fits it
   * (the full template as the code spells it); otherwise the path with id-like segments as `{id}`,
   * so one route does not become a series per id. Cached per path: one route match per new path.
   */
  /** Changes whenever the route index does (a route shape answered before may differ now). */
  get routesVersion(): number {
    return this.routes?.version ?? 0;
  }

  routeShape(method: string, path: string): string {
    const version = this.routesVersion;
    if (this.shapesVersion !== version || this.shapes.size > SHAPE_CACHE_LIMIT) {
      this.shapes.clear();
      this.shapesVersion = version;
    }
    const key = `${method} ${path}`;
    let shape = this.shapes.get(key);
    if (shape === undefined) {
      const m = this.routes?.size
        ? this.routes.match({ method, template: path, from: 'url.path' })
        : undefined;
      shape = m?.registration && m.template ? m.template : pathShape(path);
      this.shapes.set(key, shape);
    }
    return shape;
  }

  /** Where a location's file is in the workspace (cheap, memoized in WorkspaceFiles). */
  resolvePath(loc: CodeLocation): PathResolution | undefined {
    return this.mapper.resolveFile(loc);
  }

  /** The full mapping, given the parsed functions of the resolved file (undefined: not parsed). Pure: callers memoize. */
  map(
    loc: CodeLocation,
    path: PathResolution | undefined,
    ranges: readonly FunctionRange[] | undefined,
  ): MappingResult {
    return this.mapper.map(loc, path, ranges);
  }

  /** One span, start to end, parsing the file it lands in (backend traces, `prodlens locate`). */
  async mapSpan(span: SpanShape): Promise<{ loc: CodeLocation; mapping: MappingResult }> {
    const { loc } = this.locateSpan(span);
    const path = this.resolvePath(loc);
    const ranges = path?.file ? await this.functions.get(path.file) : undefined;
    return { loc, mapping: this.map(loc, path, ranges) };
  }

  /** One frame (source maps, build output, the function at the line); never rejects. */
  resolveFrame(frame: StackFrame, revision?: string): Promise<FrameResolution> {
    return this.stacks.resolveFrame(frame, revision);
  }

  /** Frames resolved in order (source maps, build output, the function at the line); never rejects. */
  resolveAll(frames: readonly StackFrame[], revision?: string): Promise<FrameResolution[]> {
    return this.stacks.resolveAll(frames, revision);
  }

  /**
   * A stack trace's printed lines, each frame linked to its workspace line (carried to the working
   * tree when `revision` is older), synchronously and without reading files: for views that draw
   * a trace as it was printed. Frames outside the workspace stay text.
   */
  frameLinks(stack: string, revision: string | undefined): FrameLink[] {
    const lines = stack.split(/\r?\n|\r/);
    const byLine = new Map<number, StackFrame>();
    for (const f of parseStackTrace(stack).frames)
      if (!byLine.has(f.lineIndex)) byLine.set(f.lineIndex, f);
    const out: FrameLink[] = [];
    for (let i = 0; i < lines.length && out.length < MAX_STACK_LINES; i++) {
      const raw = lines[i]!;
      if (raw.trim() === '') continue;
      const text = raw.length > MAX_LINE_CHARS ? `${raw.slice(0, MAX_LINE_CHARS)}…` : raw;
      const frame = byLine.get(i);
      const at = frame ? this.stacks.locateSync(frame) : undefined;
      out.push(
        at && frame?.line !== undefined
          ? {
              text,
              code: {
                file: at,
                line: anchorDeployedLine(this.mapper.drift, revision, at, frame.line).line,
              },
            }
          : { text },
      );
    }
    return out;
  }

  /** The workspace line a log record says it was logged at (`code.*` attributes), when it says and the path resolves. */
  logLocation(
    attributes: Attributes,
  ): { file: string; line: number; source: string; path: PathResolution } | undefined {
    const loc = readCodeLocation(attributes);
    if (!loc.filePath || !loc.line) return undefined;
    const path = this.files.resolve(loc.filePath);
    return path.file ? { file: path.file, line: loc.line, source: loc.source, path } : undefined;
  }
}

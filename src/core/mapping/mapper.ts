// Maps one telemetry code location to a workspace function, and says how (rule, confidence,
// one-sentence explanation) or why not. First rule: the OTel `code.*` attributes — a file path
// resolved through WorkspaceFiles, then the function containing the line, or the function of
// that name in the file. A line and a name that disagree (deployed code differs from the
// working tree) lower the confidence instead of being silently trusted.
import type { CodeLocation, Confidence, FunctionRange, MappingResult } from '../model';
import { handlerFunction, type RouteIndex } from '../routes/route-index';
import { functionAt, functionsNamed } from '../function-lookup';
import { anchorDeployedLine, type VersionDrift } from './version-drift';
import type { PathResolution, WorkspaceFiles } from './workspace-files';

const ORDER: Confidence[] = ['none', 'ambiguous', 'low', 'medium', 'high', 'exact'];

export function weakest(a: Confidence, b: Confidence): Confidence {
  return ORDER.indexOf(a) < ORDER.indexOf(b) ? a : b;
}

/** The last segment of a telemetry function name: `com.acme.Svc.run` / `Svc::run` / `(*Svc).Run` → `run`/`Run`. */
export function bareName(name: string): string {
  const parts = name.split(/[.:#/\\]+/).filter((p) => p.length > 0);
  return (parts[parts.length - 1] ?? name).replace(/[()*]/g, '');
}

/** Source-file extensions tried when only a qualified name (`com.acme.Orders.get`) is known. */
const NAMESPACE_EXTENSIONS = ['.java', '.kt', '.cs', '.py', '.ts', '.js', '.go'];

export class Mapper {
  /** Set once the workspace's git state is known; re-anchors lines of older deployed commits. */
  drift: VersionDrift | undefined;

  constructor(
    private readonly files: WorkspaceFiles,
    private readonly routes?: RouteIndex,
  ) {}

  /** Bumped when anything a mapping depends on (files, path rules, routes, drift) changed. */
  get version(): string {
    return `${this.files.version}:${this.routes?.version ?? 0}:${this.drift?.version ?? -1}`;
  }

  /** The working-tree line for a location's line (see anchorDeployedLine). */
  private anchored(
    loc: CodeLocation,
    file: string,
  ): { line: number | undefined; changed: boolean; note: string } {
    if (loc.line === undefined) return { line: undefined, changed: false, note: '' };
    return anchorDeployedLine(this.drift, loc.revision, file, loc.line);
  }

  /** Where a location's file is in the workspace (cheap, memoized in WorkspaceFiles). */
  resolveFile(loc: CodeLocation): PathResolution | undefined {
    if (loc.filePath) return this.files.resolve(loc.filePath);
    if (loc.handler && this.routes) {
      const { controller } = loc.handler;
      const found = this.routes.controllerFiles(controller);
      if (found.length === 1)
        return {
          file: found[0]!.file,
          rule: 'nestjs',
          confidence: 'high',
          explanation: `nestjs.controller ${controller} is the @Controller class at ${found[0]!.file}:${found[0]!.line}`,
        };
      if (found.length > 1)
        return {
          rule: 'nestjs',
          confidence: 'ambiguous',
          explanation: `${found.length} @Controller classes are named ${controller}; not choosing one`,
          candidates: found.map((f) => `${f.file}:${f.line}`),
        };
      return {
        rule: 'nestjs',
        confidence: 'none',
        explanation: `no @Controller class named ${controller} (nestjs.controller) is in the workspace`,
      };
    }
    if (loc.functionName) return this.resolveNamespace(loc.functionName);
    if (loc.route && this.routes) {
      let m = this.routes.match(loc.route);
      if (!m.registration && loc.route.path && loc.route.from !== 'url.path') {
        // The route as the instrumentation gave it is not a full registered path (Hapi drops a
        // plugin's route prefix from http.route): the request's own path says where it went.
        const byPath = this.routes.match({
          method: loc.route.method,
          template: loc.route.path,
          from: 'url.path',
        });
        if (byPath.registration)
          m = {
            ...byPath,
            explanation: `${loc.route.from} ${loc.route.template} is not a registered full path; ${byPath.explanation}`,
          };
      }
      const r: PathResolution = {
        rule: 'http.route',
        confidence: m.confidence,
        explanation: m.explanation,
      };
      if (m.file) r.file = m.file;
      if (m.registration) r.route = m.registration;
      if (m.candidates) r.candidates = m.candidates;
      return r;
    }
    return undefined;
  }

  /** `com.acme.OrderService.placeOrder` → a file ending `com/acme/OrderService.<ext>`. */
  private resolveNamespace(fn: string): PathResolution | undefined {
    const parts = fn.split(/[.:]+/).filter((p) => p.length > 0);
    if (parts.length < 2) return undefined;
    // Try the longest module path first: the class file, then its enclosing module.
    for (let cut = parts.length - 1; cut >= 1; cut--) {
      const stem = parts.slice(0, cut).join('/');
      for (const ext of NAMESPACE_EXTENSIONS) {
        const r = this.files.resolve(`/${stem}${ext}`);
        if (r.file || r.confidence === 'ambiguous') {
          return {
            ...r,
            confidence: weakest(r.confidence, 'medium'),
            explanation: `no code.file.path; the qualified name ${fn} suggests ${stem}${ext}: ${r.explanation}`,
          };
        }
      }
    }
    return undefined;
  }

  /**
   * Full mapping given the parsed functions of the resolved file (`ranges`), or undefined ranges
   * when the file could not be parsed. Pure: callers memoize.
   */
  map(
    loc: CodeLocation,
    path: PathResolution | undefined,
    ranges: readonly FunctionRange[] | undefined,
  ): MappingResult {
    const src = loc.source;
    if (src === 'none' && loc.handler) return this.mapHandler(loc.handler, path, ranges);
    if (src === 'none' && loc.route) return this.mapRoute(path, ranges);
    if (src === 'none' && loc.layer)
      return { rule: 'none', confidence: 'none', explanation: loc.layer.detail };
    if (src === 'none') {
      return {
        rule: 'none',
        confidence: 'none',
        explanation:
          'the span carries no code.* attributes (code.file.path, code.function.name, …)',
      };
    }
    if (!path) {
      return {
        rule: src,
        confidence: 'none',
        explanation: `${loc.functionName ?? 'the span'} gives no file path and its name does not point to a workspace file`,
      };
    }
    if (!path.file) {
      const r: MappingResult = {
        rule: path.rule,
        confidence: path.confidence,
        explanation: path.explanation,
      };
      if (path.candidates) r.candidates = path.candidates;
      return r;
    }
    const file = path.file;
    if (!ranges)
      return {
        file,
        rule: path.rule,
        confidence: 'none',
        explanation: `${file}: its language is not parsed, so no function can be chosen`,
      };
    const drift = this.anchored(loc, file);
    const r = this.mapCode(loc, { ...path, file }, ranges, drift.line);
    if (!drift.note) return r;
    const confidence = drift.changed && r.function ? weakest(r.confidence, 'medium') : r.confidence;
    return { ...r, confidence, explanation: `${r.explanation}${drift.note}` };
  }

  private mapCode(
    loc: CodeLocation,
    path: PathResolution & { file: string },
    ranges: readonly FunctionRange[],
    line: number | undefined,
  ): MappingResult {
    const src = loc.source;
    const file = path.file;
    const byLine = line !== undefined ? functionAt(ranges, line) : undefined;
    const named = loc.functionName ? functionsNamed(ranges, loc.functionName) : [];
    const lineRule = `${src}+line`;
    const nameRule = `${src}+function`;

    if (byLine && (!loc.functionName || nameAgrees(byLine, loc.functionName))) {
      return this.hit(
        file,
        byLine,
        lineRule,
        path.confidence,
        `${path.explanation}; line ${line} is inside ${byLine.qualifiedName}`,
      );
    }
    if (named.length === 1) {
      const fn = named[0]!;
      const why = byLine
        ? `line ${line} is inside ${byLine.qualifiedName} but the span names ${loc.functionName}, so it was matched by name (the deployed code may differ from this file)`
        : `matched by the name ${loc.functionName}`;
      return this.hit(
        file,
        fn,
        nameRule,
        weakest(path.confidence, byLine ? 'medium' : 'high'),
        `${path.explanation}; ${why}`,
      );
    }
    if (named.length > 1) {
      return {
        file,
        rule: nameRule,
        confidence: 'ambiguous',
        explanation: `${file} has ${named.length} functions named ${bareName(loc.functionName ?? '')}; not choosing one`,
        candidates: named.map((f) => `${f.qualifiedName} (line ${f.startLine})`),
      };
    }
    if (byLine) {
      return this.hit(
        file,
        byLine,
        lineRule,
        'low',
        `${path.explanation}; line ${line} is inside ${byLine.qualifiedName}, but the span names ${loc.functionName}, which this file does not define`,
      );
    }
    if (line !== undefined) {
      return {
        file,
        rule: lineRule,
        confidence: 'none',
        explanation: `line ${line} of ${file} is outside every function`,
      };
    }
    return {
      file,
      rule: nameRule,
      confidence: 'none',
      explanation: loc.functionName
        ? `${file} defines no function named ${bareName(loc.functionName)}`
        : `the span names ${file} but neither a line nor a function`,
    };
  }

  /** A NestJS span: the member `callback` of the controller class its file declares. */
  private mapHandler(
    h: NonNullable<CodeLocation['handler']>,
    path: PathResolution | undefined,
    ranges: readonly FunctionRange[] | undefined,
  ): MappingResult {
    const rule = h.inner ? 'nestjs.handler' : 'nestjs.controller';
    if (!path?.file) {
      const r: MappingResult = {
        rule,
        confidence: path?.confidence === 'ambiguous' ? 'ambiguous' : 'none',
        explanation: path?.explanation ?? 'the workspace routes are not indexed',
      };
      if (path?.candidates) r.candidates = path.candidates;
      return r;
    }
    if (!ranges)
      return {
        file: path.file,
        rule,
        confidence: 'none',
        explanation: `${path.explanation}; ${path.file}: its language is not parsed`,
      };
    const fn = ranges.find((f) => f.qualifiedName === `${h.controller}.${h.callback}`);
    if (!fn)
      return {
        file: path.file,
        rule,
        confidence: 'none',
        explanation: `${path.explanation}, but it has no member ${h.callback} (nestjs.callback)`,
      };
    return this.hit(
      path.file,
      fn,
      rule,
      'high',
      `${path.explanation}; nestjs.callback names its member ${fn.qualifiedName}`,
    );
  }

  /** A server span without code attributes, through the route registration that serves it. */
  private mapRoute(
    path: PathResolution | undefined,
    ranges: readonly FunctionRange[] | undefined,
  ): MappingResult {
    const rule = 'http.route';
    if (!path)
      return {
        rule,
        confidence: 'none',
        explanation:
          'the span carries no code.* attributes and the workspace routes are not indexed',
      };
    if (!path.file || !path.route) {
      const r: MappingResult = {
        rule,
        confidence: path.confidence === 'ambiguous' ? 'ambiguous' : 'none',
        explanation: path.explanation,
      };
      if (path.candidates) r.candidates = path.candidates;
      return r;
    }
    if (!ranges)
      return {
        file: path.file,
        rule,
        confidence: 'none',
        explanation: `${path.explanation}; ${path.file}: its language is not parsed, so no handler function can be chosen`,
      };
    const { fn, why } = handlerFunction(path.route, ranges);
    if (!fn)
      return {
        file: path.file,
        rule,
        confidence: 'none',
        explanation: `${path.explanation}; ${why}`,
      };
    return this.hit(path.file, fn, rule, path.confidence, `${path.explanation}; ${why}`);
  }

  private hit(
    file: string,
    fn: FunctionRange,
    rule: string,
    confidence: Confidence,
    explanation: string,
  ): MappingResult {
    return { file, function: fn, rule, confidence, explanation };
  }
}

function nameAgrees(fn: FunctionRange, telemetryName: string): boolean {
  const bare = bareName(telemetryName);
  return (
    fn.name === bare ||
    fn.qualifiedName === telemetryName ||
    telemetryName.endsWith(`.${fn.qualifiedName}`)
  );
}

// Where a function is defined (file, line, column), read from V8 through an in-process inspector
// session: the `[[FunctionLocation]]` the debugger shows. Generic wrappers (`catchAsync(fn)`,
// `asyncHandler(fn)`, an instrumentation's handler wrapper) are looked through, so the location is
// the handler the user wrote; compiled files are carried back through their source maps. Every
// call here runs once per handler (callers cache), never per request.
import { readFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { SourceMap } from 'node:module';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface FunctionOrigin {
  /** Absolute path of the source file (after source maps). */
  file: string;
  /** 1-based. */
  line: number;
  column: number;
  /** The function's own name, when it has one. */
  name?: string;
}

interface RemoteObject {
  type: string;
  objectId?: string;
  description?: string;
  value?: unknown;
}
interface PropertyDescriptor {
  name: string;
  value?: RemoteObject;
}
interface Properties {
  result: PropertyDescriptor[];
  internalProperties?: PropertyDescriptor[];
}

/** Wrappers nest rarely more than twice (`wrap(catchAsync(fn))`); bounded so a cycle cannot spin. */
const MAX_UNWRAP = 3;
const OBJECT_GROUP = 'prodlens-code-origin';
const HOLDER = Symbol.for('prodlens.codeOrigin.fn');

let session: Session | undefined;
const scriptUrls = new Map<string, string>();

/** Same-thread inspector calls answer synchronously: the callback has run when `post` returns. */
function post<T>(method: string, params?: object): T {
  if (!session) {
    session = new Session();
    session.connect();
    session.on('Debugger.scriptParsed', (m: { params: { scriptId: string; url: string } }) =>
      scriptUrls.set(m.params.scriptId, m.params.url),
    );
  }
  let out: T | undefined;
  let failure: Error | null = null;
  session.post(method, params, (err: Error | null, res?: object) => {
    failure = err;
    out = res as T;
  });
  if (failure) throw failure;
  if (out === undefined) throw new Error(`${method} did not answer synchronously`);
  return out;
}

/** The URL of a script id; unknown ids (modules loaded since) re-list the scripts once. */
function scriptUrl(scriptId: string): string | undefined {
  if (!scriptUrls.has(scriptId)) {
    // Enabling the debugger reports every loaded script; disabling right away keeps V8 at full speed.
    post('Debugger.enable');
    post('Debugger.disable');
  }
  return scriptUrls.get(scriptId);
}

function properties(objectId: string): Properties {
  return post<Properties>('Runtime.getProperties', { objectId, ownProperties: true });
}

function internal(p: Properties, name: string): RemoteObject | undefined {
  return p.internalProperties?.find((x) => x.name === name)?.value;
}

function toPath(url: string): string | undefined {
  if (url.startsWith('file:')) return fileURLToPath(url);
  return isAbsolute(url) ? url : undefined;
}

const inDependencies = (file: string) => /[\\/]node_modules[\\/]/.test(file);

/** The parameter names of a function's source: `(req, res, next) =>`, `function name(a, b)`, `async x =>`. */
function parameters(source: string): string[] {
  const m =
    /^(?:async\s+)?(?:function\b[^(]*)?\(([^)]*)\)/.exec(source.trim()) ??
    /^(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/.exec(source.trim());
  return (m?.[1] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

/** Does `source` hand its own arguments on to `name` (what a generic wrapper does)? */
function passesThrough(source: string, name: string): boolean {
  if (source.length > 2_000) return false;
  const v = name.replace(/[$]/g, '\\$');
  if (new RegExp(`\\b${v}\\s*\\.\\s*(?:apply|call)\\s*\\(`).test(source)) return true;
  const params = parameters(source);
  const first = params[0];
  if (!first) return false;
  if (first.startsWith('...'))
    return new RegExp(
      `\\b${v}\\s*\\(\\s*\\.\\.\\.\\s*${first.slice(3).replace(/[$]/g, '\\$')}\\b`,
    ).test(source);
  const call = params.slice(0, 2).map((p) => p.replace(/[$]/g, '\\$'));
  return new RegExp(`\\b${v}\\s*\\(\\s*${call.join('\\s*,\\s*')}\\b`).test(source);
}

/**
 * The one function a wrapper closes over and hands its arguments to, when `fn` looks like one:
 * its innermost closure holds exactly one other function and either the wrapper lives in a
 * dependency (a library's wrapper is generic by nature) or its source passes its own parameters on.
 */
function wrapped(
  p: Properties,
  source: string,
  file: string | undefined,
): { objectId: string; source: string } | undefined {
  const scopes = internal(p, '[[Scopes]]');
  if (!scopes?.objectId) return undefined;
  const first = properties(scopes.objectId).result.find((s) => s.name === '0')?.value;
  if (!first?.objectId || !/^Closure\b/.test(first.description ?? '')) return undefined;
  const fns = properties(first.objectId).result.filter(
    (v) => v.value?.type === 'function' && v.value.objectId,
  );
  if (fns.length !== 1) return undefined;
  const only = fns[0]!;
  if (!(file && inDependencies(file)) && !passesThrough(source, only.name)) return undefined;
  return { objectId: only.value!.objectId!, source: only.value!.description ?? '' };
}

/** Source maps by compiled file: a compiled file's map is read once (undefined: it has none). */
const maps = new Map<string, SourceMap | undefined>();

function sourceMapOf(file: string): SourceMap | undefined {
  if (maps.has(file)) return maps.get(file);
  let map: SourceMap | undefined;
  try {
    const text = readFileSync(file, 'utf8');
    const ref = /\/\/[#@]\s*sourceMappingURL=(\S+)\s*$/.exec(text.slice(-4_096))?.[1];
    if (ref) {
      const inline = /^data:application\/json[^,]*;base64,(.*)$/.exec(ref);
      const mapFile = inline ? file : resolve(dirname(file), decodeURIComponent(ref));
      const payload = JSON.parse(
        inline ? Buffer.from(inline[1]!, 'base64').toString('utf8') : readFileSync(mapFile, 'utf8'),
      ) as { sources: string[]; sourceRoot?: string };
      // Sources are relative to the map (and its sourceRoot): make them absolute paths.
      const base = resolve(dirname(mapFile), payload.sourceRoot ?? '');
      payload.sources = payload.sources.map((s) =>
        s.startsWith('file:') ? fileURLToPath(s) : resolve(base, s),
      );
      map = new SourceMap(payload as ConstructorParameters<typeof SourceMap>[0]);
    }
  } catch {
    map = undefined; // unreadable file or map: the compiled location stands
  }
  maps.set(file, map);
  return map;
}

/** Build output without a map says nothing about the source file: better no origin than a wrong one. */
const BUILD_OUTPUT = /[\\/](?:dist|build|out)[\\/]/;

function mapped(
  file: string,
  line: number,
  column: number,
): { file: string; line: number; column: number } | undefined {
  const map = /\.[cm]?js$/.test(file) ? sourceMapOf(file) : undefined;
  if (!map) return BUILD_OUTPUT.test(file) ? undefined : { file, line, column };
  const e = map.findEntry(line - 1, column - 1) as {
    originalSource?: string;
    originalLine?: number;
    originalColumn?: number;
  };
  if (!e.originalSource || e.originalLine === undefined) return undefined;
  return { file: e.originalSource, line: e.originalLine + 1, column: (e.originalColumn ?? 0) + 1 };
}

/**
 * Where `fn` (or the handler it wraps) is defined in the application's own code, or undefined when
 * that cannot be told (defined in a dependency or in Node itself, compiled without a map, or the
 * inspector is unavailable). Never throws.
 */
export function functionOrigin(fn: (...args: never[]) => unknown): FunctionOrigin | undefined {
  try {
    const g = globalThis as Record<symbol, unknown>;
    g[HOLDER] = fn;
    let objectId: string | undefined;
    try {
      objectId = post<{ result: RemoteObject }>('Runtime.evaluate', {
        expression: `globalThis[Symbol.for('prodlens.codeOrigin.fn')]`,
        objectGroup: OBJECT_GROUP,
      }).result.objectId;
    } finally {
      delete g[HOLDER];
    }
    let source = Function.prototype.toString.call(fn);
    try {
      for (let depth = 0; objectId && depth <= MAX_UNWRAP; depth++) {
        const p = properties(objectId);
        const at = internal(p, '[[FunctionLocation]]')?.value as
          { scriptId: string; lineNumber: number; columnNumber: number } | undefined;
        const url = at ? scriptUrl(at.scriptId) : undefined;
        const file = url ? toPath(url) : undefined;
        const inner = depth < MAX_UNWRAP ? wrapped(p, source, file) : undefined;
        if (inner) {
          objectId = inner.objectId;
          source = inner.source;
          continue;
        }
        if (!at || !file || inDependencies(file)) return undefined;
        const loc = mapped(file, at.lineNumber + 1, at.columnNumber + 1);
        if (!loc) return undefined;
        const own = p.result.find((x) => x.name === 'name')?.value?.value;
        const clean = typeof own === 'string' ? own.replace(/^bound /, '') : '';
        return clean ? { ...loc, name: clean } : loc;
      }
      return undefined;
    } finally {
      post('Runtime.releaseObjectGroup', { objectGroup: OBJECT_GROUP });
    }
  } catch {
    return undefined; // no inspector (e.g. a policy or a worker without it): no origin, the app runs on
  }
}

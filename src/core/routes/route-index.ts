// The workspace's HTTP route registrations, and the match of a server span's route to one of
// them. A match is only as good as its uniqueness: two registrations that fit equally well are
// reported as ambiguous with both candidates, never picked silently.
import type { Confidence, FunctionRange } from '../model';
import { functionsNamed } from '../mapping/function-index';
import { ANY_METHOD, canonicalRoute, routeFit, TelemetryRoute } from './route-pattern';
import type { RouteRegistration } from './route-extract';
import { replaceFileEntries } from '../workspace/per-file';

export interface RouteMatch {
  registration?: RouteRegistration;
  /** The workspace file holding the handler (may differ from the registration's file). */
  file?: string;
  confidence: Confidence;
  explanation: string;
  candidates?: string[];
}

const MODULE_EXTENSIONS = ['', '.ts', '.js', '.tsx', '.mjs', '.cjs', '.py', '.rb', '/index.ts', '/index.js', '/__init__.py'];

export class RouteIndex {
  private readonly byFile = new Map<string, RouteRegistration[]>();
  /** canonical route → registrations, rebuilt lazily after a change. */
  private byRoute: Map<string, RouteRegistration[]> | undefined;
  /** Bumped on every change so mappings memoized on it are recomputed. */
  version = 0;

  constructor(private readonly hasFile: (rel: string) => boolean = () => true) {}

  get size(): number {
    let n = 0;
    for (const r of this.byFile.values()) n += r.length;
    return n;
  }

  /** Replaces one file's registrations; returns whether anything changed. */
  set(file: string, regs: RouteRegistration[]): boolean {
    if (!replaceFileEntries(this.byFile, file, regs, (r) => r, (r) => r)) return false;
    this.byRoute = undefined;
    this.version++;
    return true;
  }

  delete(file: string): void {
    this.set(file, []);
  }

  all(): RouteRegistration[] {
    return [...this.byFile.values()].flat();
  }

  private routes(): Map<string, RouteRegistration[]> {
    if (!this.byRoute) {
      this.byRoute = new Map();
      for (const regs of this.byFile.values()) {
        for (const r of regs) {
          const list = this.byRoute.get(r.route);
          if (list) list.push(r);
          else this.byRoute.set(r.route, [r]);
        }
      }
    }
    return this.byRoute;
  }

  /**
   * The registration serving a span's route. Same template and method: high confidence. A concrete
   * path that fits a template, or a template that ends with a registered one (a router mounted
   * under a prefix): medium. Several equally good: ambiguous.
   */
  match(t: TelemetryRoute): RouteMatch {
    const wanted = canonicalRoute(t.template);
    const label = `${t.method === ANY_METHOD ? '' : `${t.method} `}${t.template}`;
    if (this.byFile.size === 0) return { confidence: 'none', explanation: `no HTTP route registrations were found in the workspace to match ${label}` };
    const methodOk = (r: RouteRegistration) => r.method === ANY_METHOD || t.method === ANY_METHOD || r.method === t.method;
    // 1. the same template; 2. a concrete path fitting a template; 3. a mounted router's suffix.
    const tiers: { regs: RouteRegistration[]; confidence: Confidence; how: string }[] = [];
    const exact = (this.routes().get(wanted) ?? []).filter(methodOk);
    tiers.push({ regs: exact, confidence: 'high', how: 'registers the same route' });
    const fits: RouteRegistration[] = [];
    const mounted: RouteRegistration[] = [];
    for (const [route, regs] of this.routes()) {
      if (route === wanted) continue;
      if (routeFit(wanted, route) === 1) fits.push(...regs.filter(methodOk));
      else if (route !== '/' && wanted.endsWith(route) && wanted[wanted.length - route.length] === '/') mounted.push(...regs.filter(methodOk));
    }
    tiers.push({ regs: fits, confidence: 'medium', how: 'registers a route this path fits' });
    tiers.push({ regs: mounted, confidence: 'medium', how: 'registers the end of this route (a router mounted under a prefix)' });
    for (const tier of tiers) {
      if (tier.regs.length === 0) continue;
      // A method-specific registration beats a catch-all one for the same route.
      const specific = tier.regs.filter((r) => r.method !== ANY_METHOD);
      const regs = specific.length ? specific : tier.regs;
      const distinct = uniqueBy(regs, (r) => `${r.file}:${r.line}`);
      if (distinct.length > 1) {
        return {
          confidence: 'ambiguous',
          explanation: `${label} matches ${distinct.length} route registrations equally well; not choosing one`,
          candidates: distinct.map(describe),
        };
      }
      const r = distinct[0]!;
      const file = this.handlerFile(r);
      return {
        registration: r,
        file,
        confidence: tier.confidence,
        explanation: `${t.from} ${label}: ${r.file}:${r.line} ${tier.how} (${r.framework} ${r.method} ${r.template})`,
      };
    }
    return { confidence: 'none', explanation: `no route registration in the workspace matches ${label} (${this.size} routes indexed)` };
  }

  /** Where a named handler imported from another module lives; the registration's file otherwise. */
  private handlerFile(r: RouteRegistration): string {
    if (r.handler.kind !== 'named' || !r.handler.module) return r.file;
    const dir = r.file.includes('/') ? r.file.slice(0, r.file.lastIndexOf('/')) : '';
    const base = joinPath(dir, r.handler.module);
    for (const ext of MODULE_EXTENSIONS) if (this.hasFile(base + ext)) return base + ext;
    return r.file;
  }
}

/**
 * The handler function of a registration among its file's functions: the function literal at the
 * line, the function under the decorator, or the function of that name. Undefined with a reason.
 */
export function handlerFunction(r: RouteRegistration, ranges: readonly FunctionRange[]): { fn?: FunctionRange; why: string } {
  const h = r.handler;
  if (h.kind === 'inline') {
    const at = ranges.filter((f) => f.startLine === h.line).sort((a, b) => a.endLine - b.endLine);
    return at[0] ? { fn: at[0], why: `the handler is the function at line ${h.line}` } : { why: `the inline handler at line ${h.line} is not a function the parser recognises` };
  }
  if (h.kind === 'decorated') {
    const next = ranges.filter((f) => f.startLine > h.line && f.startLine <= h.line + 20).sort((a, b) => a.startLine - b.startLine)[0];
    return next ? { fn: next, why: `the handler is ${next.qualifiedName}, under the route at line ${h.line}` } : { why: `no function follows the route annotation at line ${h.line}` };
  }
  const named = functionsNamed(ranges, h.name.split('.').pop() ?? h.name);
  if (named.length === 1) return { fn: named[0], why: `the handler is ${h.name}` };
  if (named.length > 1) return { why: `${named.length} functions are named ${h.name}; not choosing one` };
  return { why: `the handler ${h.name} is not defined in this file` };
}

function describe(r: RouteRegistration): string {
  return `${r.file}:${r.line} (${r.method} ${r.template})`;
}

function uniqueBy<T>(xs: T[], key: (x: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const x of xs) if (!seen.has(key(x))) seen.set(key(x), x);
  return [...seen.values()];
}

function joinPath(dir: string, rel: string): string {
  const parts = dir ? dir.split('/') : [];
  for (const seg of rel.split('/')) {
    if (seg === '.' || seg === '') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return parts.join('/');
}

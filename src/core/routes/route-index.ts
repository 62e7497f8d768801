// The workspace's HTTP route registrations, and the match of a server span's route to one of
// them. Routes are matched at their full paths (mounts followed across files, see route-tree.ts),
// the way the framework's router picks: the same template first, then the most specific template a
// path fits (static segments before parameters before catch-alls). A match is only as good as its
// uniqueness: two registrations that fit equally well are reported as ambiguous with both
// candidates, never picked silently.
import type { Confidence, FunctionRange } from '../model';
import { functionsNamed } from '../function-lookup';
import { ANY_METHOD, canonicalRoute, type TelemetryRoute } from './route-pattern';
import { emptyFacts, type RouteFacts, type RouteRegistration } from './route-facts';
import {
  resolveModule,
  RouteTree,
  uniqueBy,
  type EffectiveRoute,
  type UnfollowedMount,
} from './route-tree';
import { RouteTrie } from './route-trie';
import { replaceFileEntries } from '../workspace/per-file';

export interface RouteMatch {
  registration?: RouteRegistration;
  /** The full template the registration is served at (prefixes joined). */
  template?: string;
  /** The workspace file holding the handler (may differ from the registration's file). */
  file?: string;
  confidence: Confidence;
  explanation: string;
  candidates?: string[];
}

/** Router precedence of a canonical segment: a static segment beats a parameter beats a catch-all. */
function specificity(route: string): number[] {
  return route
    .split('/')
    .slice(1)
    .map((s) => (s === '{*}' ? 1 : s === '{}' ? 2 : 3));
}

function compareSpecificity(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

interface Candidate {
  e: EffectiveRoute;
  tier: number;
  spec: number[];
  fit: number;
}

const TIERS: { confidence: Confidence; how: string }[] = [
  { confidence: 'high', how: 'registers the same route' },
  {
    confidence: 'medium',
    how: 'registers the same route (its router is the top of a mount tree whose own mount is not in the workspace)',
  },
  { confidence: 'medium', how: 'registers a route this path fits' },
  {
    confidence: 'medium',
    how: 'registers the end of this route (a router mounted under a prefix that could not be followed)',
  },
];

/** The joined routes with their lookups: by exact template, by fit (rooted), by suffix (partial). */
interface Resolved {
  routes: EffectiveRoute[];
  unfollowed: UnfollowedMount[];
  /** Rooted routes by segments; a span's route or path is looked up the way a router would. */
  rooted: RouteTrie<EffectiveRoute>;
  /** Partial routes (mount not followed) by reversed segments, for suffix matching. */
  partial: RouteTrie<EffectiveRoute>;
}

const segmentsOf = (route: string) => route.split('/').slice(1);
/** Work done per slice when the routes are joined in the background. */
const SLICE_MS = 3;

export class RouteIndex {
  private readonly byFile = new Map<string, RouteFacts[]>();
  private tree: Resolved | undefined;
  /** A background join in progress (after a bulk build or an edit); the old tree answers meanwhile. */
  private building: Promise<void> | undefined;
  private stale = false;
  /** Bumped on every change so mappings memoized on it are recomputed. */
  version = 0;
  /** While held (a bulk build), changes collect and are published once on release. */
  private held = 0;
  private pending = false;

  constructor(
    private readonly hasFile: (rel: string) => boolean = () => true,
    private readonly listFiles: () => Iterable<string> = () => [],
  ) {}

  /** Registrations as written in their files (before prefixes from mounts). */
  get size(): number {
    let n = 0;
    for (const [f] of this.byFile.values()) n += f!.registrations.length;
    return n;
  }

  /** Replaces one file's routing facts (or bare registrations); returns whether anything changed. */
  set(file: string, facts: RouteFacts | RouteRegistration[]): boolean {
    const value = Array.isArray(facts) ? emptyFacts(facts) : facts;
    const empty =
      value.registrations.length === 0 &&
      value.mounts.length === 0 &&
      !value.globalPrefix &&
      value.reexports.length === 0 &&
      !value.uriVersioning;
    if (
      !replaceFileEntries(
        this.byFile,
        file,
        empty ? [] : [value],
        (r) => r,
        (r) => r,
      )
    )
      return false;
    if (this.held) this.pending = true;
    else this.publish();
    return true;
  }

  /**
   * During a bulk build the routes are joined and every series re-mapped once, at the end, rather
   * than after each batch of files. `release` resolves when the joined routes are in place.
   */
  hold(): void {
    this.held++;
  }

  release(): Promise<void> {
    if (this.held > 0 && --this.held === 0 && this.pending) {
      this.pending = false;
      this.publish(true);
    }
    return this.building ?? Promise.resolve();
  }

  /**
   * A change: with routes already joined, they are joined again in the background (in slices that
   * leave the event loop free) while the old ones answer; before that, on first use. A bulk build's
   * end always joins in the background: tens of thousands of routes take longer than an editor waits.
   */
  private publish(background = false): void {
    if (!this.tree && !background && !this.building) {
      this.version++;
      return;
    }
    this.stale = true;
    this.building ??= (async () => {
      while (this.stale) {
        this.stale = false;
        const tree = await this.joinInBackground();
        if (!this.stale) {
          this.tree = tree;
          this.version++;
        }
      }
    })().finally(() => {
      this.building = undefined;
    });
  }

  delete(file: string): void {
    this.set(file, []);
  }

  /** Resolves when a background join (after an edit or a bulk build) has put its routes in place. */
  async settled(): Promise<void> {
    while (this.building) await this.building;
  }

  /** Registrations as written in their files. */
  all(): RouteRegistration[] {
    return [...this.byFile.values()].flatMap(([f]) => f!.registrations);
  }

  /** Every registration at each full path it is served at. */
  effective(): EffectiveRoute[] {
    return this.resolved()?.routes ?? [];
  }

  /** Mounts with a prefix whose router could not be followed, for "why no data". */
  unfollowed(): UnfollowedMount[] {
    return this.resolved()?.unfollowed ?? [];
  }

  /** The joined routes; undefined while the first bulk build or background join runs. */
  private resolved(): Resolved | undefined {
    if (this.tree) return this.tree;
    if (this.building || this.held) return undefined;
    this.tree = joinNow(this.snapshot(), this.hasFile, this.listFiles);
    return this.tree;
  }

  private snapshot(): Map<string, RouteFacts> {
    const facts = new Map<string, RouteFacts>();
    for (const [file, [f]] of this.byFile) facts.set(file, f!);
    return facts;
  }

  /**
   * Joins the routes in slices, yielding to the event loop every few milliseconds. It starts on a
   * turn of its own: whoever published (the end of a bulk index) has just used its slice.
   */
  private async joinInBackground(): Promise<Resolved> {
    await new Promise<void>((r) => setImmediate(r));
    const steps = joinSteps(this.snapshot(), this.hasFile, this.listFiles);
    await new Promise<void>((r) => setImmediate(r));
    for (;;) {
      const until = performance.now() + SLICE_MS;
      for (;;) {
        const step = steps.next();
        if (step.done) return step.value;
        if (performance.now() >= until) break;
      }
      await new Promise<void>((r) => setImmediate(r));
    }
  }

  /**
   * The registration serving a span's route. Same full template and method: high confidence. A
   * concrete path that fits a template, or the end of a route whose router's mount could not be
   * followed: medium. Several equally good: ambiguous. A route known only from the request's path
   * (`url.path`) is at most medium.
   */
  match(t: TelemetryRoute): RouteMatch {
    const wanted = canonicalRoute(t.template);
    const label = `${t.method === ANY_METHOD ? '' : `${t.method} `}${t.template}`;
    if (this.byFile.size === 0)
      return {
        confidence: 'none',
        explanation: `no HTTP route registrations were found in the workspace to match ${label}`,
      };
    const tree = this.resolved();
    if (!tree)
      return {
        confidence: 'none',
        explanation: `the workspace's routes are still being indexed (${this.size} registrations so far); ${label} is mapped as soon as they are`,
      };
    const methodOk = (r: RouteRegistration) =>
      r.method === ANY_METHOD || t.method === ANY_METHOD || r.method === t.method;
    const found: Candidate[] = [];
    const segs = segmentsOf(wanted);
    for (const e of tree.rooted.fits(segs)) {
      if (!methodOk(e.registration)) continue;
      const same = e.route === wanted;
      found.push({
        e,
        tier: same ? (e.rooting === 'app' ? 0 : 1) : 2,
        spec: specificity(e.route),
        fit: 0,
      });
    }
    if (found.length === 0) {
      for (const { value: e, depth } of tree.partial.prefixFits([...segs].reverse())) {
        if (methodOk(e.registration))
          found.push({ e, tier: 3, spec: specificity(e.route), fit: depth });
      }
    }
    if (found.length === 0) {
      const stopped = tree.unfollowed;
      const note = stopped.length
        ? `; ${stopped.length} mount${stopped.length === 1 ? '' : 's'} could not be followed (${stopped
            .slice(0, 3)
            .map((u) => `${u.file}:${u.line} '${u.prefix}': ${u.why}`)
            .join('; ')})`
        : '';
      return {
        confidence: 'none',
        explanation: `no route registration in the workspace matches ${label} (${this.size} routes indexed)${note}`,
      };
    }
    const tier = Math.min(...found.map((c) => c.tier));
    let best = found.filter((c) => c.tier === tier);
    // The router's choice: the most segments matched, then static before parameter before catch-all.
    const widest = Math.max(...best.map((c) => c.fit));
    best = best.filter((c) => c.fit === widest);
    const top = best.reduce(
      (a, c) => (compareSpecificity(c.spec, a) > 0 ? c.spec : a),
      best[0]!.spec,
    );
    best = best.filter((c) => compareSpecificity(c.spec, top) === 0);
    // A method-specific registration beats a catch-all one for the same route.
    const specific = best.filter((c) => c.e.registration.method !== ANY_METHOD);
    if (specific.length) best = specific;
    const distinct = uniqueBy(best, (c) => `${c.e.registration.file}:${c.e.registration.line}`);
    if (distinct.length > 1) {
      return {
        confidence: 'ambiguous',
        explanation: `${label} matches ${distinct.length} route registrations equally well; not choosing one`,
        candidates: distinct.map((c) => describe(c.e)),
      };
    }
    const { e } = distinct[0]!;
    const r = e.registration;
    const how = TIERS[tier]!;
    const confidence: Confidence =
      t.from === 'url.path' && how.confidence === 'high' ? 'medium' : how.confidence;
    const mounted = e.via.length ? `, mounted through ${e.via.join(' → ')}` : '';
    const shown =
      e.template === r.template ? r.template : `${e.template} (${r.template} in its file)`;
    return {
      registration: r,
      template: e.template,
      file: this.handlerFile(r),
      confidence,
      explanation: `${t.from} ${label}: ${r.file}:${r.line} ${how.how} (${r.framework} ${r.method} ${shown}${mounted})`,
    };
  }

  /** The routes whose handler is `fn` of `file` (given the file's parsed functions), at their full paths. */
  routesHandledBy(
    file: string,
    fn: FunctionRange,
    ranges: readonly FunctionRange[],
  ): EffectiveRoute[] {
    return this.effective().filter(
      (e) =>
        this.handlerFile(e.registration) === file &&
        handlerFunction(e.registration, ranges).fn?.startLine === fn.startLine,
    );
  }

  /** The files declaring a NestJS controller class of this name (as `nestjs.controller` names it). */
  controllerFiles(name: string): { file: string; line: number }[] {
    const out = new Map<string, { file: string; line: number }>();
    for (const [file, [f]] of this.byFile) {
      const r = f!.registrations.find((x) => x.controller === name);
      if (r) out.set(file, { file, line: r.line });
    }
    return [...out.values()];
  }

  /** Where a named handler imported from another module lives (following re-exports); the registration's file otherwise. */
  private handlerFile(r: RouteRegistration): string {
    if (r.handler.kind !== 'named' || !r.handler.module) return r.file;
    let file: string | undefined = resolveModule(r.file, r.handler.module, this.hasFile);
    if (!file) return r.file;
    // controllers/index.js: `module.exports.userController = require('./user.controller')`.
    const head = r.handler.name.split('.')[0]!;
    for (let hop = 0; hop < 3; hop++) {
      const from: string = file;
      const next = this.byFile.get(from)?.[0]?.reexports.find((x) => x.name === head);
      const target = next ? resolveModule(from, next.module, this.hasFile) : undefined;
      if (!target) break;
      file = target;
    }
    return file;
  }
}

/** Joins routes and builds their lookups step by step (a generator, so it can run in slices). */
function* joinSteps(
  facts: ReadonlyMap<string, RouteFacts>,
  hasFile: (rel: string) => boolean,
  listFiles: () => Iterable<string>,
): Generator<void, Resolved, undefined> {
  const tree = new RouteTree(facts, hasFile, listFiles);
  yield* tree.prepare();
  const out: Resolved = {
    routes: [],
    unfollowed: tree.unfollowed,
    rooted: new RouteTrie(),
    partial: new RouteTrie(),
  };
  for (const e of tree.eachRoute()) {
    out.routes.push(e);
    const segs = segmentsOf(e.route);
    if (e.rooting !== 'partial') out.rooted.insert(segs, e);
    // A partial route matches by its end; one with no literal segment (`/:id`) says nothing.
    else if (segs.some((x) => x !== '{}' && x !== '{*}') && !segs.includes('{*}'))
      out.partial.insert([...segs].reverse(), e);
    yield;
  }
  return out;
}

function joinNow(
  facts: ReadonlyMap<string, RouteFacts>,
  hasFile: (rel: string) => boolean,
  listFiles: () => Iterable<string>,
): Resolved {
  const steps = joinSteps(facts, hasFile, listFiles);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * The handler function of a registration among its file's functions: the function literal at the
 * line, the function under the decorator, or the function of that name. Undefined with a reason.
 */
export function handlerFunction(
  r: RouteRegistration,
  ranges: readonly FunctionRange[],
): { fn?: FunctionRange; why: string } {
  const h = r.handler;
  if (h.kind === 'inline') {
    const at = ranges.filter((f) => f.startLine === h.line).sort((a, b) => a.endLine - b.endLine);
    return at[0]
      ? { fn: at[0], why: `the handler is the function at line ${h.line}` }
      : { why: `the inline handler at line ${h.line} is not a function the parser recognises` };
  }
  if (h.kind === 'decorated') {
    const next = ranges
      .filter((f) => f.startLine > h.line && f.startLine <= h.line + 20)
      .sort((a, b) => a.startLine - b.startLine)[0];
    return next
      ? { fn: next, why: `the handler is ${next.qualifiedName}, under the route at line ${h.line}` }
      : { why: `no function follows the route annotation at line ${h.line}` };
  }
  // The whole name (`ProductsController.list`, `users.getUser`): the most segments matched wins.
  const named = functionsNamed(ranges, h.name);
  if (named.length === 1) return { fn: named[0], why: `the handler is ${h.name}` };
  if (named.length > 1)
    return { why: `${named.length} functions are named ${h.name}; not choosing one` };
  return { why: `the handler ${h.name} is not defined in this file` };
}

function describe(e: EffectiveRoute): string {
  const r = e.registration;
  return `${r.file}:${r.line} (${r.method} ${e.template})`;
}

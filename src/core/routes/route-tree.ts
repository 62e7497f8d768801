// Joins the routing facts of every file into the routes a server really answers: a router mounted
// with `app.use('/api', routes)` in app.js and `router.use('/users', users)` in routes/index.js
// serves its `/:id` at `/api/users/:id`. Mounts are followed through relative imports (CJS, ESM,
// TypeScript sources imported as `.js`), `@fastify/autoload` folders and NestJS's global prefix.
// A router whose mount cannot be followed keeps the part of its path that is known and is matched
// by suffix only, with the place where the chain stopped kept for the explanation.
import { joinRoute, canonicalRoute } from './route-pattern';
import type { MountTarget, RouteFacts, RouteRegistration } from './route-facts';

/** How a route's full path is known. */
export type Rooting =
  /** Registered on an application object, or through mounts that reach one: the path is the real one. */
  | 'app'
  /** The top of a mount tree whose own mount is not visible (a Fastify plugin loaded by fastify-cli): likely the real one. */
  | 'top'
  /** A router never seen mounted: only the end of the path is known. */
  | 'partial';

export interface EffectiveRoute {
  registration: RouteRegistration;
  /** The full template, prefixes joined. */
  template: string;
  route: string;
  rooting: Rooting;
  /** The mounts that gave the prefix, outermost first (`src/app.js:12`). */
  via: string[];
}

export interface UnfollowedMount {
  file: string;
  line: number;
  prefix: string;
  why: string;
}

const MODULE_EXTENSIONS = [
  '',
  '.ts',
  '.js',
  '.tsx',
  '.mjs',
  '.cjs',
  '.mts',
  '.cts',
  '.py',
  '.rb',
  '/index.ts',
  '/index.js',
  '/index.mjs',
  '/__init__.py',
];
const JS_FILE = /\.(?:[cm]?[jt]s|[jt]sx)$/;
/** More prefixes than this for one router are a mount cycle or a generated file, not an app. */
const MAX_PREFIXES = 16;

interface Edge {
  from: string;
  prefix: string;
  at: string;
}

interface Prefix {
  path: string;
  rooting: Rooting;
  via: string[];
}

const nodeKey = (file: string, owner: string) => `${file}#${owner}`;

export function joinPath(dir: string, rel: string): string {
  const parts = dir ? dir.split('/') : [];
  for (const seg of rel.split('/')) {
    if (seg === '.' || seg === '') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return parts.join('/');
}

export function dirOf(file: string): string {
  return file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '';
}

/** The workspace file a relative module specifier names, trying the extensions resolvers try. */
export function resolveModule(
  fromFile: string,
  module: string,
  hasFile: (rel: string) => boolean,
): string | undefined {
  const base = joinPath(dirOf(fromFile), module);
  for (const ext of MODULE_EXTENSIONS) if (hasFile(base + ext)) return base + ext;
  // TypeScript sources import their siblings by the emitted name: './users.js' is users.ts.
  const emitted = /\.(m|c)?js$/.exec(base);
  if (emitted) {
    const stem = base.slice(0, -emitted[0].length);
    for (const ext of ['.ts', '.tsx', '.mts', '.cts']) if (hasFile(stem + ext)) return stem + ext;
  }
  return undefined;
}

export class RouteTree {
  private readonly incoming = new Map<string, Edge[]>();
  private readonly owners = new Map<string, Set<string>>();
  private readonly targeted = new Set<string>();
  readonly unfollowed: UnfollowedMount[] = [];
  private readonly memo = new Map<string, Prefix[]>();
  private prepared = false;

  constructor(
    private readonly facts: ReadonlyMap<string, RouteFacts>,
    private readonly hasFile: (rel: string) => boolean,
    private readonly listFiles: () => Iterable<string>,
  ) {}

  /** Indexes routers and follows mounts, one file at a time (a step per file, so it can run in slices). */
  *prepare(): Generator<void, void, undefined> {
    if (this.prepared) return;
    this.prepared = true;
    const facts = this.facts;
    for (const [file, f] of facts) {
      const set = new Set<string>();
      for (const r of f.registrations) if (r.owner) set.add(r.owner);
      for (const m of f.mounts) set.add(m.owner);
      this.owners.set(file, set);
      yield;
    }
    for (const [file, f] of facts) {
      yield;
      for (const m of f.mounts) {
        const at = `${file}:${m.line}`;
        const targets = this.targetsOf(file, m.target);
        if (typeof targets === 'string') {
          // An app.use(express.json()) without a prefix is middleware, not a router: nothing to explain.
          if (m.prefix)
            this.unfollowed.push({ file, line: m.line, prefix: m.prefix, why: targets });
          continue;
        }
        for (const t of targets) {
          const key = nodeKey(t.file, t.owner);
          this.targeted.add(t.file);
          const list = this.incoming.get(key) ?? [];
          list.push({ from: nodeKey(file, m.owner), prefix: joinRoute(m.prefix, t.prefix), at });
          this.incoming.set(key, list);
        }
      }
    }
  }

  /** Every registration with each full path it is served at. */
  routes(): EffectiveRoute[] {
    for (const _ of this.prepare());
    return [...this.eachRoute()];
  }

  /** The same, one registration's paths at a time, so a large workspace can be joined in slices. */
  *eachRoute(): Generator<EffectiveRoute, void, undefined> {
    const nest = this.nestPrefixes();
    for (const [file, f] of this.facts) {
      for (const r of f.registrations) {
        let prefixes: Prefix[];
        if (r.framework === 'nestjs') prefixes = [nestPrefix(nest, r)];
        else if (r.owner) prefixes = this.prefixesOf(file, r.owner, []);
        else prefixes = [{ path: '', rooting: 'app', via: [] }];
        for (const p of prefixes) {
          const template = p.path ? joinRoute(p.path, r.template) : r.template;
          yield {
            registration: r,
            template,
            route: canonicalRoute(template),
            rooting: p.rooting,
            via: p.via,
          };
        }
      }
    }
  }

  private targetsOf(
    file: string,
    target: MountTarget,
  ): { file: string; owner: string; prefix: string }[] | string {
    switch (target.kind) {
      case 'unknown':
        return `the router \`${target.text}\` is not a router defined in this file or imported from a workspace module`;
      case 'local': {
        if (this.owners.get(file)?.has(target.name))
          return [{ file, owner: target.name, prefix: '' }];
        return `\`${target.name}\` registers no routes in ${file} and is not imported from a workspace module`;
      }
      case 'module': {
        const m = target.absolute
          ? this.resolveAbsolute(file, target.module)
          : resolveModule(file, target.module, this.hasFile);
        if (!m) return `the module ${target.module} is not a workspace file`;
        const owners = this.exportedRouters(m, target.name);
        return owners.length
          ? owners.map((owner) => ({ file: m, owner, prefix: '' }))
          : `${m} registers no routes`;
      }
      case 'autoload': {
        const dir = joinPath(dirOf(file), target.dir);
        const out: { file: string; owner: string; prefix: string }[] = [];
        for (const f of this.listFiles()) {
          if (
            !f.startsWith(`${dir}/`) ||
            !JS_FILE.test(f) ||
            /\.d\.ts$|\.(?:test|spec)\.[jt]s$/.test(f)
          )
            continue;
          // Folder names below the autoload root become path segments.
          const folder = target.folderPrefixes ? dirOf(f.slice(dir.length + 1)) : '';
          for (const owner of this.exportedRouters(f))
            out.push({ file: f, owner, prefix: folder ? `/${folder}` : '' });
        }
        return out.length ? out : `no file under ${dir}/ registers routes`;
      }
    }
  }

  /** A package path (`app/routers/users`) from the nearest ancestor folder of `file` that holds it. */
  private resolveAbsolute(file: string, module: string): string | undefined {
    for (let dir = dirOf(file); ; dir = dirOf(dir)) {
      const found = resolveModule(dir ? `${dir}/x` : 'x', `./${module}`, this.hasFile);
      if (found) return found;
      if (!dir) return undefined;
    }
  }

  /** The routers a module hands out: the named export, else what it exports, else its unmounted routers. */
  private exportedRouters(file: string, name?: string): string[] {
    const owners = this.owners.get(file);
    const facts = this.facts.get(file);
    if (!owners || !facts) return [];
    if (name && owners.has(name)) return [name];
    const exported = facts.exported.filter((e) => owners.has(e));
    if (exported.length) return exported;
    const local = new Set(
      facts.mounts
        .filter((m) => m.target.kind === 'local')
        .map((m) => (m.target as { name: string }).name),
    );
    return [...owners].filter((o) => !facts.apps.includes(o) && !local.has(o));
  }

  private prefixesOf(file: string, owner: string, stack: string[]): Prefix[] {
    const key = nodeKey(file, owner);
    const known = this.memo.get(key);
    if (known) return known;
    const facts = this.facts.get(file);
    const own = facts?.ownPrefixes.find((p) => p.owner === owner)?.prefix ?? '';
    const edges = stack.includes(key) ? [] : (this.incoming.get(key) ?? []);
    let out: Prefix[] = [];
    for (const e of edges) {
      const [fromFile, fromOwner] = splitKey(e.from);
      for (const p of this.prefixesOf(fromFile, fromOwner, [...stack, key])) {
        out.push({
          path: joinRoute(joinRoute(p.path, e.prefix), own),
          rooting: p.rooting,
          via: [...p.via, e.at],
        });
        if (out.length >= MAX_PREFIXES) break;
      }
    }
    if (out.length === 0) {
      // Not mounted anywhere visible: an application is a root; so is the top of a mount tree.
      const isApp = facts?.apps.includes(owner) ?? false;
      const mountsOthers = facts?.mounts.some((m) => m.owner === owner) ?? false;
      const rooting: Rooting = isApp
        ? 'app'
        : mountsOthers && !this.targeted.has(file)
          ? 'top'
          : 'partial';
      out = [{ path: own, rooting, via: [] }];
    }
    out = uniqueBy(out, (p) => p.path);
    if (stack.length === 0) this.memo.set(key, out);
    return out;
  }

  /** NestJS's global prefix per app: the folder above the `src/` holding the bootstrap file. */
  private nestPrefixes(): { root: string; prefix: string; uriVersioning: boolean; at: string }[] {
    const out: { root: string; prefix: string; uriVersioning: boolean; at: string }[] = [];
    for (const [file, f] of this.facts) {
      if (!f.globalPrefix && !f.uriVersioning) continue;
      const dir = dirOf(file);
      const src = dir.lastIndexOf('src');
      const root =
        src >= 0 && (src === 0 || dir[src - 1] === '/') ? dir.slice(0, Math.max(0, src - 1)) : dir;
      out.push({
        root,
        prefix: f.globalPrefix?.prefix ?? '',
        uriVersioning: f.uriVersioning ?? false,
        at: `${file}:${f.globalPrefix?.line ?? 1}`,
      });
    }
    // The deepest root wins for files of nested apps.
    return out.sort((a, b) => b.root.length - a.root.length);
  }
}

function nestPrefix(
  apps: { root: string; prefix: string; uriVersioning: boolean; at: string }[],
  r: RouteRegistration,
): Prefix {
  const app = apps.find((a) => a.root === '' || r.file.startsWith(`${a.root}/`));
  let path = app?.prefix ?? '';
  if (app?.uriVersioning && r.version) path = joinRoute(path, `v${r.version}`);
  return { path, rooting: 'app', via: app?.prefix ? [app.at] : [] };
}

function splitKey(key: string): [string, string] {
  const i = key.lastIndexOf('#');
  return [key.slice(0, i), key.slice(i + 1)];
}

export function uniqueBy<T>(xs: T[], key: (x: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const x of xs) if (!seen.has(key(x))) seen.set(key(x), x);
  return [...seen.values()];
}

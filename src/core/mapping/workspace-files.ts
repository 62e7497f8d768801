// The workspace's source files and the deployed-path → workspace-path resolution over them.
// Deployed code runs elsewhere (`/app/dist/orders.js`, `/home/ci/build/src/Orders.java`), so a
// path is matched by (1) the user's rewrite rules, (2) being inside the workspace already, or
// (3) the longest run of trailing path segments shared with a workspace file. Ties are reported
// as ambiguous, never picked silently.
import type { Confidence } from '../model';
import type { RouteRegistration } from '../routes/route-extract';
import { normalizeDeployedPath, PathRule } from './path-rules';

export interface PathResolution {
  file?: string;
  rule: 'path-rewrite' | 'workspace-path' | 'path-suffix' | 'http.route' | 'nestjs' | 'none';
  confidence: Confidence;
  explanation: string;
  candidates?: string[];
  /** For a route match: the registration whose handler the span belongs to. */
  route?: RouteRegistration;
}

const CACHE_LIMIT = 20_000;

/** One folder of a (multi-root) workspace. */
export interface WorkspaceRoot {
  /** Shown to users and put in front of its files' paths when there are several folders. */
  name: string;
  /** Absolute path of the folder. */
  path: string;
}

/**
 * The folders of a workspace as the core addresses them. One folder: its files are named by their
 * path inside it (`src/orders.ts`). Several: by the folder's name and that path (`api/src/orders.ts`),
 * names made unique (`api`, `api-2`), so every file of every folder has one workspace path.
 */
export function workspaceRoots(
  folders: readonly { name?: string; path: string }[],
): WorkspaceRoot[] {
  const used = new Set<string>();
  return folders.map((f) => {
    const base =
      (
        f.name ??
        f.path
          .replace(/[\\/]+$/, '')
          .split(/[\\/]/)
          .pop() ??
        'folder'
      ).replace(/[\\/]/g, '-') || 'folder';
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base}-${i}`;
    used.add(name);
    return { name, path: f.path };
  });
}

interface Root {
  name: string;
  /** Normalized absolute path, no trailing slash. */
  abs: string;
  /** What its files' workspace paths start with: '' for a single folder, `name/` otherwise. */
  prefix: string;
}

export class WorkspaceFiles {
  private readonly files = new Set<string>();
  private readonly byBase = new Map<string, string[]>();
  private readonly cache = new Map<string, PathResolution>();
  private rules: PathRule[] = [];
  private readonly folders: Root[];
  /** Bumped on every change so dependents can drop derived caches. */
  version = 0;

  /** @param roots the workspace folder (absolute path), or every folder of a multi-root workspace. */
  constructor(roots: string | readonly WorkspaceRoot[]) {
    const list = typeof roots === 'string' ? workspaceRoots([{ path: roots }]) : roots;
    if (list.length === 0) throw new Error('a workspace needs at least one folder');
    const multi = list.length > 1;
    this.folders = list.map((r) => ({
      name: r.name,
      abs: normalizeDeployedPath(r.path).replace(/\/$/, ''),
      prefix: multi ? `${r.name}/` : '',
    }));
  }

  /** The first (or only) folder's absolute path. */
  get rootPath(): string {
    return this.folders[0]!.abs;
  }

  /** The workspace's folders, as given. */
  get roots(): WorkspaceRoot[] {
    return this.folders.map((f) => ({ name: f.name, path: f.abs }));
  }

  /** The folder prefixes of workspace paths ('' for a single folder). */
  get prefixes(): string[] {
    return this.folders.map((f) => f.prefix);
  }

  /** The absolute path of a workspace path. */
  absolute(rel: string): string {
    const f =
      this.folders.find((r) => r.prefix !== '' && rel.startsWith(r.prefix)) ?? this.folders[0]!;
    const inner = f.prefix && rel.startsWith(f.prefix) ? rel.slice(f.prefix.length) : rel;
    return `${f.abs}/${inner}`;
  }

  /** The workspace path of an absolute path inside one of the folders (forward slashes), else undefined. */
  relativeOf(absPath: string): string | undefined {
    const p = normalizeDeployedPath(absPath);
    // The deepest folder wins when folders nest.
    let best: Root | undefined;
    for (const f of this.folders)
      if (p.startsWith(`${f.abs}/`) && (!best || f.abs.length > best.abs.length)) best = f;
    return best ? best.prefix + p.slice(best.abs.length + 1) : undefined;
  }

  get size(): number {
    return this.files.size;
  }

  has(rel: string): boolean {
    return this.files.has(rel);
  }

  list(): IterableIterator<string> {
    return this.files.values();
  }

  setRules(rules: PathRule[]): void {
    this.rules = rules;
    this.changed();
  }

  add(rel: string): void {
    if (this.insert(rel)) this.changed();
  }

  private insert(rel: string): boolean {
    if (rel.includes('\\')) rel = rel.replace(/\\/g, '/');
    if (this.files.has(rel)) return false;
    this.files.add(rel);
    const base = basename(rel);
    const list = this.byBase.get(base);
    if (list) list.push(rel);
    else this.byBase.set(base, [rel]);
    return true;
  }

  remove(rel: string): void {
    rel = rel.replace(/\\/g, '/');
    if (!this.files.delete(rel)) return;
    const base = basename(rel);
    const list = this.byBase.get(base)?.filter((f) => f !== rel) ?? [];
    if (list.length) this.byBase.set(base, list);
    else this.byBase.delete(base);
    this.changed();
  }

  replaceAll(rels: Iterable<string>): void {
    this.files.clear();
    this.byBase.clear();
    for (const r of rels) this.insert(r);
    this.changed();
  }

  private changed(): void {
    this.cache.clear();
    this.version++;
  }

  /** Resolves a path as the telemetry gives it; memoized until the file set or rules change. */
  resolve(deployedPath: string): PathResolution {
    let r = this.cache.get(deployedPath);
    if (!r) {
      r = this.compute(deployedPath);
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(deployedPath, r);
    }
    return r;
  }

  private compute(raw: string): PathResolution {
    const p = normalizeDeployedPath(raw);
    for (const rule of this.rules) {
      if (!p.startsWith(rule.from)) continue;
      const rel = (rule.to + p.slice(rule.from.length)).replace(/^\/+/, '').replace(/\/{2,}/g, '/');
      if (this.files.has(rel)) {
        return {
          file: rel,
          rule: 'path-rewrite',
          confidence: 'exact',
          explanation: `path mapping "${rule.from}" → "${rule.to || './'}" turns ${p} into ${rel}`,
        };
      }
    }
    const inside = this.relativeOf(p);
    if (inside !== undefined && this.files.has(inside))
      return {
        file: inside,
        rule: 'workspace-path',
        confidence: 'exact',
        explanation: `${p} is inside the workspace`,
      };
    const segs = p.split('/').filter((s) => s.length > 0);
    const base = segs[segs.length - 1];
    const candidates = base ? this.byBase.get(base) : undefined;
    if (!base || !candidates || candidates.length === 0) {
      return {
        rule: 'none',
        confidence: 'none',
        explanation: `no workspace file is named ${base ?? p} (path ${p}); add a path mapping if the deployed layout differs`,
      };
    }
    let best = 0;
    let winners: string[] = [];
    for (const c of candidates) {
      const score = sharedTail(segs, c.split('/'));
      if (score > best) {
        best = score;
        winners = [c];
      } else if (score === best) winners.push(c);
    }
    if (winners.length > 1) {
      return {
        rule: 'path-suffix',
        confidence: 'ambiguous',
        explanation: `${p} matches ${winners.length} workspace files equally well (last ${best} path segment${best === 1 ? '' : 's'}); add a path mapping to choose`,
        candidates: winners,
      };
    }
    const file = winners[0]!;
    const fileSegs = file.split('/').length;
    // The whole workspace path matched: as good as exact. Only the file name matched: unsure.
    const confidence: Confidence =
      best >= fileSegs || best >= 3 ? 'high' : best === 2 ? 'high' : 'medium';
    return {
      file,
      rule: 'path-suffix',
      confidence,
      explanation: `${p} ends with ${segs.slice(-best).join('/')} (${best} of its path segments match ${file})`,
    };
  }
}

function basename(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? p : p.slice(i + 1);
}

function sharedTail(a: string[], b: string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n++;
  return n;
}

// Lists a folder's source files (workspace-relative, forward slashes) without following
// symlinks, skipping dependency and build folders and what .gitignore files exclude (each applies
// below its own folder, as git reads them). Bounded so a huge tree cannot stall a caller.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { languageForPath } from '../languages';

interface IgnoreRules {
  /** The folder the .gitignore sits in, workspace-relative ('' for the root). */
  base: string;
  rules: Ignore;
}

async function readGitignore(root: string, rel: string): Promise<IgnoreRules | undefined> {
  try {
    const text = await fs.readFile(join(root, rel, '.gitignore'), 'utf8');
    return { base: rel, rules: ignore().add(text) };
  } catch {
    return undefined; // none here
  }
}

function ignored(rules: readonly IgnoreRules[], rel: string, isDir: boolean): boolean {
  for (const r of rules) {
    const sub = r.base ? rel.slice(r.base.length + 1) : rel;
    if (sub && r.rules.ignores(isDir ? `${sub}/` : sub)) return true;
  }
  return false;
}

export const DEFAULT_EXCLUDED_DIRS = [
  'node_modules',
  '.git',
  '.hg',
  '.svn',
  'dist',
  'out',
  'build',
  'target',
  'bin',
  'obj',
  '.venv',
  'venv',
  '__pycache__',
  '.cache',
  '.next',
  'coverage',
  'vendor',
];

export interface ScanOptions {
  excludeDirs?: readonly string[];
  maxFiles?: number;
  /** Read .gitignore files (default true). */
  gitignore?: boolean;
  signal?: AbortSignal;
}

/** Folders read at once: the walk is syscall-bound, and the disk answers several faster than one by one. */
const PARALLEL_DIRS = 8;

export async function scanSourceFiles(
  root: string,
  opts: ScanOptions = {},
): Promise<{ files: string[]; truncated: boolean }> {
  const exclude = new Set(opts.excludeDirs ?? DEFAULT_EXCLUDED_DIRS);
  const max = opts.maxFiles ?? 200_000;
  const files: string[] = [];
  const useGitignore = opts.gitignore ?? true;
  // Each folder carries the .gitignore rules of its ancestors and its own.
  type Folder = { rel: string; rules: IgnoreRules[] };
  const readFolder = async ({
    rel,
    rules: inherited,
  }: Folder): Promise<{ dirs: Folder[]; found: string[] }> => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(join(root, rel), { withFileTypes: true });
    } catch {
      return { dirs: [], found: [] }; // unreadable folder: skip it, keep scanning the rest
    }
    // Only folders that hold a .gitignore cost a read for it.
    const own =
      useGitignore && entries.some((e) => e.name === '.gitignore' && e.isFile())
        ? await readGitignore(root, rel)
        : undefined;
    const rules = own ? [...inherited, own] : inherited;
    const dirs: Folder[] = [];
    const found: string[] = [];
    for (const e of entries) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!exclude.has(e.name) && !ignored(rules, child, true)) dirs.push({ rel: child, rules });
      } else if (e.isFile() && languageForPath(e.name) && !ignored(rules, child, false))
        found.push(child);
    }
    return { dirs, found };
  };
  const stack: Folder[] = [{ rel: '', rules: [] }];
  while (stack.length > 0) {
    if (opts.signal?.aborted) break;
    const wave = stack.splice(Math.max(0, stack.length - PARALLEL_DIRS));
    for (const { dirs, found } of await Promise.all(wave.map(readFolder))) {
      stack.push(...dirs);
      for (const f of found) {
        files.push(f);
        if (files.length >= max) return { files, truncated: true };
      }
    }
  }
  return { files: files.sort(), truncated: false };
}

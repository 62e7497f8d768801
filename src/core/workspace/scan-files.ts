// Lists a folder's source files (workspace-relative, forward slashes) without following
// symlinks, skipping dependency and build folders. Bounded so a huge tree cannot stall a caller.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { languageForPath } from '../mapping/languages';

export const DEFAULT_EXCLUDED_DIRS = ['node_modules', '.git', '.hg', '.svn', 'dist', 'out', 'build', 'target', 'bin', 'obj', '.venv', 'venv', '__pycache__', '.cache', '.next', 'coverage', 'vendor'];

export interface ScanOptions {
  excludeDirs?: readonly string[];
  maxFiles?: number;
  signal?: AbortSignal;
}

export async function scanSourceFiles(root: string, opts: ScanOptions = {}): Promise<{ files: string[]; truncated: boolean }> {
  const exclude = new Set(opts.excludeDirs ?? DEFAULT_EXCLUDED_DIRS);
  const max = opts.maxFiles ?? 200_000;
  const files: string[] = [];
  const stack: string[] = [''];
  while (stack.length > 0) {
    if (opts.signal?.aborted) break;
    const rel = stack.pop()!;
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(join(root, rel), { withFileTypes: true });
    } catch {
      continue; // unreadable folder: skip it, keep scanning the rest
    }
    for (const e of entries) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!exclude.has(e.name)) stack.push(child);
      } else if (e.isFile() && languageForPath(e.name)) {
        files.push(child);
        if (files.length >= max) return { files, truncated: true };
      }
    }
  }
  return { files: files.sort(), truncated: false };
}

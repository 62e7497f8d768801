// `--workspace DIR`, checked the same way by every command: required, and an existing directory.
import { realpathSync, statSync } from 'node:fs';
import type { WorkspaceSpec } from '../core/engine/create';
import { workspaceRoots } from '../core/mapping/workspace-files';
import { resolve } from 'node:path';
import { CliError } from './errors';

export function workspaceDir(v: string | undefined, command?: string): string {
  if (!v) throw new CliError(`${command ? `${command}: ` : ''}--workspace DIR is required`, 2);
  const dir = resolve(v);
  let ok = false;
  try {
    ok = statSync(dir).isDirectory();
  } catch {
    ok = false;
  }
  if (!ok) throw new CliError(`--workspace ${v}: not a directory`, 2);
  return dir;
}

/** `--workspace DIR`, repeatable: the folders of a multi-root workspace (each an existing directory). */
export function workspaceDirs(values: readonly string[] | undefined, command?: string): string[] {
  if (!values || values.length === 0) return [workspaceDir(undefined, command)];
  return [...new Set(values.map((v) => workspaceDir(v, command)))];
}

/** What the engine is given: the folder, or every folder named as the editor names them. */
export function workspaceSpec(dirs: readonly string[]): WorkspaceSpec {
  return dirs.length === 1 ? dirs[0]! : workspaceRoots(dirs.map((path) => ({ path })));
}

/** Identifies the workspace across processes (serve ↔ report --from): the folders' real paths. */
export function workspaceKey(dirs: readonly string[]): string {
  return dirs
    .map((d) => {
      try {
        return realpathSync(d);
      } catch {
        return d;
      }
    })
    .join('\n');
}

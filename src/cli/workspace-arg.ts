// `--workspace DIR`, checked the same way by every command: required, and an existing directory.
import { statSync } from 'node:fs';
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

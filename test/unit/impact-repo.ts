// Throwaway git repositories for the impact tests: created under the OS temp folder, removed by
// the caller. Commits use a fixed identity so no global git config is needed.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface TempRepo {
  dir: string;
  git(...args: string[]): string;
  write(path: string, text: string | Buffer): void;
  remove(): void;
}

export function tempDir(prefix = 'prodlens-impact-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function tempRepo(files: Record<string, string> = {}, message = 'initial'): TempRepo {
  const dir = tempDir();
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: dir,
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
        GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  const write = (path: string, text: string | Buffer) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'test@example.invalid');
  git('config', 'user.name', 'Test');
  git('config', 'commit.gpgsign', 'false');
  if (Object.keys(files).length) {
    for (const [p, t] of Object.entries(files)) write(p, t);
    git('add', '-A');
    git('commit', '-q', '-m', message);
  }
  return { dir, git, write, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

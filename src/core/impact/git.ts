// The few git questions the impact review asks: where the repository is, which files changed
// (against HEAD or a base revision, renames followed with -M), and what a file held at a revision.
// git runs through execFile (no shell, bounded output, a timeout) and never writes: diff and
// ls-files run with GIT_OPTIONAL_LOCKS=0 so they do not even refresh the index.
import { execFile } from 'node:child_process';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';

export class GitError extends Error {}

export class NotAGitRepoError extends GitError {
  constructor(readonly dir: string) {
    super(`${dir} is not inside a git repository`);
  }
}

export class UnknownRevisionError extends GitError {
  constructor(
    readonly rev: string,
    readonly shallow: boolean,
  ) {
    super(
      shallow
        ? `unknown revision ${rev}: this is a shallow clone? fetch more history (git fetch --deepen=N or --unshallow)`
        : `unknown revision ${rev}: no such branch, tag or commit`,
    );
  }
}

export type FileChangeStatus = 'added' | 'deleted' | 'modified' | 'renamed';

/** One changed path, relative to the repository root (forward slashes). */
export interface ChangedFile {
  path: string;
  status: FileChangeStatus;
  /** The path before a rename or copy. */
  previousPath?: string;
  /** Not in git yet (untracked, not ignored). */
  untracked?: boolean;
  /** git (numstat) or a NUL byte in the first 8 KB says binary. */
  binary?: boolean;
}

export interface GitRunOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** Enough for name lists of very large changes; content reads pass their own bound. */
const LIST_MAX_BUFFER = 64 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 60_000;
/** git's own binary heuristic: a NUL byte in the first 8000 bytes. */
const BINARY_PROBE_BYTES = 8000;

interface RunResult {
  stdout: Buffer;
}

class GitRunError extends GitError {
  constructor(
    message: string,
    readonly stderr: string,
    readonly exitCode: number | string | undefined,
  ) {
    super(message);
  }
}

export class GitOutputTooLargeError extends GitError {}

/** Runs git in `cwd`; rejects with GitRunError (stderr kept) or a GitError for a missing git. */
function runGit(
  cwd: string,
  args: readonly string[],
  opts: GitRunOptions & { maxBuffer?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      // No pager, colour, external diff or textconv: the output is parsed, not shown.
      ['-c', 'core.quotepath=off', '-c', 'color.ui=never', ...args],
      {
        cwd,
        encoding: 'buffer',
        maxBuffer: opts.maxBuffer ?? LIST_MAX_BUFFER,
        timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        windowsHide: true,
        ...(opts.signal ? { signal: opts.signal } : {}),
        env: {
          ...process.env,
          GIT_OPTIONAL_LOCKS: '0',
          GIT_TERMINAL_PROMPT: '0',
          LC_ALL: 'C',
          GIT_PAGER: 'cat',
        },
      },
      (err, stdout, stderr) => {
        if (!err) return resolve({ stdout });
        const e = err as NodeJS.ErrnoException & { code?: string | number; killed?: boolean };
        if (e.name === 'AbortError') return reject(err);
        if (e.code === 'ENOENT') return reject(new GitError('git is not installed or not on PATH'));
        if (e.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER')
          return reject(
            new GitOutputTooLargeError(
              `git ${args[0]} printed more than ${Math.round((opts.maxBuffer ?? LIST_MAX_BUFFER) / 1024 / 1024)} MiB`,
            ),
          );
        if (e.killed) return reject(new GitError(`git ${args[0]} timed out`));
        const text = stderr.toString('utf8').trim();
        reject(new GitRunError(text.split('\n')[0] || `git ${args[0]} failed`, text, e.code));
      },
    );
  });
}

export interface RepoInfo {
  /** Absolute repository root as git prints it. */
  root: string;
  /** The folder asked about, relative to the root ('' or ending in '/'). */
  prefix: string;
  shallow: boolean;
  /** False in a repository without commits yet. */
  hasHead: boolean;
}

/** The repository holding `dir`; NotAGitRepoError when there is none. */
export async function repoInfo(dir: string, opts: GitRunOptions = {}): Promise<RepoInfo> {
  // A missing folder would make spawn fail with ENOENT, which reads like a missing git.
  if (
    !(await stat(dir).then(
      (s) => s.isDirectory(),
      () => false,
    ))
  )
    throw new GitError(`${dir} is not a directory`);
  let lines: string[];
  try {
    const r = await runGit(
      dir,
      ['rev-parse', '--show-toplevel', '--show-prefix', '--is-shallow-repository'],
      opts,
    );
    lines = r.stdout.toString('utf8').split('\n');
  } catch (e) {
    if (e instanceof GitRunError && /not a git repository/i.test(e.stderr))
      throw new NotAGitRepoError(dir);
    throw e;
  }
  const root = lines[0] ?? '';
  if (!root) throw new NotAGitRepoError(dir); // inside .git, or a bare repository
  const hasHead = await revExists(dir, 'HEAD', opts);
  return { root, prefix: lines[1] ?? '', shallow: lines[2] === 'true', hasHead };
}

async function revExists(cwd: string, rev: string, opts: GitRunOptions): Promise<boolean> {
  try {
    await runGit(
      cwd,
      ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`],
      opts,
    );
    return true;
  } catch (e) {
    if (e instanceof GitRunError) return false;
    throw e;
  }
}

/**
 * The commit to compare against for `--base REV`: the merge base of REV and HEAD (what a pull
 * request shows), else REV itself when there is none (unrelated histories, a shallow clone).
 */
export async function resolveBase(
  repo: RepoInfo,
  rev: string,
  opts: GitRunOptions = {},
): Promise<{ commit: string; mergeBase: boolean }> {
  if (rev.startsWith('-') || !(await revExists(repo.root, rev, opts)))
    throw new UnknownRevisionError(rev, repo.shallow);
  const commit = (
    await runGit(repo.root, ['rev-parse', '--verify', '--end-of-options', `${rev}^{commit}`], opts)
  ).stdout
    .toString('utf8')
    .trim();
  if (!repo.hasHead) return { commit, mergeBase: false };
  try {
    const mb = (await runGit(repo.root, ['merge-base', commit, 'HEAD'], opts)).stdout
      .toString('utf8')
      .trim();
    if (mb) return { commit: mb, mergeBase: true };
  } catch (e) {
    if (!(e instanceof GitRunError)) throw e;
  }
  return { commit, mergeBase: false };
}

/**
 * Files that differ between `base` (a commit; HEAD when omitted) and the working tree: staged,
 * unstaged and untracked changes together. Paths are repository-relative.
 */
export async function changedFiles(
  repo: RepoInfo,
  base: string | undefined,
  opts: GitRunOptions = {},
): Promise<ChangedFile[]> {
  const from = base ?? (repo.hasHead ? 'HEAD' : undefined);
  const out: ChangedFile[] = [];
  if (from) {
    const common = ['diff', '--no-ext-diff', '--no-textconv', '-M', '-z', from, '--'];
    const [names, nums] = await Promise.all([
      runGit(repo.root, [...common.slice(0, 1), '--name-status', ...common.slice(1)], opts),
      runGit(repo.root, [...common.slice(0, 1), '--numstat', ...common.slice(1)], opts),
    ]);
    const binary = binaryPaths(nums.stdout.toString('utf8'));
    for (const f of parseNameStatus(names.stdout.toString('utf8'))) {
      if (binary.has(f.path)) f.binary = true;
      out.push(f);
    }
  } else {
    // No commit yet: everything in the index is new.
    const cached = await runGit(repo.root, ['ls-files', '-z', '--cached'], opts);
    for (const p of splitZ(cached.stdout.toString('utf8'))) out.push({ path: p, status: 'added' });
  }
  const others = await runGit(
    repo.root,
    ['ls-files', '-z', '--others', '--exclude-standard'],
    opts,
  );
  for (const p of splitZ(others.stdout.toString('utf8')))
    out.push({ path: p, status: 'added', untracked: true });
  return out;
}

function splitZ(text: string): string[] {
  return text.split('\0').filter((s) => s.length > 0);
}

/** `--name-status -z`: `M\0path\0`, `R097\0old\0new\0`, `C050\0old\0new\0`, … */
export function parseNameStatus(text: string): ChangedFile[] {
  const parts = text.split('\0');
  const out: ChangedFile[] = [];
  for (let i = 0; i < parts.length;) {
    const code = parts[i++] ?? '';
    if (!code) continue;
    const letter = code[0];
    if (letter === 'R' || letter === 'C') {
      const previousPath = parts[i++] ?? '';
      const path = parts[i++] ?? '';
      // A copy leaves the original in place: the new file is an addition.
      out.push(
        letter === 'R' ? { path, previousPath, status: 'renamed' } : { path, status: 'added' },
      );
      continue;
    }
    const path = parts[i++] ?? '';
    if (letter === 'A') out.push({ path, status: 'added' });
    else if (letter === 'D') out.push({ path, status: 'deleted' });
    else out.push({ path, status: 'modified' }); // M, T (type change), U (unmerged)
  }
  return out;
}

/** Paths numstat prints with `-\t-` (binary); for renames, the new path. */
function binaryPaths(text: string): Set<string> {
  const parts = text.split('\0');
  const out = new Set<string>();
  for (let i = 0; i < parts.length;) {
    const head = parts[i++] ?? '';
    if (!head) continue;
    const m = /^(-|\d+)\t(-|\d+)\t(.*)$/s.exec(head);
    if (!m) continue;
    let path = m[3] ?? '';
    if (path === '') {
      i++; // old path of a rename
      path = parts[i++] ?? '';
    }
    if (m[1] === '-' && m[2] === '-') out.add(path);
  }
  return out;
}

/** Result of reading one side of a file. */
export type FileContent =
  | { kind: 'text'; text: string }
  | { kind: 'binary' }
  | { kind: 'too-big'; bytes: number }
  | { kind: 'missing' };

/** The file's content at a commit (`git cat-file blob REV:path`), bounded by `maxBytes`. */
export async function readAtRevision(
  repo: RepoInfo,
  rev: string,
  path: string,
  maxBytes: number,
  opts: GitRunOptions = {},
): Promise<FileContent> {
  try {
    const r = await runGit(repo.root, ['cat-file', 'blob', `${rev}:${path}`], {
      ...opts,
      maxBuffer: maxBytes + 1,
    });
    return decode(r.stdout);
  } catch (e) {
    if (e instanceof GitOutputTooLargeError) return { kind: 'too-big', bytes: maxBytes + 1 };
    if (e instanceof GitRunError) return { kind: 'missing' };
    throw e;
  }
}

/** The file as it is in the working tree, bounded by `maxBytes`. */
export async function readWorkingFile(
  repo: RepoInfo,
  path: string,
  maxBytes: number,
): Promise<FileContent> {
  let handle;
  try {
    handle = await open(join(repo.root, path), 'r');
  } catch {
    return { kind: 'missing' };
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) return { kind: 'missing' };
    if (st.size > maxBytes) return { kind: 'too-big', bytes: st.size };
    return decode(await handle.readFile());
  } finally {
    await handle.close();
  }
}

/** True when the working-tree file looks binary (NUL in its first 8000 bytes). */
export async function looksBinary(repo: RepoInfo, path: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(join(repo.root, path), 'r');
  } catch {
    return false;
  }
  try {
    const buf = Buffer.alloc(BINARY_PROBE_BYTES);
    const { bytesRead } = await handle.read(buf, 0, BINARY_PROBE_BYTES, 0);
    return buf.subarray(0, bytesRead).includes(0);
  } finally {
    await handle.close();
  }
}

function decode(buf: Buffer): FileContent {
  if (buf.subarray(0, BINARY_PROBE_BYTES).includes(0)) return { kind: 'binary' };
  return { kind: 'text', text: buf.toString('utf8') };
}

/** The commit checked out in `dir`'s repository, or undefined (no repository, no commit yet, no git). */
export async function headCommit(
  dir: string,
  opts: GitRunOptions = {},
): Promise<string | undefined> {
  try {
    const r = await runGit(dir, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], opts);
    return r.stdout.toString('utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

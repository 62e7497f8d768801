// Version drift: telemetry from a deployed commit names lines of the code as it was at that
// commit. When the commit is in the local clone and is not HEAD, its lines are re-anchored through
// git's diff between that commit and the working tree, so a lens lands on the function the line
// belongs to now, and a function edited since the deployed version says so.
//
// Mapping is synchronous (served from memory); a diff is computed in the background the first
// time a (revision, file) pair is asked for, and `onDidChange` fires when it is ready.
import { execFile } from 'node:child_process';

/** One hunk of `git diff -U0`: old lines [oldStart, oldStart+oldCount) became new [newStart, …). */
export interface Hunk {
  oldStart: number;
  oldCount: number;
  newStart: number;
  newCount: number;
}

/** Hunks from `git diff -U0` output (one file). */
export function parseHunks(diff: string): Hunk[] {
  const out: Hunk[] = [];
  for (const m of diff.matchAll(/^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/gm)) {
    out.push({
      oldStart: Number(m[1]),
      oldCount: m[2] === undefined ? 1 : Number(m[2]),
      newStart: Number(m[3]),
      newCount: m[4] === undefined ? 1 : Number(m[4]),
    });
  }
  return out;
}

export interface Anchored {
  /** The line in the working tree. */
  line: number;
  /** The deployed line itself was edited or removed: `line` is where its hunk is now. */
  changed: boolean;
}

/** Where `line` of the old text is in the new one. */
export function anchorLine(hunks: readonly Hunk[], line: number): Anchored {
  let shift = 0;
  for (const h of hunks) {
    // With -U0 a pure insertion has oldCount 0 and sits after oldStart.
    const oldEnd = h.oldStart + h.oldCount; // exclusive
    if (h.oldCount === 0 ? line <= h.oldStart : line < h.oldStart) break;
    if (h.oldCount > 0 && line < oldEnd) return { line: Math.max(1, h.newStart), changed: true };
    shift += h.newCount - h.oldCount;
  }
  return { line: line + shift, changed: false };
}

/** Whether new lines [start, end] overlap a changed region. */
export function rangeChanged(hunks: readonly Hunk[], start: number, end: number): boolean {
  return hunks.some((h) => {
    const from = h.newCount === 0 ? h.newStart + 1 : h.newStart;
    const to = h.newCount === 0 ? h.newStart : h.newStart + h.newCount - 1;
    return h.newCount === 0 ? from > start && from <= end : to >= start && from <= end;
  });
}

/** A deployed line carried to the working tree, with what happened, for an explanation. */
export interface DriftAnchor {
  line: number;
  /** The deployed line itself was edited since: lower the confidence. */
  changed: boolean;
  /** '' when nothing moved; else `; line 12 at the deployed 1a2b3c4d is line 15 …`. */
  note: string;
}

/**
 * Where `line` of `file` at the deployed `revision` is now. Spans (Mapper) and stack frames
 * (StackResolver) both go through here. Until git's diff is ready the line is taken as is (the
 * tracker's onDidChange says when to ask again).
 */
export function anchorDeployedLine(
  drift: VersionDrift | undefined,
  revision: string | undefined,
  file: string,
  line: number,
): DriftAnchor {
  if (!revision || !drift) return { line, changed: false, note: '' };
  const short = revision.slice(0, 8);
  const st = drift.state(revision, file);
  if (st.kind === 'unknown-revision')
    return {
      line,
      changed: false,
      note: `; the deployed revision ${short} is not in the local clone, so its lines may have moved`,
    };
  if (st.kind !== 'drifted') return { line, changed: false, note: '' };
  const a = anchorLine(st.hunks, line);
  if (a.changed)
    return {
      line: a.line,
      changed: true,
      note: `; line ${line} at the deployed ${short} was edited since, so it is matched near line ${a.line}`,
    };
  return {
    line: a.line,
    changed: false,
    note:
      a.line !== line
        ? `; line ${line} at the deployed ${short} is line ${a.line} in the working tree`
        : '',
  };
}

export type DriftState =
  | { kind: 'current' }
  | { kind: 'pending' }
  | { kind: 'unknown-revision' }
  | { kind: 'drifted'; hunks: Hunk[] };

const REVISION = /^[0-9a-f]{7,40}$/i;
const MAX_DIFF_BYTES = 8 * 1024 * 1024;

export class VersionDrift {
  private head: string | undefined;
  private readonly revisions = new Map<string, Promise<string | undefined>>();
  private readonly files = new Map<string, DriftState>();
  private readonly listeners = new Set<() => void>();
  private readonly computing = new Set<Promise<unknown>>();
  version = 0;

  private constructor(private readonly root: string) {}

  /** The drift tracker of a workspace in a git repository with commits; undefined otherwise. */
  static async open(root: string): Promise<VersionDrift | undefined> {
    const d = new VersionDrift(root);
    const sha = (
      await git(root, ['rev-parse', '--verify', '--quiet', 'HEAD']).catch(() => '')
    ).trim();
    if (!REVISION.test(sha)) return undefined;
    d.head = sha;
    return d;
  }

  get headRevision(): string | undefined {
    return this.head;
  }

  onDidChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** True when a version string names a commit (short or full hex). */
  static isRevision(v: string | undefined): v is string {
    return v !== undefined && REVISION.test(v);
  }

  /**
   * The drift of a workspace file between a deployed revision and the working tree: `current` for
   * HEAD, `pending` while git runs (the caller maps as if current, and hears onDidChange).
   */
  state(revision: string, file: string): DriftState {
    if (!this.head || this.head.startsWith(revision.toLowerCase())) return { kind: 'current' };
    const key = `${revision}\u0000${file}`;
    const known = this.files.get(key);
    if (known) return known;
    this.files.set(key, { kind: 'pending' });
    const p = this.compute(revision, file).then((s) => {
      this.files.set(key, s);
      this.version++;
      for (const l of this.listeners) l();
    });
    this.computing.add(p);
    void p.finally(() => this.computing.delete(p));
    return { kind: 'pending' };
  }

  /** True while a diff asked for is still being computed. */
  get pending(): boolean {
    return this.computing.size > 0;
  }

  /** Resolves once every diff asked for so far is known (one-shot runs such as the CLI wait here). */
  async settled(): Promise<void> {
    while (this.computing.size > 0) await Promise.all([...this.computing]);
  }

  private resolve(revision: string): Promise<string | undefined> {
    let r = this.revisions.get(revision);
    if (!r) {
      r = git(this.root, [
        'rev-parse',
        '--verify',
        '--quiet',
        '--end-of-options',
        `${revision}^{commit}`,
      ]).then(
        (s) => s.trim() || undefined,
        () => undefined,
      );
      this.revisions.set(revision, r);
    }
    return r;
  }

  private async compute(revision: string, file: string): Promise<DriftState> {
    const commit = await this.resolve(revision);
    if (!commit) return { kind: 'unknown-revision' };
    if (commit === this.head) return { kind: 'current' };
    try {
      const diff = await git(this.root, [
        'diff',
        '-U0',
        '--no-color',
        '--no-ext-diff',
        '--no-textconv',
        commit,
        '--',
        file,
      ]);
      return { kind: 'drifted', hunks: parseHunks(diff) };
    } catch {
      return { kind: 'unknown-revision' };
    }
  }
}

function git(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      ['-c', 'core.quotepath=off', ...args],
      {
        cwd,
        encoding: 'utf8',
        maxBuffer: MAX_DIFF_BYTES,
        timeout: 20_000,
        windowsHide: true,
        env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
      },
      (err, stdout) => (err ? reject(err) : resolve(stdout)),
    );
  });
}

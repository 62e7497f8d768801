// Which functions a change touches: both sides of every changed source file are parsed with
// tree-sitter and their functions compared, so the answer is per function, not per diff hunk.
//
// Classification, per function:
//   modified  same qualified name on both sides, text differs
//   renamed   same body under another name or container, or its file moved (`bodyChanged` says
//             whether the text changed too); followed across files, so a function cut from one
//             file and pasted into another is a move, not a deletion plus an addition
//   added / deleted  the rest
// Whitespace rule: a body is compared dedented, with trailing spaces and blank lines dropped, so
// re-indenting a whole function (wrapping it in a class, a block) is no change; a change of
// relative indentation is one (it is semantic in Python). Nested functions are compared on their
// own: an edit inside a callback modifies the callback, not every function around it.
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type * as TreeSitter from '@vscode/tree-sitter-wasm';
import { MAX_PARSE_BYTES } from '../mapping/function-index';
import { defaultWasmDir, FunctionParser } from '../mapping/function-parser';
import { LANGUAGE_SPECS, languageForPath } from '../languages';
import type { FunctionRange, LanguageId } from '../model';
import {
  changedFiles,
  looksBinary,
  readAtRevision,
  readWorkingFile,
  repoInfo,
  resolveBase,
  type ChangedFile,
  type FileContent,
  type RepoInfo,
} from './git';

export type ChangeKind = 'modified' | 'added' | 'deleted' | 'renamed';

export interface ChangedFunction {
  /** Workspace-relative path in the working tree; for a deleted function, where it was. */
  file: string;
  /** The function as it is now (as it was, when deleted). */
  function: FunctionRange;
  change: ChangeKind;
  /** Where it was before, when the file moved (workspace-relative; may start with `../`). */
  previousFile?: string;
  /** Its qualified name before a rename. */
  previousName?: string;
  /** The function as it was (absent when added). */
  previous?: FunctionRange;
  /** For renames: whether the body changed as well. Always true for modified/added/deleted. */
  bodyChanged: boolean;
  /** 1-based line of the first syntax error in its file (new side), when there is one. */
  syntaxErrorLine?: number;
}

export type ChangeNoteKind =
  | 'binary'
  | 'too-big'
  | 'syntax-error'
  | 'unreadable'
  | 'grammar'
  | 'outside-workspace'
  | 'unsupported'
  | 'truncated'
  | 'base'
  | 'parse-failed';

/** Something the review skipped or could only do partly, said once. */
export interface ChangeNote {
  kind: ChangeNoteKind;
  file?: string;
  message: string;
}

export interface ChangeSet {
  /** What the working tree was compared with. */
  base: { rev: string; commit: string | undefined; mergeBase: boolean };
  /** Changed source files examined. */
  files: number;
  functions: ChangedFunction[];
  notes: ChangeNote[];
  /**
   * Every function of each changed file as it was, by its previous workspace-relative path, so
   * telemetry from the deployed (old) code can be mapped onto deleted and moved functions.
   */
  previousFunctions: Map<string, FunctionRange[]>;
}

/** A folder's change set as a multi-root workspace names its files (`prefix` = `folder/`). */
export function underFolder(cs: ChangeSet, prefix: string): ChangeSet {
  if (!prefix) return cs;
  return {
    ...cs,
    functions: cs.functions.map((f) => ({
      ...f,
      file: prefix + f.file,
      ...(f.previousFile !== undefined ? { previousFile: prefix + f.previousFile } : {}),
    })),
    notes: cs.notes.map((n) =>
      n.file !== undefined ? { ...n, file: prefix + n.file, message: `${prefix}${n.message}` } : n,
    ),
    previousFunctions: new Map(
      [...cs.previousFunctions].map(([file, fns]) => [prefix + file, fns]),
    ),
  };
}

/** The change sets of several folders as one (the first folder's base names the comparison). */
export function mergeChangeSets(
  sets: readonly ChangeSet[],
  notes: readonly ChangeNote[] = [],
): ChangeSet {
  return {
    base: sets[0]?.base ?? { rev: 'HEAD', commit: undefined, mergeBase: false },
    files: sets.reduce((n, cs) => n + cs.files, 0),
    functions: sets.flatMap((cs) => cs.functions),
    notes: [...sets.flatMap((cs) => cs.notes), ...notes],
    previousFunctions: new Map(sets.flatMap((cs) => [...cs.previousFunctions])),
  };
}

export interface FindChangesOptions {
  /** Compare with this revision (its merge base with HEAD) instead of HEAD. */
  base?: string;
  signal?: AbortSignal;
  /** Folder of the tree-sitter runtime and grammars, when not the default. */
  wasmDir?: string;
  /** More changed source files than this are not examined (a note says so). */
  maxFiles?: number;
  /** Larger files are not parsed (a note says so). */
  maxFileBytes?: number;
}

const DEFAULT_MAX_FILES = 2_000;
/** Untracked files probed for binary content when their language is not parsed. */
const MAX_BINARY_PROBES = 200;
/** A body shorter than this is too common to prove a cross-file move (`return this.x;`). */
const MIN_MOVE_FINGERPRINT = 40;

/** The two sides of one changed source file, workspace-relative. */
export interface FileVersions {
  file: string;
  previousFile?: string;
  language: LanguageId;
  oldText?: string;
  newText?: string;
}

/** Lists the changed functions of the working tree of `workspace` (any folder inside a repository). */
export async function findChangedFunctions(
  workspace: string,
  opts: FindChangesOptions = {},
): Promise<ChangeSet> {
  const git = opts.signal ? { signal: opts.signal } : {};
  const repo = await repoInfo(workspace, git);
  const notes: ChangeNote[] = [];
  let base: ChangeSet['base'] = {
    rev: 'HEAD',
    commit: repo.hasHead ? 'HEAD' : undefined,
    mergeBase: false,
  };
  if (opts.base !== undefined) {
    const resolved = await resolveBase(repo, opts.base, git);
    base = { rev: opts.base, commit: resolved.commit, mergeBase: resolved.mergeBase };
    if (!resolved.mergeBase && repo.hasHead) {
      notes.push({
        kind: 'base',
        message: `${opts.base} and HEAD share no history${repo.shallow ? ' in this shallow clone' : ''}; compared with ${opts.base} itself`,
      });
    }
  } else if (!repo.hasHead) {
    notes.push({
      kind: 'base',
      message: 'the repository has no commits yet; every file counts as added',
    });
  }
  const changed = await changedFiles(repo, opts.base !== undefined ? base.commit : undefined, git);
  const { versions, notes: readNotes } = await readVersions(repo, changed, base.commit, opts);
  notes.push(...readNotes);

  const parser = await FunctionParser.create(opts.wasmDir ? { wasmDir: opts.wasmDir } : {});
  try {
    const usable: FileVersions[] = [];
    for (const lang of new Set(versions.map((v) => v.language))) {
      try {
        await parser.ensureLanguage(lang);
      } catch (e) {
        notes.push({
          kind: 'grammar',
          message: `the ${lang} grammar did not load (${(e as Error).message}); its files were not reviewed`,
        });
      }
    }
    for (const v of versions) if (parser.isLoaded(v.language)) usable.push(v);
    const checker = await SyntaxChecker.create(opts.wasmDir ?? defaultWasmDir());
    try {
      for (const lang of new Set(usable.map((v) => v.language))) await checker?.prepare(lang);
      const result = diffFunctions(parser, usable, checker);
      return {
        base,
        files: versions.length,
        functions: result.functions,
        notes: [...notes, ...result.notes],
        previousFunctions: result.previousFunctions,
      };
    } finally {
      checker?.dispose();
    }
  } finally {
    parser.dispose();
  }
}

/** Reads both sides of each changed source file under the workspace, noting what is skipped. */
async function readVersions(
  repo: RepoInfo,
  changed: ChangedFile[],
  oldRev: string | undefined,
  opts: FindChangesOptions,
): Promise<{ versions: FileVersions[]; notes: ChangeNote[] }> {
  const notes: ChangeNote[] = [];
  const versions: FileVersions[] = [];
  const maxFiles = opts.maxFiles ?? DEFAULT_MAX_FILES;
  const maxBytes = opts.maxFileBytes ?? MAX_PARSE_BYTES;
  const git = opts.signal ? { signal: opts.signal } : {};
  const rel = (p: string) => path.posix.relative(repo.prefix.replace(/\/$/, '') || '.', p);
  const inside = (p: string) => p.startsWith(repo.prefix);
  let outside = 0;
  let unsupported = 0;
  let probes = 0;
  let skippedForSize = 0;
  const sorted = [...changed].sort((a, b) => a.path.localeCompare(b.path));
  for (const f of sorted) {
    if (!inside(f.path) && !(f.previousPath !== undefined && inside(f.previousPath))) {
      outside++;
      continue;
    }
    const file = rel(f.path);
    const language =
      languageForPath(f.path) ??
      (f.previousPath !== undefined ? languageForPath(f.previousPath) : undefined);
    if (
      f.binary ||
      (!language &&
        f.untracked &&
        probes++ < MAX_BINARY_PROBES &&
        (await looksBinary(repo, f.path)))
    ) {
      notes.push({ kind: 'binary', file, message: `${file}: binary file, skipped` });
      continue;
    }
    if (!language) {
      unsupported++;
      continue;
    }
    if (versions.length >= maxFiles) {
      skippedForSize++;
      continue;
    }
    const oldPath = f.previousPath ?? f.path;
    const oldSide: FileContent =
      f.status === 'added' || oldRev === undefined
        ? { kind: 'missing' }
        : await readAtRevision(repo, oldRev, oldPath, maxBytes, git);
    const newSide: FileContent =
      f.status === 'deleted' ? { kind: 'missing' } : await readWorkingFile(repo, f.path, maxBytes);
    const problem = [oldSide, newSide].find((c) => c.kind === 'binary' || c.kind === 'too-big');
    if (problem?.kind === 'binary') {
      notes.push({ kind: 'binary', file, message: `${file}: binary content, skipped` });
      continue;
    }
    if (problem?.kind === 'too-big') {
      notes.push({
        kind: 'too-big',
        file,
        message: `${file}: larger than ${Math.round(maxBytes / 1024 / 1024)} MiB, not parsed`,
      });
      continue;
    }
    if (f.status !== 'added' && oldRev !== undefined && oldSide.kind === 'missing')
      notes.push({
        kind: 'unreadable',
        file,
        message: `${file}: its previous version could not be read from git; treated as new`,
      });
    if (f.status !== 'deleted' && newSide.kind === 'missing')
      notes.push({
        kind: 'unreadable',
        file,
        message: `${file}: could not be read from the working tree; treated as deleted`,
      });
    const v: FileVersions = { file, language };
    if (f.previousPath !== undefined && f.previousPath !== f.path)
      v.previousFile = rel(f.previousPath);
    if (oldSide.kind === 'text') v.oldText = oldSide.text;
    if (newSide.kind === 'text') v.newText = newSide.text;
    if (v.oldText !== undefined || v.newText !== undefined) versions.push(v);
  }
  if (skippedForSize)
    notes.push({
      kind: 'truncated',
      message: `the change touches ${versions.length + skippedForSize} source files; only the first ${maxFiles} were reviewed`,
    });
  if (outside)
    notes.push({
      kind: 'outside-workspace',
      message: `${outside} changed file${outside === 1 ? '' : 's'} outside the workspace folder ${outside === 1 ? 'was' : 'were'} not reviewed`,
    });
  if (unsupported)
    notes.push({
      kind: 'unsupported',
      message: `${unsupported} changed file${unsupported === 1 ? ' is' : 's are'} not in a parsed language and ${unsupported === 1 ? 'was' : 'were'} not reviewed`,
    });
  return { versions, notes };
}

interface Side {
  file: string;
  fn: FunctionRange;
  /** Dedented body, nested functions blanked. */
  text: string;
  /** The same with the function's own name blanked, to recognise a rename. */
  shape: string;
}

interface Parsed {
  v: FileVersions;
  old: Side[];
  now: Side[];
  syntaxErrorLine?: number;
}

/**
 * The function-level difference between the two sides of each file (languages already loaded in
 * `parser`). Pure apart from parsing; `checker` adds syntax-error notes when given.
 */
export function diffFunctions(
  parser: FunctionParser,
  files: readonly FileVersions[],
  checker?: SyntaxChecker,
): {
  functions: ChangedFunction[];
  notes: ChangeNote[];
  previousFunctions: Map<string, FunctionRange[]>;
} {
  const notes: ChangeNote[] = [];
  const parsed: Parsed[] = [];
  const previousFunctions = new Map<string, FunctionRange[]>();
  for (const v of files) {
    const old = sides(parser, v.previousFile ?? v.file, v.oldText, v.language);
    const now = sides(parser, v.file, v.newText, v.language);
    const failed = old.error ?? now.error;
    if (failed !== undefined) {
      // Without both sides' functions nothing about this file can be said: not "everything deleted".
      notes.push({
        kind: 'parse-failed',
        file: v.file,
        message: `${v.file}: could not be parsed (${failed}); its functions were not reviewed`,
      });
      continue;
    }
    const p: Parsed = { v, old: old.sides, now: now.sides };
    const line =
      v.newText !== undefined ? checker?.firstErrorLine(v.newText, v.language) : undefined;
    if (line !== undefined) {
      p.syntaxErrorLine = line;
      notes.push({
        kind: 'syntax-error',
        file: v.file,
        message: `${v.file}: syntax error near line ${line}; functions after it may be missing or misplaced`,
      });
    }
    parsed.push(p);
    if (v.oldText !== undefined)
      previousFunctions.set(
        v.previousFile ?? v.file,
        p.old.map((o) => o.fn),
      );
  }

  const out: ChangedFunction[] = [];
  const lostOld: { p: Parsed; side: Side }[] = [];
  const newOnes: { p: Parsed; side: Side }[] = [];
  for (const p of parsed) {
    const moved = p.v.previousFile !== undefined;
    const olds = keyed(p.old);
    const nows = keyed(p.now);
    const unmatchedOld: Side[] = [];
    for (const [key, o] of olds) {
      const n = nows.get(key);
      if (!n) {
        unmatchedOld.push(o);
        continue;
      }
      nows.delete(key);
      const bodyChanged = o.text !== n.text;
      if (!bodyChanged && !moved) continue;
      out.push(entry(p, n, o, moved ? 'renamed' : 'modified', bodyChanged));
    }
    // Same body under another name in the same file: a rename.
    const remaining = [...nows.values()];
    for (const o of unmatchedOld) {
      const i = remaining.findIndex((n) => n.shape === o.shape);
      const n = i >= 0 ? remaining.splice(i, 1)[0] : undefined;
      if (n) out.push(entry(p, n, o, 'renamed', false));
      else lostOld.push({ p, side: o });
    }
    for (const n of remaining) newOnes.push({ p, side: n });
  }

  // Across files: a function that left one file and arrived unchanged in another moved.
  for (const lost of lostOld) {
    const i =
      lost.side.shape.length >= MIN_MOVE_FINGERPRINT
        ? newOnes.findIndex((n) => n.side.shape === lost.side.shape && n.p !== lost.p)
        : -1;
    const arrived = i >= 0 ? newOnes.splice(i, 1)[0] : undefined;
    if (arrived) {
      out.push(entry(arrived.p, arrived.side, lost.side, 'renamed', false));
      continue;
    }
    const d: ChangedFunction = {
      file: lost.side.file,
      function: lost.side.fn,
      change: 'deleted',
      previous: lost.side.fn,
      bodyChanged: true,
    };
    // The file still exists and broke: the function may only look deleted.
    if (lost.p.v.newText !== undefined && lost.p.syntaxErrorLine !== undefined)
      d.syntaxErrorLine = lost.p.syntaxErrorLine;
    out.push(d);
  }
  for (const n of newOnes) {
    const a: ChangedFunction = {
      file: n.p.v.file,
      function: n.side.fn,
      change: 'added',
      bodyChanged: true,
    };
    if (n.p.syntaxErrorLine !== undefined) a.syntaxErrorLine = n.p.syntaxErrorLine;
    out.push(a);
  }
  out.sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      a.function.startLine - b.function.startLine ||
      a.change.localeCompare(b.change),
  );
  return { functions: out, notes, previousFunctions };
}

function entry(
  p: Parsed,
  n: Side,
  o: Side,
  change: ChangeKind,
  bodyChanged: boolean,
): ChangedFunction {
  const e: ChangedFunction = {
    file: n.file,
    function: n.fn,
    change,
    previous: o.fn,
    bodyChanged: change === 'modified' ? true : bodyChanged,
  };
  if (o.file !== n.file) e.previousFile = o.file;
  if (o.fn.qualifiedName !== n.fn.qualifiedName) e.previousName = o.fn.qualifiedName;
  if (p.syntaxErrorLine !== undefined) e.syntaxErrorLine = p.syntaxErrorLine;
  return e;
}

/** Functions by qualified name; repeats (overloads) get `#2`, `#3`… in source order. */
function keyed(list: readonly Side[]): Map<string, Side> {
  const out = new Map<string, Side>();
  const seen = new Map<string, number>();
  for (const s of list) {
    const n = (seen.get(s.fn.qualifiedName) ?? 0) + 1;
    seen.set(s.fn.qualifiedName, n);
    out.set(n === 1 ? s.fn.qualifiedName : `${s.fn.qualifiedName}#${n}`, s);
  }
  return out;
}

/** One side's functions, or the parser's reason it could not read them. */
function sides(
  parser: FunctionParser,
  file: string,
  text: string | undefined,
  language: LanguageId,
): { sides: Side[]; error?: string } {
  if (text === undefined) return { sides: [] };
  let ranges: FunctionRange[];
  try {
    ranges = parser.parse(text, language);
  } catch (e) {
    return { sides: [], error: e instanceof Error ? e.message : String(e) };
  }
  const lines = text.split(/\r?\n/);
  const out = ranges.map((fn) => {
    const body = bodyOf(lines, fn, ranges);
    const nameRe = new RegExp(`(?<![\\w$])${escapeRegExp(fn.name)}(?![\\w$])`, 'g');
    return { file, fn, text: body, shape: body.replace(nameRe, '\u0000') };
  });
  return { sides: out };
}

/** The function's lines, nested functions replaced by a marker, dedented, blank lines dropped. */
function bodyOf(
  lines: readonly string[],
  fn: FunctionRange,
  all: readonly FunctionRange[],
): string {
  const nested = all.filter(
    (r) => r !== fn && r.startLine > fn.startLine && r.endLine < fn.endLine,
  );
  const kept: string[] = [];
  for (let line = fn.startLine; line <= fn.endLine; line++) {
    const inner = nested.find((r) => line >= r.startLine && line <= r.endLine);
    if (inner) {
      // One marker per outermost nested function, so its edits do not touch this body.
      if (
        line === inner.startLine &&
        !nested.some(
          (r) => r !== inner && r.startLine < inner.startLine && r.endLine >= inner.endLine,
        )
      )
        kept.push(`\u0000${inner.name}`);
      continue;
    }
    const text = (lines[line - 1] ?? '').trimEnd();
    if (text.trim() !== '') kept.push(text);
  }
  const indent = Math.min(
    ...kept.filter((l) => !l.startsWith('\u0000')).map((l) => /^[ \t]*/.exec(l)?.[0].length ?? 0),
  );
  const cut = Number.isFinite(indent) ? indent : 0;
  return kept.map((l) => (l.startsWith('\u0000') ? l : l.slice(cut))).join('\n');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// A plain runtime `require`, as function-parser.ts loads the runtime, so both share one module
// instance (Node caches it by path) and its one-time WASM initialisation.
const nodeRequire = createRequire(
  typeof __filename === 'string' ? __filename : path.join(process.cwd(), 'index.js'),
);
const grammars = new Map<string, Promise<TreeSitter.Language>>();

/**
 * Finds the first syntax error of a text. FunctionParser returns partial results for broken code
 * without saying so, and a function swallowed by a syntax error would otherwise read as deleted.
 * Relies on FunctionParser.create having initialised the runtime in the same folder; when
 * anything about that fails, `create` resolves undefined and no syntax notes are given.
 */
export class SyntaxChecker {
  private readonly parsers = new Map<LanguageId, TreeSitter.Parser>();

  private constructor(
    private readonly runtime: typeof TreeSitter,
    private readonly wasmDir: string,
  ) {}

  static async create(wasmDir: string): Promise<SyntaxChecker | undefined> {
    try {
      await FunctionParser.create({ wasmDir }); // initialises the shared runtime (cached)
      return new SyntaxChecker(
        nodeRequire(path.join(wasmDir, 'tree-sitter.js')) as typeof TreeSitter,
        wasmDir,
      );
    } catch {
      return undefined;
    }
  }

  /** Loads a language; false when it cannot be checked. */
  async prepare(language: LanguageId): Promise<boolean> {
    if (this.parsers.has(language)) return true;
    try {
      const file = path.join(this.wasmDir, LANGUAGE_SPECS[language].grammar);
      let grammar = grammars.get(file);
      if (!grammar) {
        grammar = this.runtime.Language.load(file);
        grammar.catch(() => grammars.delete(file));
        grammars.set(file, grammar);
      }
      const parser = new this.runtime.Parser();
      parser.setLanguage(await grammar);
      this.parsers.set(language, parser);
      return true;
    } catch {
      return false;
    }
  }

  /** 1-based line of the first error or missing token; undefined when clean or not prepared. */
  firstErrorLine(text: string, language: LanguageId): number | undefined {
    const parser = this.parsers.get(language);
    if (!parser) return undefined;
    const tree = parser.parse(text);
    if (!tree) return undefined;
    try {
      let node = tree.rootNode;
      if (!node.hasError) return undefined;
      // Descend along the first child that holds an error down to the error itself.
      for (;;) {
        if (node.isError || node.isMissing) break;
        const next = node.children.find(
          (c) => c !== null && (c.hasError || c.isMissing || c.isError),
        );
        if (!next) break;
        node = next;
      }
      return node.startPosition.row + 1;
    } finally {
      tree.delete();
    }
  }

  dispose(): void {
    for (const p of this.parsers.values()) p.delete();
    this.parsers.clear();
  }
}

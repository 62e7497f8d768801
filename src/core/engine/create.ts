// Wires an Engine for one workspace folder: file list, path rules, parser and function index.
// The extension and the CLI both start here, so they map identically.
import { promises as fs } from 'node:fs';
import { FunctionIndex } from '../mapping/function-index';
import { FunctionParser } from '../mapping/function-parser';
import type { PathRule } from '../mapping/path-rules';
import { WorkspaceFiles, workspaceRoots, type WorkspaceRoot } from '../mapping/workspace-files';
import { scanSourceFiles } from '../workspace/scan-files';
import { VersionDrift } from '../mapping/version-drift';
import { Engine, EngineOptions } from './engine';

export interface WorkspaceEngineOptions extends EngineOptions {
  pathRules?: PathRule[];
  excludeDirs?: readonly string[];
  signal?: AbortSignal;
  /** Folder of the tree-sitter runtime and grammars, when not the default. */
  wasmDir?: string;
  /**
   * The workspace text index (routes): `await` builds it before returning (CLI, tests), `background`
   * leaves it to the caller's `engine.indexWorkspace` (the editor shows progress), `none` skips it.
   */
  index?: 'await' | 'background' | 'none';
}

/** Where the workspace scan and index are, for status displays. */
export type StartupPhase =
  | { phase: 'scanning' }
  | { phase: 'indexing'; done: number; total: number }
  | { phase: 'ready'; files: number; ms: number };

export interface StartedEngine {
  /** Accepts telemetry at once: series are kept and mapped as soon as the files they name are known. */
  engine: Engine;
  /** The workspace scan (and, with `index: 'await'`, the text index) behind it. */
  scanned: Promise<{ truncated: boolean }>;
}

/**
 * The engine first, the workspace behind it: receivers can listen from the first second, because
 * mapping is lazy (a series is mapped when asked, and re-mapped whenever the file list, the route
 * index or the path rules change), so nothing that arrives before the scan is lost or refused.
 */
/** A folder path, or every folder of a multi-root workspace (their files are then named `folder/path`). */
export type WorkspaceSpec = string | readonly WorkspaceRoot[];

export async function startWorkspaceEngine(
  spec: WorkspaceSpec,
  opts: WorkspaceEngineOptions & { onPhase?: (p: StartupPhase) => void } = {},
): Promise<StartedEngine> {
  const started = performance.now();
  const roots = typeof spec === 'string' ? workspaceRoots([{ path: spec }]) : spec;
  const files = new WorkspaceFiles(roots);
  if (opts.pathRules) files.setRules(opts.pathRules);
  const parser = await FunctionParser.create(opts.wasmDir ? { wasmDir: opts.wasmDir } : {});
  const functions = new FunctionIndex(parser, async (rel) => {
    try {
      return await fs.readFile(files.absolute(rel), 'utf8');
    } catch {
      return undefined;
    }
  });
  const engine = new Engine(files, functions, opts);
  const scanned = (async () => {
    opts.onPhase?.({ phase: 'scanning' });
    const scanOpts: { excludeDirs?: readonly string[]; signal?: AbortSignal } = {};
    if (opts.excludeDirs) scanOpts.excludeDirs = opts.excludeDirs;
    if (opts.signal) scanOpts.signal = opts.signal;
    // Every folder, named as the workspace names its files (`folder/path` when there are several).
    const scans = await Promise.all(roots.map((r) => scanSourceFiles(r.path, scanOpts)));
    const prefixes = files.prefixes;
    const scan = {
      files: scans.flatMap((sc, i) =>
        prefixes[i] ? sc.files.map((f) => prefixes[i] + f) : sc.files,
      ),
      truncated: scans.some((sc) => sc.truncated),
    };
    // Each step below blocks for a few milliseconds on a large tree: let the editor in between.
    await yieldToEventLoop();
    files.replaceAll(scan.files);
    await yieldToEventLoop();
    // Telemetry from an older deployed commit is re-anchored through git when the workspace is a repository.
    // Deployed revisions are carried through one repository's history: a single folder's.
    const drift =
      roots.length === 1
        ? await VersionDrift.open(roots[0]!.path).catch(() => undefined)
        : undefined;
    if (drift) engine.attachDrift(drift);
    if ((opts.index ?? 'await') === 'await') {
      const list = [...files.list()];
      await engine.indexWorkspace(list, {
        ...(opts.signal ? { signal: opts.signal } : {}),
        onProgress: (p) => opts.onPhase?.({ phase: 'indexing', ...p }),
      });
      opts.onPhase?.({ phase: 'ready', files: list.length, ms: performance.now() - started });
    }
    return { truncated: scan.truncated };
  })();
  return { engine, scanned };
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function createWorkspaceEngine(
  spec: WorkspaceSpec,
  opts: WorkspaceEngineOptions = {},
): Promise<{ engine: Engine; truncated: boolean }> {
  const { engine, scanned } = await startWorkspaceEngine(spec, opts);
  const { truncated } = await scanned;
  return { engine, truncated };
}

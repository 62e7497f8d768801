// Wires an Engine for one workspace folder: file list, path rules, parser and function index.
// The extension and the CLI both start here, so they map identically.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { FunctionIndex } from '../mapping/function-index';
import { FunctionParser } from '../mapping/function-parser';
import type { PathRule } from '../mapping/path-rules';
import { WorkspaceFiles } from '../mapping/workspace-files';
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
   * leaves it to the caller's `engine.sources.build` (the editor shows progress), `none` skips it.
   */
  index?: 'await' | 'background' | 'none';
}

export async function createWorkspaceEngine(root: string, opts: WorkspaceEngineOptions = {}): Promise<{ engine: Engine; truncated: boolean }> {
  const files = new WorkspaceFiles(root);
  if (opts.pathRules) files.setRules(opts.pathRules);
  const scanOpts: { excludeDirs?: readonly string[]; signal?: AbortSignal } = {};
  if (opts.excludeDirs) scanOpts.excludeDirs = opts.excludeDirs;
  if (opts.signal) scanOpts.signal = opts.signal;
  const scan = await scanSourceFiles(root, scanOpts);
  files.replaceAll(scan.files);
  const parser = await FunctionParser.create(opts.wasmDir ? { wasmDir: opts.wasmDir } : {});
  const functions = new FunctionIndex(parser, async (rel) => {
    try {
      return await fs.readFile(join(root, rel), 'utf8');
    } catch {
      return undefined;
    }
  });
  const engine = new Engine(files, functions, opts);
  // Telemetry from an older deployed commit is re-anchored through git when the workspace is a repository.
  const drift = await VersionDrift.open(root).catch(() => undefined);
  if (drift) engine.attachDrift(drift);
  if ((opts.index ?? 'await') === 'await') await engine.sources.build([...files.list()], opts.signal ? { signal: opts.signal } : {});
  return { engine, truncated: scan.truncated };
}

// What builders that map other sources' data the way the engine maps its own telemetry are handed
// (backend numbers, alerts, stack traces, backend traces, the CLI's locate): narrow, read-only
// views of the engine's collaborators. The engine's stores and indexes are never handed out.
import type { FunctionSource } from '../mapping/function-index';
import type { WorkspaceFiles } from '../mapping/workspace-files';
import type { CodeResolver } from '../resolver/code-resolver';

/** The engine's resolver, for mapping only: its drift is read here, attached through the engine. */
export type CodeMapper = Pick<
  CodeResolver,
  | 'drift'
  | 'version'
  | 'locateSpan'
  | 'resolvePath'
  | 'map'
  | 'mapSpan'
  | 'resolveFrame'
  | 'resolveAll'
  | 'frameLinks'
>;

/** The workspace's files, its parsed functions and the engine's resolver, as the engine maps with them. */
export interface CodeLookup {
  readonly files: WorkspaceFiles;
  readonly functions: FunctionSource;
  readonly resolver: CodeMapper;
}

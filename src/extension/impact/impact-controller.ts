// Production impact of the working tree's changes, kept current: recomputed after saves and
// edits (debounced) and when new production data arrives (throttled), off the editor's hot path
// and cancelled when a newer run starts.
import * as vscode from 'vscode';
import {
  findChangedFunctions,
  mergeChangeSets,
  underFolder,
  type ChangeNote,
  type ChangeSet,
} from '../../core/impact/changed-functions';
import { GitError } from '../../core/impact/git';
import { assessImpact, type ImpactReport } from '../../core/impact/impact';
import { errorMessage, log } from '../logging';
import type { Session } from '../session';
import { localFolders } from '../workspace-paths';

const EDIT_DEBOUNCE_MS = 1_500;
const DATA_THROTTLE_MS = 15_000;

export class ImpactController implements vscode.Disposable {
  report: ImpactReport | undefined;
  /** Why there is no report (not a git repository, …), shown in the view. */
  problem: string | undefined;
  lastDurationMs = 0;
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private timer: NodeJS.Timeout | undefined;
  private running: AbortController | undefined;
  private lastDataRun = 0;
  /** The working tree's changed functions from the last git review; dropped on edits. */
  private changes: ChangeSet | undefined;
  private readonly subs: vscode.Disposable[] = [];

  constructor(
    private readonly session: Session,
    private readonly wasmDir: string,
  ) {
    this.subs.push(
      vscode.workspace.onDidSaveTextDocument(() => this.schedule(EDIT_DEBOUNCE_MS)),
      vscode.workspace.onDidCreateFiles(() => this.schedule(EDIT_DEBOUNCE_MS)),
      vscode.workspace.onDidDeleteFiles(() => this.schedule(EDIT_DEBOUNCE_MS)),
      vscode.workspace.onDidRenameFiles(() => this.schedule(EDIT_DEBOUNCE_MS)),
      session.onDidChangeData(() => {
        if (Date.now() - this.lastDataRun >= DATA_THROTTLE_MS) this.schedule(0, false);
      }),
    );
  }

  /** `rereadGit` false: only production data changed, so the last git review is reused. */
  schedule(delayMs: number, rereadGit = true): void {
    if (rereadGit) this.changes = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run(false);
    }, delayMs);
  }

  /** Reviews again; `rereadGit` false reuses the last git review unless an edit dropped it. */
  async run(rereadGit = true): Promise<ImpactReport | undefined> {
    if (rereadGit) this.changes = undefined;
    const folders = localFolders();
    const engine = await this.session.ready;
    if (folders.length === 0) return undefined;
    this.running?.abort();
    const abort = new AbortController();
    this.running = abort;
    const started = Date.now();
    this.lastDataRun = started;
    try {
      const changes = this.changes ?? (await this.findChanges(folders, abort.signal));
      if (abort.signal.aborted) return undefined;
      this.changes = changes;
      const c = this.session.current;
      const report = await assessImpact(changes, engine, {
        windowMs: c.windowMs,
        ...(c.environment ? { environment: c.environment } : {}),
        pathRules: c.pathRules,
      });
      if (abort.signal.aborted) return undefined;
      this.report = report;
      this.problem = undefined;
      this.lastDurationMs = Date.now() - started;
      log().info(
        `impact: ${report.items.length} changed functions assessed in ${this.lastDurationMs} ms`,
      );
      this.emitter.fire();
      return report;
    } catch (e) {
      if (abort.signal.aborted) return undefined;
      this.report = undefined;
      this.problem = e instanceof GitError ? e.message : `impact review failed: ${errorMessage(e)}`;
      if (!(e instanceof GitError)) log().warn(this.problem);
      this.emitter.fire();
      return undefined;
    } finally {
      if (this.running === abort) this.running = undefined;
    }
  }

  /**
   * The working tree's changed functions: of the folder, or of every folder of a multi-root
   * workspace (named as the engine names their files); a folder outside git is noted, not fatal.
   */
  private async findChanges(
    folders: readonly { folder: vscode.WorkspaceFolder; prefix: string }[],
    signal: AbortSignal,
  ): Promise<ChangeSet> {
    const opts = { signal, wasmDir: this.wasmDir };
    if (folders.length === 1) return findChangedFunctions(folders[0]!.folder.uri.fsPath, opts);
    const notes: ChangeNote[] = [];
    const sets = await Promise.all(
      folders.map(({ folder, prefix }) =>
        findChangedFunctions(folder.uri.fsPath, opts).then(
          (cs) => underFolder(cs, prefix),
          (e: unknown) => {
            if (!(e instanceof GitError)) throw e;
            notes.push({
              kind: 'base',
              message: `${folder.name}: ${e.message}; its changes were not reviewed`,
            });
            return undefined;
          },
        ),
      ),
    );
    return mergeChangeSets(
      sets.filter((cs): cs is ChangeSet => cs !== undefined),
      notes,
    );
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.running?.abort();
    for (const s of this.subs) s.dispose();
    this.emitter.dispose();
  }
}

// Owns the engine for the workspace folder, its persistence, and the batching of "data changed"
// into at most one UI refresh per interval. Providers read from here; nothing here blocks the
// extension host (scanning and parsing are async; ingest is synchronous per request but small).
import * as vscode from 'vscode';
import { startWorkspaceEngine, type StartupPhase } from '../core/engine/create';
import type { Engine } from '../core/engine/engine';
import { IngestWorker } from '../core/ingest-worker/ingest-worker';
import { WriterLease } from '../core/store/writer-lease';
import { DEFAULT_EXCLUDED_DIRS } from '../core/workspace/scan-files';
import type { ProdLensConfig } from './config';
import { errorMessage, log } from './logging';
import { engineRoots } from './workspace-paths';

/** Lenses and the status bar refresh at most this often while data streams in. */
const REFRESH_MS = 2_000;
/** Windows slide even when no data arrives, so numbers age out. */
const IDLE_REFRESH_MS = 30_000;
/**
 * Aggregates are saved this often while new data arrives (atomically: a temporary file renamed over
 * the last), so a crash or a killed extension host loses at most the last few seconds.
 */
const SAVE_MS = 4_000;
/** Workspaces with more files than this show indexing progress. */
const LARGE_WORKSPACE_FILES = 2_000;

export class Session implements vscode.Disposable {
  engine: Engine | undefined;
  /** Decodes trace requests off the extension host's thread (the receivers hand bodies to it). */
  ingest: IngestWorker | undefined;
  readonly ready: Promise<Engine | undefined>;
  /** Where the workspace scan and index are; the engine already accepts telemetry meanwhile. */
  startup: StartupPhase = { phase: 'scanning' };
  private readonly startupChanged = new vscode.EventEmitter<StartupPhase>();
  readonly onDidChangeStartup = this.startupChanged.event;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires at most once per REFRESH_MS, after data arrived or the window slid. */
  readonly onDidChangeData = this.changed.event;
  private dirty = false;
  private unsaved = false;
  private saving: Promise<void> | undefined;
  private readonly lease: WriterLease;
  private wasWriter: boolean | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private lastFire = 0;

  constructor(
    private readonly storageDir: vscode.Uri,
    private config: ProdLensConfig,
  ) {
    this.lease = new WriterLease(storageDir.fsPath);
    this.ready = this.start();
    this.timers.push(setInterval(() => this.tick(), REFRESH_MS));
    this.timers.push(setInterval(() => void this.save(), SAVE_MS));
  }

  /**
   * The engine as soon as it exists (the receivers listen from then on), the workspace scan and the
   * route/log index behind it: spans that arrive meanwhile are kept and mapped when the files are
   * known. `startup` says where that is, for the status bar.
   */
  private async start(): Promise<Engine | undefined> {
    const roots = engineRoots();
    if (roots.length === 0)
      log().info('no local workspace folder: numbers can be received but not mapped to files');
    if (roots.length > 1)
      log().info(`multi-root workspace: mapping into ${roots.map((r) => r.name).join(', ')}`);
    const started = Date.now();
    try {
      const { engine, scanned } = await startWorkspaceEngine(roots.length ? roots : process.cwd(), {
        pathRules: this.config.pathRules,
        excludeDirs: [...DEFAULT_EXCLUDED_DIRS, ...this.config.excludeDirs],
        wasmDir: vscode.Uri.joinPath(vscode.Uri.file(__dirname), 'tree-sitter').fsPath,
        index: 'background',
        onPhase: (p) => this.setStartup(p),
      });
      if (this.config.excludeDirs.length)
        log().info(`extra excluded folders: ${this.config.excludeDirs.join(', ')}`);
      const restored = await engine.loadAggregates(this.storageDir.fsPath).catch((e: unknown) => {
        log().warn(`could not restore saved aggregates (starting empty): ${errorMessage(e)}`);
        return 0;
      });
      log().info(
        `engine ready in ${Date.now() - started} ms (${restored} restored series); scanning the workspace behind it`,
      );
      engine.onDidIngest(() => {
        this.dirty = true;
        this.unsaved = true;
      });
      this.ingest = new IngestWorker(engine, (m) => log().warn(m));
      if (this.ingest.running) log().info('trace requests are decoded on a worker thread');
      this.engine = engine;
      this.dirty = true;
      void scanned.then(
        ({ truncated }) => {
          if (truncated)
            log().warn(
              'workspace has more source files than the mapping index holds; some files will not be mapped',
            );
          log().info(
            `workspace scanned in ${Date.now() - started} ms: ${engine.files.size} source files`,
          );
          this.markDirty();
          return this.indexSources(engine, started);
        },
        (e: unknown) => {
          log().error(
            `workspace scan failed (spans are kept, but map to no file): ${errorMessage(e)}`,
          );
          this.setStartup({ phase: 'ready', files: 0, ms: Date.now() - started });
        },
      );
      return engine;
    } catch (e) {
      log().error(`engine failed to start: ${errorMessage(e)}`);
      void vscode.window
        .showErrorMessage(
          `ProdLens could not start its mapping engine: ${errorMessage(e)}`,
          'Show Logs',
        )
        .then((a) => {
          if (a) log().show();
        });
      return undefined;
    }
  }

  private setStartup(p: StartupPhase): void {
    this.startup = p;
    this.startupChanged.fire(p);
  }

  /**
   * Reads the workspace for route registrations and log statements, off the hot path: batched
   * reads that yield between batches; progress in the status bar (and a progress notification
   * in the window's status area when the workspace is large).
   */
  private async indexSources(engine: Engine, started: number): Promise<void> {
    const files = [...engine.files.list()];
    const run = (report?: (p: { done: number; total: number }) => void) =>
      engine.indexWorkspace(files, {
        onProgress: (p) => {
          this.setStartup({ phase: 'indexing', ...p });
          report?.(p);
        },
      });
    const result =
      files.length < LARGE_WORKSPACE_FILES
        ? await run()
        : await vscode.window.withProgress(
            {
              location: vscode.ProgressLocation.Window,
              title: 'ProdLens: indexing routes and log statements',
            },
            (progress) => {
              let last = 0;
              return run(({ done, total }) => {
                const pct = Math.floor((done / total) * 100);
                progress.report({ message: `${done}/${total} files`, increment: pct - last });
                last = pct;
              });
            },
          );
    this.setStartup({ phase: 'ready', files: files.length, ms: Date.now() - started });
    log().info(
      `indexed ${result.files} files in ${Math.round(result.ms)} ms: ${engine.routeCount} routes${result.skipped ? `, ${result.skipped} skipped (too large or unreadable)` : ''}`,
    );
    this.markDirty();
  }

  updateConfig(config: ProdLensConfig): void {
    this.config = config;
    this.engine?.files.setRules(config.pathRules);
    this.markDirty();
  }

  get current(): ProdLensConfig {
    return this.config;
  }

  markDirty(): void {
    this.dirty = true;
    this.tick();
  }

  private tick(): void {
    const now = Date.now();
    const idle = now - this.lastFire >= IDLE_REFRESH_MS && (this.engine?.seriesCount ?? 0) > 0;
    if ((this.dirty && now - this.lastFire >= REFRESH_MS - 50) || idle) {
      this.dirty = false;
      this.lastFire = now;
      this.changed.fire();
    }
  }

  async save(): Promise<void> {
    // One write at a time (a slow disk must not have two saves race on the temporary file); what
    // arrived during a write is saved right after it.
    if (this.saving) {
      await this.saving;
      return this.save();
    }
    if (!this.engine || !this.unsaved) return;
    this.unsaved = false;
    const engine = this.engine;
    this.saving = this.writeIfWriter(engine)
      .then(
        () => undefined,
        (e: unknown) => log().warn(`could not save aggregates: ${errorMessage(e)}`),
      )
      .finally(() => (this.saving = undefined));
    return this.saving;
  }

  /** Saves when this window holds the folder's writer lease (another window on the workspace may). */
  private async writeIfWriter(engine: Engine): Promise<void> {
    const writer = await this.lease.acquire();
    if (writer !== this.wasWriter) {
      this.wasWriter = writer;
      log().info(
        writer
          ? 'this window saves the workspace’s aggregates'
          : 'another window on this workspace saves its aggregates; this one keeps its numbers in memory and takes over when that window closes',
      );
    }
    if (writer) await engine.saveAggregates(this.storageDir.fsPath);
  }

  /** Saves one last time and gives the writer lease up (the window is closing). */
  async close(): Promise<void> {
    await this.save();
    await this.lease.release().catch(() => undefined);
  }

  dispose(): void {
    for (const t of this.timers) clearInterval(t);
    void this.ingest?.dispose();
    this.engine?.dispose();
    this.changed.dispose();
    this.startupChanged.dispose();
  }
}

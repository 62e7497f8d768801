// The editor's reading side during the soak: the open file's lenses redrawn every 2 s, as the
// session's refresh redraws them (codelens.ts): the receiver's numbers for the file
// (Engine.fileStats) and the backend's (BackendStats, through the poller). A soak that never read
// the data could not see a leak or a stall on the read path.
import type { Engine } from '../src/core/engine/engine';
import type { BackendPoller } from './soak-poll';

/** The session's refresh (REFRESH_MS in src/extension/session.ts) and the editor's default window. */
const REFRESH_MS = 2_000;
const WINDOW_MS = 15 * 60_000;

export class LensRefresh {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  readonly figures = {
    refreshes: 0,
    functionsWithNumbers: 0,
    functionsWithBackendNumbers: 0,
    errors: [] as string[],
  };

  constructor(
    private readonly engine: Engine,
    private readonly file: string,
    private readonly backend: BackendPoller,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.redraw()
        .catch((e: unknown) => void this.figures.errors.push((e as Error).message))
        .finally(() => (this.running = undefined));
    }, REFRESH_MS);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async redraw(): Promise<void> {
    // The open document's functions (the editor parses them; cached after the first time).
    const functions = await this.engine.functionsIn(this.file);
    const stats = this.engine.fileStats(this.file, { windowMs: WINDOW_MS });
    const fromBackend = this.backend.fileStats(this.file, functions);
    this.figures.refreshes++;
    this.figures.functionsWithNumbers = stats.length;
    this.figures.functionsWithBackendNumbers = fromBackend.length;
  }
}

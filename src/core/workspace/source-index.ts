// The workspace text index: reads every source file once in the background and hands its text to
// the indexers that need whole-workspace knowledge (HTTP route registrations, log statements), then
// keeps them current one file at a time as files change. Reads are batched and the event loop is
// yielded between batches, so an editor stays responsive while a large workspace is indexed.
import { promises as fs } from 'node:fs';

/** One consumer of file text. `update` must be cheap (regular expressions, no parse). */
export interface TextIndexer {
  update(file: string, text: string): void;
  remove(file: string): void;
  /** A bulk build starts / ends: an indexer whose every change re-maps (routes) publishes once, at the end. */
  hold?(): void;
  release?(): void | Promise<void>;
}

export interface IndexProgress {
  done: number;
  total: number;
}

export interface IndexBuildResult {
  files: number;
  bytes: number;
  ms: number;
  /** Files skipped for size (bundles, generated code) or read errors. */
  skipped: number;
  cancelled: boolean;
}

/** Larger files are generated or bundled code: their registrations and log calls are not the user's. */
export const MAX_INDEX_BYTES = 1024 * 1024;
const BATCH = 64;
/** Indexing work between yields to the event loop (the extension host is shared). */
const SLICE_MS = 3;

export class SourceIndex {
  private building: Promise<IndexBuildResult> | undefined;
  lastBuild: IndexBuildResult | undefined;

  constructor(
    /** A workspace path's absolute path. */
    private readonly absolute: (rel: string) => string,
    private readonly indexers: readonly TextIndexer[],
  ) {}

  /** Reads and indexes `files` (workspace-relative); a second call while one runs shares it. */
  build(
    files: readonly string[],
    opts: { signal?: AbortSignal; onProgress?: (p: IndexProgress) => void } = {},
  ): Promise<IndexBuildResult> {
    this.building ??= this.run(files, opts).finally(() => {
      this.building = undefined;
    });
    return this.building;
  }

  private async run(
    files: readonly string[],
    opts: { signal?: AbortSignal; onProgress?: (p: IndexProgress) => void },
  ): Promise<IndexBuildResult> {
    for (const ix of this.indexers) ix.hold?.();
    try {
      return await this.runHeld(files, opts);
    } finally {
      // The build is done when what it publishes is in place (the routes, joined).
      await Promise.all(this.indexers.map((ix) => ix.release?.()));
    }
  }

  private async runHeld(
    files: readonly string[],
    opts: { signal?: AbortSignal; onProgress?: (p: IndexProgress) => void },
  ): Promise<IndexBuildResult> {
    const started = performance.now();
    let bytes = 0;
    let skipped = 0;
    let done = 0;
    for (let i = 0; i < files.length; i += BATCH) {
      if (opts.signal?.aborted)
        return this.finish({
          files: done,
          bytes,
          ms: performance.now() - started,
          skipped,
          cancelled: true,
        });
      const batch = files.slice(i, i + BATCH);
      const texts = await Promise.all(batch.map((f) => this.read(f)));
      let sliceEnd = performance.now() + SLICE_MS;
      for (let j = 0; j < batch.length; j++) {
        // A batch of heavy files can take longer than the editor should wait: yield mid-batch.
        if (performance.now() > sliceEnd) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          sliceEnd = performance.now() + SLICE_MS;
        }
        const text = texts[j];
        if (text === undefined) {
          skipped++;
          continue;
        }
        bytes += text.length;
        this.update(batch[j]!, text);
      }
      done += batch.length;
      opts.onProgress?.({ done, total: files.length });
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return this.finish({
      files: done,
      bytes,
      ms: performance.now() - started,
      skipped,
      cancelled: false,
    });
  }

  private finish(r: IndexBuildResult): IndexBuildResult {
    this.lastBuild = r;
    return r;
  }

  private async read(file: string): Promise<string | undefined> {
    try {
      const path = this.absolute(file);
      const stat = await fs.stat(path);
      if (stat.size > MAX_INDEX_BYTES) return undefined;
      return await fs.readFile(path, 'utf8');
    } catch {
      return undefined;
    }
  }

  /** A file's new text (saved, or an editor's buffer). */
  update(file: string, text: string): void {
    if (text.length > MAX_INDEX_BYTES) return this.remove(file);
    for (const ix of this.indexers) {
      try {
        ix.update(file, text);
      } catch {
        // One indexer's trouble with a strange file must not stop the others or the build.
      }
    }
  }

  async refresh(file: string): Promise<void> {
    const text = await this.read(file);
    if (text === undefined) this.remove(file);
    else this.update(file, text);
  }

  remove(file: string): void {
    for (const ix of this.indexers) ix.remove(file);
  }
}

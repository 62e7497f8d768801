// A per-workspace cache of the functions in each file, over FunctionParser, plus the pure lookups
// the mapper needs (which function holds a line, which functions carry a telemetry name).

import { createHash } from 'node:crypto';
import type { FunctionRange, LanguageId } from '../model';
import type { FunctionParser } from './function-parser';
import { languageForPath } from '../languages';

/** Larger files (bundles, generated code) are not parsed: they map to no functions. */
export const MAX_PARSE_BYTES = 2 * 1024 * 1024;

interface Entry {
  /** Content hash of the text the ranges were parsed from. */
  hash: string;
  ranges: FunctionRange[];
}

/**
 * The workspace's parsed functions, read-only: what builders that map other sources' data
 * (backend numbers, alerts, stack traces) read; the engine's faces feed the index through it.
 */
export type FunctionSource = Pick<FunctionIndex, 'get' | 'getCached' | 'onDidChange'>;

export class FunctionIndex {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<FunctionRange[] | undefined>>();
  /** Bumped by setText/invalidate so a slower read that started earlier cannot overwrite them. */
  private readonly versions = new Map<string, number>();
  private versionCounter = 0;
  private disposed = false;
  private readonly listeners = new Set<(relPath: string) => void>();

  constructor(
    private readonly parser: FunctionParser,
    private readonly readFile: (relPath: string) => Promise<string | undefined>,
  ) {}

  /** Frees the parser (its WebAssembly memory) and forgets every file; the index answers nothing after. */
  dispose(): void {
    this.disposed = true;
    this.entries.clear();
    this.inFlight.clear();
    this.listeners.clear();
    this.parser.dispose();
  }

  /**
   * The functions in a file, reading it each call and re-parsing only when its content changed.
   * Undefined when the language is unsupported or the file cannot be read; never rejects.
   * Concurrent calls for one path share one read and parse.
   */
  get(relPath: string): Promise<FunctionRange[] | undefined> {
    const language = languageForPath(relPath);
    if (!language || this.disposed) return Promise.resolve(undefined);
    const pending = this.inFlight.get(relPath);
    if (pending) return pending;
    const load = this.load(relPath).finally(() => {
      if (this.inFlight.get(relPath) === load) this.inFlight.delete(relPath);
    });
    this.inFlight.set(relPath, load);
    return load;
  }

  /** The cached functions of a file, without reading or parsing anything. */
  getCached(relPath: string): FunctionRange[] | undefined {
    return this.entries.get(relPath)?.ranges;
  }

  /**
   * Parses the given text (say an editor's unsaved buffer) and caches it as the file's content.
   * Synchronous; if the language's grammar is not loaded yet, returns [] now, loads it, and then
   * caches the result and fires onDidChange (unless the text was replaced in the meantime).
   */
  setText(relPath: string, text: string): FunctionRange[] {
    const language = languageForPath(relPath);
    if (!language || this.disposed) return [];
    const version = this.bump(relPath);
    const hash = hashText(text);
    const cached = this.entries.get(relPath);
    if (cached?.hash === hash) return cached.ranges;
    if (!this.parser.isLoaded(language)) {
      this.parser.ensureLanguage(language).then(
        () => {
          if (this.versions.get(relPath) === version)
            this.store(relPath, hash, this.parseSafely(text, language));
        },
        () => undefined, // A grammar that cannot load leaves the file without functions.
      );
      return [];
    }
    const ranges = this.parseSafely(text, language);
    this.store(relPath, hash, ranges);
    return ranges;
  }

  /**
   * Loads a language's grammar so that setText parses synchronously. Resolves false (never
   * rejects) when the grammar cannot be loaded; setText then yields [] for that language.
   */
  async ensureLanguage(language: LanguageId): Promise<boolean> {
    try {
      await this.parser.ensureLanguage(language);
      return true;
    } catch {
      return false;
    }
  }

  /** Forgets a file (deleted, renamed, or its buffer closed); the next get reads it afresh. */
  invalidate(relPath: string): void {
    this.bump(relPath);
    if (this.entries.delete(relPath)) this.emit(relPath);
  }

  /**
   * Fires with the path whenever the cached functions of a file change: first parsed, parsed
   * from different content, or dropped. Returns the unsubscribe function.
   */
  onDidChange(listener: (relPath: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async load(relPath: string): Promise<FunctionRange[] | undefined> {
    const language = languageForPath(relPath);
    if (!language) return undefined;
    const version = this.versions.get(relPath);
    let text: string | undefined;
    try {
      text = await this.readFile(relPath);
    } catch {
      text = undefined;
    }
    const current = () => this.versions.get(relPath) === version;
    if (text === undefined) {
      if (current() && this.entries.delete(relPath)) this.emit(relPath);
      return undefined;
    }
    const hash = hashText(text);
    const cached = this.entries.get(relPath);
    if (cached?.hash === hash) return cached.ranges;
    try {
      await this.parser.ensureLanguage(language);
    } catch {
      return []; // Not cached: a later call may find the grammar loadable.
    }
    const ranges = this.parseSafely(text, language);
    // Superseded by setText/invalidate while reading: answer the caller, keep the newer state.
    if (current()) this.store(relPath, hash, ranges);
    return ranges;
  }

  private parseSafely(text: string, language: LanguageId): FunctionRange[] {
    if (isOversized(text)) return [];
    try {
      return this.parser.parse(text, language);
    } catch {
      return [];
    }
  }

  private store(relPath: string, hash: string, ranges: FunctionRange[]): void {
    const previous = this.entries.get(relPath);
    this.entries.set(relPath, { hash, ranges });
    if (previous?.hash !== hash) this.emit(relPath);
  }

  private bump(relPath: string): number {
    const version = ++this.versionCounter;
    this.versions.set(relPath, version);
    this.inFlight.delete(relPath); // A later get must not join a read of older content.
    return version;
  }

  private emit(relPath: string): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(relPath);
      } catch {
        // One failing listener must not break the others or the caller of get/setText.
      }
    }
  }
}

function isOversized(text: string): boolean {
  // A UTF-16 unit is at most 3 UTF-8 bytes, so short strings need no byte count.
  return text.length * 3 > MAX_PARSE_BYTES && Buffer.byteLength(text, 'utf8') > MAX_PARSE_BYTES;
}

function hashText(text: string): string {
  return createHash('sha1').update(text).digest('base64');
}

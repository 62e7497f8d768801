// Code lenses with production numbers above each function that has data. Served from memory:
// function ranges are cached per document version and the numbers come from the engine's
// memoized per-file view. Never touches the network; refreshes come in batches from Session.
import * as vscode from 'vscode';
import { originOf } from '../core/engine/backend-stats';
import type { FunctionStats } from '../core/engine/engine';
import { lensTitle, lensTooltip } from '../core/format/presentation';
import { formatDuration } from '../core/format/numbers';
import { Commands, type FunctionRef } from './command-ids';
import type { DocumentFunctions } from './document-functions';
import type { Session } from './session';
import type { BackendNumbers } from './sources/backend-numbers';

export class ProdLensCodeLensProvider implements vscode.CodeLensProvider {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.emitter.event;

  constructor(
    private readonly session: Session,
    private readonly docs: () => DocumentFunctions | undefined,
    private readonly backend?: BackendNumbers,
    /** Told when lenses with numbers were drawn (the walkthrough's "first lens" step). */
    private readonly onNumbersShown?: () => void,
  ) {}

  refresh(): void {
    this.emitter.fire();
  }

  async provideCodeLenses(
    doc: vscode.TextDocument,
    token: vscode.CancellationToken,
  ): Promise<vscode.CodeLens[]> {
    const cfg = this.session.current;
    const engine = this.session.engine;
    const docs = this.docs();
    if (!cfg.codeLensEnabled || !engine || !docs) return [];
    const parsed = await docs.get(doc, cfg.maxFileLines);
    if (!parsed || token.isCancellationRequested) return [];
    const stats = engine.fileStats(parsed.rel, {
      windowMs: cfg.windowMs,
      environment: cfg.environment,
    });
    // Backend numbers were fetched in the background; this only reads them from memory.
    const fromBackends = this.backend?.fileStats(parsed.rel, parsed.functions) ?? [];
    if (stats.length > 0 || fromBackends.length > 0) this.onNumbersShown?.();
    return buildLenses(
      parsed.rel,
      parsed.functions,
      fromBackends.length ? [...stats, ...fromBackends] : stats,
      cfg.showNoData,
      cfg.windowMs,
    );
  }
}

/**
 * One lens per function line and source (the receiver's, then each backend's, which names
 * itself in the title), at column 0 so it does not move with edits inside the line.
 */
export function buildLenses(
  rel: string,
  functions: readonly { qualifiedName: string; startLine: number }[],
  stats: readonly FunctionStats[],
  showNoData: boolean,
  windowMs: number,
): vscode.CodeLens[] {
  const lenses: vscode.CodeLens[] = [];
  const seenLines = new Set<number>();
  const seen = new Set<string>();
  for (const s of stats) {
    const line = s.function.startLine - 1;
    const origin = originOf(s);
    const key = `${line}|${origin?.label ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    seenLines.add(line);
    const ref: FunctionRef = {
      file: rel,
      qualifiedName: s.function.qualifiedName,
      startLine: s.function.startLine,
    };
    lenses.push(
      new vscode.CodeLens(
        new vscode.Range(line, 0, line, 0),
        // A lens opens the function's details (receiver or backend numbers); a stale backend lens
        // opens the sources' health instead, which is what needs looking at.
        origin?.stale
          ? {
              title: lensTitle(s),
              tooltip: `${lensTooltip(s)}\nClick to test the connections to production backends.`,
              command: Commands.testConnections,
            }
          : {
              title: lensTitle(s),
              tooltip: lensTooltip(s),
              command: Commands.showFunctionDetails,
              arguments: [ref],
            },
      ),
    );
  }
  if (showNoData) {
    for (const fn of functions) {
      const line = fn.startLine - 1;
      if (seenLines.has(line)) continue;
      seenLines.add(line);
      lenses.push(
        new vscode.CodeLens(new vscode.Range(line, 0, line, 0), {
          title: `no data · last ${formatDuration(windowMs)}`,
          tooltip:
            'No span in the window maps to this function. Spans map by their code.* attributes (code.file.path with code.line.number or code.function.name).',
          command: '',
        }),
      );
    }
  }
  return lenses;
}

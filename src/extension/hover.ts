// Hover on a function's name: the latency distribution, throughput, errors, a sparkline, how the
// numbers were mapped, and a details link. Answers from memory only (cached ranges + memoized
// stats); a document not parsed yet simply gets no hover this time.
import * as vscode from 'vscode';
import { hoverMarkdown } from '../core/format/presentation';
import { Commands, type FunctionRef } from './command-ids';
import type { DocumentFunctions } from './document-functions';
import type { Session } from './session';
import type { BackendNumbers } from './sources/backend-numbers';

export class ProdLensHoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly session: Session,
    private readonly docs: () => DocumentFunctions | undefined,
    private readonly backend?: BackendNumbers,
  ) {}

  provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    const engine = this.session.engine;
    const parsed = this.docs()?.cached(doc);
    if (!engine || !parsed) return undefined;
    const line = pos.line + 1;
    const fn = parsed.functions.find(
      (f) =>
        f.nameLine === line && pos.character >= f.nameColumn && pos.character <= f.nameEndColumn,
    );
    if (!fn) return undefined;
    const cfg = this.session.current;
    const stats = engine.fileStats(parsed.rel, {
      windowMs: cfg.windowMs,
      environment: cfg.environment,
    });
    const same = (x: { function: { startLine: number; qualifiedName: string } }) =>
      x.function.startLine === fn.startLine && x.function.qualifiedName === fn.qualifiedName;
    const s = stats.find(same);
    // Backend numbers (from memory, fetched in the background), each naming its source.
    const fromBackends = (this.backend?.fileStats(parsed.rel, parsed.functions) ?? []).filter(same);
    if (!s && fromBackends.length === 0) return undefined;
    const ref: FunctionRef = {
      file: parsed.rel,
      qualifiedName: fn.qualifiedName,
      startLine: fn.startLine,
    };
    const uri = `command:${Commands.showFunctionDetails}?${encodeURIComponent(JSON.stringify([ref]))}`;
    const md = new vscode.MarkdownString(
      [...(s ? [s] : []), ...fromBackends].map((x) => hoverMarkdown(x, uri)).join('\n\n---\n\n'),
    );
    // Only our own details command may run from this hover; telemetry text is escaped already.
    md.isTrusted = { enabledCommands: [Commands.showFunctionDetails] };
    md.supportHtml = false;
    const range = new vscode.Range(
      fn.nameLine - 1,
      fn.nameColumn,
      fn.nameLine - 1,
      fn.nameEndColumn,
    );
    return new vscode.Hover(md, range);
  }
}

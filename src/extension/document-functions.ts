// Keeps the function index in step with editor buffers (including unsaved edits), parsing each
// document version at most once. Lenses and hovers ask here for a document's functions.
import * as vscode from 'vscode';
import type { Engine } from '../core/engine/engine';
import { languageForPath } from '../core/languages';
import type { FunctionRange } from '../core/model';
import { relPath } from './workspace-paths';

export class DocumentFunctions {
  private readonly versions = new Map<string, number>();

  constructor(private readonly engine: Engine) {}

  /** Functions of the document at its current version; parses when the version changed. */
  async get(
    doc: vscode.TextDocument,
    maxLines: number,
  ): Promise<{ rel: string; functions: readonly FunctionRange[] } | undefined> {
    const rel = relPath(doc.uri);
    if (!rel || doc.lineCount > maxLines) return undefined;
    const lang = languageForPath(rel);
    if (!lang) return undefined;
    const key = doc.uri.toString();
    const cached = this.engine.cachedFunctionsIn(rel);
    if (cached && this.versions.get(key) === doc.version) return { rel, functions: cached };
    await this.engine.ensureLanguage(lang);
    const text = doc.getText();
    const functions = this.engine.setFileText(rel, text);
    // Routes and log statements follow the buffer too (regular expressions: cheap next to the parse).
    void this.engine.sourceChanged(rel, text);
    this.versions.set(key, doc.version);
    return { rel, functions };
  }

  /** Sync, memory only: for hovers, which must answer at once. */
  cached(
    doc: vscode.TextDocument,
  ): { rel: string; functions: readonly FunctionRange[] } | undefined {
    const rel = relPath(doc.uri);
    if (!rel || this.versions.get(doc.uri.toString()) !== doc.version) return undefined;
    const functions = this.engine.cachedFunctionsIn(rel);
    return functions ? { rel, functions } : undefined;
  }

  forget(doc: vscode.TextDocument): void {
    this.versions.delete(doc.uri.toString());
  }
}

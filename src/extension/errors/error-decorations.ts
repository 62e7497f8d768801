// Errors on the code: the throwing line of each production exception shows its count, when it
// was last seen and its message; the hover lists the frames as links to the exact lines. With
// `prodlens.errors.showInProblems`, the same errors appear in the Problems view.
import * as vscode from 'vscode';
import { formatAgo, formatCount } from '../../core/format/numbers';
import { plainText } from '../../core/format/presentation';
import type { LocatedError } from '../../core/insights/error-groups';
import { StackResolver } from '../../core/stacktrace/resolve';
import { Commands } from '../command-ids';
import { errorMessage, log } from '../logging';
import type { Session } from '../session';
import { relPath, uriOf } from '../workspace-paths';

const MAX_INLINE = 90;

export class ErrorDecorations implements vscode.Disposable {
  private readonly type = vscode.window.createTextEditorDecorationType({
    after: { color: new vscode.ThemeColor('editorError.foreground'), margin: '0 0 0 2em', fontStyle: 'italic' },
    overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.errorForeground'),
    overviewRulerLane: vscode.OverviewRulerLane.Right,
  });
  private readonly problems = vscode.languages.createDiagnosticCollection('prodlens');
  private resolver: StackResolver | undefined;
  private functionsVersion = 0;
  private located: LocatedError[] = [];
  private running = false;
  private readonly subs: vscode.Disposable[] = [];

  constructor(private readonly session: Session) {
    this.subs.push(
      session.onDidChangeData(() => void this.refresh()),
      vscode.window.onDidChangeVisibleTextEditors(() => this.apply()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('prodlens.errors')) this.apply();
      }),
    );
  }

  async refresh(): Promise<void> {
    const engine = this.session.engine;
    if (!engine || this.running) return;
    if (engine.errors.size === 0 && this.located.length === 0) return;
    this.running = true;
    try {
      if (!this.resolver) {
        this.resolver = new StackResolver({ files: engine.files, functions: engine.functions });
        engine.functions.onDidChange(() => this.functionsVersion++);
      }
      const since = engine.store.now() - this.session.current.windowMs;
      this.located = mergeByLine(await engine.errors.locate(this.resolver, since, `${engine.files.version}:${this.functionsVersion}`));
      this.apply();
    } catch (e) {
      log().warn(`errors on code: ${errorMessage(e)}`);
    } finally {
      this.running = false;
    }
  }

  private apply(): void {
    const now = Date.now();
    for (const editor of vscode.window.visibleTextEditors) {
      const rel = relPath(editor.document.uri);
      const here = this.located.filter((e) => e.top.file === rel);
      editor.setDecorations(
        this.type,
        here.map((e) => {
          const line = Math.min(editor.document.lineCount - 1, (e.top.line ?? 1) - 1);
          // The whole line, so hovering anywhere on the throwing line shows the frames; the note
          // renders after its end.
          const whole = editor.document.lineAt(line).range;
          return { range: whole, renderOptions: { after: { contentText: inline(e, now) } }, hoverMessage: hover(e, now) };
        }),
      );
    }
    this.problems.clear();
    if (!vscode.workspace.getConfiguration('prodlens').get<boolean>('errors.showInProblems', false)) return;
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const e of this.located) {
      const line = (e.top.line ?? 1) - 1;
      const d = new vscode.Diagnostic(new vscode.Range(line, 0, line, 1_000), `${e.group.type}: ${e.group.message} (${formatCount(e.group.count)}× in production, last ${formatAgo(now - e.group.lastSeenMs)})`, vscode.DiagnosticSeverity.Warning);
      d.source = 'ProdLens';
      const list = byFile.get(e.top.file!) ?? [];
      list.push(d);
      byFile.set(e.top.file!, list);
    }
    for (const [file, diags] of byFile) {
      const uri = uriOf(file);
      if (uri) this.problems.set(uri, diags);
    }
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.type.dispose();
    this.problems.dispose();
  }
}

/**
 * One entry per throwing line: the same throw is often recorded by several spans (each traced
 * caller records it) and with different messages, which would stack notes on one line.
 */
function mergeByLine(list: LocatedError[]): LocatedError[] {
  const byLine = new Map<string, LocatedError>();
  for (const e of list) {
    const key = `${e.top.file}:${e.top.line}`;
    const seen = byLine.get(key);
    if (!seen) {
      byLine.set(key, { ...e, group: { ...e.group } });
      continue;
    }
    const latest = e.group.lastSeenMs > seen.group.lastSeenMs ? e : seen;
    byLine.set(key, { ...latest, group: { ...latest.group, count: seen.group.count + e.group.count, firstSeenMs: Math.min(seen.group.firstSeenMs, e.group.firstSeenMs) } });
  }
  return [...byLine.values()].sort((a, b) => b.group.count - a.group.count);
}

function inline(e: LocatedError, now: number): string {
  // Telemetry text goes into a decoration's plain text: control and bidi characters would reorder it.
  const msg = plainText(`${e.group.type}: ${e.group.message}`);
  const text = `⚠ ${formatCount(e.group.count)}× · ${formatAgo(now - e.group.lastSeenMs)} · ${msg}`;
  return text.length > MAX_INLINE ? `${text.slice(0, MAX_INLINE - 1)}…` : text;
}

function hover(e: LocatedError, now: number): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.isTrusted = { enabledCommands: [Commands.openFunction] };
  md.appendMarkdown('**ProdLens: thrown in production** · ');
  md.appendText(`${formatCount(e.group.count)} times, last ${formatAgo(now - e.group.lastSeenMs)} (${e.group.service}, from ${e.group.origin}s)`);
  md.appendMarkdown('\n\n');
  md.appendText(`${e.group.type}: ${e.group.message}`);
  md.appendMarkdown('\n\n');
  for (const f of e.frames.slice(0, 12)) {
    if (f.inWorkspace && f.file && f.line) {
      const args = encodeURIComponent(JSON.stringify([f.file, f.line]));
      md.appendMarkdown(`- [`);
      md.appendText(`${f.function?.qualifiedName ?? f.frame.function ?? '?'} — ${f.file}:${f.line}`);
      md.appendMarkdown(`](command:${Commands.openFunction}?${args})\n`);
    } else {
      md.appendMarkdown('- ');
      md.appendText(`${f.frame.raw.trim().slice(0, 120)} (${f.outside ?? 'outside the workspace'})`);
      md.appendMarkdown('\n');
    }
  }
  return md;
}

// Marks changed functions that carry production risk right in the editor: a note after the
// function's first line and a mark in the overview ruler.
import * as vscode from 'vscode';
import type { ImpactController } from './impact-controller';
import { relPath } from '../workspace-paths';

export class ImpactDecorations implements vscode.Disposable {
  private readonly type = vscode.window.createTextEditorDecorationType({
    after: { color: new vscode.ThemeColor('editorCodeLens.foreground'), margin: '0 0 0 2em' },
    overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.warningForeground'),
    overviewRulerLane: vscode.OverviewRulerLane.Right,
  });
  private readonly subs: vscode.Disposable[];

  constructor(private readonly impact: ImpactController) {
    this.subs = [
      impact.onDidChange(() => this.apply()),
      vscode.window.onDidChangeVisibleTextEditors(() => this.apply()),
    ];
  }

  apply(): void {
    const items = (this.impact.report?.items ?? []).filter(
      (i) => i.change !== 'deleted' && (i.risk === 'high' || i.risk === 'medium'),
    );
    for (const editor of vscode.window.visibleTextEditors) {
      const rel = relPath(editor.document.uri);
      const mine = items.filter((i) => i.file === rel);
      editor.setDecorations(
        this.type,
        mine.map((i) => {
          const line = editor.document.lineAt(Math.min(editor.document.lineCount - 1, i.line - 1));
          return {
            range: new vscode.Range(line.range.end, line.range.end),
            renderOptions: {
              after: { contentText: `⚠ changed, ${i.risk} production risk: ${i.reason}` },
            },
            // appendText escapes: endpoint names in the reason come from telemetry.
            hoverMessage: new vscode.MarkdownString().appendText(
              `ProdLens impact review: ${i.function} is ${i.change} in your working tree; ${i.reason}.`,
            ),
          };
        }),
      );
    }
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.type.dispose();
  }
}

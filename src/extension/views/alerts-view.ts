// The Alerts view: firing alerts resolved to code; a click opens the function.
import * as vscode from 'vscode';
import type { CodeAlert } from '../../core/insights/local-alerts';
import { Commands } from '../command-ids';
import { RefreshingTree } from './refreshing-tree';
import type { Insights } from './insights';

export class AlertsView extends RefreshingTree<CodeAlert> {
  constructor(private readonly insights: Insights) {
    super(insights.onDidChange);
  }

  getChildren(element?: CodeAlert): CodeAlert[] {
    return element ? [] : this.insights.alerts;
  }

  getTreeItem(a: CodeAlert): vscode.TreeItem {
    const resolved = a.file !== '';
    const item = new vscode.TreeItem(
      resolved ? `${a.name}: ${a.function}` : a.name,
      vscode.TreeItemCollapsibleState.None,
    );
    item.description = resolved
      ? a.summary
      : `not mapped to code — ${a.unresolvedReason ?? 'no code labels'}`;
    const tip = new vscode.MarkdownString();
    tip.appendText(
      `${a.severity} · ${a.source === 'local' ? 'local rule' : a.source}${resolved ? ` · ${a.file}:${a.line}` : ''}\n\n${a.summary}`,
    );
    if (!resolved)
      tip.appendText(
        '\n\nAdd labels such as code_function or span_name to the alert rule, or map it in prodlens.alerts.codeMapping.',
      );
    item.tooltip = tip;
    item.iconPath = new vscode.ThemeIcon(
      resolved ? (a.severity === 'critical' ? 'error' : 'warning') : 'question',
      new vscode.ThemeColor(
        a.severity === 'critical'
          ? 'problemsErrorIcon.foreground'
          : 'problemsWarningIcon.foreground',
      ),
    );
    if (resolved)
      item.command = { command: Commands.openFunction, title: 'Open', arguments: [a.file, a.line] };
    return item;
  }
}

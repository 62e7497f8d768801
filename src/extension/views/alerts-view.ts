// The Alerts view: firing alerts resolved to code; a click opens the function.
import * as vscode from 'vscode';
import type { CodeAlert } from '../../core/insights/local-alerts';
import { Commands } from '../command-ids';
import type { Insights } from './insights';

export class AlertsView implements vscode.TreeDataProvider<CodeAlert> {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.emitter.event;

  constructor(private readonly insights: Insights) {
    insights.onDidChange(() => this.emitter.fire());
  }

  getChildren(element?: CodeAlert): CodeAlert[] {
    return element ? [] : this.insights.alerts;
  }

  getTreeItem(a: CodeAlert): vscode.TreeItem {
    const item = new vscode.TreeItem(`${a.name}: ${a.function}`, vscode.TreeItemCollapsibleState.None);
    item.description = a.summary;
    item.tooltip = `${a.severity} · ${a.source} rule · ${a.file}:${a.line}\n${a.summary}`;
    item.iconPath = new vscode.ThemeIcon(a.severity === 'critical' ? 'error' : 'warning', new vscode.ThemeColor(a.severity === 'critical' ? 'problemsErrorIcon.foreground' : 'problemsWarningIcon.foreground'));
    item.command = { command: Commands.openFunction, title: 'Open', arguments: [a.file, a.line] };
    return item;
  }
}

// The Hotspots view: functions ranked by time spent in production; a click opens the code.
import * as vscode from 'vscode';
import { formatErrorRate, formatMs, formatRate } from '../../core/format/numbers';
import type { Hotspot } from '../../core/insights/hotspots';
import { Commands } from '../command-ids';
import type { Insights } from './insights';

export class HotspotsView implements vscode.TreeDataProvider<Hotspot> {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.emitter.event;

  constructor(private readonly insights: Insights) {
    insights.onDidChange(() => this.emitter.fire());
  }

  getChildren(element?: Hotspot): Hotspot[] {
    return element ? [] : this.insights.hotspots.slice(0, 200);
  }

  getTreeItem(h: Hotspot): vscode.TreeItem {
    const s = h.stats.stats;
    const fn = h.stats.function;
    const item = new vscode.TreeItem(fn.qualifiedName, vscode.TreeItemCollapsibleState.None);
    const regression = Number.isFinite(h.p95Ratio) && h.p95Ratio >= 1.2 ? ` · p95 ×${h.p95Ratio.toFixed(1)}` : '';
    item.description = `${formatRate(s.count, s.coveredMs)} · p95 ${formatMs(s.p95Ms)} · ${formatErrorRate(s.errors, s.count)} err${regression}`;
    const tip = new vscode.MarkdownString();
    tip.appendText(`${fn.qualifiedName} — ${h.stats.file}:${fn.startLine}\n\n`);
    tip.appendText(`Time spent: ${formatMs(h.timeSpentMsPerMin)} of work per minute (rate × mean ${formatMs(s.meanMs)})\n\n`);
    tip.appendText(`Services: ${h.stats.services.join(', ')} · mapped by ${h.stats.mapping.rule} (${h.stats.mapping.confidence})`);
    item.tooltip = tip;
    item.iconPath = new vscode.ThemeIcon(s.errors > 0 ? 'flame' : 'symbol-method', s.errors > 0 ? new vscode.ThemeColor('problemsWarningIcon.foreground') : undefined);
    item.contextValue = 'prodlens.function';
    item.command = { command: Commands.openFunction, title: 'Open', arguments: [h.stats.file, fn.startLine] };
    return item;
  }
}

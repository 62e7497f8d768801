// The "Production Impact" view in the Source Control side bar: changed functions ranked by
// production risk, one reason each; functions without data say why. A click opens the code.
import * as vscode from 'vscode';
import type { ImpactItem, RiskLevel } from '../../core/impact/impact';
import { summaryLine } from '../../core/impact/markdown';
import { Commands } from '../command-ids';
import { RefreshingTree } from '../views/refreshing-tree';
import { byFolder } from '../workspace-paths';
import type { ImpactController } from './impact-controller';

type Node =
  | { kind: 'item'; item: ImpactItem }
  | { kind: 'message'; text: string; tooltip?: string }
  | { kind: 'folder'; name: string; items: ImpactItem[] };

const ICONS: Record<RiskLevel, [string, string | undefined]> = {
  high: ['error', 'problemsErrorIcon.foreground'],
  medium: ['warning', 'problemsWarningIcon.foreground'],
  low: ['info', 'problemsInfoIcon.foreground'],
  none: ['circle-outline', undefined],
};

export class ImpactView extends RefreshingTree<Node> {
  constructor(private readonly impact: ImpactController) {
    super(impact.onDidChange);
  }

  getChildren(element?: Node): Node[] {
    if (element)
      return element.kind === 'folder'
        ? element.items.map((item) => ({ kind: 'item' as const, item }))
        : [];
    if (this.impact.problem) return [{ kind: 'message', text: this.impact.problem }];
    const r = this.impact.report;
    if (!r) return [{ kind: 'message', text: 'Reviewing the working tree…' }];
    if (r.items.length === 0)
      return [{ kind: 'message', text: 'No changed functions in the working tree.' }];
    const nodes: Node[] = [
      {
        kind: 'message',
        text: summaryLine(r).replace(/\*\*/g, ''),
        tooltip: r.notes.map((n) => n.message).join('\n') || undefined,
      },
    ];
    // A multi-root workspace lists each folder's changed functions under it, in risk order.
    const folders = byFolder(r.items, (i) => i.file);
    if (folders) return nodes.concat(folders.map((f) => ({ kind: 'folder' as const, ...f })));
    return nodes.concat(r.items.map((item) => ({ kind: 'item' as const, item })));
  }

  getTreeItem(n: Node): vscode.TreeItem {
    if (n.kind === 'folder') {
      const t = new vscode.TreeItem(n.name, vscode.TreeItemCollapsibleState.Expanded);
      t.iconPath = vscode.ThemeIcon.Folder;
      t.description = `${n.items.length} changed function${n.items.length === 1 ? '' : 's'}`;
      return t;
    }
    if (n.kind === 'message') {
      const t = new vscode.TreeItem(n.text);
      if (n.tooltip) t.tooltip = n.tooltip;
      return t;
    }
    const i = n.item;
    const t = new vscode.TreeItem(i.function);
    t.description = i.noData
      ? `${i.change} · no data: ${i.noData.reason}`
      : `${i.risk} · ${i.change} · ${i.reason}`;
    t.tooltip = `${i.function} (${i.change}) — ${i.file}:${i.line}\n${i.noData ? i.noData.detail : i.reason}`;
    const [icon, color] = ICONS[i.risk];
    t.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    if (i.change !== 'deleted')
      t.command = { command: Commands.openFunction, title: 'Open', arguments: [i.file, i.line] };
    return t;
  }
}

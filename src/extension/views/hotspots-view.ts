// The Hotspots view: functions ranked by time spent, p95 regression or errors, filterable by
// service and environment; a click opens the code. The view's description says what it shows.
import * as vscode from 'vscode';
import { formatErrorRate, formatMs, formatRate } from '../../core/format/numbers';
import {
  HOTSPOT_RANKINGS,
  regressionOf,
  type Hotspot,
  type HotspotRanking,
} from '../../core/insights/hotspots';
import { Commands } from '../command-ids';
import { RefreshingTree } from './refreshing-tree';
import { byFolder } from '../workspace-paths';
import type { Insights } from './insights';

/** A workspace folder's hotspots (multi-root workspaces), or one hotspot. */
type Node = { kind: 'folder'; name: string; items: Hotspot[] } | Hotspot;

const isFolder = (n: Node): n is { kind: 'folder'; name: string; items: Hotspot[] } =>
  'kind' in n && n.kind === 'folder';

export class HotspotsView extends RefreshingTree<Node> {
  constructor(private readonly insights: Insights) {
    super(insights.onDidChange);
  }

  /** The tree view with its description, and its title commands (rank by, filter by environment). */
  static register(insights: Insights): vscode.Disposable {
    const provider = new HotspotsView(insights);
    const view = vscode.window.createTreeView('prodlens.hotspots', { treeDataProvider: provider });
    const describe = () => {
      const parts = [`by ${HOTSPOT_RANKINGS[insights.ranking].label.toLowerCase()}`];
      if (insights.serviceFilter) parts.push(insights.serviceFilter);
      if (insights.environmentFilter) parts.push(insights.environmentFilter);
      view.description = parts.join(' · ');
    };
    describe();
    return vscode.Disposable.from(
      view,
      provider,
      insights.onDidChange(describe),
      vscode.commands.registerCommand(Commands.rankHotspots, async () => {
        const items = (Object.keys(HOTSPOT_RANKINGS) as HotspotRanking[]).map((id) => ({
          id,
          label: `${id === insights.ranking ? '$(check) ' : ''}${HOTSPOT_RANKINGS[id].label}`,
          detail: HOTSPOT_RANKINGS[id].detail,
        }));
        const pick = await vscode.window.showQuickPick(items, {
          title: 'ProdLens: rank hotspots by',
        });
        if (!pick) return;
        insights.ranking = pick.id;
        await insights.run();
      }),
      vscode.commands.registerCommand(Commands.filterHotspots, async () => {
        const pick = await pickFilter(
          'All services',
          insights.services(),
          'ProdLens: show hotspots of one service',
        );
        if (pick === null) return;
        insights.serviceFilter = pick;
        await insights.run();
      }),
      vscode.commands.registerCommand(Commands.filterHotspotsByEnvironment, async () => {
        const pick = await pickFilter(
          'All environments',
          insights.environments(),
          'ProdLens: show hotspots of one environment',
        );
        if (pick === null) return;
        insights.environmentFilter = pick;
        await insights.run();
      }),
    );
  }

  getChildren(element?: Node): Node[] {
    if (element) return isFolder(element) ? element.items : [];
    const top = this.insights.hotspots.slice(0, 200);
    // A multi-root workspace lists each folder's hotspots under it, in rank order.
    const folders = byFolder(top, (h) => h.stats.file);
    return folders ? folders.map((f) => ({ kind: 'folder', ...f })) : top;
  }

  getTreeItem(n: Node): vscode.TreeItem {
    if (isFolder(n)) {
      const item = new vscode.TreeItem(n.name, vscode.TreeItemCollapsibleState.Expanded);
      item.iconPath = vscode.ThemeIcon.Folder;
      item.description = `${n.items.length} function${n.items.length === 1 ? '' : 's'}`;
      return item;
    }
    return this.functionItem(n);
  }

  private functionItem(h: Hotspot): vscode.TreeItem {
    const s = h.stats.stats;
    const fn = h.stats.function;
    const item = new vscode.TreeItem(fn.qualifiedName, vscode.TreeItemCollapsibleState.None);
    const ranking = this.insights.ranking;
    const worst = regressionOf(h);
    const ratio = Number.isFinite(worst) ? `p95 ×${worst.toFixed(1)}` : 'nothing to compare';
    const regression = ranking === 'p95Regression' || worst >= 1.2 ? ` · ${ratio}` : '';
    const errors = ranking === 'errors' ? `${s.errors} failed · ` : '';
    const spent = ranking === 'timeSpent' ? `${formatMs(h.timeSpentMsPerMin)}/min · ` : '';
    item.description = `${spent}${errors}${formatRate(s.count, s.coveredMs)} · p95 ${formatMs(s.p95Ms)} · ${formatErrorRate(s.errors, s.count)} err${regression}`;
    const tip = new vscode.MarkdownString();
    tip.appendText(`${fn.qualifiedName} — ${h.stats.file}:${fn.startLine}\n\n`);
    tip.appendText(
      `Time spent: ${formatMs(h.timeSpentMsPerMin)} of work per minute (rate × mean ${formatMs(s.meanMs)})\n\n`,
    );
    tip.appendText(
      `p95 ${formatMs(s.p95Ms)}${Number.isFinite(h.p95Ratio) ? `, was ${formatMs(h.previousP95Ms)} in the previous window (×${h.p95Ratio.toFixed(1)})` : ', nothing in the previous window'}\n\n`,
    );
    for (const c of h.versionChanges) {
      tip.appendText(
        `p95 ${formatMs(c.current.p95Ms)} in version ${c.current.version}, was ${formatMs(c.previous.p95Ms)} in ${c.previous.version}${c.environment ? ` (${c.environment})` : ''} (×${c.ratio.toFixed(1)})\n\n`,
      );
    }
    tip.appendText(`Errors: ${s.errors} of ${s.count} calls\n\n`);
    tip.appendText(
      `Services: ${h.stats.services.join(', ')} · environments: ${h.stats.environments.filter((e) => e !== '').join(', ') || '–'} · mapped by ${h.stats.mapping.rule} (${h.stats.mapping.confidence})`,
    );
    item.tooltip = tip;
    item.iconPath = new vscode.ThemeIcon(
      s.errors > 0 ? 'flame' : 'symbol-method',
      s.errors > 0 ? new vscode.ThemeColor('problemsWarningIcon.foreground') : undefined,
    );
    item.contextValue = 'prodlens.function';
    item.command = {
      command: Commands.openFunction,
      title: 'Open',
      arguments: [h.stats.file, fn.startLine],
    };
    return item;
  }
}

/** One value of a filter, undefined for "all", null when the pick was dismissed. */
async function pickFilter(
  allLabel: string,
  values: string[],
  title: string,
): Promise<string | undefined | null> {
  const all = `$(list-flat) ${allLabel}`;
  const pick = await vscode.window.showQuickPick([all, ...values], { title });
  if (pick === undefined) return null;
  return pick === all ? undefined : pick;
}

// "ProdLens: Why No Data Here?" — diagnoses the function under the cursor and lists what came
// close, with the fix; a suggested path mapping can be applied from the list. Backend (Prometheus)
// series that mapped to no function are listed too, with their labels and the reason.
import * as vscode from 'vscode';
import { whyNoData } from '../core/insights/why-no-data';
import { languageForPath } from '../core/languages';
import type { Session } from './session';
import type { BackendNumbers } from './sources/backend-numbers';
import { folderPrefix, relPath } from './workspace-paths';

export async function whyNoDataHere(
  session: Session,
  numbers?: Pick<BackendNumbers, 'unmapped'>,
): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const engine = session.engine;
  const rel = editor ? relPath(editor.document.uri) : undefined;
  if (!editor || !engine || !rel) {
    void vscode.window.showInformationMessage(
      'ProdLens: open a workspace source file and put the cursor in a function.',
    );
    return;
  }
  // The editor's buffer is what the user sees: parse it, not the file on disk.
  const lang = languageForPath(rel);
  if (lang) await engine.ensureLanguage(lang);
  const fns = engine.setFileText(rel, editor.document.getText());
  const line = editor.selection.active.line + 1;
  const fn = fns.filter((f) => f.startLine <= line && line <= f.endLine).pop();
  if (!fn) {
    void vscode.window.showInformationMessage(
      'ProdLens: the cursor is not inside a function the parser recognises.',
    );
    return;
  }
  const c = session.current;
  const d = whyNoData(
    engine,
    rel,
    fn,
    { windowMs: c.windowMs, ...(c.environment ? { environment: c.environment } : {}) },
    numbers?.unmapped() ?? [],
  );
  const items: (vscode.QuickPickItem & { fix?: string })[] = d.nearMisses.map((m) => ({
    label: `${m.source ? '$(server-environment)' : '$(debug-disconnect)'} ${m.telemetry}`,
    description: m.source
      ? `${m.count} call${m.count === 1 ? '' : 's'} counted by ${m.source}`
      : `${m.service}${m.environment ? ` · ${m.environment}` : ''} · ${m.count} span${m.count === 1 ? '' : 's'}`,
    detail: m.fix ? `${m.why} — fix: ${m.fix}` : m.why,
    ...(m.fix ? { fix: m.fix } : {}),
  }));
  const pick = await vscode.window.showQuickPick(
    items.length ? items : [{ label: '$(info) Nothing came close', detail: d.summary }],
    {
      title: `Why no data for ${fn.qualifiedName}? ${d.summary}`,
      matchOnDetail: true,
    },
  );
  const rule = pick?.fix ? /\{ "from": "(.*)", "to": "(.*)" \}/.exec(pick.fix) : null;
  if (rule) {
    // In a multi-root workspace the rule goes to the document's folder, its target relative to it.
    const folder = vscode.workspace.getWorkspaceFolder(editor.document.uri);
    const multi = (vscode.workspace.workspaceFolders?.length ?? 0) > 1 && folder !== undefined;
    const prefix = multi ? folderPrefix(folder) : '';
    const to = prefix && rule[2]!.startsWith(prefix) ? rule[2]!.slice(prefix.length) : rule[2]!;
    const cfg = vscode.workspace.getConfiguration('prodlens', editor.document.uri);
    const current = cfg.get<{ from: string; to: string }[]>('pathMappings', []);
    const where = multi ? `folder ${folder.name}'s settings` : "this workspace's settings";
    const apply = await vscode.window.showInformationMessage(
      `Add the path mapping "${rule[1]}" → "${to || './'}" to ${where}?`,
      'Add Mapping',
    );
    if (apply)
      await cfg.update(
        'pathMappings',
        [...current, { from: rule[1]!, to }],
        multi ? vscode.ConfigurationTarget.WorkspaceFolder : vscode.ConfigurationTarget.Workspace,
      );
  }
}

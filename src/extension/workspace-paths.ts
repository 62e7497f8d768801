// The boundary between VS Code URIs and the core's workspace-relative, forward-slash paths.
import * as vscode from 'vscode';

export function workspaceRoot(): vscode.WorkspaceFolder | undefined {
  return vscode.workspace.workspaceFolders?.[0];
}

/** Workspace-relative path of a document in the mapped folder, or undefined outside it. */
export function relPath(uri: vscode.Uri): string | undefined {
  const root = workspaceRoot();
  if (!root || uri.scheme !== 'file') return undefined;
  const rootPath = root.uri.fsPath.replace(/\\/g, '/').replace(/\/$/, '');
  const p = uri.fsPath.replace(/\\/g, '/');
  return p.startsWith(rootPath + '/') ? p.slice(rootPath.length + 1) : undefined;
}

export function uriOf(rel: string): vscode.Uri | undefined {
  const root = workspaceRoot();
  return root ? vscode.Uri.joinPath(root.uri, ...rel.split('/')) : undefined;
}

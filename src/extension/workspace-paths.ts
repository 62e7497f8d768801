// The boundary between VS Code URIs and the core's workspace paths: forward slashes, relative to
// the folder — and, in a multi-root workspace, behind the folder's name (`api/src/orders.ts`), as
// the engine names every folder's files (core/mapping/workspace-files.ts: workspaceRoots).
import * as vscode from 'vscode';
import { workspaceRoots, type WorkspaceRoot } from '../core/mapping/workspace-files';

interface Folder {
  folder: vscode.WorkspaceFolder;
  /** The folder as the engine is given it (its unique name, its path). */
  root: WorkspaceRoot;
  /** '' for a single folder, `name/` in a multi-root workspace. */
  prefix: string;
}

let cached: { key: readonly vscode.WorkspaceFolder[] | undefined; folders: Folder[] } | undefined;

/** The local folders of the workspace, with the names the engine gives them and their files' prefix. */
export function localFolders(): readonly Folder[] {
  const all = vscode.workspace.workspaceFolders;
  if (cached && cached.key === all) return cached.folders;
  const local = (all ?? []).filter((f) => f.uri.scheme === 'file');
  const roots = workspaceRoots(local.map((f) => ({ name: f.name, path: f.uri.fsPath })));
  const list = local.map((folder, i) => ({
    folder,
    root: roots[i]!,
    prefix: local.length > 1 ? `${roots[i]!.name}/` : '',
  }));
  cached = { key: all, folders: list };
  return list;
}

/** Every local folder, as the engine is given them. */
export function engineRoots(): WorkspaceRoot[] {
  return localFolders().map((f) => f.root);
}

/** The workspace-path prefix of a folder ('' in a single-folder workspace). */
export function folderPrefix(folder: vscode.WorkspaceFolder): string {
  return (
    localFolders().find((f) => f.folder.uri.toString() === folder.uri.toString())?.prefix ?? ''
  );
}

/** Workspace path of a document in one of the folders, or undefined outside them. */
export function relPath(uri: vscode.Uri): string | undefined {
  if (uri.scheme !== 'file') return undefined;
  const p = uri.fsPath.replace(/\\/g, '/');
  // The deepest folder wins when folders nest.
  let best: { f: Folder; root: string } | undefined;
  for (const f of localFolders()) {
    const root = f.folder.uri.fsPath.replace(/\\/g, '/').replace(/\/$/, '');
    if (p.startsWith(`${root}/`) && (!best || root.length > best.root.length)) best = { f, root };
  }
  return best ? best.f.prefix + p.slice(best.root.length + 1) : undefined;
}

/** The folder a workspace path is in (the only one in a single-folder workspace). */
function folderOf(rel: string): Folder | undefined {
  const list = localFolders();
  return (
    list.find((x) => x.prefix !== '' && rel.startsWith(x.prefix)) ??
    (list.length === 1 ? list[0] : undefined)
  );
}

export function uriOf(rel: string): vscode.Uri | undefined {
  const f = folderOf(rel);
  return f
    ? vscode.Uri.joinPath(f.folder.uri, ...rel.slice(f.prefix.length).split('/'))
    : undefined;
}

/**
 * Items grouped under their workspace folders, for views that list files of a multi-root
 * workspace; undefined in a single-folder workspace (the views stay flat). Order is kept.
 */
export function byFolder<T>(
  items: readonly T[],
  fileOf: (item: T) => string,
): { name: string; items: T[] }[] | undefined {
  if (localFolders().length < 2) return undefined;
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const name = folderOf(fileOf(item))?.folder.name ?? 'Outside the workspace folders';
    (groups.get(name) ?? groups.set(name, []).get(name)!).push(item);
  }
  return [...groups].map(([name, list]) => ({ name, items: list }));
}

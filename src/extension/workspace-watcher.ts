// Keeps the engine's file list and parsed functions in step with the disk: files created or
// deleted change where deployed paths resolve; a file changed on disk (not open in an editor,
// whose buffer is authoritative) is re-parsed on next use.
import * as vscode from 'vscode';
import type { Engine } from '../core/engine/engine';
import { languageForPath } from '../core/languages';
import { DEFAULT_EXCLUDED_DIRS } from '../core/workspace/scan-files';
import { relPath } from './workspace-paths';

export function watchWorkspace(
  engine: Engine,
  extraExcluded: readonly string[],
  onChange: () => void,
): vscode.Disposable {
  const excluded = new Set([...DEFAULT_EXCLUDED_DIRS, ...extraExcluded]);
  const relevant = (uri: vscode.Uri): string | undefined => {
    const rel = relPath(uri);
    if (!rel || !languageForPath(rel)) return undefined;
    return rel.split('/').some((seg) => excluded.has(seg)) ? undefined : rel;
  };
  const watcher = vscode.workspace.createFileSystemWatcher('**/*');
  watcher.onDidCreate((uri) => {
    const rel = relevant(uri);
    if (rel) {
      engine.files.add(rel);
      void engine.sourceChanged(rel).then(onChange);
      onChange();
    }
  });
  watcher.onDidDelete((uri) => {
    const rel = relevant(uri);
    if (rel) {
      engine.files.remove(rel);
      engine.forgetFunctions(rel);
      engine.sourceRemoved(rel);
      onChange();
    }
  });
  watcher.onDidChange((uri) => {
    const rel = relevant(uri);
    if (!rel) return;
    // An open document's text is already in memory: index that instead of reading the disk again.
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (doc) {
      void engine.sourceChanged(rel, doc.getText());
      onChange();
      return;
    }
    engine.forgetFunctions(rel);
    void engine.sourceChanged(rel).then(onChange);
  });
  return watcher;
}

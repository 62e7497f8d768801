// Opens a workspace file at a 1-based line: the target of hotspot and alert clicks.
import * as vscode from 'vscode';
import { uriOf } from '../workspace-paths';

export async function openFunction(file: string, line: number): Promise<void> {
  const uri = uriOf(file);
  if (!uri) return;
  const pos = new vscode.Position(Math.max(0, line - 1), 0);
  await vscode.window.showTextDocument(uri, {
    selection: new vscode.Range(pos, pos),
    preview: false,
  });
}

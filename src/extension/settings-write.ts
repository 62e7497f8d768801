// Writes a ProdLens setting where it takes effect (see settings-scope.ts).
import * as vscode from 'vscode';
import { SECTION } from './config';
import { winningScope } from './settings-scope';

const TARGETS = {
  folder: vscode.ConfigurationTarget.WorkspaceFolder,
  workspace: vscode.ConfigurationTarget.Workspace,
  user: vscode.ConfigurationTarget.Global,
} as const;

/** Updates `prodlens.<key>` in the scope whose value currently wins; returns whether the new value is now in effect. */
export async function updateEffective(key: string, value: unknown): Promise<boolean> {
  const config = vscode.workspace.getConfiguration(SECTION);
  await config.update(key, value, TARGETS[winningScope(config.inspect(key))]);
  return (
    JSON.stringify(vscode.workspace.getConfiguration(SECTION).get(key)) === JSON.stringify(value)
  );
}

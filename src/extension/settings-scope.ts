// Which settings scope a write must go to so that it takes effect: the most specific scope that
// holds a value now (a folder's, the workspace's, else the user's). Writing elsewhere is silently
// overridden — the bug where the panel's window picker wrote the workspace and the command the
// user settings, after which the command did nothing. Pure (no vscode import), so it is unit tested.

export type SettingScope = 'folder' | 'workspace' | 'user';

export interface InspectedSetting {
  workspaceFolderValue?: unknown;
  workspaceValue?: unknown;
}

export function winningScope(inspected: InspectedSetting | undefined): SettingScope {
  if (inspected?.workspaceFolderValue !== undefined) return 'folder';
  if (inspected?.workspaceValue !== undefined) return 'workspace';
  return 'user';
}

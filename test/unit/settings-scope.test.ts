// Where a ProdLens setting is written so that it takes effect (issue 12, settings scope): the
// details panel's window picker left `prodlens.window` in the workspace settings, and "Select Time
// Window" / "Toggle Code Lenses" then always wrote the user settings, which the workspace value
// overrides, so the command silently did nothing. winningScope() is the pure half of the fix.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  winningScope,
  type InspectedSetting,
  type SettingScope,
} from '../../src/extension/settings-scope';

/** What vscode's WorkspaceConfiguration.inspect() reports, with the user (global) value too. */
interface Inspected extends InspectedSetting {
  defaultValue?: unknown;
  globalValue?: unknown;
}

/** VS Code's precedence: a folder's value beats the workspace's, which beats the user's, which beats the default. */
function effective(s: Inspected): unknown {
  return s.workspaceFolderValue ?? s.workspaceValue ?? s.globalValue ?? s.defaultValue;
}

function written(s: Inspected, scope: SettingScope, value: unknown): Inspected {
  const key = { folder: 'workspaceFolderValue', workspace: 'workspaceValue', user: 'globalValue' }[
    scope
  ];
  return { ...s, [key]: value };
}

test("a workspace value (as the panel's window picker leaves it) is overwritten in the workspace, not the user settings", () => {
  const afterPicker: Inspected = { defaultValue: '15m', workspaceValue: '1h' };
  assert.equal(winningScope(afterPicker), 'workspace');
  assert.equal(effective(written(afterPicker, winningScope(afterPicker), '5m')), '5m');
  // What the command did before the fix: a user value under the workspace one, no effect.
  assert.equal(effective(written(afterPicker, 'user', '5m')), '1h');
});

test("a folder's value beats the workspace's, so the folder's is the one written", () => {
  assert.equal(winningScope({ workspaceValue: '1h', workspaceFolderValue: '6h' }), 'folder');
  assert.equal(winningScope({ workspaceFolderValue: '6h' }), 'folder');
  const s: Inspected = { globalValue: '24h', workspaceValue: '1h', workspaceFolderValue: '6h' };
  assert.equal(effective(written(s, winningScope(s), '5m')), '5m');
  assert.equal(effective(written(s, 'workspace', '5m')), '6h', 'the workspace value would lose');
});

test('no workspace or folder value: the user settings (also when only the user or nobody set it)', () => {
  assert.equal(winningScope(undefined), 'user');
  assert.equal(winningScope({}), 'user');
  const userOnly: Inspected = { defaultValue: '15m', globalValue: '1h' };
  assert.equal(winningScope(userOnly), 'user');
  assert.equal(effective(written(userOnly, winningScope(userOnly), '5m')), '5m');
});

test('falsy values still count as set: codeLens.enabled false in the workspace is toggled there', () => {
  assert.equal(winningScope({ workspaceValue: false }), 'workspace');
  assert.equal(winningScope({ workspaceValue: 0 }), 'workspace');
  assert.equal(winningScope({ workspaceValue: '' }), 'workspace');
  assert.equal(winningScope({ workspaceFolderValue: false, workspaceValue: true }), 'folder');
  const s: Inspected = { defaultValue: true, globalValue: true, workspaceValue: false };
  assert.equal(effective(written(s, winningScope(s), true)), true);
});

test('every combination of set scopes: the value written is the value in effect afterwards', () => {
  const choices = [undefined, 'a'] as const;
  let combos = 0;
  for (const globalValue of choices)
    for (const workspaceValue of choices)
      for (const workspaceFolderValue of choices) {
        const s: Inspected = {
          defaultValue: 'd',
          globalValue,
          workspaceValue,
          workspaceFolderValue,
        };
        const after = written(s, winningScope(s), 'new');
        assert.equal(effective(after), 'new', JSON.stringify(s));
        combos++;
      }
  assert.equal(combos, 8);
});

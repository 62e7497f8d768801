import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Commands } from '../../src/extension/command-ids';
import { EDITOR_LANGUAGE_IDS } from '../../src/core/languages';
import { winningScope } from '../../src/extension/settings-scope';

const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as {
  engines: { vscode: string };
  contributes: {
    commands: { command: string }[];
    configuration: {
      properties: Record<
        string,
        { scope?: string; markdownDescription?: string; default?: unknown }
      >;
    };
  };
};

test('every contributed command has a constant and every constant is contributed', () => {
  const contributed = pkg.contributes.commands.map((c) => c.command).sort();
  assert.deepEqual(contributed, Object.values(Commands).sort());
});

test('every setting has a scope, a description and a default', () => {
  for (const [key, p] of Object.entries(pkg.contributes.configuration.properties)) {
    assert.ok(p.scope, `${key} scope`);
    assert.ok(p.markdownDescription, `${key} description`);
    assert.notEqual(p.default, undefined, `${key} default`);
  }
});

test('engines.vscode stays loadable by code-server 4.100 (VS Code 1.100)', () => {
  const m = /^\^1\.(\d+)\.\d+$/.exec(pkg.engines.vscode);
  assert.ok(m && Number(m[1]) <= 100, pkg.engines.vscode);
});

test('the receivers are not announced as "your application" by remote port forwarding (4317 and 4318 ignored by default)', () => {
  const defaults = (
    pkg.contributes as {
      configurationDefaults?: Record<
        string,
        Record<string, { onAutoForward?: string; label?: string }>
      >;
    }
  ).configurationDefaults;
  const ports = defaults?.['remote.portsAttributes'] ?? {};
  for (const port of ['4317', '4318']) {
    assert.equal(ports[port]?.onAutoForward, 'ignore', port);
    assert.match(ports[port]?.label ?? '', /^ProdLens OTLP\/(gRPC|HTTP) receiver$/);
  }
});

test('one language table: the editor menu offers Why No Data Here? in every language the parser reads (Ruby and PHP too)', () => {
  const menus =
    (pkg.contributes as { menus?: Record<string, { command: string; when?: string }[]> }).menus ??
    {};
  const why = menus['editor/context']?.find((m) => m.command === 'prodlens.whyNoData');
  const re = /editorLangId =~ \/(.*)\/$/.exec(why?.when ?? '');
  assert.ok(re, why?.when);
  const allowed = new RegExp(re[1]!);
  for (const id of Object.values(EDITOR_LANGUAGE_IDS).flat())
    assert.match(id, allowed, `${id} is offered`);
  assert.ok(Object.keys(EDITOR_LANGUAGE_IDS).length >= 9);
});

test("settings are written where they take effect: the folder's or the workspace's value when there is one, else the user's", () => {
  assert.equal(winningScope(undefined), 'user');
  assert.equal(winningScope({}), 'user');
  assert.equal(winningScope({ workspaceValue: '1h' }), 'workspace');
  assert.equal(winningScope({ workspaceValue: '1h', workspaceFolderValue: '6h' }), 'folder');
  // A user value alone (as the old "Select Time Window" wrote while the panel wrote the workspace's) does not win over a workspace value.
  assert.equal(winningScope({ workspaceValue: false }), 'workspace');
});

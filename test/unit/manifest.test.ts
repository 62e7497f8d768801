import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Commands } from '../../src/extension/command-ids';

const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as {
  engines: { vscode: string };
  contributes: { commands: { command: string }[]; configuration: { properties: Record<string, { scope?: string; markdownDescription?: string; default?: unknown }> } };
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
  const defaults = (pkg.contributes as { configurationDefaults?: Record<string, Record<string, { onAutoForward?: string; label?: string }>> }).configurationDefaults;
  const ports = defaults?.['remote.portsAttributes'] ?? {};
  for (const port of ['4317', '4318']) {
    assert.equal(ports[port]?.onAutoForward, 'ignore', port);
    assert.match(ports[port]?.label ?? '', /^ProdLens OTLP\/(gRPC|HTTP) receiver$/);
  }
});

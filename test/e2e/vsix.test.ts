// `npm run package` makes a VSIX that code-server installs (the shipped artifact, not the dev tree).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { codeServerBin } from './harness/code-server';
import { repoRoot } from './harness/paths';

test('npm run package builds a VSIX that installs into code-server with its bundles and grammars', () => {
  const pack = spawnSync('npm', ['run', '--silent', 'package'], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 300_000,
  });
  assert.equal(pack.status, 0, pack.stderr + pack.stdout);
  const vsix = join(repoRoot, 'dist', 'prodlens.vsix');
  assert.ok(existsSync(vsix));
  const dir = mkdtempSync(join(tmpdir(), 'prodlens-vsix-'));
  try {
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('VSCODE_')),
    );
    const args = [
      '--extensions-dir',
      join(dir, 'ext'),
      '--user-data-dir',
      join(dir, 'user'),
      '--config',
      join(dir, 'config.yaml'),
    ];
    const install = spawnSync(codeServerBin(), [...args, '--install-extension', vsix], {
      encoding: 'utf8',
      timeout: 120_000,
      env,
    });
    assert.equal(install.status, 0, install.stderr + install.stdout);
    assert.match(install.stdout, /successfully installed/);
    const list = spawnSync(codeServerBin(), [...args, '--list-extensions', '--show-versions'], {
      encoding: 'utf8',
      timeout: 60_000,
      env,
    });
    assert.match(list.stdout, /^prodlens\.prodlens@0\.1\.0$/m);
    const installed = readdirSync(join(dir, 'ext')).find((d) => d.startsWith('prodlens.prodlens-'));
    assert.ok(installed);
    const root = join(dir, 'ext', installed);
    for (const f of [
      'dist/extension.js',
      'dist/cli.js',
      'dist/ingest-worker.js',
      'dist/tree-sitter/tree-sitter.wasm',
      'dist/tree-sitter/tree-sitter-python.wasm',
      'dist/webview/main.js',
      'dist/preload/code-origin.js',
      'media/walkthrough/run.md',
    ])
      assert.ok(existsSync(join(root, f)), f);
    assert.ok(!existsSync(join(root, 'src')), 'sources are not shipped');
    assert.ok(!existsSync(join(root, 'node_modules')), 'dependencies are bundled, not shipped');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Builds the bundles (extension, CLI, and the webview's two) with esbuild and copies the runtime assets
// they load from disk (tree-sitter runtime and grammars, codicons). Usage:
//   node scripts/build.mjs [--production] [--watch]
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, rmSync, chmodSync, existsSync, writeFileSync } from 'node:fs';
import { codiconSubsetCss } from './codicon-subset.mjs';
import { webviewBundles } from './webview-bundles.mjs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const dist = join(root, 'dist');

/** Grammars we parse; others in the package are left out of the VSIX. */
const GRAMMARS = [
  'typescript',
  'tsx',
  'javascript',
  'python',
  'java',
  'go',
  'c-sharp',
  'ruby',
  'php',
];

function copyAssets() {
  const tsDir = dirname(require.resolve('@vscode/tree-sitter-wasm/package.json'));
  const out = join(dist, 'tree-sitter');
  mkdirSync(out, { recursive: true });
  cpSync(join(tsDir, 'wasm', 'tree-sitter.js'), join(out, 'tree-sitter.js'));
  cpSync(join(tsDir, 'wasm', 'tree-sitter.wasm'), join(out, 'tree-sitter.wasm'));
  for (const g of GRAMMARS)
    cpSync(join(tsDir, 'wasm', `tree-sitter-${g}.wasm`), join(out, `tree-sitter-${g}.wasm`));
  const codicons = join(dirname(require.resolve('@vscode/codicons/package.json')), 'dist');
  mkdirSync(join(dist, 'webview'), { recursive: true });
  cpSync(join(codicons, 'codicon.ttf'), join(dist, 'webview', 'codicon.ttf'));
  writeFileSync(join(dist, 'webview', 'codicon.css'), codiconSubsetCss());
}

const common = {
  bundle: true,
  // jsonc-parser's `main` is a UMD build whose requires esbuild cannot follow; its ES build bundles.
  alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
  minify: production,
  sourcemap: production ? false : 'linked',
  logLevel: 'warning',
  legalComments: 'none',
};

const configs = [
  {
    ...common,
    entryPoints: { extension: join(root, 'src/extension/extension.ts') },
    outdir: dist,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  },
  {
    ...common,
    entryPoints: { cli: join(root, 'src/cli/main.ts') },
    outdir: dist,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    // The ingest worker's thread (core/ingest-worker): loaded by the extension and the CLI from dist/.
    ...common,
    entryPoints: { 'ingest-worker': join(root, 'src/core/ingest-worker/worker-main.ts') },
    outdir: dist,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    // Runs inside the user's service (`node --require`), not in VS Code: no dependencies, no vscode.
    ...common,
    entryPoints: { 'preload/code-origin': join(root, 'src/preload/code-origin.ts') },
    outdir: dist,
    platform: 'node',
    format: 'cjs',
    target: 'node18',
  },
  ...webviewBundles(root, join(dist, 'webview'), common),
];

if (!watch) rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
copyAssets();
if (watch) {
  for (const c of configs) await (await esbuild.context(c)).watch();
  console.log('[watch] build started');
} else {
  await Promise.all(configs.map((c) => esbuild.build(c)));
  if (existsSync(join(dist, 'cli.js'))) chmodSync(join(dist, 'cli.js'), 0o755);
}

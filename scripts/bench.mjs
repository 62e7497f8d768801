// `npm run bench`: bundles bench/run.ts with esbuild exactly as the extension and CLI are
// bundled (so figures measure the shipped code, not a TypeScript loader), runs it with
// --expose-gc for the heap figures, then runs the panel's browser lane (bench/webview.ts).
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, '.cache', 'bench', 'run.js');
await esbuild.build({ entryPoints: [join(root, 'bench', 'run.ts')], outfile: out, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning' });
const r = spawnSync(process.execPath, ['--expose-gc', out, ...process.argv.slice(2)], { stdio: 'inherit' });
// The browser lane: the details panel in Debian's Chromium (it prints its own figures and targets).
console.log('');
const w = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench', 'webview.ts')], { stdio: 'inherit', cwd: root });
process.exit(r.status || (w.status === null ? 1 : 0));

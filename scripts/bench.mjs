// `npm run bench`: bundles bench/run.ts with esbuild exactly as the extension and CLI are
// bundled (so figures measure the shipped code, not a TypeScript loader), runs it with
// --expose-gc for the heap figures, then runs the panel's browser lane (bench/webview.ts).
// It fails when either lane fails (bench/webview.ts exits 1 when a figure misses its target).
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// `--lane node` or `--lane webview` runs one lane only; every other argument goes to bench/run.ts.
const args = process.argv.slice(2);
const at = args.indexOf('--lane');
const lane = at >= 0 ? args.splice(at, 2)[1] : 'all';
if (!['all', 'node', 'webview'].includes(lane)) {
  console.error(`unknown --lane ${lane} (node, webview)`);
  process.exit(2);
}
// A lane passes only when it exits 0; one killed by a signal (status null) fails too.
const failed = [];
if (lane !== 'webview') {
  const out = join(root, '.cache', 'bench', 'run.js');
  await esbuild.build({
    entryPoints: [join(root, 'bench', 'run.ts')],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
  });
  // The ingest worker beside the bundle, where the engine looks for it.
  await esbuild.build({
    entryPoints: [join(root, 'src', 'core', 'ingest-worker', 'worker-main.ts')],
    outfile: join(root, '.cache', 'bench', 'ingest-worker.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
  });
  // The code-origin preload as shipped, for lane (f) (it runs inside the benchmarked app).
  await esbuild.build({
    entryPoints: [join(root, 'src', 'preload', 'code-origin.ts')],
    outfile: join(root, '.cache', 'bench', 'code-origin.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    logLevel: 'warning',
  });
  const r = spawnSync(process.execPath, ['--expose-gc', out, ...args], { stdio: 'inherit' });
  if (r.status !== 0)
    failed.push(
      `node lane (${r.status === null ? (r.signal ?? r.error?.message) : `exit ${r.status}`})`,
    );
}
if (lane !== 'node') {
  // The browser lane: the details panel in Debian's Chromium (it prints its own figures and targets).
  if (lane === 'all') console.log('');
  const w = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench', 'webview.ts')], {
    stdio: 'inherit',
    cwd: root,
  });
  if (w.status !== 0)
    failed.push(
      `webview lane (${w.status === null ? (w.signal ?? w.error?.message) : `exit ${w.status}`})`,
    );
}
if (failed.length > 0) console.error(`\nbench failed: ${failed.join(', ')}`);
process.exit(failed.length > 0 ? 1 : 0);

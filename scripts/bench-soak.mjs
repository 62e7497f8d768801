// The soak (bench/soak-main.ts): bundled with esbuild as the extension and CLI are bundled, so it
// measures the shipped code rather than a TypeScript loader, with the ingest worker's entry beside
// the bundle where the engine looks for it; then run with --expose-gc for the heap figures.
//   node scripts/bench-soak.mjs [--minutes N] [--rate SPANS_PER_SEC]
// Exits 1 when a figure misses its target, 2 when the soak could not run.
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// A folder of its own: `npm run bench` may be rebuilding .cache/bench meanwhile.
const out = join(root, '.cache', 'bench-soak');
const bundle = (entry, file) =>
  esbuild.build({
    entryPoints: [join(root, ...entry)],
    outfile: join(out, file),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
    // As scripts/build.mjs: jsonc-parser's `main` is a UMD build esbuild cannot follow (serve's
    // workspace settings reader uses it).
    alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
  });
await bundle(['bench', 'soak-main.ts'], 'soak.js');
await bundle(['src', 'core', 'ingest-worker', 'worker-main.ts'], 'ingest-worker.js');
// Debian's Prometheus, installed when missing (quiet and quick when present).
spawnSync('bash', [join(root, 'scripts', 'setup-backends.sh')], { stdio: 'inherit' });
const r = spawnSync(
  process.execPath,
  ['--expose-gc', join(out, 'soak.js'), ...process.argv.slice(2)],
  { stdio: 'inherit', cwd: root },
);
process.exit(r.status ?? 2);

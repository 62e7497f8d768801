// Runs every test lane (or the ones named): setup, static checks, build, unit, interop, webview
// (components in Chromium), e2e (real workbench), demo.
//   node scripts/test.mjs [setup|static|build|unit|interop|webview|e2e|demo]...
// Each lane's counts come from a TAP copy of node:test's output kept in test-results/.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const results = join(root, 'test-results');
mkdirSync(results, { recursive: true });

const testFiles = (dir) =>
  existsSync(join(root, dir))
    ? readdirSync(join(root, dir))
        .filter((f) => f.endsWith('.test.ts'))
        .sort()
        .map((f) => join(dir, f))
    : [];

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 1;
}

function nodeTests(lane, files, extra = []) {
  if (files.length === 0) {
    console.error(`[${lane}] no test files found`);
    return 1;
  }
  const tap = join(results, `${lane}.tap`);
  const status = run(process.execPath, [
    '--import',
    'tsx',
    '--test',
    ...extra,
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tap}`,
    ...files,
  ]);
  const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  const count = (k) => Number(new RegExp(`^# ${k} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  summary.push(
    `${lane}: ${count('pass')} passed, ${count('fail')} failed, ${count('skipped')} skipped, ${count('todo')} todo`,
  );
  // A skipped or todo test is not a pass: the lane fails so nothing hides behind green.
  return status !== 0 || count('fail') > 0 || count('skipped') > 0 || count('todo') > 0 ? 1 : 0;
}

const summary = [];
const lanes = {
  setup: () => {
    // Debian packages (Chromium, headers, ripgrep, Prometheus, Alertmanager) and code-server.
    const s =
      run('bash', ['scripts/setup-system.sh']) ||
      run('bash', ['scripts/setup-backends.sh']) ||
      run('bash', ['scripts/setup-code-server.sh']);
    summary.push(`setup: ${s ? 'FAILED' : 'ok'}`);
    return s;
  },
  static: () => {
    const s =
      run('npx', ['eslint', '.', '--max-warnings=0']) ||
      run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']) ||
      run('npx', ['tsc', '--noEmit', '-p', 'webview/tsconfig.json']) ||
      run('npm', ['run', '--silent', 'format:check']);
    summary.push(`static: lint, type and format checks ${s ? 'FAILED' : 'passed'}`);
    return s;
  },
  build: () => {
    const s = run(process.execPath, ['scripts/build.mjs']);
    summary.push(`build: ${s ? 'FAILED' : 'ok'}`);
    return s;
  },
  unit: () => nodeTests('unit', testFiles('test/unit')),
  interop: () => nodeTests('interop', testFiles('test/interop'), ['--test-concurrency=1']),
  webview: () => nodeTests('webview', testFiles('test/webview'), ['--test-concurrency=1']),
  e2e: () => nodeTests('e2e', testFiles('test/e2e'), ['--test-concurrency=1']),
  demo: () => {
    // The README's first command itself, non-interactive: start, see data reach a lens, stop —
    // on a code-server folder that starts empty, so the demo's own set-up is what installs it.
    const fresh = join(root, '.cache', 'demo-fresh-code-server');
    rmSync(fresh, { recursive: true, force: true });
    const s = run('npm', ['run', '--silent', 'demo', '--', '--smoke', '--no-build'], {
      PRODLENS_CODE_SERVER_DIR: fresh,
    });
    summary.push(`demo: npm run demo -- --smoke ${s ? 'FAILED' : 'passed'}`);
    return s;
  },
};

const asked = process.argv.slice(2);
const order = asked.length
  ? asked
  : ['setup', 'static', 'build', 'unit', 'interop', 'webview', 'e2e', 'demo'];
// Lanes that run the built extension or CLI need a fresh build first.
if (
  asked.length &&
  asked.some((l) => ['interop', 'webview', 'e2e', 'demo'].includes(l)) &&
  !asked.includes('build')
)
  order.unshift('build');
if (
  asked.length &&
  asked.some((l) => ['interop', 'webview', 'e2e', 'demo'].includes(l)) &&
  !asked.includes('setup')
)
  order.unshift('setup');
let failed = 0;
for (const lane of order) {
  const fn = lanes[lane];
  if (!fn) {
    console.error(`unknown lane "${lane}"; lanes: ${Object.keys(lanes).join(', ')}`);
    process.exit(2);
  }
  console.log(`\n=== ${lane} ===`);
  if (fn() !== 0) {
    failed++;
    if (lane === 'setup' || lane === 'static' || lane === 'build') break;
  }
}
console.log(`\n=== summary ===\n${summary.join('\n')}`);
process.exit(failed ? 1 : 0);

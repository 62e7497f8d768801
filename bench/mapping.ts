// `npm run bench:mapping`: how often ProdLens puts a production stack frame or log line on the
// right code. Small programs (bench/mapping/programs) run under every runtime on this machine and
// print the stack traces and log lines they really produce; each log line carries where the
// runtime says it was logged from, each frame where the runtime says it ran. The output is
// re-rooted at /deploy/app, as if deployed, and resolved against the programs as the workspace
// (scoring: bench/mapping/score.ts). Per language it prints
//   frames: precision = correct / frames resolved into the workspace, recall = correct / frames
//           that are in the workspace;  logs: the same for log line → log statement.
// Then routes: the interop corpus apps, scored per request (server span → handler) per framework.
// `--record` also writes each runtime's re-rooted output to test/fixtures/mapping-bench/, which a
// unit test scores again in CI.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createWorkspaceEngine } from '../src/core/engine/create';
import { StackResolver } from '../src/core/stacktrace/resolve';
import {
  deployed,
  meetsTarget,
  PROGRAMS,
  DEPLOYED,
  score,
  scoreFrames,
  scoreLogs,
  TARGET,
  type Output,
} from './mapping/score';
import { APPS, numbers, scoreApp, table, type AppResult } from '../test/interop/corpus/score';

const RECORDED = join(__dirname, '..', 'test', 'fixtures', 'mapping-bench');
const pct = (n: number, d: number) =>
  d === 0 ? '   –  ' : `${((100 * n) / d).toFixed(1).padStart(5)}%`;

const has = (cmd: string, args: string[] = ['--version']): boolean => {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

function run(cmd: string, args: string[], cwd = PROGRAMS, env: NodeJS.ProcessEnv = {}): Output {
  return JSON.parse(
    execFileSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env } }),
  ) as Output;
}

async function main(): Promise<void> {
  const { engine } = await createWorkspaceEngine(PROGRAMS);
  const resolver = new StackResolver({
    files: engine.files,
    functions: engine.codeLookup().functions,
  });
  const record = process.argv.includes('--record');
  const classes = mkdtempSync(join(tmpdir(), 'prodlens-bench-java-'));
  const languages: { name: string; available: boolean; run: () => Output }[] = [
    {
      name: 'node',
      available: true,
      run: () => run(process.execPath, [join(PROGRAMS, 'node', 'shop.js')]),
    },
    {
      name: 'python',
      available: has('python3'),
      run: () => run('python3', [join(PROGRAMS, 'python', 'main.py')], join(PROGRAMS, 'python')),
    },
    {
      name: 'java',
      available: has('javac', ['-version']) && has('java', ['-version']),
      run: () => {
        const src = join(PROGRAMS, 'java', 'com', 'acme', 'shop');
        execFileSync('javac', ['-d', classes, ...readdirSync(src).map((f) => join(src, f))]);
        return run('java', ['-cp', classes, 'com.acme.shop.Main']);
      },
    },
    {
      name: 'go',
      available: has('go', ['version']),
      run: () =>
        run('go', ['run', '.'], join(PROGRAMS, 'go'), {
          GOFLAGS: '-mod=mod',
          GOCACHE: join(tmpdir(), 'prodlens-bench-gocache'),
        }),
    },
    {
      name: 'ruby',
      available: has('ruby'),
      run: () => run('ruby', [join(PROGRAMS, 'ruby', 'main.rb')]),
    },
    {
      name: 'php',
      available: has('php'),
      run: () => run('php', [join(PROGRAMS, 'php', 'main.php')]),
    },
  ];
  console.log(
    `ProdLens mapping accuracy (workspace: ${relative(process.cwd(), PROGRAMS)}, deployed as ${DEPLOYED}; targets precision ≥ ${TARGET.precision * 100}%, recall ≥ ${TARGET.recall * 100}%)\n`,
  );
  console.log('language  frames  precision  recall   log lines  precision  recall');
  let failed = false;
  const notes: string[] = [];
  const totals = { f: score(), l: score() };
  try {
    for (const lang of languages) {
      if (!lang.available) {
        console.log(
          `${lang.name.padEnd(9)} runtime not installed (npm run bench:mapping installs it from Debian's packages)`,
        );
        continue;
      }
      const out = deployed(lang.run());
      if (record) {
        mkdirSync(RECORDED, { recursive: true });
        writeFileSync(join(RECORDED, `${lang.name}.json`), `${JSON.stringify(out, null, 1)}\n`);
      }
      const f = await scoreFrames(lang.name, out.stacks, resolver);
      const l = scoreLogs(out.logs, engine);
      for (const [t, x] of [
        [totals.f, f],
        [totals.l, l],
      ] as const) {
        t.claimed += x.claimed;
        t.correct += x.correct;
        t.relevant += x.relevant;
      }
      console.log(
        `${lang.name.padEnd(9)} ${String(f.relevant).padStart(6)}  ${pct(f.correct, f.claimed).padStart(9)}  ${pct(f.correct, f.relevant)}  ${String(l.relevant).padStart(9)}  ${pct(l.correct, l.claimed).padStart(9)}  ${pct(l.correct, l.relevant)}`,
      );
      for (const w of [...f.wrong, ...l.wrong]) notes.push(`  ${lang.name}: ${w}`);
      if (!meetsTarget(f) || !meetsTarget(l)) failed = true;
    }
  } finally {
    rmSync(classes, { recursive: true, force: true });
  }
  const t = totals;
  console.log(
    `${'all'.padEnd(9)} ${String(t.f.relevant).padStart(6)}  ${pct(t.f.correct, t.f.claimed).padStart(9)}  ${pct(t.f.correct, t.f.relevant)}  ${String(t.l.relevant).padStart(9)}  ${pct(t.l.correct, t.l.claimed).padStart(9)}  ${pct(t.l.correct, t.l.relevant)}`,
  );
  if (notes.length) console.log(`\nnot right (${notes.length}):\n${notes.join('\n')}`);
  console.log(
    `\n${failed ? 'MISSES target for at least one language' : 'meets targets for every language measured'}`,
  );
  const routesFailed = await routes();
  process.exit(failed || routesFailed ? 1 : 0);
}

/**
 * Routes: the interop corpus (test/interop/corpus) — real-world-shaped apps under the real
 * auto-instrumentation, every route driven — scored per request (server span → handler), with
 * route precision and recall per framework against the same targets.
 */
async function routes(): Promise<boolean> {
  console.log(
    `\nRoutes: server span → handler on the corpus apps under @opentelemetry/auto-instrumentations-node (CLI from src/)\n`,
  );
  const results: AppResult[] = [];
  for (const app of APPS) results.push(await scoreApp(app, { fromSource: true }));
  console.log(table(results));
  const byFramework = new Map<string, { right: number; wrong: number; total: number }>();
  for (const r of results) {
    const n = numbers(r).routes;
    const f = byFramework.get(r.app.framework) ?? { right: 0, wrong: 0, total: 0 };
    f.right += n.right;
    f.wrong += n.wrong;
    f.total += n.total;
    byFramework.set(r.app.framework, f);
  }
  console.log('\nframework  requests  precision  recall');
  let failed = false;
  for (const [name, f] of byFramework) {
    const claimed = { claimed: f.right + f.wrong, correct: f.right, relevant: f.total, wrong: [] };
    console.log(
      `${name.padEnd(9)}  ${String(f.total).padStart(8)}  ${pct(f.right, f.right + f.wrong).padStart(9)}  ${pct(f.right, f.total)}`,
    );
    if (!meetsTarget(claimed)) failed = true;
  }
  const impure = results.flatMap((r) =>
    r.impure.map((i) => `${r.app.name}: ${i.row} counts ${i.foreign.join(', ')}`),
  );
  if (impure.length)
    console.log(`\nrows counting another route's requests:\n  ${impure.join('\n  ')}`);
  console.log(
    `\n${failed || impure.length ? 'MISSES target for at least one framework' : 'meets targets for every framework'}`,
  );
  return failed || impure.length > 0;
}

void main();

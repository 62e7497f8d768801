// The corpus scorer: runs each small app of test/interop/corpus under the real
// `@opentelemetry/auto-instrumentations-node` (stock `--require …/register`), feeds its OTLP export
// to a `prodlens serve` (through a recorder that keeps a copy), drives every route, and scores what
// ProdLens made of it against the app's expected.json: server spans → route handlers
// (`report --json`), exception frames (`locate --stack` on the stacks the app printed, `locate
// --span` on the spans' exception events) and log lines (`locate --log-file`).
//
//   node --import tsx test/interop/corpus/score.ts [app...] [--src] [--spans] [--quiet]
//     --src    run the CLI from src/ (tsx) instead of dist/cli.js: no rebuild between edits
//     --spans  also print each app's span shapes (names, kinds, key attributes) and log records
// Everything a run saw (spans, log records, app output, the CLI's answers) stays in
// test-results/corpus/<app>/.
//
// The parts: apps.ts (the apps, expected.json), run.ts (running the CLI and an app, the recording
// proxy, driving requests), evidence.ts (attributing spans to requests, re-labelling, stacks),
// score-app.ts (one app end to end), verdicts.ts (verdicts and numbers), print.ts (output).
import { relative } from 'node:path';
import { APPS, RUN_DIR } from './apps';
import { details, spanShapes, table } from './print';
import type { ScoreOptions } from './run';
import { scoreApp } from './score-app';
import type { AppResult } from './verdicts';

// What corpus.test.ts and bench/mapping.ts use, importable from here as before the split.
export { APPS, loadExpected, type AppSpec, type Expected, type Target } from './apps';
export { details, spanShapes, table } from './print';
export type { ScoreOptions } from './run';
export { scoreApp } from './score-app';
export { numbers, type AppResult, type Numbers, type Score, type Verdict } from './verdicts';

async function main(argv: string[]): Promise<number> {
  const flags = new Set(argv.filter((a) => a.startsWith('--')));
  const names = argv.filter((a) => !a.startsWith('--'));
  const unknown = names.filter((n) => !APPS.some((a) => a.name === n || a.dir === n));
  if (unknown.length) {
    process.stderr.write(
      `unknown app ${unknown.join(', ')}; apps: ${APPS.map((a) => a.name).join(', ')}\n`,
    );
    return 2;
  }
  const apps = names.length
    ? APPS.filter((a) => names.includes(a.name) || names.includes(a.dir))
    : APPS;
  const o: ScoreOptions = {
    fromSource: flags.has('--src'),
    log: flags.has('--quiet') ? undefined : (l) => process.stderr.write(`${l}\n`),
  };
  const results: AppResult[] = [];
  for (const app of apps) {
    try {
      const r = await scoreApp(app, o);
      results.push(r);
      if (!flags.has('--quiet')) process.stdout.write(`${details(r)}\n`);
      if (flags.has('--spans')) process.stdout.write(`${spanShapes(r)}\n`);
    } catch (e) {
      process.stdout.write(`── ${app.name}: FAILED TO RUN: ${(e as Error).stack ?? e}\n`);
    }
  }
  process.stdout.write(`\n${table(results)}\n`);
  process.stdout.write(
    `(details, spans and the CLI's answers: ${relative(process.cwd(), RUN_DIR)}/<app>/)\n`,
  );
  return results.length === apps.length ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      process.stderr.write(`${(e as Error).stack ?? e}\n`);
      process.exitCode = 1;
    },
  );
}

// Real-world-shaped apps under the real `@opentelemetry/auto-instrumentations-node`: Express
// (routers mounted from other files, wrapped handlers, controller objects; TypeScript from dist/
// with and without source maps), Fastify with @fastify/autoload (stock, and with @fastify/otel),
// Koa with nested @koa/router routers, NestJS and Hapi. Each app runs against a `prodlens serve`,
// every route is driven (failing ones too), and what ProdLens made of it is scored against the
// app's expected.json: server spans → handlers (`report`), exception frames (`locate --stack` on
// the stacks the app printed, `locate --span` on the spans' exception events) and log lines
// (`locate --log-file`). Per app: precision ≥ 99%, recall ≥ 95%, and no row counts
// another route's requests. test/interop/corpus/score.ts runs the same scoring on its own.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  APPS,
  details,
  numbers,
  scoreApp,
  table,
  type AppResult,
  type Score,
} from './corpus/score';

const PRECISION = 0.99;
const RECALL = 0.95;
const results: AppResult[] = [];

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function assertScore(kind: string, s: Score, r: AppResult): void {
  const why = `${kind} of ${r.app.name}: ${s.right} right, ${s.wrong} wrong, ${s.missed} missed of ${s.total} (each one is listed in the app's details above)`;
  assert.ok(s.precision >= PRECISION, `precision ${pct(s.precision)} < ${pct(PRECISION)}: ${why}`);
  assert.ok(s.recall >= RECALL, `recall ${pct(s.recall)} < ${pct(RECALL)}: ${why}`);
}

after(() => {
  if (results.length)
    console.log(`\ncorpus: ProdLens on real auto-instrumented apps\n${table(results)}`);
});

for (const app of APPS) {
  describe(`corpus ${app.name} (${app.note ?? app.framework})`, { timeout: 120_000 }, () => {
    let r: AppResult;
    before(async () => {
      r = await scoreApp(app);
      results.push(r);
      console.log(details(r));
    });

    test('the app answers as written, every request reaches ProdLens, the CLI answers (live report = attributed report)', () => {
      assert.deepEqual(r.problems, []);
      assert.ok(
        r.requests.every((q) => q.serverSpans === q.sent),
        r.requests.map((q) => `${q.request}: ${q.serverSpans}/${q.sent} server spans`).join('\n'),
      );
    });

    test('server spans map to their route handlers: precision ≥ 99%, recall ≥ 95%', () => {
      assertScore('routes', numbers(r).routes, r);
    });

    test("no row counts another route's requests", () => {
      assert.deepEqual(
        r.impure.map((i) => `${i.row} counts ${i.foreign.join(', ')}`),
        [],
      );
    });

    test('exception frames (printed stacks and span exception events) land on the functions that threw and called', () => {
      assertScore('frames of printed stacks', numbers(r).frames, r);
      assertScore("frames of the spans' exception events", numbers(r).eventFrames, r);
    });

    test('log lines land on the statements that printed them', () => {
      assertScore('logs', numbers(r).logs, r);
    });
  });
}

// The code-origin preload (dist/preload/code-origin.js) under the real
// `@opentelemetry/auto-instrumentations-node`, on the corpus apps with real Express, Fastify, Koa,
// NestJS and Hapi: every route's server span carries `code.file.path`, `code.line.number` and
// `code.column.number` naming the handler's file as the workspace has it (TypeScript through its
// source maps), and ProdLens maps each request by them (`code.file.path+line`, exact or high) to the
// handler expected.json names. Compiled output without source maps gets no origin (it would name
// dist/, not the source): those requests still map by their route, as without the preload.
import assert from 'node:assert/strict';
import { relative } from 'node:path';
import { before, describe, test } from 'node:test';
import { APPS, loadExpected, type AppSpec } from './corpus/apps';
import { scoreApp } from './corpus/score-app';
import { details, numbers, type AppResult } from './corpus/score';
import { requestOf } from './corpus/evidence';

const WITH_MAPS = ['express-api', 'express-ts', 'fastify', 'koa', 'nest', 'hapi'];
const origin = (app: AppSpec): AppSpec => ({
  ...app,
  name: `${app.name}-origin`,
  codeOrigin: true,
});

for (const base of APPS.filter((a) => WITH_MAPS.includes(a.name))) {
  const app = origin(base);
  describe(`code origin: ${base.name} (${base.framework})`, { timeout: 120_000 }, () => {
    let r: AppResult;
    let workspace: string;
    before(async () => {
      r = await scoreApp(app);
      console.log(details(r));
      workspace = r.workspace;
    });

    test("every route's server span names its handler's file and line", () => {
      assert.deepEqual(r.problems, []);
      const expected = loadExpected(app);
      const keys = new Set(expected.requests.map((q) => q.request));
      const server = r.spans.filter((s) => s.kind === 2 && requestOf(s, keys));
      assert.ok(server.length >= expected.requests.length, `${server.length} server spans`);
      const wrong: string[] = [];
      for (const s of server) {
        const request = requestOf(s, keys)!;
        const want = expected.requests.find((q) => q.request === request)!.expect.file;
        const file = s.attributes['code.file.path'];
        const line = s.attributes['code.line.number'];
        const got =
          typeof file === 'string' ? relative(workspace, file).split('\\').join('/') : '(none)';
        if (
          got !== want ||
          typeof line !== 'number' ||
          line < 1 ||
          typeof s.attributes['code.column.number'] !== 'number'
        )
          wrong.push(`${request}: ${got}:${String(line)} (want ${want})`);
      }
      assert.deepEqual(wrong, []);
    });

    test('each request maps to its handler by the code origin, exact or high', () => {
      assert.equal(numbers(r).routes.wrong, 0);
      const loose = r.requests.filter(
        (q) =>
          q.verdict !== 'right' ||
          q.mappedBy.length === 0 ||
          q.mappedBy.some(
            (m) => m.rule !== 'code.file.path+line' || !['exact', 'high'].includes(m.confidence),
          ),
      );
      assert.deepEqual(
        loose.map((q) => `${q.request} → ${q.got}`),
        [],
      );
    });
  });
}

describe(
  'code origin: express-ts-nomap (compiled output without source maps)',
  { timeout: 120_000 },
  () => {
    test('no origin is invented for dist/ files, and every request still maps by its route', async () => {
      const app = origin(APPS.find((a) => a.name === 'express-ts-nomap')!);
      const r = await scoreApp(app);
      assert.deepEqual(r.problems, []);
      assert.deepEqual(
        r.spans
          .filter((s) => s.attributes['code.file.path'] !== undefined)
          .map((s) => `${s.name}: ${String(s.attributes['code.file.path'])}`),
        [],
      );
      assert.ok(
        r.requests.every(
          (q) => q.verdict === 'right' && q.mappedBy.every((m) => m.rule === 'http.route'),
        ),
        r.requests.map((q) => `${q.request} → ${q.got}`).join('\n'),
      );
    });
  },
);

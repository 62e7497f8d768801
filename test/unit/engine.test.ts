import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { createWorkspaceEngine } from '../../src/core/engine/create';
import type { Engine } from '../../src/core/engine/engine';
import { codeSpan, span } from '../support/spans';

const WORKSPACE = join(__dirname, '..', 'fixtures', 'workspace');
const Q = { windowMs: 15 * 60_000 };
let engine: Engine;

before(async () => {
  ({ engine } = await createWorkspaceEngine(WORKSPACE));
  const spans = [];
  for (let i = 1; i <= 100; i++)
    spans.push(
      codeSpan('/deploy/app/src/orders.ts', 'OrderService.placeOrder', 12, i, {
        statusCode: i % 25 === 0 ? 2 : 0,
      }),
    );
  for (let i = 0; i < 10; i++)
    spans.push(
      codeSpan('/deploy/app/src/orders.ts', 'OrderService.getOrder', 18, 3, {
        resource: { service: 'svc', environment: 'staging', version: '1' },
      }),
    );
  spans.push(span({ name: 'GET /health' }));
  spans.push(codeSpan('/deploy/app/src/missing.ts', 'gone', 3, 1));
  engine.ingestSpans(spans);
});

test('spans with code attributes land on the right functions with exact counts', async () => {
  await engine.functionsIn('src/orders.ts');
  const stats = engine.fileStats('src/orders.ts', Q);
  const place = stats.find((s) => s.function.qualifiedName === 'OrderService.placeOrder');
  assert.ok(place);
  assert.equal(place.stats.count, 100);
  assert.equal(place.stats.errors, 4);
  assert.equal(place.function.startLine, 10);
  assert.equal(place.mapping.rule, 'code.file.path+line');
  assert.ok(Math.abs(place.stats.p50Ms - 50) / 50 < 0.03, `p50 ${place.stats.p50Ms}`);
  assert.equal(place.stats.maxMs, 100);
  assert.equal(
    stats.find((s) => s.function.qualifiedName === 'OrderService.getOrder')?.stats.count,
    10,
  );
  assert.equal(
    stats.find((s) => s.function.qualifiedName === 'totalItems'),
    undefined,
    'no data, no entry',
  );
});

test('the environment filter keeps other environments out', async () => {
  await engine.functionsIn('src/orders.ts');
  const prodOnly = engine.fileStats('src/orders.ts', { ...Q, environment: 'test' });
  assert.equal(
    prodOnly.find((s) => s.function.qualifiedName === 'OrderService.getOrder'),
    undefined,
  );
  assert.equal(
    prodOnly.find((s) => s.function.qualifiedName === 'OrderService.placeOrder')?.stats.count,
    100,
  );
});

test('what did not map is listed with the reason', () => {
  const reasons = engine.unmapped(Q).map((u) => u.mapping.explanation);
  assert.ok(reasons.some((r) => /no code\.\* attributes/.test(r)));
  assert.ok(reasons.some((r) => /no workspace file is named missing\.ts/.test(r)));
});

test('an edit that moves the function follows it; a deleted function loses its numbers', () => {
  const text = `// shifted\n\n\n${'// pad\n'.repeat(5)}export class OrderService {\n  placeOrder(): void {\n    return;\n  }\n}\n`;
  engine.setFileText('src/orders.ts', text);
  // placeOrder now spans lines 10-12, so the deployed line 12 still falls inside it
  const stats = engine.fileStats('src/orders.ts', Q);
  const place = stats.find((s) => s.function.qualifiedName === 'OrderService.placeOrder');
  assert.equal(place?.function.startLine, 10);
  engine.setFileText('src/orders.ts', 'export const nothing = 1;\n');
  assert.deepEqual(engine.fileStats('src/orders.ts', Q), []);
  engine.forgetFunctions('src/orders.ts');
});

test('lens numbers after new data: a function whose series changed is merged again, the others keep theirs, a moved window drops them', async () => {
  let now = Date.now();
  const { engine: e } = await createWorkspaceEngine(WORKSPACE, { now: () => now });
  await e.functionsIn('src/orders.ts');
  const batch = (fn: string, line: number, n: number) =>
    Array.from({ length: n }, () =>
      codeSpan('/deploy/app/src/orders.ts', fn, line, 5, { startMs: now - 5 }),
    );
  e.ingestSpans([
    ...batch('OrderService.placeOrder', 12, 10),
    ...batch('OrderService.getOrder', 18, 5),
  ]);
  const first = e.fileStats('src/orders.ts', Q);
  const count = (rows: typeof first, fn: string) =>
    rows.find((r) => r.function.qualifiedName === fn)?.stats.count;
  assert.equal(count(first, 'OrderService.placeOrder'), 10);
  assert.equal(count(first, 'OrderService.getOrder'), 5);

  now += 3_000;
  e.ingestSpans(batch('OrderService.getOrder', 18, 3));
  const second = e.fileStats('src/orders.ts', Q);
  assert.equal(
    count(second, 'OrderService.getOrder'),
    8,
    'the changed function shows its new spans',
  );
  const place = second.find((r) => r.function.qualifiedName === 'OrderService.placeOrder')!;
  assert.equal(place.stats.count, 10);
  assert.ok(
    place.stats.coveredMs >=
      first.find((r) => r.function.qualifiedName === 'OrderService.placeOrder')!.stats.coveredMs,
    'rates follow the clock even for kept numbers',
  );

  now += 16 * 60_000;
  assert.deepEqual(
    e.fileStats('src/orders.ts', Q).map((r) => r.function.qualifiedName),
    [],
    'a window that moved past the data shows none of it',
  );
});

test('a handler serving two routes (code origin on its server spans) keeps a series per route, one row per function', async () => {
  const { engine: e } = await createWorkspaceEngine(WORKSPACE);
  await e.functionsIn('src/orders.ts');
  const server = (method: string, route: string) =>
    codeSpan('/deploy/app/src/orders.ts', 'OrderService.placeOrder', 12, 4, {
      kind: 2,
      name: `${method} ${route}`,
      attributes: {
        'code.file.path': '/deploy/app/src/orders.ts',
        'code.line.number': 12,
        'http.request.method': method,
        'http.route': route,
      },
    });
  e.ingestSpans([
    server('POST', '/orders/:id/favorite'),
    server('POST', '/orders/:id/favorite'),
    server('DELETE', '/orders/:id/favorite'),
  ]);
  const names = [...e.allSeries()]
    .map((s) => `${s.identity.spanName} ×${e.windowStats([s], Q.windowMs, 1).count}`)
    .sort();
  assert.deepEqual(names, ['DELETE /orders/:id/favorite ×1', 'POST /orders/:id/favorite ×2']);
  const row = e
    .fileStats('src/orders.ts', Q)
    .find((r) => r.function.qualifiedName === 'OrderService.placeOrder');
  assert.equal(row?.stats.count, 3);
  assert.equal(row?.mapping.rule, 'code.file.path+line');
});

// Backend rows (Prometheus span metrics) mapped onto workspace functions through the engine's
// mapper and the shared name search, shown with their source, kept (marked stale) when the
// backend fails, and served from memory.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { BackendStats, originOf, type BackendAnswer } from '../../src/core/engine/backend-stats';
import { createWorkspaceEngine } from '../../src/core/engine/create';
import type { Engine } from '../../src/core/engine/engine';
import { hoverMarkdown, lensTitle, lensTooltip } from '../../src/core/format/presentation';
import type { FunctionStatsRecord } from '../../src/core/sources/source';

const WORKSPACE = join(__dirname, '..', 'fixtures', 'workspace');
let engine: Engine;

before(async () => {
  ({ engine } = await createWorkspaceEngine(WORKSPACE));
});

function row(over: Partial<FunctionStatsRecord>): FunctionStatsRecord {
  return {
    service: 'shop',
    spanName: 'x',
    count: 0,
    errors: 0,
    p50Ms: NaN,
    p95Ms: NaN,
    p99Ms: NaN,
    ratePerMin: 0,
    exemplarTraceIds: [],
    ...over,
  };
}

const ROWS: FunctionStatsRecord[] = [
  row({
    spanName: 'placeOrder',
    codeFunction: 'OrderService.placeOrder',
    count: 300.4,
    errors: 30.2,
    p50Ms: 5,
    p95Ms: 9.5,
    p99Ms: 9.9,
    exemplarTraceIds: ['ab'.repeat(16)],
  }),
  row({ spanName: 'getOrder', count: 100, p50Ms: 150, p95Ms: 195, p99Ms: 199 }),
  row({
    spanName: 'totals',
    codeFile: '/app/src/orders.ts',
    codeFunction: 'totalItems',
    count: 12,
    p50Ms: 1,
    p95Ms: 2,
    p99Ms: 3,
  }),
  row({ spanName: 'GET /orders/{id}', count: 50 }),
  row({ spanName: 'nowhere', codeFunction: 'Missing.fn', count: 7 }),
];

function answer(over: Partial<BackendAnswer> = {}): BackendAnswer {
  return {
    source: { kind: 'prometheus', environment: 'prod' },
    rows: ROWS,
    windowMs: 15 * 60_000,
    stale: false,
    fetchedAt: Date.UTC(2025, 0, 1, 12, 0, 0),
    ...over,
  };
}

test('rows land on functions by code-function label, span name and code file, each naming its source', async () => {
  const b = new BackendStats({
    files: engine.files,
    functions: engine.codeLookup().functions,
    resolver: engine.codeLookup().resolver,
  });
  await b.update([answer()]);
  const stats = b.fileStats('src/orders.ts');
  assert.deepEqual(
    stats.map((s) => [s.function.qualifiedName, s.stats.count, s.mapping.rule]),
    [
      ['OrderService.placeOrder', 300, 'code_function label'],
      ['OrderService.getOrder', 100, 'span_name'],
      ['totalItems', 12, 'code.file.path+function'],
    ],
  );
  const place = stats[0]!;
  assert.equal(place.stats.errors, 30);
  assert.equal(place.stats.p95Ms, 9.5);
  assert.equal(place.function.startLine, 10);
  assert.equal(originOf(place)?.label, 'prometheus (prod)');
  assert.deepEqual(place.exemplarTraceIds, ['ab'.repeat(16)]);
  assert.equal(
    lensTitle(place),
    'p50 5 ms · p95 9.5 ms · 20/min · 10% err · last 15 min (n=300) · prometheus (prod)',
  );
  assert.match(lensTooltip(place), /From prometheus \(prod\), asked at 12:00:00 UTC/);
  const md = hoverMarkdown(place, 'command:x');
  assert.match(md, /prometheus \\\(prod\\\)/);
  assert.match(md, /30 of 300 calls/);
  assert.doesNotMatch(md, /Show details/, 'the details panel holds receiver data only');
  const reasons = b.unmapped().map((u) => `${u.row.spanName}: ${u.reason}`);
  assert.equal(reasons.length, 2, reasons.join('\n'));
  assert.match(
    reasons.join('\n'),
    /GET \/orders\/\{id\}: the metric series has no code_function_name/,
  );
  assert.match(reasons.join('\n'), /nowhere: .*no workspace function is named fn/);
});

test('a failed refresh keeps the last values, marked stale with the reason', async () => {
  const b = new BackendStats({
    files: engine.files,
    functions: engine.codeLookup().functions,
    resolver: engine.codeLookup().resolver,
  });
  await b.update([
    answer({
      stale: true,
      message: 'prometheus (prod) at http://p:9090 is not reachable (ECONNREFUSED)',
    }),
  ]);
  const place = b.fileStats('src/orders.ts').find((s) => s.function.name === 'placeOrder');
  assert.ok(place);
  assert.equal(place.stats.count, 300, 'last-known value kept');
  assert.match(lensTitle(place), /· prometheus \(prod\) · stale$/);
  assert.match(
    lensTooltip(place),
    /STALE, last known values from 12:00:00 UTC \(prometheus \(prod\) at http:\/\/p:9090 is not reachable/,
  );
  await b.update([answer({ rows: undefined, stale: false, message: 'down' })]);
  assert.deepEqual(b.fileStats('src/orders.ts'), [], 'nothing cached: nothing shown');
});

test('answers are served from memory: the same objects until the next update; environments filter', async () => {
  const b = new BackendStats({
    files: engine.files,
    functions: engine.codeLookup().functions,
    resolver: engine.codeLookup().resolver,
  });
  await b.update([
    answer(),
    answer({ source: { kind: 'prometheus', environment: 'staging' }, rows: ROWS.slice(0, 1) }),
  ]);
  const first = b.fileStats('src/orders.ts');
  assert.equal(b.fileStats('src/orders.ts'), first, 'memoized');
  assert.equal(
    first.filter((s) => s.function.name === 'placeOrder').length,
    2,
    'one entry per source',
  );
  assert.deepEqual(
    b.fileStats('src/orders.ts', { environment: 'staging' }).map((s) => originOf(s)?.label),
    ['prometheus (staging)'],
  );
  await b.update([answer()]);
  assert.notEqual(b.fileStats('src/orders.ts'), first);
});

test('rows of one function from several services merge: counts add up, the busiest row gives the quantiles', async () => {
  const b = new BackendStats({
    files: engine.files,
    functions: engine.codeLookup().functions,
    resolver: engine.codeLookup().resolver,
  });
  await b.update([
    answer({
      rows: [
        row({ service: 'a', spanName: 'getOrder', count: 10, p50Ms: 1 }),
        row({ service: 'b', spanName: 'getOrder', count: 30, errors: 3, p50Ms: 7 }),
      ],
    }),
  ]);
  const [get] = b.fileStats('src/orders.ts');
  assert.ok(get);
  assert.equal(get.stats.count, 40);
  assert.equal(get.stats.errors, 3);
  assert.equal(get.stats.p50Ms, 7);
  assert.deepEqual(get.services, ['a', 'b']);
  assert.equal(get.seriesIds.length, 2);
});

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { createWorkspaceEngine } from '../../src/core/engine/create';
import {
  rankHotspots,
  regressionOf,
  sortHotspots,
  type Hotspot,
  type HotspotRanking,
} from '../../src/core/insights/hotspots';
import { evaluateLocalAlerts } from '../../src/core/insights/local-alerts';
import { codeSpan } from '../support/spans';

const WORKSPACE = join(__dirname, '..', 'fixtures', 'workspace');
const MIN = 60_000;

test('hotspots rank by time spent and local alerts fire on errors and p95 regressions', async () => {
  const now = Date.now();
  const { engine } = await createWorkspaceEngine(WORKSPACE, { now: () => now });
  const file = '/app/src/orders.ts';
  const spans = [];
  // Previous window: placeOrder was fast.
  for (let i = 0; i < 50; i++)
    spans.push(codeSpan(file, 'OrderService.placeOrder', 12, 10, { startMs: now - 20 * MIN }));
  // Current window: placeOrder slow (p95 regression), getOrder many fast calls with 20% errors, totalItems few calls.
  for (let i = 0; i < 40; i++)
    spans.push(codeSpan(file, 'OrderService.placeOrder', 12, 40, { startMs: now - 2 * MIN }));
  for (let i = 0; i < 100; i++)
    spans.push(
      codeSpan(file, 'OrderService.getOrder', 18, 2, {
        startMs: now - MIN,
        statusCode: i % 5 === 0 ? 2 : 0,
      }),
    );
  for (let i = 0; i < 5; i++)
    spans.push(codeSpan(file, 'totalItems', 23, 1, { startMs: now - MIN, statusCode: 2 }));
  engine.ingestSpans(spans);
  const hot = await rankHotspots(engine, { windowMs: 15 * MIN });
  assert.deepEqual(
    hot.map((h) => h.stats.function.qualifiedName),
    ['OrderService.placeOrder', 'OrderService.getOrder', 'totalItems'],
  );
  assert.ok(Math.abs(hot[0]!.p95Ratio - 4) < 0.2, `ratio ${hot[0]!.p95Ratio}`);
  const alerts = evaluateLocalAlerts(hot);
  const names = alerts.map((a) => `${a.name}:${a.function}:${a.severity}`).sort();
  // totalItems fails every call but has only 5 samples: below minSamples, no alert.
  assert.deepEqual(names, [
    'High error rate:OrderService.getOrder:critical',
    'p95 regression:OrderService.placeOrder:critical',
  ]);
  assert.equal(alerts.find((a) => a.function === 'OrderService.getOrder')?.line, 17);
  const onlyShop = await rankHotspots(engine, { windowMs: 15 * MIN }, { service: 'nope' });
  assert.equal(onlyShop.length, 0);
});

test('hotspots rank by time spent, p95 regression or errors, and filter by service and environment', async () => {
  const now = Date.now();
  const { engine } = await createWorkspaceEngine(WORKSPACE, { now: () => now });
  const file = '/app/src/orders.ts';
  const prod = { service: 'shop', environment: 'prod', version: '1' };
  const staging = { service: 'shop', environment: 'staging', version: '1' };
  const spans = [];
  // placeOrder (prod): most time spent (60 × 50 ms), p95 steady at 50 ms, no errors.
  for (let i = 0; i < 60; i++)
    spans.push(
      codeSpan(file, 'OrderService.placeOrder', 12, 50, {
        startMs: now - 20 * MIN,
        resource: prod,
      }),
    );
  for (let i = 0; i < 60; i++)
    spans.push(
      codeSpan(file, 'OrderService.placeOrder', 12, 50, { startMs: now - 2 * MIN, resource: prod }),
    );
  // getOrder (prod): little time (30 × 10 ms) but p95 ×5 against the previous window (2 ms), 3 errors.
  for (let i = 0; i < 30; i++)
    spans.push(
      codeSpan(file, 'OrderService.getOrder', 18, 2, { startMs: now - 20 * MIN, resource: prod }),
    );
  for (let i = 0; i < 30; i++)
    spans.push(
      codeSpan(file, 'OrderService.getOrder', 18, 10, {
        startMs: now - 2 * MIN,
        resource: prod,
        statusCode: i < 3 ? 2 : 0,
      }),
    );
  // totalItems (staging only): least time (40 × 1 ms), nothing before, the most errors (8).
  for (let i = 0; i < 40; i++)
    spans.push(
      codeSpan(file, 'totalItems', 23, 1, {
        startMs: now - MIN,
        resource: staging,
        statusCode: i < 8 ? 2 : 0,
      }),
    );
  engine.ingestSpans(spans);
  const names = (hs: Hotspot[]) => hs.map((h) => h.stats.function.qualifiedName);
  const q = { windowMs: 15 * MIN };

  assert.deepEqual(names(await rankHotspots(engine, q)), [
    'OrderService.placeOrder',
    'OrderService.getOrder',
    'totalItems',
  ]);
  // Regression: getOrder ×5 first, placeOrder ×1 next, totalItems (no previous window) last.
  const byRegression = await rankHotspots(engine, q, {}, 'p95Regression');
  assert.deepEqual(names(byRegression), [
    'OrderService.getOrder',
    'OrderService.placeOrder',
    'totalItems',
  ]);
  assert.ok(Math.abs(byRegression[0]!.p95Ratio - 5) < 0.3, `ratio ${byRegression[0]!.p95Ratio}`);
  assert.ok(Number.isNaN(byRegression[2]!.p95Ratio));
  assert.deepEqual(names(await rankHotspots(engine, q, {}, 'errors')), [
    'totalItems',
    'OrderService.getOrder',
    'OrderService.placeOrder',
  ]);

  // Environment filter: the numbers are that environment's, and it narrows the query's own.
  assert.deepEqual(names(await rankHotspots(engine, q, { environment: 'staging' })), [
    'totalItems',
  ]);
  const prodOnly = await rankHotspots(engine, q, { environment: 'prod' }, 'errors');
  assert.deepEqual(names(prodOnly), ['OrderService.getOrder', 'OrderService.placeOrder']);
  assert.deepEqual(prodOnly[0]!.stats.environments, ['prod']);
  assert.deepEqual(
    await rankHotspots(engine, { ...q, environment: 'prod' }, { environment: 'staging' }),
    [],
    'a filter contradicting the query leaves nothing',
  );
  assert.equal((await rankHotspots(engine, q, { service: 'shop', environment: 'prod' })).length, 2);
  assert.equal(
    (await rankHotspots(engine, q, { service: 'other', environment: 'prod' })).length,
    0,
  );
});

test('sortHotspots breaks ties by time spent, then by place in the code', () => {
  const h = (
    name: string,
    line: number,
    timeSpentMsPerMin: number,
    p95Ratio: number,
    errors: number,
    count: number,
  ): Hotspot => ({
    stats: {
      file: 'src/a.ts',
      function: { qualifiedName: name, startLine: line },
      stats: { errors, count },
    } as unknown as Hotspot['stats'],
    timeSpentMsPerMin,
    p95Ratio,
    previousP95Ms: 1,
    versionChanges: [],
  });
  const xs = [
    h('a', 1, 10, NaN, 0, 10),
    h('b', 2, 30, 2, 2, 100),
    h('c', 3, 20, 2, 2, 10),
    h('d', 4, 20, NaN, 0, 10),
  ];
  const order = (by: HotspotRanking) =>
    sortHotspots([...xs], by)
      .map((x) => x.stats.function.qualifiedName)
      .join('');
  assert.equal(order('timeSpent'), 'bcda');
  assert.equal(
    order('p95Regression'),
    'bcda',
    'equal ratios: more time spent first; no ratio last',
  );
  assert.equal(order('errors'), 'cbda', 'equal error counts: the higher error rate first');
});

test('a p95 regression against the previous version alerts, per environment and with enough samples on both sides', async () => {
  const now = Date.now();
  const { engine } = await createWorkspaceEngine(WORKSPACE, { now: () => now });
  const file = '/app/src/orders.ts';
  const res = (environment: string, version: string) => ({ service: 'shop', environment, version });
  const spans = [];
  // getOrder in prod: 1.0.0 at 10 ms until a deploy, then 2.0.0 at 40 ms; nothing in the previous
  // window, so only the version comparison can see it.
  for (let i = 0; i < 40; i++)
    spans.push(
      codeSpan(file, 'OrderService.getOrder', 18, 10, {
        startMs: now - 10 * MIN,
        resource: res('prod', '1.0.0'),
      }),
    );
  for (let i = 0; i < 40; i++)
    spans.push(
      codeSpan(file, 'OrderService.getOrder', 18, 40, {
        startMs: now - 2 * MIN,
        resource: res('prod', '2.0.0'),
      }),
    );
  // placeOrder: staging runs a slow 2.0.0, prod a fast 1.0.0. Two environments are not a deploy.
  for (let i = 0; i < 40; i++)
    spans.push(
      codeSpan(file, 'OrderService.placeOrder', 12, 10, {
        startMs: now - 10 * MIN,
        resource: res('prod', '1.0.0'),
      }),
    );
  for (let i = 0; i < 40; i++)
    spans.push(
      codeSpan(file, 'OrderService.placeOrder', 12, 90, {
        startMs: now - 2 * MIN,
        resource: res('staging', '2.0.0'),
      }),
    );
  // totalItems in prod: 3× slower in 2.0.0 but only 10 spans of it (minSamples is 20).
  for (let i = 0; i < 40; i++)
    spans.push(
      codeSpan(file, 'totalItems', 23, 10, {
        startMs: now - 10 * MIN,
        resource: res('prod', '1.0.0'),
      }),
    );
  for (let i = 0; i < 10; i++)
    spans.push(
      codeSpan(file, 'totalItems', 23, 30, {
        startMs: now - 2 * MIN,
        resource: res('prod', '2.0.0'),
      }),
    );
  engine.ingestSpans(spans);
  const hot = await rankHotspots(engine, { windowMs: 15 * MIN }, {}, 'p95Regression');
  const by = (name: string) => hot.find((h) => h.stats.function.qualifiedName === name)!;

  assert.equal(
    hot[0]!.stats.function.qualifiedName,
    'OrderService.getOrder',
    'the version regression ranks first',
  );
  assert.ok(Number.isNaN(by('OrderService.getOrder').p95Ratio), 'nothing in the previous window');
  const [change] = by('OrderService.getOrder').versionChanges;
  assert.equal(by('OrderService.getOrder').versionChanges.length, 1);
  assert.equal(change!.environment, 'prod');
  assert.deepEqual(
    [
      change!.current.version,
      change!.current.count,
      change!.previous.version,
      change!.previous.count,
    ],
    ['2.0.0', 40, '1.0.0', 40],
  );
  assert.ok(Math.abs(change!.ratio - 4) < 0.2, `ratio ${change!.ratio}`);
  assert.ok(Math.abs(regressionOf(by('OrderService.getOrder')) - 4) < 0.2);
  assert.deepEqual(
    by('OrderService.placeOrder').versionChanges,
    [],
    'one version per environment: nothing to compare',
  );
  assert.equal(
    by('totalItems').versionChanges.length,
    1,
    'compared (≥ 5 spans a side) but below minSamples for an alert',
  );

  const alerts = evaluateLocalAlerts(hot);
  assert.deepEqual(
    alerts.map((a) => `${a.name}:${a.function}:${a.severity}`),
    ['p95 regression since the previous version:OrderService.getOrder:critical'],
  );
  assert.match(
    alerts[0]!.summary,
    /^p95 40 ms in version 2\.0\.0 in prod, was 10 ms in 1\.0\.0 \(×4\.0; n=40 vs 40\)$/,
  );
  assert.equal(alerts[0]!.line, 17);
  // With a lower sample floor totalItems speaks too (×3: critical at the 1.5 threshold).
  const lenient = evaluateLocalAlerts(hot, { errorRate: 0.05, p95Regression: 1.5, minSamples: 10 });
  assert.deepEqual(lenient.map((a) => a.function).sort(), ['OrderService.getOrder', 'totalItems']);
  // A faster new version is no regression.
  const { engine: e2 } = await createWorkspaceEngine(WORKSPACE, { now: () => now });
  const faster = [];
  for (let i = 0; i < 40; i++)
    faster.push(
      codeSpan(file, 'OrderService.getOrder', 18, 40, {
        startMs: now - 10 * MIN,
        resource: res('prod', '1.0.0'),
      }),
    );
  for (let i = 0; i < 40; i++)
    faster.push(
      codeSpan(file, 'OrderService.getOrder', 18, 10, {
        startMs: now - 2 * MIN,
        resource: res('prod', '2.0.0'),
      }),
    );
  e2.ingestSpans(faster);
  const improved = await rankHotspots(e2, { windowMs: 15 * MIN });
  assert.ok(improved[0]!.versionChanges[0]!.ratio < 0.3);
  assert.deepEqual(evaluateLocalAlerts(improved), []);
});

test('spans without service.version are not a version to compare with', async () => {
  const now = Date.now();
  const { engine } = await createWorkspaceEngine(WORKSPACE, { now: () => now });
  const file = '/app/src/orders.ts';
  const spans = [];
  for (let i = 0; i < 40; i++)
    spans.push(
      codeSpan(file, 'OrderService.getOrder', 18, 10, {
        startMs: now - 10 * MIN,
        resource: { service: 'shop', environment: 'prod', version: '' },
      }),
    );
  for (let i = 0; i < 40; i++)
    spans.push(
      codeSpan(file, 'OrderService.getOrder', 18, 40, {
        startMs: now - 2 * MIN,
        resource: { service: 'shop', environment: 'prod', version: '2.0.0' },
      }),
    );
  engine.ingestSpans(spans);
  const [h] = await rankHotspots(engine, { windowMs: 15 * MIN });
  assert.deepEqual(h!.versionChanges, []);
  assert.deepEqual(evaluateLocalAlerts([h!]), []);
});

test('a firing error-rate alert clears only below 80% of its threshold (no flapping at the edge)', async () => {
  const now = Date.now();
  const { engine } = await createWorkspaceEngine(WORKSPACE, { now: () => now });
  // 4.5% errors: under the 5% threshold, above 80% of it.
  const spans = [];
  for (let i = 0; i < 200; i++)
    spans.push(
      codeSpan('/app/src/orders.ts', 'OrderService.getOrder', 18, 2, {
        startMs: now - MIN,
        statusCode: i < 9 ? 2 : 0,
      }),
    );
  engine.ingestSpans(spans);
  const hot = await rankHotspots(engine, { windowMs: 15 * MIN });
  assert.equal(
    evaluateLocalAlerts(hot).length,
    0,
    'not firing before: 4.5% does not start an alert',
  );
  const id = 'local:errors:src/orders.ts#OrderService.getOrder';
  assert.deepEqual(
    evaluateLocalAlerts(hot, undefined, new Set([id])).map((a) => a.id),
    [id],
    'firing before: 4.5% keeps it',
  );
  engine.ingestSpans(
    Array.from({ length: 100 }, () =>
      codeSpan('/app/src/orders.ts', 'OrderService.getOrder', 18, 2, { startMs: now - MIN }),
    ),
  );
  const later = await rankHotspots(engine, { windowMs: 15 * MIN });
  assert.deepEqual(
    evaluateLocalAlerts(later, undefined, new Set([id])),
    [],
    '3% (under 4%) clears it',
  );
});

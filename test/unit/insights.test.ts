import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { createWorkspaceEngine } from '../../src/core/engine/create';
import { rankHotspots } from '../../src/core/insights/hotspots';
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
  for (let i = 0; i < 50; i++) spans.push(codeSpan(file, 'OrderService.placeOrder', 12, 10, { startMs: now - 20 * MIN }));
  // Current window: placeOrder slow (p95 regression), getOrder many fast calls with 20% errors, totalItems few calls.
  for (let i = 0; i < 40; i++) spans.push(codeSpan(file, 'OrderService.placeOrder', 12, 40, { startMs: now - 2 * MIN }));
  for (let i = 0; i < 100; i++) spans.push(codeSpan(file, 'OrderService.getOrder', 18, 2, { startMs: now - MIN, statusCode: i % 5 === 0 ? 2 : 0 }));
  for (let i = 0; i < 5; i++) spans.push(codeSpan(file, 'totalItems', 23, 1, { startMs: now - MIN, statusCode: 2 }));
  engine.ingestSpans(spans);
  const hot = await rankHotspots(engine, { windowMs: 15 * MIN });
  assert.deepEqual(hot.map((h) => h.stats.function.qualifiedName), ['OrderService.placeOrder', 'OrderService.getOrder', 'totalItems']);
  assert.ok(Math.abs(hot[0]!.p95Ratio - 4) < 0.2, `ratio ${hot[0]!.p95Ratio}`);
  const alerts = evaluateLocalAlerts(hot);
  const names = alerts.map((a) => `${a.name}:${a.function}:${a.severity}`).sort();
  // totalItems fails every call but has only 5 samples: below minSamples, no alert.
  assert.deepEqual(names, ['High error rate:OrderService.getOrder:critical', 'p95 regression:OrderService.placeOrder:critical']);
  assert.equal(alerts.find((a) => a.function === 'OrderService.getOrder')?.line, 17);
  const onlyShop = await rankHotspots(engine, { windowMs: 15 * MIN }, { service: 'nope' });
  assert.equal(onlyShop.length, 0);
});

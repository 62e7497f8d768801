// Triage group ids (core/engine/triage-groups.ts, span-triage.ts): a triage announces a series
// group once and later batches carry only its id; the engine records those spans in the same
// series, fills a deferred route shape in again when the route index changes, keeps the groups
// of two sources (the worker and its in-process fallback) apart, and forgets an epoch's ids when
// the triage starts a new one. Also the trace-sampling rate at the start of a burst.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RateMeter } from '../../src/core/engine/rate-meter';
import { SpanTriage, type TriageBatch } from '../../src/core/engine/span-triage';
import { TriageGroups, type GroupSettler } from '../../src/core/engine/triage-groups';
import type { SpanRecord } from '../../src/core/model';
import { deferredShape, fillDeferredShapes } from '../../src/core/resolver/deferred-shape';
import { locateSpan } from '../../src/core/resolver/span-location';

const resource = { service: 'shop', environment: 'prod', version: '1.0' };

function serverSpan(path: string, i: number): SpanRecord {
  return {
    traceId: i.toString(16).padStart(32, '0'),
    spanId: i.toString(16).padStart(16, '0'),
    parentSpanId: '',
    name: 'GET',
    kind: 2,
    startMs: 1_000 + i,
    durationMs: 5,
    statusCode: 0,
    statusMessage: '',
    attributes: { 'http.request.method': 'GET', 'url.path': path },
    events: [],
    resource,
  };
}

/** The worker's triage: no route index, so bare paths get a deferred shape. */
const workerTriage = () => new SpanTriage((s) => locateSpan(s, deferredShape));

/** Fills deferred shapes from a route table the test can change (as the engine's resolver does). */
function settlerWith(
  routes: Map<string, string>,
): GroupSettler & { version: () => number; bump(): void } {
  let version = 0;
  return {
    settle(g) {
      if (!g.identity.spanName.includes('\u0000')) return undefined;
      const spanName = fillDeferredShapes(g.identity.spanName, (m, p) => routes.get(p) ?? p);
      return {
        key: `${g.identity.service}|${spanName}`,
        identity: { ...g.identity, spanName },
        loc: g.loc,
      };
    },
    version: () => version,
    bump: () => version++,
  };
}

const ids = (b: TriageBatch) => [...b.group];

test('a group is announced once; later batches refer to it by id and resolve to the same series', () => {
  const triage = workerTriage();
  const first = triage.run([serverSpan('/users/1', 1), serverSpan('/users/1', 2)], 10_000);
  const second = triage.run([serverSpan('/users/1', 3), serverSpan('/orders/9', 4)], 10_001);
  assert.equal(first.newGroups.length, 1, 'two spans of one series: one group announced');
  assert.deepEqual(ids(first), [0, 0]);
  assert.equal(second.newGroups.length, 1, 'only the series not seen before is announced again');
  assert.deepEqual(ids(second), [0, 1]);

  const routes = new Map([['/users/1', '/users/:id']]);
  const table = new TriageGroups(settlerWith(routes));
  table.lookup(first);
  const lookup = table.lookup(second);
  assert.equal(lookup(0)?.key, 'shop|GET /users/:id', 'the announced group, its shape filled in');
  assert.equal(lookup(1)?.key, 'shop|GET /orders/9');
  assert.equal(lookup(7), undefined, 'an id never announced resolves to nothing');
});

test('a deferred route shape is filled in again after the route index changes', () => {
  const triage = workerTriage();
  const routes = new Map<string, string>();
  const settler = settlerWith(routes);
  const table = new TriageGroups(settler);
  const first = triage.run([serverSpan('/users/7', 1)], 10_000);
  assert.equal(table.lookup(first)(0)?.key, 'shop|GET /users/7', 'no route known yet');
  routes.set('/users/7', '/users/:id');
  const second = triage.run([serverSpan('/users/7', 2)], 10_001);
  assert.equal(second.newGroups.length, 0);
  assert.equal(table.lookup(second)(0)?.key, 'shop|GET /users/7', 'same index version: kept');
  settler.bump();
  assert.equal(
    table.lookup(second)(0)?.key,
    'shop|GET /users/:id',
    'new index version: settled again',
  );
});

test('two triages number their groups independently and never mix', () => {
  const worker = workerTriage();
  const fallback = workerTriage();
  const table = new TriageGroups(settlerWith(new Map()));
  const a = worker.run([serverSpan('/a', 1)], 10_000);
  const b = fallback.run([serverSpan('/b', 2)], 10_000);
  assert.notEqual(a.source, b.source);
  assert.deepEqual([ids(a), ids(b)], [[0], [0]], 'both start at id 0');
  assert.equal(table.lookup(a)(0)?.key, 'shop|GET /a');
  assert.equal(table.lookup(b)(0)?.key, 'shop|GET /b');
  assert.equal(table.lookup(a)(0)?.key, 'shop|GET /a', 'the first source is still known');
});

test('past its id limit a triage starts a new epoch and announces its groups afresh', () => {
  const triage = workerTriage();
  const table = new TriageGroups(settlerWith(new Map()));
  const many: SpanRecord[] = [];
  for (let i = 0; i <= 10_000; i++) many.push(serverSpan(`/p/${i}`, i));
  const big = triage.run(many, 10_000);
  assert.equal(big.newGroups.length, 10_001);
  table.lookup(big);
  const next = triage.run([serverSpan('/p/3', 1)], 10_001);
  assert.equal(next.epoch, big.epoch + 1);
  assert.equal(next.newGroups.length, 1, 'the new epoch announces the group again');
  assert.equal(next.group[0], 0, 'numbered from 0 again');
  assert.equal(table.lookup(next)(0)?.key, 'shop|GET /p/3');
  assert.equal(table.lookup(big)(3)?.key, 'shop|GET /p/3', 'the old epoch still resolves its ids');
});

test('the trace-sampling rate counts the current second at the start of a burst', () => {
  const rate = new RateMeter();
  const t0 = 1_000_000;
  rate.add(100, t0 - 2_000);
  rate.add(100, t0 - 1_000);
  assert.equal(rate.perSecondRecent(t0), 200 / 3, 'steady: the average of the last three seconds');
  rate.add(50_000, t0);
  assert.equal(rate.perSecondRecent(t0 + 10), 50_000, 'a burst: what this second has seen so far');
});

test('an exporter batch under the trace budget keeps every trace, whenever in the second it lands', () => {
  // A BatchSpanProcessor sends a few hundred spans at once every few seconds: that is not a
  // flood, and every one of its traces stays whole in the trace window.
  for (const at of [10_000, 10_050, 10_900]) {
    const triage = workerTriage();
    const spans = Array.from({ length: 400 }, (_, i) => serverSpan(`/users/${i}`, i * 7919));
    const batch = triage.run(spans, at);
    assert.equal(batch.samples.filter((s) => s.topology).length, 400, `landing at ${at} ms`);
  }
});

test("a burst keeps about the second's trace budget, not a share of it per batch", () => {
  const triage = workerTriage();
  let kept = 0;
  for (let b = 0; b < 40; b++) {
    const spans = Array.from({ length: 500 }, (_, i) => serverSpan(`/o/${i}`, b * 500 + i + 1));
    kept += triage.run(spans, 20_000 + b).samples.filter((s) => s.topology).length;
  }
  assert.ok(kept >= 400 && kept <= 600, `20,000 spans in one second: ${kept} kept for traces`);
  const next = triage.run([serverSpan('/o/1', 1)], 21_000);
  assert.equal(next.samples.filter((s) => s.topology).length, 1, 'the next second has a budget');
});

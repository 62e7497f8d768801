import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TraceTopology } from '../../src/core/engine/trace-topology';

test('callers: the share of each endpoint\'s traces that pass through a function', () => {
  const t = new TraceTopology(100);
  // 4 checkout traces, 3 of them reach "charge"; 2 list traces never do. Children arrive first.
  for (let i = 0; i < 4; i++) {
    if (i < 3) t.add(`c${i}`, `s${i}b`, `s${i}a`, 'charge');
    t.add(`c${i}`, `s${i}a`, '', 'POST /checkout');
  }
  for (let i = 0; i < 2; i++) t.add(`l${i}`, `l${i}a`, '', 'GET /orders');
  assert.deepEqual(t.callers(new Set(['charge'])), [{ rootSeriesId: 'POST /checkout', traces: 3, total: 4 }]);
  assert.deepEqual(t.callers(new Set(['nothing'])), []);
});

test('the window is bounded: old traces fall out', () => {
  const t = new TraceTopology(4);
  t.add('a', '1', '', 'root');
  t.add('a', '2', '1', 'fn');
  for (let i = 0; i < 4; i++) t.add(`x${i}`, `y${i}`, '', 'other');
  assert.deepEqual(t.callers(new Set(['fn'])), []);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TraceTopology } from '../../src/core/engine/trace-topology';
import { span } from '../support/spans';

const add = (
  t: TraceTopology,
  traceId: string,
  spanId: string,
  parentSpanId: string,
  series: string,
  durationMs = 1,
  statusCode = 0,
) =>
  t.add(
    span({ traceId, spanId, parentSpanId, name: series, durationMs, statusCode, startMs: 1000 }),
    series,
  );

test("callers: the share of each endpoint's traces that pass through a function", () => {
  const t = new TraceTopology(100);
  // 4 checkout traces, 3 of them reach "charge"; 2 list traces never do. Children arrive first.
  for (let i = 0; i < 4; i++) {
    if (i < 3) add(t, `c${i}`, `s${i}b`, `s${i}a`, 'charge');
    add(t, `c${i}`, `s${i}a`, '', 'POST /checkout');
  }
  for (let i = 0; i < 2; i++) add(t, `l${i}`, `l${i}a`, '', 'GET /orders');
  assert.deepEqual(t.callers(new Set(['charge'])), [
    { rootSeriesId: 'POST /checkout', traces: 3, total: 4 },
  ]);
  assert.deepEqual(t.callers(new Set(['nothing'])), []);
});

test('the window is bounded: old traces fall out', () => {
  const t = new TraceTopology(4);
  add(t, 'a', '1', '', 'root');
  add(t, 'a', '2', '1', 'fn');
  for (let i = 0; i < 4; i++) add(t, `x${i}`, `y${i}`, '', 'other');
  assert.deepEqual(t.callers(new Set(['fn'])), []);
});

test('traces through a function: summaries with root, duration, errors; a whole trace in start order', () => {
  const t = new TraceTopology(100);
  add(t, 'a', 'c', 'r', 'charge', 30, 2);
  add(t, 'a', 'r', '', 'POST /checkout', 50);
  add(t, 'b', 'x', '', 'GET /orders', 5);
  const [s] = t.tracesThrough(new Set(['charge']));
  assert.deepEqual(
    { ...s },
    {
      traceId: 'a',
      rootName: 'POST /checkout',
      rootService: 'svc',
      startMs: 1000,
      durationMs: 50,
      spanCount: 2,
      error: true,
      matchDurationMs: 30,
      matchError: true,
    },
  );
  assert.deepEqual(
    t
      .trace('a')
      .map((e) => e.span.spanId)
      .sort(),
    ['c', 'r'],
  );
  assert.deepEqual(t.trace('zzz'), []);
});

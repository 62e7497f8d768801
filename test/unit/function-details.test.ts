// The details panel's snapshot builders (core/details), on a real engine: numbers and their
// comparison, the latency histogram, the held traces and their waterfall, errors by throw site.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import {
  buildDetails,
  buildTrace,
  histogram,
  traceTargets,
} from '../../src/core/details/function-details';
import { createWorkspaceEngine } from '../../src/core/engine/create';
import type { Engine, FunctionStats } from '../../src/core/engine/engine';
import { codeSpan, span } from '../support/spans';

const WORKSPACE = join(__dirname, '..', 'fixtures', 'workspace');
const Q = { window: '15m', windowMs: 15 * 60_000, environment: '' };
let engine: Engine;
let place: FunctionStats;
let failedTrace = '';

before(async () => {
  ({ engine } = await createWorkspaceEngine(WORKSPACE));
  const spans = [];
  for (let i = 1; i <= 40; i++) {
    const root = span({
      name: 'POST /orders',
      kind: 2,
      durationMs: i + 5,
      resource: { service: 'shop', environment: 'prod', version: '1' },
    });
    const child = codeSpan('/deploy/app/src/orders.ts', 'OrderService.placeOrder', 12, i, {
      name: 'placeOrder',
      traceId: root.traceId,
      parentSpanId: root.spanId,
      resource: root.resource,
    });
    if (i === 40) {
      child.statusCode = 2;
      child.events = [
        {
          name: 'exception',
          timeMs: child.startMs + child.durationMs,
          attributes: {
            'exception.type': 'PaymentError',
            'exception.message': 'card declined',
            'exception.stacktrace':
              'PaymentError: card declined\n    at OrderService.placeOrder (/deploy/app/src/orders.ts:12:11)',
          },
        },
      ];
      failedTrace = root.traceId;
    }
    spans.push(root, child);
  }
  engine.ingestSpans(spans);
  await engine.functionsIn('src/orders.ts');
  place = engine
    .fileStats('src/orders.ts', { windowMs: Q.windowMs, points: 30 })
    .find((s) => s.function.qualifiedName === 'OrderService.placeOrder')!;
  assert.ok(place);
});

test('details: the window’s numbers, where they came from, and the traces held for the function', () => {
  const d = buildDetails(engine, place, Q);
  assert.equal(d.qualifiedName, 'OrderService.placeOrder');
  assert.equal(d.stats.count, 40);
  assert.equal(d.stats.errors, 1);
  assert.ok(d.stats.p50Ms !== null && Math.abs(d.stats.p50Ms - 20) <= 1, `p50 ${d.stats.p50Ms}`);
  assert.equal(d.mapping.rule, 'code.file.path+line');
  assert.deepEqual(d.services, ['shop']);
  assert.equal(d.histogram.sampleCount, 40);
  assert.equal(
    d.histogram.counts.reduce((a, b) => a + b, 0),
    40,
    'every held span is in one bucket',
  );
  assert.equal(d.traces.recent.length, 40);
  assert.deepEqual(
    d.traces.failed.map((t) => t.traceId),
    [failedTrace],
  );
  assert.equal(d.traces.slowest[0]!.traceId, failedTrace, 'the 40 ms one is the slowest');
  assert.deepEqual(
    d.errors.map((e) => `${e.type}: ${e.message} ×${e.count}`),
    ['PaymentError: card declined ×1'],
  );
  assert.deepEqual(
    d.errors[0]!.frames.find((f) => f.code)?.code,
    { file: 'src/orders.ts', line: 12 },
    'the throw site links to the workspace line',
  );
  assert.ok(!JSON.stringify(d).includes('NaN'), 'no NaN crosses to the webview');
});

test('a trace’s waterfall: the server span above the function’s span, which is marked as the match', () => {
  const t = buildTrace(engine, failedTrace, new Set(place.seriesIds));
  assert.equal(t.traceId, failedTrace);
  assert.deepEqual(
    t.rows.map(
      (r) =>
        `${r.depth} ${r.name}${r.isMatch ? ' *' : ''}${r.error ? ' !' : ''}${r.code ? ` @${r.code.file}:${r.code.line}` : ''}`,
    ),
    ['0 POST /orders', '1 placeOrder * ! @src/orders.ts:10'],
  );
});

test('histogram: log-spaced buckets from the fastest to the slowest sample, each sample counted once', () => {
  const h = histogram([0.8, 1, 1.2, 3, 3, 250]);
  assert.deepEqual(h.edgesMs, [1, 1.5, 2, 3, 5, 7, 10, 15, 20, 30, 50, 70, 100, 150, 200, 300]);
  assert.equal(h.counts[0], 2, '0.8 and 1 fall in (…, 1]');
  assert.equal(h.counts[1], 1);
  assert.equal(h.counts[3], 2);
  assert.equal(h.counts.at(-1), 1);
  assert.deepEqual(histogram([]), { edgesMs: [], counts: [], sampleCount: 0 });
});

test('trace backends are searched by the function’s service and span name', () => {
  assert.deepEqual(traceTargets(engine, place, [], Q.windowMs), [
    { service: 'shop', spanName: 'placeOrder' },
  ]);
});

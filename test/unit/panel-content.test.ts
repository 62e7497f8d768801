// What the details panel shows (core/details/panel-content.ts), without VS Code: the empty states
// and why, the receiver's numbers before a backend's, the trace backends' rows merged into the
// lists, and a trace answered from memory or fetched from a trace backend.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { panelContent, panelTrace, withBackendTraces } from '../../src/core/details/panel-content';
import { createWorkspaceEngine } from '../../src/core/engine/create';
import type { Engine } from '../../src/core/engine/engine';
import type { SourcedFunctionStats } from '../../src/core/engine/backend-stats';
import { BackendTraces } from '../../src/core/sources/backend-traces';
import type { SpanRecord } from '../../src/core/model';
import type { TraceSource, TraceSummary } from '../../src/core/sources/source';
import { codeSpan, span } from '../support/spans';

const WORKSPACE = join(__dirname, '..', 'fixtures', 'workspace');
const Q = { window: '15m', windowMs: 15 * 60_000, environment: '' };
const PLACE = { file: 'src/orders.ts', qualifiedName: 'OrderService.placeOrder' };
let engine: Engine;
let heldTrace = '';

before(async () => {
  ({ engine } = await createWorkspaceEngine(WORKSPACE));
  const spans: SpanRecord[] = [];
  for (let i = 1; i <= 20; i++) {
    const root = span({ name: 'POST /orders', kind: 2, durationMs: 10 + i });
    spans.push(
      root,
      codeSpan('/deploy/app/src/orders.ts', 'OrderService.placeOrder', 12, i, {
        name: 'placeOrder',
        traceId: root.traceId,
        parentSpanId: root.spanId,
        resource: root.resource,
      }),
    );
    heldTrace = root.traceId;
  }
  engine.ingestSpans(spans);
  await engine.functionsIn('src/orders.ts');
});

/** A trace backend answering from fixed lists, counting what it was asked. */
function fakeBackend(trace: SpanRecord[], summaries: TraceSummary[]) {
  const asked: string[] = [];
  const source: TraceSource = {
    config: { kind: 'tempo', url: 'http://tempo.invalid', environment: 'prod' },
    testConnection: () => Promise.resolve({ ok: true, latencyMs: 1, message: 'ok', stale: false }),
    traceById: (id) => {
      asked.push(id);
      return Promise.resolve(trace.filter((s) => s.traceId === id));
    },
    recentTraces: () => Promise.resolve(summaries),
  };
  return { source, asked };
}

test('panel content: says why it is empty (nothing chosen, engine starting, no spans in the window)', () => {
  const none = panelContent(engine, undefined, Q, []);
  assert.deepEqual(none, {
    kind: 'empty',
    title: 'ProdLens',
    reason: 'Open details from a code lens or a hover.',
  });
  const starting = panelContent(undefined, PLACE, Q, []);
  assert.equal(starting.kind === 'empty' && starting.reason, 'The engine is still starting.');
  const quiet = panelContent(engine, { file: 'src/orders.ts', qualifiedName: 'nobody' }, Q, []);
  assert.equal(
    quiet.kind === 'empty' && quiet.reason,
    'No spans mapped to nobody in the last 15 min.',
  );
});

test('panel content: the receiver’s numbers, its series, and what trace backends are searched for', () => {
  const c = panelContent(engine, PLACE, Q, []);
  assert.equal(c.kind, 'details');
  if (c.kind !== 'details') return;
  assert.equal(c.details.stats.count, 20);
  assert.equal(c.seriesIds.size, 1);
  assert.deepEqual(c.traceQuery.targets, [{ service: 'svc', spanName: 'placeOrder' }]);
  assert.ok((c.traceQuery.slowMinMs ?? 0) > 0, 'slow list starts at the p95');
});

test('panel content: a function only a backend knows shows the backend’s numbers', () => {
  const other = engine
    .fileStats('src/orders.ts', { windowMs: Q.windowMs })
    .find((s) => s.function.qualifiedName === PLACE.qualifiedName)!;
  const fromBackend: SourcedFunctionStats = {
    ...other,
    function: { ...other.function, qualifiedName: 'OrderService.cancel' },
    stats: { ...other.stats, count: 7 },
    seriesIds: [],
    origin: { kind: 'prometheus', label: 'prometheus (prod)', url: 'http://p' } as never,
    exemplarTraceIds: [],
    spans: [{ service: 'shop', spanName: 'cancel' }],
  };
  const c = panelContent(
    engine,
    { file: 'src/orders.ts', qualifiedName: 'OrderService.cancel' },
    Q,
    [fromBackend],
  );
  assert.equal(c.kind === 'details' && c.details.stats.count, 7);
  assert.deepEqual(c.kind === 'details' && c.traceQuery.targets, [
    { service: 'shop', spanName: 'cancel' },
  ]);
});

test('backend rows merge into the lists; no search target says so instead of loading forever', () => {
  const c = panelContent(engine, PLACE, Q, []);
  if (c.kind !== 'details') return assert.fail('no details');
  const row = { traceId: 'f'.repeat(32), rootName: 'GET /x', service: 'shop', startMs: Date.now() };
  const lists = [
    {
      label: 'tempo (prod)',
      recent: [{ ...row, durationMs: 5, error: false, spanCount: 1 } as never],
      slowest: [],
      failed: [],
      status: { ok: true, latencyMs: 3, message: 'ok', stale: false },
      answered: true,
    },
  ];
  const merged = withBackendTraces(c.details, { lists, loading: false, due: false }, true);
  assert.equal(merged.traces.recent.length, c.details.traces.recent.length + 1);
  assert.deepEqual(merged.traces.sources, [
    { label: 'tempo (prod)', ok: true, stale: false, message: '', loading: false },
  ]);
  const noTarget = withBackendTraces(c.details, { lists, loading: false, due: true }, false);
  assert.equal(noTarget.traces.sources?.[0]?.ok, false);
  assert.match(noTarget.traces.sources?.[0]?.message ?? '', /nothing to search for/);
  assert.equal(noTarget.traces.sources?.[0]?.loading, false);
});

test('a held trace comes from memory; without backends a trace no longer held says so', async () => {
  const c = panelContent(engine, PLACE, Q, []);
  if (c.kind !== 'details') return assert.fail('no details');
  const req = { source: undefined, ref: PLACE, seriesIds: c.seriesIds, traceQuery: c.traceQuery };
  const held = await panelTrace(
    engine,
    undefined,
    { ...req, traceId: heldTrace },
    new AbortController().signal,
  );
  assert.equal(held.ok, true);
  assert.equal(held.ok && held.trace.rows.filter((r) => r.isMatch).length, 1);
  const gone = await panelTrace(
    engine,
    undefined,
    { ...req, traceId: 'a'.repeat(32) },
    new AbortController().signal,
  );
  assert.deepEqual(gone, {
    ok: false,
    error: 'This trace is no longer held in memory (only recent traces are kept).',
  });
});

test('a trace the receiver no longer holds is fetched from a trace backend and its function marked', async () => {
  const id = 'b'.repeat(32);
  const root = span({ name: 'POST /orders', kind: 2, traceId: id, durationMs: 30 });
  const child = codeSpan('/deploy/app/src/orders.ts', 'OrderService.placeOrder', 12, 9, {
    name: 'placeOrder',
    traceId: id,
    parentSpanId: root.spanId,
  });
  const backend = fakeBackend([root, child], []);
  const traces = new BackendTraces(() => [backend.source]);
  const r = { source: undefined, ref: PLACE, seriesIds: new Set<string>(), traceQuery: undefined };
  const got = await panelTrace(engine, traces, { ...r, traceId: id }, new AbortController().signal);
  assert.deepEqual(backend.asked, [id]);
  assert.equal(got.ok, true);
  assert.equal(got.ok && got.trace.source, 'tempo (prod)');
  assert.equal(got.ok && got.trace.rows.find((x) => x.isMatch)?.name, 'placeOrder');
  assert.equal(got.backend?.ok, true, 'the backend’s answer is passed on for its health');
  const missing = await panelTrace(
    engine,
    traces,
    { ...r, traceId: 'c'.repeat(32) },
    new AbortController().signal,
  );
  assert.equal(missing.ok, false);
  assert.match(
    !missing.ok ? missing.error : '',
    /^Not held in memory any more, and tempo \(prod\) does not know/,
  );
});

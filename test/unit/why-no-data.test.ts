import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { createWorkspaceEngine } from '../../src/core/engine/create';
import { whyNoData } from '../../src/core/insights/why-no-data';
import { suggestPathMappings } from '../../src/core/insights/unmapped-reasons';
import { BackendStats } from '../../src/core/engine/backend-stats';
import type { FunctionStatsRecord } from '../../src/core/sources/source';
import { codeSpan, span } from '../support/spans';

const WORKSPACE = join(__dirname, '..', 'fixtures', 'workspace');

test('why no data: an ambiguous or foreign path, another environment, an old window — each explained with a fix', async () => {
  const now = Date.now();
  const { engine } = await createWorkspaceEngine(WORKSPACE, { now: () => now });
  const fns = (await engine.functionsIn('src/orders.ts'))!;
  const total = fns.find((f) => f.qualifiedName === 'totalItems')!;
  const place = fns.find((f) => f.qualifiedName === 'OrderService.placeOrder')!;
  assert.match(
    whyNoData(engine, 'src/orders.ts', total, { windowMs: 900_000 }).summary,
    /No telemetry has arrived/,
  );
  engine.ingestSpans([
    codeSpan('/app/lib/orders.js', 'totalItems', 3, 5),
    codeSpan('/app/src/orders.ts', 'OrderService.placeOrder', 12, 5, {
      resource: { service: 'shop', environment: 'staging', version: '1' },
    }),
  ]);
  const d = whyNoData(engine, 'src/orders.ts', total, { windowMs: 900_000 });
  assert.equal(d.nearMisses.length, 1);
  assert.match(d.nearMisses[0]!.why, /no workspace file is named orders\.js/);
  const p = whyNoData(engine, 'src/orders.ts', place, { windowMs: 900_000, environment: 'prod' });
  assert.match(p.nearMisses[0]!.why, /environment "staging" is filtered out/);
  assert.match(p.nearMisses[0]!.fix ?? '', /prodlens\.environment/);
});

test('why no data also lists Prometheus series that mapped to no function: labels, source and reason, the ones naming this file first', async () => {
  const { engine } = await createWorkspaceEngine(WORKSPACE);
  const fns = (await engine.functionsIn('src/orders.ts'))!;
  const total = fns.find((f) => f.qualifiedName === 'totalItems')!;
  const stats = new BackendStats({
    files: engine.files,
    functions: engine.codeLookup().functions,
    resolver: engine.codeLookup().resolver,
  });
  const row = (o: Partial<FunctionStatsRecord>): FunctionStatsRecord => ({
    service: 'shop',
    spanName: 'x',
    count: 0,
    errors: 0,
    p50Ms: 1,
    p95Ms: 2,
    p99Ms: 3,
    ratePerMin: 1,
    exemplarTraceIds: [],
    ...o,
  });
  await stats.update([
    {
      source: { kind: 'prometheus', environment: 'prod' },
      rows: [
        row({ spanName: 'GET /health', count: 900.4 }),
        row({
          spanName: 'refund',
          codeFile: '/app/src/orders.ts',
          codeFunction: 'OrderService.refund',
          count: 12.6,
        }),
        row({ spanName: 'placeOrder', codeFunction: 'OrderService.placeOrder', count: 50 }),
      ],
      windowMs: 900_000,
      stale: false,
      fetchedAt: Date.now(),
    },
  ]);
  assert.equal(stats.unmapped().length, 2, 'placeOrder maps; the other two do not');
  const d = whyNoData(engine, 'src/orders.ts', total, { windowMs: 900_000 }, stats.unmapped());
  assert.deepEqual(
    d.nearMisses.map((m) => [m.source, m.telemetry, m.count]),
    [
      [
        'prometheus (prod)',
        'prometheus (prod): service_name="shop", span_name="refund", code_function="OrderService.refund", code_file="/app/src/orders.ts"',
        13,
      ],
      ['prometheus (prod)', 'prometheus (prod): service_name="shop", span_name="GET /health"', 900],
    ],
    'the row naming this file before the busier unrelated one',
  );
  assert.match(d.nearMisses[0]!.why, /src\/orders\.ts defines no function named refund/);
  assert.deepEqual(d.nearMisses[0]!.labels, {
    service_name: 'shop',
    span_name: 'refund',
    code_function: 'OrderService.refund',
    code_file: '/app/src/orders.ts',
  });
  assert.match(
    d.nearMisses[1]!.why,
    /^maps to no function \(not this one either\): .*no code_function_name/,
  );
  assert.match(d.nearMisses[1]!.fix ?? '', /codeFunctionLabel/);
  assert.match(
    d.summary,
    /Nothing from the receiver came close; 2 prometheus \(prod\) series mapped to no function/,
  );
  assert.equal(
    whyNoData(engine, 'src/orders.ts', total, { windowMs: 900_000 }).nearMisses.length,
    0,
    'without backend rows, nothing is listed',
  );
});

test('why no data on a route handler: the routes it serves (mounts followed), server spans that carry no route, and a span of its route that landed elsewhere', async () => {
  const { engine } = await createWorkspaceEngine(
    join(__dirname, '..', 'fixtures', 'routes-mounted'),
  );
  const file = 'koa/orders.js';
  const getOrder = (await engine.functionsIn(file))!.find((f) => f.qualifiedName === 'getOrder')!;
  engine.ingestSpans([span({ name: 'GET', kind: 2, attributes: { 'http.method': 'GET' } })]);
  const d = whyNoData(engine, file, getOrder, { windowMs: 900_000 });
  assert.equal(d.nearMisses.length, 0);
  assert.match(
    d.summary,
    /^getOrder handles GET \/orders\/:id \(registered at koa\/orders\.js:5, mounted through koa\/server\.js:5\), and no server span for it arrived in the last 15 min\. 1 server spans arrived without any route/,
  );
  // A span of the same route whose method the code does not register lands nowhere: said, with its reason.
  engine.ingestSpans([
    span({
      name: 'GET /orders/:id',
      kind: 2,
      attributes: { 'http.request.method': 'PATCH', 'http.route': '/orders/:id' },
    }),
  ]);
  const again = whyNoData(engine, file, getOrder, { windowMs: 900_000 });
  assert.equal(again.nearMisses.length, 1);
  assert.match(
    again.nearMisses[0]!.why,
    /no route registration in the workspace matches PATCH \/orders\/:id/,
  );
});

test('the path mapping that settles an ambiguous deployed path: per candidate, or the one whose folders name the service', () => {
  const candidates = ['services/api/src/orders.ts', 'services/web/src/orders.ts'];
  assert.deepEqual(suggestPathMappings('/app/src/orders.ts', candidates, 'shop'), [
    { from: '/app/', to: 'services/api/' },
    { from: '/app/', to: 'services/web/' },
  ]);
  assert.deepEqual(suggestPathMappings('/app/src/orders.ts', candidates, 'api'), [
    { from: '/app/', to: 'services/api/' },
  ]);
  assert.deepEqual(suggestPathMappings('C:\\build\\src\\orders.ts', ['src/orders.ts'], 'x'), [
    { from: 'C:/build/', to: '' },
  ]);
});

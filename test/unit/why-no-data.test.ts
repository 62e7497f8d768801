import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { createWorkspaceEngine } from '../../src/core/engine/create';
import { whyNoData } from '../../src/core/insights/why-no-data';
import { codeSpan } from '../support/spans';

const WORKSPACE = join(__dirname, '..', 'fixtures', 'workspace');

test('why no data: an ambiguous or foreign path, another environment, an old window — each explained with a fix', async () => {
  const now = Date.now();
  const { engine } = await createWorkspaceEngine(WORKSPACE, { now: () => now });
  const fns = (await engine.functions.get('src/orders.ts'))!;
  const total = fns.find((f) => f.qualifiedName === 'totalItems')!;
  const place = fns.find((f) => f.qualifiedName === 'OrderService.placeOrder')!;
  assert.match(whyNoData(engine, 'src/orders.ts', total, { windowMs: 900_000 }).summary, /No telemetry has arrived/);
  engine.ingestSpans([
    codeSpan('/app/lib/orders.js', 'totalItems', 3, 5),
    codeSpan('/app/src/orders.ts', 'OrderService.placeOrder', 12, 5, { resource: { service: 'shop', environment: 'staging', version: '1' } }),
  ]);
  const d = whyNoData(engine, 'src/orders.ts', total, { windowMs: 900_000 });
  assert.equal(d.nearMisses.length, 1);
  assert.match(d.nearMisses[0]!.why, /no workspace file is named orders\.js/);
  const p = whyNoData(engine, 'src/orders.ts', place, { windowMs: 900_000, environment: 'prod' });
  assert.match(p.nearMisses[0]!.why, /environment "staging" is filtered out/);
  assert.match(p.nearMisses[0]!.fix ?? '', /prodlens\.environment/);
});

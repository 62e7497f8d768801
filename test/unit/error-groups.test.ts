import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { createWorkspaceEngine } from '../../src/core/engine/create';
import { span } from '../support/spans';

const WORKSPACE = join(__dirname, '..', 'fixtures', 'workspace');

const stack = (msg: string) =>
  `Error: ${msg}\n    at OrderService.placeOrder (/deploy/app/src/orders.ts:12:11)\n    at handle (/deploy/app/node_modules/express/lib/router.js:40:3)\n    at node:internal/process/task_queues:95:5`;

function failed(msg: string, at: number) {
  return span({
    statusCode: 2,
    startMs: at,
    durationMs: 3,
    events: [
      {
        name: 'exception',
        timeMs: at,
        attributes: {
          'exception.type': 'Error',
          'exception.message': msg,
          'exception.stacktrace': stack(msg),
        },
      },
    ],
  });
}

test('exceptions group by throw site across messages and resolve to the throwing line', async () => {
  const now = Date.now();
  const { engine } = await createWorkspaceEngine(WORKSPACE, { now: () => now });
  engine.ingestSpans([
    failed('order o-1 not found', now - 5000),
    failed('order o-2 not found', now - 1000),
    span({ statusCode: 2 }),
  ]);
  engine.ingestLogs([
    {
      timeMs: now - 500,
      severityNumber: 17,
      severityText: 'ERROR',
      body: 'payment failed',
      traceId: '',
      spanId: '',
      attributes: {
        'exception.type': 'Error',
        'exception.message': 'order o-3 not found',
        'exception.stacktrace': stack('order o-3 not found'),
      },
      resource: { service: 'svc', environment: 'test', version: '1' },
    },
  ]);
  assert.equal(
    engine.errorGroupCount,
    1,
    'one throw site, three occurrences (two span events, one log record)',
  );
  const located = await engine.locateErrors(now - 60_000, 'v1');
  assert.equal(located.length, 1);
  const e = located[0]!;
  assert.equal(e.group.count, 3);
  assert.equal(e.group.message, 'order o-3 not found');
  assert.equal(e.top.file, 'src/orders.ts');
  assert.equal(e.top.line, 12);
  assert.equal(e.top.function?.qualifiedName, 'OrderService.placeOrder');
  assert.equal(
    e.frames.filter((f) => !f.inWorkspace).length,
    2,
    'dependency and runtime frames are marked outside',
  );
  assert.deepEqual(await engine.locateErrors(now + 1, 'v1'), []);
});

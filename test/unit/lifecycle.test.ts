// What the editor's deactivate and a CLI command's end rely on: an engine with both receivers,
// once stopped and disposed, leaves no handle behind (server, socket, timer), and its parser's
// memory is freed (the engine answers nothing from it after).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { createWorkspaceEngine } from '../../src/core/engine/create';
import { engineSinks } from '../../src/core/engine/sinks';
import { OtlpGrpcReceiver } from '../../src/core/receiver/grpc-receiver';
import { OtlpHttpReceiver } from '../../src/core/receiver/http-receiver';
import { codeSpan } from '../support/spans';

const WORKSPACE = join(__dirname, '..', 'fixtures', 'plain-express');

/** Handles that keep a process alive, by kind (stdio and the test runner's own are in the baseline). */
function handles(): string[] {
  return process.getActiveResourcesInfo().sort();
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

test('an engine with its receivers, stopped and disposed, leaves no handle behind', async () => {
  await settle();
  const before = handles();
  const { engine } = await createWorkspaceEngine(WORKSPACE);
  const sinks = engineSinks(engine);
  const http = new OtlpHttpReceiver({ host: '127.0.0.1', port: 0, sinks });
  const grpc = new OtlpGrpcReceiver({ host: '127.0.0.1', port: 0, sinks });
  const addr = await http.start();
  await grpc.start();
  const res = await fetch(`http://127.0.0.1:${addr.port}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"resourceSpans":[]}',
  });
  assert.equal(res.status, 200);
  engine.ingestSpans([codeSpan(join(WORKSPACE, 'handlers', 'orders.js'), 'getOrder', 8, 3)]);
  assert.ok(
    (await engine.functionsIn('handlers/orders.js'))?.length,
    'the parser works while the engine lives',
  );
  assert.ok(handles().length > before.length, 'the receivers hold handles while they run');

  await http.stop();
  await grpc.stop();
  engine.dispose();
  await settle();
  // Nothing is left that was not there before (an fs request of the runner may have finished meanwhile).
  const left = [...handles()];
  for (const h of before) {
    const i = left.indexOf(h);
    if (i >= 0) left.splice(i, 1);
  }
  assert.deepEqual(left, []);
  assert.equal(
    await engine.functionsIn('server.js'),
    undefined,
    'a disposed engine parses nothing',
  );
});

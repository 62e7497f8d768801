// Stack traces captured from real runtimes on this machine (test/fixtures/stacktraces/capture.mjs
// ran the programs under programs/ and replaced their folder with /deploy/app). Each app frame
// must resolve to the program's file, line and enclosing function in a workspace made of the same
// programs, as if the deployed code were checked out locally.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createWorkspaceEngine } from '../../src/core/engine/create';
import type { ParsedStack } from '../../src/core/stacktrace/frame';
import { parseStackTrace } from '../../src/core/stacktrace/parse';
import { FrameResolution, StackResolver } from '../../src/core/stacktrace/resolve';

const FIXTURES = join(__dirname, '..', 'fixtures', 'stacktraces');
const ws = mkdtempSync(join(tmpdir(), 'prodlens-stack-ws-'));
let resolver: StackResolver;

before(async () => {
  cpSync(join(FIXTURES, 'programs'), ws, { recursive: true });
  const { engine } = await createWorkspaceEngine(ws);
  resolver = new StackResolver({ files: engine.files, functions: engine.codeLookup().functions });
});
after(() => rmSync(ws, { recursive: true, force: true }));

async function load(name: string): Promise<{ parsed: ParsedStack; resolved: FrameResolution[] }> {
  const parsed = parseStackTrace(readFileSync(join(FIXTURES, 'captured', name), 'utf8'));
  return { parsed, resolved: await resolver.resolveAll(parsed.frames) };
}

type Expected = [file: string, line: number, fn: string | null];

/** Every app frame, in order, resolves to exactly these workspace locations. */
function assertApp(resolved: FrameResolution[], expected: Expected[]): void {
  const app = resolved.filter((r) => r.frame.kind === 'app');
  assert.deepEqual(
    app.map((r) => [r.file, r.line, r.function?.qualifiedName ?? null]),
    expected,
  );
  for (const r of app) {
    assert.equal(r.inWorkspace, true);
    assert.equal(r.rule, 'stack-frame');
    assert.ok(
      r.confidence === 'high' || r.confidence === 'exact',
      `${r.frame.raw}: ${r.confidence} (${r.explanation})`,
    );
  }
}

test('captured node: async frames and a class method', async () => {
  const { parsed, resolved } = await load('node-async.txt');
  assert.deepEqual(
    parsed.exceptions.map((e) => [e.type, e.message]),
    [['Error', 'order A1 not found']],
  );
  assert.deepEqual(
    parsed.frames.map((f) => f.async ?? false),
    [false, true, true],
  );
  assertApp(resolved, [
    ['node/orders.js', 19, 'fetchRow'],
    ['node/orders.js', 7, 'OrderService.place'],
    ['node/orders.js', 52, 'main'],
  ]);
});

test('captured node: an anonymous callback resolves to its enclosing function; the builtin is runtime', async () => {
  const { resolved } = await load('node-callback.txt');
  assertApp(resolved, [
    ['node/orders.js', 24, 'runCallbacks'],
    ['node/orders.js', 23, 'runCallbacks'],
    ['node/orders.js', 42, 'capture'],
    ['node/orders.js', 56, 'main'],
  ]);
  const builtin = resolved.find((r) => r.frame.function === 'Array.map');
  assert.equal(builtin?.inWorkspace, false);
  assert.equal(builtin?.outside, 'runtime');
});

test('captured node: eval frames resolve to the line that called eval', async () => {
  const { parsed, resolved } = await load('node-eval.txt');
  assert.deepEqual(
    parsed.frames.slice(0, 2).map((f) => [f.function, f.eval]),
    [
      ['evaluated', true],
      ['eval', true],
    ],
  );
  assertApp(resolved, [
    ['node/orders.js', 29, 'runEval'],
    ['node/orders.js', 29, 'runEval'],
    ['node/orders.js', 29, 'runEval'],
    ['node/orders.js', 42, 'capture'],
    ['node/orders.js', 57, 'main'],
  ]);
});

test('captured node: util.inspect [cause] chains become a cause exception', async () => {
  const { parsed, resolved } = await load('node-cause.txt');
  assert.deepEqual(
    parsed.exceptions.map((e) => [e.type, e.relation, e.relatedTo ?? null, e.frames.length]),
    [
      ['Error', 'first', null, 3],
      ['TypeError', 'cause', 0, 6],
    ],
  );
  assert.equal(parsed.unparsedLines, 0);
  assertApp(resolved, [
    ['node/orders.js', 36, 'withCause'],
    ['node/orders.js', 42, 'capture'],
    ['node/orders.js', 59, 'main'],
    ['node/orders.js', 24, 'runCallbacks'],
    ['node/orders.js', 23, 'runCallbacks'],
    ['node/orders.js', 34, 'withCause'],
    ['node/orders.js', 42, 'capture'],
    ['node/orders.js', 59, 'main'],
  ]);
});

test('captured node: ESM frames as file:// URLs; node:internal frames are runtime', async () => {
  const { resolved } = await load('node-esm.txt');
  assertApp(resolved, [
    ['node/esm.mjs', 4, 'parseQuantity'],
    ['node/esm.mjs', 9, 'handle'],
    ['node/esm.mjs', 13, null], // module top level
  ]);
  const internal = resolved.filter((r) => r.frame.file?.startsWith('node:'));
  assert.equal(internal.length, 3);
  assert.ok(internal.every((r) => r.outside === 'runtime' && r.file === null));
});

test('captured python: `raise … from …` with nested functions', async () => {
  const { parsed, resolved } = await load('python-cause.txt');
  assert.deepEqual(
    parsed.exceptions.map((e) => [e.type, e.message, e.relation, e.innermostFirst]),
    [
      ['KeyError', "'A1'", 'first', false],
      ['OrderError', 'order A1 not found', 'effect', false],
    ],
  );
  assert.equal(parsed.unparsedLines, 0);
  assertApp(resolved, [
    ['python/orders.py', 19, 'OrderService.load'],
    ['python/orders.py', 16, 'OrderService.load.lookup'],
    ['python/orders.py', 32, 'capture'],
    ['python/orders.py', 40, 'main'], // the lambda inside main
    ['python/orders.py', 21, 'OrderService.load'],
  ]);
});

test('captured python: "during handling" context chains', async () => {
  const { parsed, resolved } = await load('python-context.txt');
  assert.deepEqual(
    parsed.exceptions.map((e) => [e.type, e.relation]),
    [
      ['KeyError', 'first'],
      ['OrderError', 'effect'],
      ['ValueError', 'context'],
    ],
  );
  assertApp(resolved, [
    ['python/orders.py', 19, 'OrderService.load'],
    ['python/orders.py', 16, 'OrderService.load.lookup'],
    ['python/orders.py', 25, 'OrderService.total'],
    ['python/orders.py', 21, 'OrderService.load'],
    ['python/orders.py', 32, 'capture'],
    ['python/orders.py', 40, 'main'],
    ['python/orders.py', 27, 'OrderService.total'],
  ]);
});

test('captured java: Caused by chain, ... N more and a suppressed exception resolve through the package path', async () => {
  const { parsed, resolved } = await load('java-chain.txt');
  assert.deepEqual(
    parsed.exceptions.map((e) => [e.type, e.relation, e.omittedFrames ?? 0]),
    [
      ['java.lang.RuntimeException', 'first', 0],
      ['java.lang.IllegalStateException', 'cause', 1],
      ['java.io.IOException', 'cause', 2],
      ['java.lang.IllegalStateException', 'suppressed', 3],
    ],
  );
  const svc = 'java/com/acme/orders/OrderService.java';
  assertApp(resolved, [
    [svc, 36, 'OrderService.place'],
    ['java/com/acme/orders/Main.java', 6, 'Main.main'],
    [svc, 28, 'OrderService.load'],
    [svc, 34, 'OrderService.place'],
    [svc, 9, 'OrderService.Connection.read'],
    [svc, 20, 'OrderService.fetch'],
    [svc, 26, 'OrderService.load'],
    [svc, 14, 'OrderService.Connection.close'],
    [svc, 19, 'OrderService.fetch'],
  ]);
});

// `prodlens locate` end to end in-process (runLocate), over a workspace made of the capture
// programs: --stack (file and stdin), --json, --log, --span with OTLP JSON, and usage errors.
// Also the span/log extraction of stack traces it relies on.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, test } from 'node:test';
import { runLocate, type LocateRecord } from '../../src/cli/locate';
import { CliError } from '../../src/cli/errors';
import type { LogRecordData, SpanRecord } from '../../src/core/model';
import { stackTracesOfLog, stackTracesOfSpan } from '../../src/core/stacktrace/span-exceptions';

const FIXTURES = join(__dirname, '..', 'fixtures', 'stacktraces');
const tmp = mkdtempSync(join(tmpdir(), 'prodlens-locate-'));
const ws = join(tmp, 'ws');
cpSync(join(FIXTURES, 'programs'), ws, { recursive: true });
after(() => rmSync(tmp, { recursive: true, force: true }));

async function locate(
  args: string[],
  stdin?: string,
): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await runLocate(['--workspace', ws, ...args], {
    stdout,
    stderr,
    ...(stdin !== undefined ? { stdin: Readable.from([stdin]) } : {}),
  });
  return { code, out, err };
}

test('--stack FILE --json: one object per frame with the documented fields', async () => {
  const { code, out } = await locate([
    '--stack',
    join(FIXTURES, 'captured', 'java-chain.txt'),
    '--json',
  ]);
  assert.equal(code, 0);
  const rows = JSON.parse(out) as LocateRecord[];
  assert.equal(rows.length, 9);
  for (const r of rows)
    for (const k of ['file', 'line', 'function', 'rule', 'confidence', 'inWorkspace'] as const)
      assert.ok(k in r, k);
  assert.deepEqual(
    [rows[0]?.file, rows[0]?.line, rows[0]?.function, rows[0]?.rule, rows[0]?.inWorkspace],
    ['java/com/acme/orders/OrderService.java', 36, 'OrderService.place', 'stack-frame', true],
  );
  assert.equal(rows[2]?.exception?.type, 'java.lang.IllegalStateException');
});

test('--stack - reads stdin; text output marks runtime frames as outside the workspace', async () => {
  const { code, out } = await locate(
    ['--stack', '-'],
    readFileSync(join(FIXTURES, 'captured', 'node-esm.txt'), 'utf8'),
  );
  assert.equal(code, 0);
  assert.match(out, /→ node\/esm\.mjs:4 in parseQuantity {2}\[stack-frame, high\]/);
  assert.match(out, /✗ outside the workspace \(runtime\)/);
  assert.match(out, /6 locations, 3 in the workspace/);
});

test('--stack with junk reports what it could not read', async () => {
  const junk = join(tmp, 'junk.txt');
  writeFileSync(junk, `hello\n${'x'.repeat(10_000)}\n`);
  const { code, out } = await locate(['--stack', junk]);
  assert.equal(code, 0);
  assert.match(
    out,
    /no stack frames recognised \(1 lines not recognised, 1 over-long lines skipped\)/,
  );
});

test('--log: the statement search, then a stack inside a JSON-escaped log line, or a file:line reference', async () => {
  const withStack = await locate([
    '--log',
    'ERROR failed: Error: boom\\n    at fetchRow (/deploy/app/node/orders.js:19:9)',
    '--json',
  ]);
  const rows = JSON.parse(withStack.out) as LocateRecord[];
  assert.deepEqual(
    rows.map((r) => [r.kind, r.file, r.line, r.function]),
    [
      ['log-statement', null, null, null],
      ['frame', 'node/orders.js', 19, 'fetchRow'],
    ],
  );
  assert.match(
    rows[0]!.explanation,
    /text line \(error\): no log statements? (were found|in the workspace)/,
  );
  const ref = await locate(['--log', 'WARN slow query at /srv/python/orders.py:25 took 900ms']);
  assert.match(ref.out, /→ python\/orders\.py:25 in OrderService\.total/);
});

test('--log and --log-file find the log statement that printed each line (JSON, logfmt, plain)', async () => {
  writeFileSync(
    join(ws, 'node', 'checkout.js'),
    "function checkout(order) {\n  logger.info(`checkout done order=${order.id} in ${order.ms}ms`);\n  logger.warn('cart %s is stale', order.cart);\n}\nmodule.exports = { checkout };\n",
  );
  const one = JSON.parse(
    (await locate(['--log', '{"level":30,"msg":"checkout done order=o-7 in 12ms"}', '--json'])).out,
  ) as LocateRecord[];
  assert.deepEqual(
    one.map((r) => [r.kind, r.file, r.line, r.function, r.rule, r.confidence, r.inWorkspace]),
    [['log-statement', 'node/checkout.js', 2, 'checkout', 'log-template', 'high', true]],
  );
  const logFile = join(tmp, 'app.log');
  writeFileSync(
    logFile,
    [
      'level=warn msg="cart c-1 is stale"',
      '2026-01-01T00:00:00Z INFO checkout done order=o-8 in 3ms',
      'no statement printed this',
    ].join('\n'),
  );
  const { out } = await locate(['--log-file', logFile]);
  assert.match(out, /→ node\/checkout\.js:3 in checkout {2}\[log-template, high\]/);
  assert.match(out, /→ node\/checkout\.js:2 in checkout {2}\[log-template, (high|medium)\]/);
  assert.match(
    out,
    /app\.log:3:\n {2}no statement printed this\n {4}✗ not in the workspace: text line: no log statement in the workspace prints a message like "no statement printed this"/,
  );
});

function otlpRequest(): string {
  const stack = readFileSync(join(FIXTURES, 'captured', 'node-async.txt'), 'utf8');
  const str = (k: string, v: string) => ({ key: k, value: { stringValue: v } });
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [str('service.name', 'orders')] },
        scopeSpans: [
          {
            spans: [
              {
                traceId: '5b8efff798038103d269b633813fc60c',
                spanId: 'eee19b7ec3c1b174',
                name: 'place order',
                kind: 1,
                startTimeUnixNano: '1700000000000000000',
                endTimeUnixNano: '1700000000100000000',
                attributes: [
                  str('code.file.path', '/deploy/app/python/orders.py'),
                  { key: 'code.line.number', value: { intValue: '25' } },
                ],
                events: [
                  {
                    name: 'exception',
                    timeUnixNano: '1700000000050000000',
                    attributes: [
                      str('exception.type', 'Error'),
                      str('exception.message', 'order A1 not found'),
                      str('exception.stacktrace', stack),
                    ],
                  },
                ],
                status: { code: 2 },
              },
            ],
          },
        ],
      },
    ],
  });
}

test('--span FILE: code.* attributes and every exception stack of each span', async () => {
  const file = join(tmp, 'spans.jsonl');
  writeFileSync(file, `${otlpRequest()}\n${otlpRequest()}\n`);
  const { code, out } = await locate(['--span', file, '--json']);
  assert.equal(code, 0);
  const rows = JSON.parse(out) as LocateRecord[];
  assert.equal(rows.length, 8); // per request: 1 code-attributes record + 3 frames
  assert.deepEqual(
    [rows[0]?.kind, rows[0]?.file, rows[0]?.function, rows[0]?.rule],
    ['code-attributes', 'python/orders.py', 'OrderService.total', 'code.file.path+line'],
  );
  assert.deepEqual(
    rows.slice(1, 4).map((r) => [r.file, r.line, r.function]),
    [
      ['node/orders.js', 19, 'fetchRow'],
      ['node/orders.js', 7, 'OrderService.place'],
      ['node/orders.js', 52, 'main'],
    ],
  );
  assert.match(rows[1]?.source ?? '', /span event #0 "exception" exception\.stacktrace/);
});

test('usage errors are CliErrors with exit status 2', async () => {
  const usage = async (args: string[]) => {
    await assert.rejects(
      runLocate(args, { stdout: new PassThrough(), stderr: new PassThrough() }),
      (e: unknown) =>
        e instanceof CliError && e.exitCode === 2 && !e.message.split('\n')[0]!.includes('\n'),
    );
  };
  await usage(['--stack', 'x']);
  await usage(['--workspace', ws]);
  await usage(['--workspace', ws, '--stack', 'a', '--log', 'b']);
  await usage(['--workspace', join(tmp, 'missing'), '--stack', 'a']);
  await assert.rejects(
    locate(['--stack', join(tmp, 'missing.txt')]),
    (e: unknown) => e instanceof CliError && e.exitCode === 1,
  );
  await assert.rejects(
    locate(['--span', join(FIXTURES, 'captured', 'java-chain.txt')]),
    (e: unknown) => e instanceof CliError && /not an OTLP JSON trace request/.test(e.message),
  );
});

test('stack traces are extracted from exception events, code.stacktrace and log records', () => {
  const span = {
    events: [
      {
        name: 'exception',
        timeMs: 0,
        attributes: {
          'exception.type': 'KeyError',
          'exception.message': "'A1'",
          'exception.stacktrace': 'Traceback…',
        },
      },
      { name: 'retry', timeMs: 0, attributes: {} },
    ],
    attributes: { 'code.stacktrace': '    at f (/a.js:1:1)' },
  } as unknown as SpanRecord;
  assert.deepEqual(
    stackTracesOfSpan(span).map((s) => [s.attribute, s.origin, s.type ?? null]),
    [
      ['exception.stacktrace', 'span event #0 "exception"', 'KeyError'],
      ['code.stacktrace', 'span attributes', null],
    ],
  );
  const log = {
    attributes: { 'exception.stacktrace': 'x', 'code.stacktrace': 'y', 'exception.type': 'E' },
  } as unknown as LogRecordData;
  assert.deepEqual(
    stackTracesOfLog(log).map((s) => s.attribute),
    ['exception.stacktrace', 'code.stacktrace'],
  );
});

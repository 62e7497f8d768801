// Bad input never crashes or hangs the parser: truncated and garbled traces, mixed languages,
// 100,000-frame traces, random bytes, regex-hostile lines. Partial results, unresolved parts marked.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseStackTrace } from '../../src/core/stacktrace/parse';

const CAPTURED = join(__dirname, '..', 'fixtures', 'stacktraces', 'captured');
const captured = (name: string) => readFileSync(join(CAPTURED, name), 'utf8');

function timed<T>(fn: () => T): { value: T; ms: number } {
  const t0 = performance.now();
  const value = fn();
  return { value, ms: performance.now() - t0 };
}

test('a trace cut mid-frame keeps the complete frames before the cut', () => {
  const java = captured('java-chain.txt');
  const cut = java.slice(0, java.indexOf('OrderService.fetch(OrderService.java:20)') + 20);
  const p = parseStackTrace(cut);
  assert.equal(p.frames.length, 5);
  assert.equal(p.frames.at(-1)?.function, 'com.acme.orders.OrderService$Connection.read');
  assert.equal(p.unparsedLines, 1);

  // Go's OTel SDK truncates at 2048 bytes: a function line whose location line never came.
  const go = parseStackTrace(
    'panic: x\n\ngoroutine 1 [running]:\nmain.main()\n\t/app/main.go:3 +0x1\nmain.handle(0xc0000',
  );
  assert.equal(go.frames.length, 1);
  // Python cut inside the frame line: the file and line are still usable.
  const py = parseStackTrace('Traceback (most recent call last):\n  File "/app/x.py", line 7');
  assert.deepEqual(
    py.frames.map((f) => [f.file, f.line, f.function]),
    [['/app/x.py', 7, undefined]],
  );
});

test('garbled lines are counted as unparsed, not guessed', () => {
  const p = parseStackTrace(
    'at (:::)\nat \nFile "", line x, in\n#x foo(1): bar\n\tat\n:1:in `x\'\nat foo (bar)\n\u0000\u0001\u0002',
  );
  assert.equal(p.frames.length, 1); // `at foo (bar)`: a V8 frame without a location
  assert.equal(p.frames[0]?.file, undefined);
  assert.ok(p.unparsedLines >= 5);
});

test('mixed languages in one text: a Java error quoting a Python traceback', () => {
  const text = `com.acme.ScriptException: python failed:
${captured('python-cause.txt').split('\n').slice(0, 8).join('\n')}
\tat com.acme.orders.OrderService.load(OrderService.java:28)
\tat com.acme.orders.Main.main(Main.java:6)
${captured('node-async.txt')}`;
  const p = parseStackTrace(text);
  assert.deepEqual(new Set(p.languages), new Set(['java', 'python', 'javascript']));
  assert.deepEqual(
    p.exceptions.map((e) => [e.type, e.language, e.frames.length]),
    [
      ['com.acme.ScriptException', 'java', 2],
      ['KeyError', 'python', 2],
      ['Error', 'javascript', 3],
    ],
  );
});

test('100,000 frames: bounded output, counted truncation, linear time', () => {
  const line = '    at OrderService.load (/deploy/app/node/orders.js:19:9)\n';
  const text = `Error: deep\n${line.repeat(100_000)}`;
  const { value: p, ms } = timed(() => parseStackTrace(text));
  assert.equal(p.frames.length, 2_000);
  assert.equal(p.truncatedFrames, 98_000);
  assert.ok(ms < 5_000, `took ${ms} ms`);
  // Python and Go too (Go frames span two lines).
  const py = timed(() =>
    parseStackTrace(
      `Traceback (most recent call last):\n${'  File "/a/b.py", line 3, in f\n    f()\n'.repeat(100_000)}RecursionError: too deep`,
    ),
  );
  assert.equal(py.value.frames.length + py.value.truncatedFrames, 100_000);
  assert.equal(py.value.exceptions[0]?.type, 'RecursionError');
  const go = timed(() =>
    parseStackTrace(
      `goroutine 1 [running]:\n${'main.f(...)\n\t/app/main.go:3 +0x1\n'.repeat(100_000)}`,
    ),
  );
  assert.equal(go.value.frames.length + go.value.truncatedFrames, 100_000);
  assert.ok(py.ms < 5_000 && go.ms < 5_000, `python ${py.ms} ms, go ${go.ms} ms`);
});

test('1 MB of random bytes: no throw, no hang', () => {
  for (const enc of ['latin1', 'utf8'] as const) {
    const junk = randomBytes(1 << 20).toString(enc);
    const { value: p, ms } = timed(() => parseStackTrace(junk));
    assert.ok(ms < 5_000, `${enc}: took ${ms} ms`);
    assert.ok(p.frames.length <= 2_000);
  }
});

test('regex-hostile lines stay linear', () => {
  const hostile = [
    `at ${'a.'.repeat(1500)}(${'b.'.repeat(500)}`,
    `  File "${'"'.repeat(2000)}", line 1, in ${'x'.repeat(1000)}`,
    `#0 ${'((1): '.repeat(600)}`,
    `${'x:1:in '.repeat(500)}`,
    `at ${'('.repeat(2000)}${')'.repeat(1999)}`,
    `${'a'.repeat(2000)}(${'('.repeat(1000)}\n\t${'/a'.repeat(1000)}.go:1`,
    `${'Error'.repeat(800)}: ${':'.repeat(1000)}`,
  ].join('\n');
  const { ms } = timed(() => parseStackTrace(`${hostile}\n`.repeat(200)));
  assert.ok(ms < 5_000, `took ${ms} ms`);
});

test('over-long lines (minified code) are skipped and counted; text and frames are capped', () => {
  const p = parseStackTrace(`Error: x\n${'var a=1;'.repeat(10_000)}\n    at f (/app/a.js:1:2)`);
  assert.equal(p.oversizedLines, 1);
  assert.equal(p.frames.length, 1);
  const capped = parseStackTrace('    at f (/app/a.js:1:2)\n'.repeat(10), {
    maxTextLength: 100,
    maxFrames: 2,
  });
  assert.equal(capped.truncatedText, true);
  assert.equal(capped.frames.length, 2);
  assert.equal(parseStackTrace('').frames.length, 0);
});

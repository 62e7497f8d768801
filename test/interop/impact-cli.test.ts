// `prodlens impact` as a user runs it, called in-process (the command is wired into main.ts
// separately): a real git repository, OTLP JSON as the Collector's file exporter writes it, and
// the --json / --markdown / --fail-on contracts, with one-line errors for bad input.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { runImpact } from '../../src/cli/impact';
import { CliError } from '../../src/cli/errors';
import { tempDir, tempRepo, type TempRepo } from '../unit/impact-repo';

let repo: TempRepo;
let otlp: string;
const NOW_S = Math.floor(Date.now() / 1000) - 120;

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  return {
    stream: new Writable({
      write(chunk: Buffer | string, _enc, done) {
        chunks.push(chunk.toString());
        done();
      },
    }),
    text: () => chunks.join(''),
  };
}

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = sink();
  const err = sink();
  const code = await runImpact(args, { stdout: out.stream, stderr: err.stream });
  return { code, stdout: out.text(), stderr: err.text() };
}

const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
const int = (key: string, v: number) => ({ key, value: { intValue: String(v) } });

/** One OTLP JSON request: `n` checkout traces, every other one reaching placeOrder (a fifth of those failing). */
function otlpLine(n: number): string {
  const spans = [];
  for (let i = 0; i < n; i++) {
    const traceId = randomBytes(16).toString('hex');
    const root = randomBytes(8).toString('hex');
    const start = BigInt(NOW_S - n + i) * 1_000_000_000n;
    spans.push({
      traceId,
      spanId: root,
      name: 'POST /checkout',
      kind: 2,
      startTimeUnixNano: String(start),
      endTimeUnixNano: String(start + 600_000_000n),
      status: {},
    });
    if (i % 2 === 0) {
      spans.push({
        traceId,
        spanId: randomBytes(8).toString('hex'),
        parentSpanId: root,
        name: 'placeOrder',
        kind: 1,
        startTimeUnixNano: String(start),
        endTimeUnixNano: String(start + 450_000_000n),
        attributes: [
          str('code.file.path', '/srv/shop/src/orders.ts'),
          str('code.function.name', 'placeOrder'),
          int('code.line.number', 2),
        ],
        status: i % 10 === 0 ? { code: 2 } : {},
      });
    }
  }
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [str('service.name', 'shop')] },
        scopeSpans: [{ scope: { name: 't' }, spans }],
      },
    ],
  });
}

before(() => {
  repo = tempRepo({
    'src/orders.ts':
      'export function placeOrder(id: string): string {\n  return "placed " + id;\n}\n\nexport function helper(): number {\n  return 1;\n}\n',
  });
  repo.write(
    'src/orders.ts',
    'export function placeOrder(id: string): string {\n  return "placed: " + id;\n}\n\nexport function helper(): number {\n  return 2;\n}\n\nexport function fresh(): number {\n  return 3;\n}\n',
  );
  otlp = join(repo.dir, '..', `${randomBytes(4).toString('hex')}-spans.jsonl`);
  writeFileSync(otlp, `${otlpLine(100)}\n`);
});

after(() => {
  repo.remove();
  rmSync(otlp, { force: true });
});

test('--json: an array of changed functions with the documented fields, riskiest first', async () => {
  const r = await run(['--workspace', repo.dir, '--otlp-file', otlp, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const items = JSON.parse(r.stdout) as Record<string, unknown>[];
  assert.deepEqual(
    items.map((i) => [i.function, i.change, i.line, i.risk]),
    [
      ['placeOrder', 'modified', 1, 'high'],
      ['helper', 'modified', 5, 'none'],
      ['fresh', 'added', 9, 'none'],
    ],
  );
  const place = items[0]!;
  for (const k of [
    'file',
    'function',
    'line',
    'change',
    'count',
    'p95Ms',
    'errorRate',
    'callers',
    'alerts',
    'risk',
    'reason',
  ])
    assert.ok(k in place, k);
  assert.equal(place.file, 'src/orders.ts');
  assert.equal(place.count, 50);
  assert.equal(place.errorRate, 0.2);
  assert.deepEqual(place.callers, [
    { endpoint: 'POST /checkout', service: 'shop', traces: 50, total: 100, share: 0.5 },
  ]);
  assert.deepEqual(place.alerts, [
    {
      name: 'High error rate',
      state: 'firing',
      severity: 'critical',
      startsAt: null,
      summary: '20% of 50 calls failed (threshold 5%)',
      source: 'local',
    },
  ]);
  assert.equal(place.reason, 'on the path of 50% of POST /checkout; 20% errors; 1 alert in 24 h');
  assert.equal(place.p95Ms !== null && Math.round(Number(place.p95Ms)), 450);
  assert.deepEqual(items[1]!.noData, { reason: 'never seen', detail: 'no spans in the last 24 h' });
  assert.deepEqual(items[2]!.noData, { reason: 'new', detail: 'new in this change' });
});

test('--markdown: a pull-request comment', async () => {
  const r = await run([
    '--workspace',
    repo.dir,
    '--otlp-file',
    otlp,
    '--markdown',
    '--window',
    '1h',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /^### ProdLens: production impact\n\n\*\*3 changed functions\*\* in the uncommitted changes, production over the last 1 h: 1 high · 2 without production data\.\n/,
  );
  assert.match(
    r.stdout,
    /\n\| 🔴 high \| `placeOrder` \| `src\/orders\.ts:1` \| modified \| [^|]+\/min \| 450 ms \| 20% \| on the path of 50% of POST \/checkout; 20% errors; 1 alert in 1 h \|\n/,
  );
  assert.match(r.stdout, /\n- `fresh` \(`src\/orders\.ts:9`, added\): new in this change\n/);
});

test('default output is a plain table; without data every function says why', async () => {
  const r = await run(['--workspace', repo.dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stdout,
    [
      'Changed functions without production data (3):',
      '  placeOrder  src/orders.ts:1  modified: no production data source given',
      '  helper  src/orders.ts:5  modified: no production data source given',
      '  fresh  src/orders.ts:9  added: no production data source given',
      '',
    ].join('\n'),
  );
});

test('--fail-on exits 3 with the first reason when met, 0 when not', async () => {
  const hit = await run([
    '--workspace',
    repo.dir,
    '--otlp-file',
    otlp,
    '--fail-on',
    'medium',
    '--json',
  ]);
  assert.equal(hit.code, 3);
  assert.equal(
    hit.stderr,
    'prodlens: impact: 1 changed function(s) at or above medium risk: placeOrder (src/orders.ts:1): on the path of 50% of POST /checkout; 20% errors; 1 alert in 24 h\n',
  );
  const miss = await run(['--workspace', repo.dir, '--fail-on', 'low']);
  assert.equal(miss.code, 0);
  assert.equal(miss.stderr, '');
});

test('bad flags and bad input are one-line CLI errors with usage status 2, git trouble status 1', async () => {
  const usage = async (args: string[], message: RegExp) =>
    assert.rejects(
      run(args),
      (e: unknown) =>
        e instanceof CliError &&
        e.exitCode === 2 &&
        message.test(e.message) &&
        !e.message.includes('\n'),
    );
  await usage(['--workspace', repo.dir, '--bogus'], /^impact: Unknown option '--bogus'/);
  await usage([], /--workspace DIR is required/);
  await usage(
    ['--workspace', repo.dir, '--json', '--markdown'],
    /--json and --markdown are exclusive/,
  );
  await usage(
    ['--workspace', repo.dir, '--fail-on', 'severe'],
    /--fail-on severe: expected low, medium or high/,
  );
  await usage(['--workspace', repo.dir, '--from', 'ftp://x'], /expected an http/);
  await usage(['--workspace', repo.dir, '--window', '3y'], /--window 3y/);
  const plain = tempDir();
  try {
    await assert.rejects(
      run(['--workspace', plain]),
      (e: unknown) =>
        e instanceof CliError &&
        e.exitCode === 1 &&
        /^impact: .* is not inside a git repository$/.test(e.message),
    );
    await assert.rejects(
      run(['--workspace', repo.dir, '--base', 'nope']),
      (e: unknown) =>
        e instanceof CliError && e.exitCode === 1 && /unknown revision nope/.test(e.message),
    );
    await assert.rejects(
      run(['--workspace', repo.dir, '--otlp-file', join(plain, 'missing.jsonl')]),
      (e: unknown) => e instanceof CliError && /cannot read/.test(e.message),
    );
  } finally {
    rmSync(plain, { recursive: true, force: true });
  }
});

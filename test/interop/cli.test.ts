// The built `prodlens` CLI as a user runs it: serve + report --from, report --otlp-file, and the
// one-line errors with non-zero exits for bad input.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createInterface } from 'node:readline';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { SpanKind, type HrTime } from '@opentelemetry/api';
import type { ReportJson } from '../../src/cli/report-rows';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const WORKSPACE = join(ROOT, 'test', 'fixtures', 'workspace');
const tmp = mkdtempSync(join(tmpdir(), 'prodlens-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  assert.ok(existsSync(CLI), 'dist/cli.js missing: run the build first');
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Spans for OrderService.placeOrder (durations 1..n ms, every 10th an error) as an SDK records them. */
function makeProvider(processor: 'memory' | { url: string }) {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'cli-shop' }),
    spanProcessors: [
      processor === 'memory'
        ? new SimpleSpanProcessor(memory)
        : new BatchSpanProcessor(new OTLPTraceExporter({ url: `${processor.url}/v1/traces` }), {
            maxExportBatchSize: 50,
          }),
    ],
  });
  const emit = (n: number) => {
    const tracer = provider.getTracer('cli');
    const base = Math.floor(Date.now() / 1000) - 60;
    for (let i = 1; i <= n; i++) {
      const s = tracer.startSpan('placeOrder', {
        startTime: [base, 0] as HrTime,
        attributes: {
          'code.filepath': '/opt/svc/src/orders.ts',
          'code.lineno': 13,
          'code.function': 'placeOrder',
          'code.namespace': 'OrderService',
        },
      });
      if (i % 10 === 0) s.setStatus({ code: 2 });
      s.end([base, i * 1_000_000] as HrTime);
    }
  };
  return { provider, memory, emit };
}

test('report --otlp-file --json maps Collector file-exporter lines onto functions', () => {
  const { memory, emit } = makeProvider('memory');
  emit(50);
  const spans = memory.getFinishedSpans();
  const lines = [spans.slice(0, 25), spans.slice(25)].map((chunk) =>
    Buffer.from(JsonTraceSerializer.serializeRequest(chunk)!).toString('utf8'),
  );
  const file = join(tmp, 'spans.json');
  writeFileSync(file, lines.join('\n') + '\n');
  const r = cli(['report', '--workspace', WORKSPACE, '--otlp-file', file, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const rows = (JSON.parse(r.stdout) as ReportJson).functions;
  assert.equal(rows.length, 1);
  const row = rows[0]!;
  assert.equal(row.file, 'src/orders.ts');
  assert.equal(row.function, 'OrderService.placeOrder');
  assert.equal(row.line, 10);
  assert.equal(row.count, 50);
  assert.equal(row.errors, 5);
  assert.equal(row.mappedBy, 'code.filepath+line');
  assert.ok(Math.abs((row.p50Ms ?? NaN) - 25) <= 0.5, `p50 ${row.p50Ms}`);
  assert.ok(Math.abs((row.p99Ms ?? NaN) - 49) / 49 <= 0.02, `p99 ${row.p99Ms}`); // rank 0.99 × 49 of 1..50 ms
  const table = cli(['report', '--workspace', WORKSPACE, '--otlp-file', file]);
  assert.match(table.stdout, /OrderService\.placeOrder\s+src\/orders\.ts:10\s+50/);
});

test('report applies prodlens.pathMappings from DIR/.vscode/settings.json (as alerts does): an ambiguous deployed path lands where the rule says', () => {
  const { memory, emit } = makeProvider('memory');
  emit(20);
  const file = join(tmp, 'spans-mapped.json');
  writeFileSync(
    file,
    Buffer.from(JsonTraceSerializer.serializeRequest(memory.getFinishedSpans())!).toString('utf8') +
      '\n',
  );
  const ws = join(tmp, 'two-services');
  const orders = readFileSync(join(WORKSPACE, 'src', 'orders.ts'), 'utf8');
  for (const svc of ['api', 'worker']) {
    mkdirSync(join(ws, 'services', svc, 'src'), { recursive: true });
    writeFileSync(join(ws, 'services', svc, 'src', 'orders.ts'), orders);
  }
  const before = cli(['report', '--workspace', ws, '--otlp-file', file, '--json']);
  assert.equal(before.status, 0, before.stderr);
  const ambiguous = JSON.parse(before.stdout) as ReportJson;
  assert.deepEqual(
    ambiguous.functions,
    [],
    'two workspace files end in src/orders.ts: ambiguous, no guess',
  );
  // Said with its count, example paths, the candidates and the rules that would settle it.
  const reason = ambiguous.unmapped.find((u) => u.kind === 'path-ambiguous');
  assert.equal(reason?.count, 20);
  assert.deepEqual(reason?.paths, {
    examples: ['/opt/svc/src/orders.ts'],
    candidates: ['services/api/src/orders.ts', 'services/worker/src/orders.ts'],
    pathMappings: [
      { from: '/opt/svc/', to: 'services/api/' },
      { from: '/opt/svc/', to: 'services/worker/' },
    ],
  });
  const text = cli(['report', '--workspace', ws, '--otlp-file', file]);
  assert.match(
    text.stdout,
    /20 spans: code paths that fit several workspace files equally well\n.*\n {6}paths: \/opt\/svc\/src\/orders\.ts; workspace files: services\/api\/src\/orders\.ts, services\/worker\/src\/orders\.ts\n {6}fix: add to prodlens\.pathMappings one of \{"from":"\/opt\/svc\/","to":"services\/api\/"\} or \{"from":"\/opt\/svc\/","to":"services\/worker\/"\}/,
  );
  mkdirSync(join(ws, '.vscode'));
  writeFileSync(
    join(ws, '.vscode', 'settings.json'),
    '{\n  // JSONC, as VS Code writes it\n  "prodlens.pathMappings": [{ "from": "/opt/svc/", "to": "services/worker/" }],\n}\n',
  );
  const after = cli(['report', '--workspace', ws, '--otlp-file', file, '--json']);
  assert.equal(after.status, 0, after.stderr);
  const rows = (JSON.parse(after.stdout) as ReportJson).functions;
  assert.deepEqual(
    rows.map((r) => [r.file, r.function, r.count]),
    [['services/worker/src/orders.ts', 'OrderService.placeOrder', 20]],
  );
});

test('serve receives from a real exporter, report --from reads it, SIGTERM persists', async () => {
  const dataDir = join(tmp, 'serve-data');
  const child: ChildProcess = spawn(
    process.execPath,
    [CLI, 'serve', '--workspace', WORKSPACE, '--port', '0', '--data-dir', dataDir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  try {
    const line = await new Promise<string>((resolve, reject) => {
      const rl = createInterface({ input: child.stdout! });
      rl.once('line', resolve);
      child.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
      setTimeout(() => reject(new Error('serve printed nothing in 30 s')), 30_000);
    });
    const m = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
    assert.ok(m, line);
    const url = m[1]!;
    const { provider, emit } = makeProvider({ url });
    emit(30);
    await provider.forceFlush();
    await provider.shutdown();
    const r = cli(['report', '--workspace', WORKSPACE, '--from', url, '--json', '--window', '15m']);
    assert.equal(r.status, 0, r.stderr);
    const rows = (JSON.parse(r.stdout) as ReportJson).functions;
    assert.equal(rows[0]?.function, 'OrderService.placeOrder');
    assert.equal(rows[0]?.count, 30);
    // The running receiver as a source, the way the backends are named: the same report.
    const viaSource = cli([
      'report',
      '--workspace',
      WORKSPACE,
      '--source',
      `prodlens=${url}`,
      '--json',
      '--window',
      '15m',
    ]);
    assert.equal(viaSource.status, 0, viaSource.stderr);
    assert.equal((JSON.parse(viaSource.stdout) as ReportJson).functions[0]?.count, 30);
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 0);
    assert.ok(existsSync(join(dataDir, 'aggregates.v2.json')), 'aggregates persisted on SIGTERM');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('bad flags, unreadable files and unreachable URLs: one line on stderr, non-zero exit', () => {
  const cases: [string[], RegExp][] = [
    [['report', '--workspace', WORKSPACE], /needs --from URL or at least one --otlp-file/],
    [['report', '--workspace', WORKSPACE, '--otlp-file', join(tmp, 'nope.json')], /cannot read/],
    [
      ['report', '--workspace', WORKSPACE, '--from', 'http://127.0.0.1:9', '--json'],
      /cannot reach http:\/\/127\.0\.0\.1:9/,
    ],
    [
      ['report', '--workspace', WORKSPACE, '--otlp-file', 'x', '--window', 'forever'],
      /--window forever/,
    ],
    [['report', '--workspace', join(tmp, 'missing-dir'), '--otlp-file', 'x'], /not a directory/],
    [['serve', '--workspace', WORKSPACE, '--port', '99999'], /not a port number/],
    [['report', '--bogus'], /bogus/],
    [['frobnicate'], /unknown command/],
  ];
  for (const [args, re] of cases) {
    const r = cli(args);
    assert.notEqual(r.status, 0, args.join(' '));
    const lines = r.stderr.trim().split('\n');
    assert.match(lines[0]!, re, args.join(' '));
    // One line says what is wrong; a usage error (exit 2) of a known command adds its synopsis.
    if (r.status === 2 && ['report', 'serve'].includes(args[0]!)) {
      assert.equal(lines.length, 2, `error and synopsis for ${args.join(' ')}: ${r.stderr}`);
      assert.match(lines[1]!, new RegExp(`^usage: prodlens ${args[0]} `));
    } else assert.equal(lines.length, 1, `one line for ${args.join(' ')}: ${r.stderr}`);
  }
  writeFileSync(join(tmp, 'garbage.json'), '{"resourceSpans": 5}\n{"resourceSpans": []}\n');
  const bad = cli(['report', '--workspace', WORKSPACE, '--otlp-file', join(tmp, 'garbage.json')]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /garbage\.json:1: not an OTLP JSON trace request/);
});

test('report says why spans did not map, grouped by reason with a fix (text and --json)', () => {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'stock-fastify' }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('reasons');
  const base = Math.floor(Date.now() / 1000) - 60;
  for (let i = 0; i < 12; i++) {
    // A server span as stock instrumentation names it on Fastify: the method, no route, no path.
    tracer
      .startSpan('GET', {
        kind: SpanKind.SERVER,
        startTime: [base, 0] as HrTime,
        attributes: { 'http.method': 'GET' },
      })
      .end([base, 2_000_000] as HrTime);
    tracer
      .startSpan('pg.query:SELECT', {
        kind: SpanKind.CLIENT,
        startTime: [base, 0] as HrTime,
        attributes: { 'db.system': 'postgresql' },
      })
      .end([base, 1_000_000] as HrTime);
  }
  for (let i = 0; i < 5; i++) {
    tracer
      .startSpan('GET /nowhere/:id', {
        kind: SpanKind.SERVER,
        startTime: [base, 0] as HrTime,
        attributes: { 'http.method': 'GET', 'http.route': '/nowhere/:id' },
      })
      .end([base, 1_000_000] as HrTime);
  }
  const file = join(tmp, 'reasons.json');
  writeFileSync(
    file,
    Buffer.from(JsonTraceSerializer.serializeRequest(memory.getFinishedSpans())!).toString('utf8') +
      '\n',
  );
  const r = cli(['report', '--workspace', WORKSPACE, '--otlp-file', file, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const { unmapped } = JSON.parse(r.stdout) as ReportJson;
  assert.deepEqual(
    unmapped.map((u) => [u.kind, u.count, u.expected ?? false]),
    [
      ['no-route', 12, false],
      ['route-not-registered', 5, false],
      ['no-code-client', 12, true],
    ],
  );
  assert.match(unmapped[0]!.fix ?? '', /@fastify\/otel/);
  assert.deepEqual(unmapped[1]!.example, {
    service: 'stock-fastify',
    span: 'GET /nowhere/:id',
    explanation: unmapped[1]!.example.explanation,
  });
  assert.match(
    unmapped[1]!.example.explanation,
    /no HTTP route registrations were found in the workspace to match GET \/nowhere\/:id/,
  );
  const text = cli(['report', '--workspace', WORKSPACE, '--otlp-file', file]);
  assert.match(text.stdout, /17 spans \(or calls counted by a backend\) in the window did not map/);
  assert.match(
    text.stdout,
    /Why:\n {2}12 spans: server spans carry no route[^\n]*\n {6}e\.g\. stock-fastify "GET"[^\n]*\n {6}fix: for Fastify add @fastify\/otel/,
  );
  assert.match(
    text.stdout,
    /\(12 more spans are framework inner spans or outgoing calls, left out on purpose; --json lists them\.\)/,
  );
});

test('--help on every subcommand prints its usage and exits 0; an unknown option exits 2 with the usage', () => {
  for (const command of ['serve', 'report', 'impact', 'locate', 'alerts']) {
    for (const flag of ['--help', '-h']) {
      const r = cli([command, flag]);
      assert.equal(r.status, 0, `${command} ${flag}: ${r.stderr}`);
      assert.match(
        r.stdout,
        new RegExp(`^usage: prodlens ${command} +--workspace DIR`),
        `${command} ${flag}`,
      );
      assert.equal(r.stderr, '');
    }
    const bad = cli([command, '--no-such-option']);
    assert.equal(bad.status, 2, `${command} --no-such-option`);
    assert.match(bad.stderr, /--no-such-option/);
    assert.match(bad.stderr, new RegExp(`\\nusage: prodlens ${command} `));
  }
});

test('a multi-root workspace (--workspace twice): both folders are mapped, files named folder/path', () => {
  const SHOP = join(ROOT, 'test', 'fixtures', 'plain-express');
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'one-service' }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('cli');
  const base = Math.floor(Date.now() / 1000) - 60;
  const emit = (name: string, attributes: Record<string, string | number>, n: number) => {
    for (let i = 1; i <= n; i++)
      tracer
        .startSpan(name, { startTime: [base, 0] as HrTime, attributes })
        .end([base, i * 1_000_000] as HrTime);
  };
  emit(
    'placeOrder',
    {
      'code.filepath': '/opt/svc/src/orders.ts',
      'code.lineno': 13,
      'code.function': 'placeOrder',
      'code.namespace': 'OrderService',
    },
    6,
  );
  emit(
    'getOrder',
    {
      'code.file.path': join(SHOP, 'handlers', 'orders.js'),
      'code.line.number': 8,
      'code.function.name': 'getOrder',
    },
    4,
  );
  const file = join(tmp, 'two-folders.json');
  writeFileSync(
    file,
    Buffer.from(JsonTraceSerializer.serializeRequest(memory.getFinishedSpans())!).toString('utf8') +
      '\n',
  );
  const r = cli([
    'report',
    '--workspace',
    WORKSPACE,
    '--workspace',
    SHOP,
    '--otlp-file',
    file,
    '--json',
  ]);
  assert.equal(r.status, 0, r.stderr);
  const rows = (JSON.parse(r.stdout) as ReportJson).functions.map(
    (x) => `${x.file} ${x.function} ${x.count}`,
  );
  assert.deepEqual(rows, [
    'plain-express/handlers/orders.js getOrder 4',
    'workspace/src/orders.ts OrderService.placeOrder 6',
  ]);
});

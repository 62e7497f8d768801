// `prodlens serve --grpc-port`: the real OpenTelemetry JS OTLP/gRPC exporter sends to the built
// CLI's gRPC receiver and `report --from` maps every span; a taken gRPC port is a warning that
// leaves OTLP/HTTP serving, not an exit.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import type { HrTime } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReportJson } from '../../src/cli/report-rows';
import { until } from '../support/until';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const WORKSPACE = join(ROOT, 'test', 'fixtures', 'workspace');
const children: ChildProcess[] = [];
let blocker: Server | undefined;
const dataDir = mkdtempSync(join(tmpdir(), 'prodlens-grpc-'));

after(() => {
  rmSync(dataDir, { recursive: true, force: true });
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  blocker?.close();
});

/** Starts `serve` and collects its stdout lines until `want` of them arrived. */
async function serve(
  args: string[],
  want: number,
): Promise<{ child: ChildProcess; lines: string[]; stderr: () => string }> {
  assert.ok(existsSync(CLI), 'dist/cli.js missing: run the build first');
  const child = spawn(
    process.execPath,
    [CLI, 'serve', '--workspace', WORKSPACE, '--port', '0', '--data-dir', dataDir, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err += b.toString('utf8')));
  const lines: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (l) => {
      lines.push(l);
      if (lines.length === want) resolve();
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
    setTimeout(
      () => reject(new Error(`serve printed ${lines.length} of ${want} lines in 30 s: ${err}`)),
      30_000,
    ).unref();
  });
  return { child, lines, stderr: () => err };
}

test('serve --grpc-port 0: spans from the real gRPC exporter reach report --from', async () => {
  const { child, lines } = await serve(['--grpc-port', '0'], 2);
  const http = /^listening on (http:\/\/\S+)$/.exec(lines[0] ?? '')?.[1];
  const grpc = /^grpc listening on (127\.0\.0\.1:\d+)$/.exec(lines[1] ?? '')?.[1];
  assert.ok(http && grpc, lines.join('\n'));
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'grpc-shop' }),
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: `http://${grpc}` }), {
        maxExportBatchSize: 20,
        scheduledDelayMillis: 50,
      }),
    ],
  });
  const tracer = provider.getTracer('grpc');
  const base = Math.floor(Date.now() / 1000) - 30;
  for (let i = 1; i <= 40; i++) {
    const s = tracer.startSpan('getOrder', {
      startTime: [base, 0] as HrTime,
      attributes: {
        'code.file.path': '/srv/app/src/orders.ts',
        'code.line.number': 18,
        'code.function.name': 'OrderService.getOrder',
      },
    });
    if (i % 8 === 0) s.setStatus({ code: 2 });
    s.end([base, 3_000_000] as HrTime);
  }
  await provider.forceFlush();
  await provider.shutdown();
  const r = spawnSync(
    process.execPath,
    [CLI, 'report', '--workspace', WORKSPACE, '--from', http, '--json'],
    { encoding: 'utf8', timeout: 60_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  const rows = (JSON.parse(r.stdout) as ReportJson).functions;
  const get = rows.find((x) => x.function === 'OrderService.getOrder');
  assert.ok(get, r.stdout);
  assert.equal(get.count, 40);
  assert.equal(get.errors, 5);
  assert.deepEqual(get.services, ['grpc-shop']);
  child.kill('SIGTERM');
});

test('a taken gRPC port is a warning; OTLP/HTTP keeps serving', async () => {
  blocker = createServer();
  await new Promise<void>((r) => blocker!.listen(0, '127.0.0.1', r));
  const taken = (blocker.address() as { port: number }).port;
  const { child, lines, stderr } = await serve(['--grpc-port', String(taken)], 1);
  const http = /^listening on (http:\/\/\S+)$/.exec(lines[0] ?? '')?.[1];
  assert.ok(http, lines.join('\n'));
  // The warning is written right after the gRPC bind fails.
  await until(
    () => `the OTLP/gRPC warning on stderr, which has: ${stderr()}`,
    5_000,
    () => stderr().includes('OTLP/gRPC not started'),
  );
  assert.match(
    stderr(),
    new RegExp(`warning: OTLP/gRPC not started: .*${taken}.*in use.*; OTLP/HTTP still serves`),
  );
  const res = await fetch(`${http}/prodlens/v1/aggregates`);
  assert.equal(res.status, 200);
  await res.arrayBuffer();
  assert.equal(child.exitCode, null, 'still running');
  child.kill('SIGTERM');
});

test('--grpc-port must be a port number', () => {
  const r = spawnSync(
    process.execPath,
    [CLI, 'serve', '--workspace', WORKSPACE, '--grpc-port', 'x'],
    { encoding: 'utf8', timeout: 30_000 },
  );
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--grpc-port x: not a port number/);
});

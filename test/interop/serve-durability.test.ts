// Crash-safe aggregates in `prodlens serve`: spans sent, then SIGKILL 5 s after the last one (no
// chance to save on the way out), then a restart on the same --data-dir: every span is still in
// the report. A torn save file is reported once and skipped, never a failed start.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { ReportJson } from '../../src/cli/report-rows';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const WORKSPACE = join(ROOT, 'test', 'fixtures', 'workspace');
const tmp = mkdtempSync(join(tmpdir(), 'prodlens-durable-'));
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

/**
 * A `prodlens serve` on `dataDir`, resolved once it listens. `indexed` resolves when it reports
 * its workspace scan on stderr: after any warning about the saved aggregates (same stream, written
 * before it listens) and after its SIGTERM handler is installed (same turn as the listening line).
 */
async function serve(
  dataDir: string,
): Promise<{ child: ChildProcess; url: string; stderr: () => string; indexed: Promise<void> }> {
  assert.ok(existsSync(CLI), 'dist/cli.js missing: run the build first');
  const child = spawn(
    process.execPath,
    [CLI, 'serve', '--workspace', WORKSPACE, '--port', '0', '--data-dir', dataDir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err += b.toString('utf8')));
  const indexed = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stderr! }).on('line', (l) => {
      if (/^prodlens: (workspace indexed|warning: the workspace scan failed)/.test(l)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code} before indexing: ${err}`)));
  });
  indexed.catch(() => undefined); // awaited only by the tests that need it
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (l) =>
      resolve(/^listening on (\S+)$/.exec(l)?.[1] ?? l),
    );
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
  return { child, url, stderr: () => err, indexed };
}

function placeOrderCount(url: string): number | undefined {
  const r = spawnSync(
    process.execPath,
    [CLI, 'report', '--workspace', WORKSPACE, '--from', url, '--json', '--window', '15m'],
    { encoding: 'utf8', timeout: 60_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  return (JSON.parse(r.stdout) as ReportJson).functions.find(
    (f) => f.function === 'OrderService.placeOrder',
  )?.count;
}

test('SIGKILL 5 s after the last span loses nothing: the restarted serve reports every span', async () => {
  const dataDir = join(tmp, 'kill');
  const first = await serve(dataDir);
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'durable' }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('durable');
  for (let i = 0; i < 300; i++)
    tracer
      .startSpan('placeOrder', {
        attributes: {
          'code.file.path': '/srv/app/src/orders.ts',
          'code.line.number': 13,
          'code.function.name': 'OrderService.placeOrder',
        },
      })
      .end();
  const exporter = new OTLPTraceExporter({ url: `${first.url}/v1/traces` });
  const result = await new Promise<{ code: number; error?: Error }>((resolve) =>
    exporter.export(memory.getFinishedSpans(), resolve),
  );
  assert.equal(result.code, 0, result.error?.message);
  await exporter.shutdown();
  assert.equal(placeOrderCount(first.url), 300);
  await new Promise((r) => setTimeout(r, 5_000));
  first.child.kill('SIGKILL');
  await new Promise((r) => first.child.once('exit', r));
  const second = await serve(dataDir);
  assert.equal(placeOrderCount(second.url), 300, 'every span survived the kill');
  second.child.kill('SIGTERM');
  await new Promise((r) => second.child.once('exit', r));
});

test('a torn save file is reported once and skipped: serve starts and keeps serving', async () => {
  const dataDir = join(tmp, 'torn');
  const first = await serve(dataDir);
  await first.indexed; // past start-up, where SIGTERM is handled
  first.child.kill('SIGTERM');
  await new Promise((r) => first.child.once('exit', r));
  const file = join(dataDir, 'aggregates.v2.json');
  assert.ok(existsSync(file), 'saved on SIGTERM');
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, text.slice(0, Math.floor(text.length / 2))); // cut mid-write
  const second = await serve(dataDir);
  await second.indexed; // every warning about the saved file is on stderr before this line
  const warnings = second
    .stderr()
    .split('\n')
    .filter((l) => /unreadable saved aggregates/.test(l));
  assert.equal(warnings.length, 1, second.stderr());
  assert.equal(placeOrderCount(second.url), undefined, 'empty, and answering');
  second.child.kill('SIGTERM');
  await new Promise((r) => second.child.once('exit', r));
});

// Start-up on a large repo: `prodlens serve` listens before it has scanned a generated 10,000-file
// workspace, a real SDK exporter posts spans the moment it does, every span is accepted, and all of
// them land on their function once the scan is done.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
const FILES = 10_000;
const tmp = mkdtempSync(join(tmpdir(), 'prodlens-startup-'));
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

/** A monorepo-sized workspace: FILES small modules in nested packages; the one the spans name is among them. */
function generateWorkspace(): string {
  const ws = join(tmp, 'ws');
  for (let i = 0; i < FILES; i++) {
    const dir = join(ws, 'packages', `pkg${i % 50}`, 'src', `area${i % 20}`);
    if (i < 1000) mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, `module${i}.ts`),
      `export function handler${i}(input: number): number {\n  return input * ${i};\n}\n`,
    );
  }
  return ws;
}

test('serve listens before the scan of a 10k-file workspace; spans posted at once are all accepted and mapped once it is done', async () => {
  assert.ok(existsSync(CLI), 'dist/cli.js missing: run the build first');
  const ws = generateWorkspace();
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [CLI, 'serve', '--workspace', ws, '--port', '0', '--data-dir', join(tmp, 'data')],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  let indexedMs: number | undefined;
  const indexed = new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stderr! }).on('line', (l) => {
      if (/^prodlens: workspace indexed: \d+ source files/.test(l))
        resolve((indexedMs = performance.now() - started));
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code} before indexing`)));
  });
  indexed.catch(() => undefined); // awaited at the end
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (l) =>
      resolve(/^listening on (\S+)$/.exec(l)?.[1] ?? l),
    );
    child.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
  });
  const listeningMs = performance.now() - started;
  // The real SDK's exporter, the moment serve listens: 200 spans naming one module of the workspace.
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'monorepo' }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('startup');
  for (let i = 0; i < 200; i++) {
    tracer
      .startSpan('handler4321', {
        attributes: {
          'code.file.path': '/srv/app/packages/pkg21/src/area1/module4321.ts',
          'code.line.number': 2,
          'code.function.name': 'handler4321',
        },
      })
      .end();
  }
  const exporter = new OTLPTraceExporter({ url: `${url}/v1/traces` });
  const result = await new Promise<{ code: number; error?: Error }>((resolve) =>
    exporter.export(memory.getFinishedSpans(), resolve),
  );
  const postedMs = performance.now() - started;
  assert.equal(
    result.code,
    0,
    `export refused (ExportResultCode ${result.code}): ${result.error?.message}`,
  );
  assert.equal(
    indexedMs,
    undefined,
    `the spans were to arrive before the scan of ${FILES} files was done (listening after ${Math.round(listeningMs)} ms, posted after ${Math.round(postedMs)} ms)`,
  );
  await exporter.shutdown();
  // Once serve's scan is done, it maps every span itself: report --from on its workspace takes
  // serve's answer instead of scanning 10,000 files again.
  const r = spawnSync(
    process.execPath,
    [CLI, 'report', '--workspace', ws, '--from', url, '--json', '--window', '15m'],
    { encoding: 'utf8', timeout: 120_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  const rows = (JSON.parse(r.stdout) as ReportJson).functions;
  assert.deepEqual(
    rows.map((x) => [x.file, x.function, x.count]),
    [['packages/pkg21/src/area1/module4321.ts', 'handler4321', 200]],
  );
  const text = spawnSync(
    process.execPath,
    [CLI, 'report', '--workspace', ws, '--from', url, '--window', '15m'],
    { encoding: 'utf8', timeout: 120_000 },
  );
  assert.match(text.stdout, /handler4321 +packages\/pkg21\/src\/area1\/module4321\.ts:1 +200/);
  assert.match(
    text.stdout,
    /\(mapped by the serve at http:\/\/127\.0\.0\.1:\d+, which has this workspace indexed\)/,
  );
  console.log(
    `serve on ${FILES} files: listening after ${Math.round(listeningMs)} ms, 200 spans accepted ${Math.round(postedMs)} ms after start, workspace indexed after ${Math.round(await indexed)} ms`,
  );
  child.kill('SIGTERM');
});

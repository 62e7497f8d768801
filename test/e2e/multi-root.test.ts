// A multi-root workspace in a real VS Code (code-server): two folders, one service. The service
// (the real OpenTelemetry SDK and OTLP/protobuf exporter) sends spans for a handler in one folder
// (its absolute path) and for a class method in the other (a deployed path, matched by suffix);
// both files show lenses with numbers.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Page } from 'playwright-core';
import { startCodeServer, type CodeServer } from './harness/code-server';
import { repoRoot } from './harness/paths';
import { freePort } from './harness/processes';
import {
  closeWorkbench,
  openFile,
  openWorkbench,
  screenshot,
  waitForLens,
} from './harness/workbench';

const SHOP = join(repoRoot, 'test', 'fixtures', 'plain-express');
const CORE = join(repoRoot, 'test', 'fixtures', 'workspace');
const tmp = mkdtempSync(join(tmpdir(), 'prodlens-multi-root-'));
const WORKSPACE_FILE = join(tmp, 'shop-and-core.code-workspace');
let server: CodeServer;
let page: Page;
let receiverPort = 0;

before(async () => {
  writeFileSync(WORKSPACE_FILE, JSON.stringify({ folders: [{ path: SHOP }, { path: CORE }] }));
  receiverPort = await freePort();
  server = await startCodeServer({
    workspace: WORKSPACE_FILE,
    extensionDevPath: repoRoot,
    userSettings: { 'prodlens.receiver.port': receiverPort, 'prodlens.window': '15m' },
  });
  page = await openWorkbench(server.url, WORKSPACE_FILE);
  await page
    .locator('.part.statusbar .statusbar-item', { hasText: `:${receiverPort}` })
    .first()
    .waitFor({ timeout: 60_000 });
});

after(async () => {
  if (page) await closeWorkbench(page).catch(() => undefined);
  if (server) await server.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test('one service, two folders: lenses in both', async () => {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'one-service' }),
    spanProcessors: [
      new SimpleSpanProcessor(
        new OTLPTraceExporter({ url: `http://127.0.0.1:${receiverPort}/v1/traces` }),
      ),
    ],
  });
  const tracer = provider.getTracer('e2e');
  for (let i = 0; i < 12; i++) {
    tracer
      .startSpan('getOrder', {
        attributes: {
          'code.file.path': join(SHOP, 'handlers', 'orders.js'),
          'code.line.number': 8,
          'code.function.name': 'getOrder',
        },
      })
      .end();
    tracer
      .startSpan('placeOrder', {
        attributes: {
          'code.file.path': '/deploy/app/src/orders.ts',
          'code.line.number': 12,
          'code.function.name': 'OrderService.placeOrder',
        },
      })
      .end();
  }
  await provider.forceFlush();
  await provider.shutdown();

  await openFile(page, 'handlers/orders.js');
  const shopLens = await waitForLens(page, /p50 .* ms/, 30_000);
  await openFile(page, 'src/orders.ts');
  const coreLens = await waitForLens(page, /p50 .* ms/, 30_000);
  assert.match(shopLens, /n=12/);
  assert.match(coreLens, /n=12/);
  await screenshot(page, 'e2e-multi-root');
  assert.ok(
    server
      .extensionHostLogTail(200)
      .includes('multi-root workspace: mapping into plain-express, workspace'),
    'the log names both folders',
  );
});

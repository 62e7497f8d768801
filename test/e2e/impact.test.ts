// End to end: edit a hot function in a real workbench and the "Production Impact" view in the
// Source Control side bar lists it with its production numbers; the time from save to the
// updated view is printed for the closing note.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { context, SpanKind, trace, type HrTime } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { until } from '../support/until';
import { startCodeServer, type CodeServer } from './harness/code-server';
import { fixtureWorkspace, repoRoot } from './harness/paths';
import { freePort } from './harness/processes';
import {
  closeWorkbench,
  codeLenses,
  openFile,
  openWorkbench,
  screenshot,
  waitForLens,
} from './harness/workbench';

let server: CodeServer;
let page: Page;
let workspace: string;
let port: number;

before(async () => {
  workspace = fixtureWorkspace('prodlens-e2e-impact-');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: workspace, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'e2e@prodlens.test');
  git('config', 'user.name', 'e2e');
  git('add', '.');
  git('commit', '-qm', 'fixture');
  port = await freePort();
  server = await startCodeServer({
    workspace,
    extensionDevPath: repoRoot,
    userSettings: {
      'prodlens.receiver.port': port,
      'git.openRepositoryInParentFolders': 'always',
      'workbench.colorTheme': 'Default Light Modern',
    },
  });
  page = await openWorkbench(server.url, workspace);
});

after(async () => {
  if (page) await closeWorkbench(page).catch(() => undefined);
  if (server) await server.stop();
  rmSync(workspace, { recursive: true, force: true });
});

async function sendTraffic(): Promise<void> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'impact-shop' }),
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: `http://127.0.0.1:${port}/v1/traces` }), {
        maxExportBatchSize: 100,
        scheduledDelayMillis: 100,
      }),
    ],
  });
  const tracer = provider.getTracer('impact');
  const base = Math.floor(Date.now() / 1000) - 5;
  for (let i = 0; i < 60; i++) {
    const root = tracer.startSpan('POST /checkout', {
      kind: SpanKind.SERVER,
      startTime: [base, 0] as HrTime,
    });
    const ctx = trace.setSpan(context.active(), root);
    const child = tracer.startSpan(
      'placeOrder',
      {
        startTime: [base, 1_000_000] as HrTime,
        attributes: {
          'code.file.path': '/srv/src/orders.ts',
          'code.line.number': 12,
          'code.function.name': 'OrderService.placeOrder',
        },
      },
      ctx,
    );
    if (i % 6 === 0) child.setStatus({ code: 2 });
    child.end([base, 41_000_000] as HrTime);
    root.end([base, 45_000_000] as HrTime);
  }
  await provider.forceFlush();
  await provider.shutdown();
}

test('editing a hot function lists it in the Production Impact view with its numbers', async () => {
  await openFile(page, 'src/orders.ts');
  await sendTraffic();
  await waitForLens(page, /p50 40 ms/, 60_000);
  // Edit placeOrder in the editor (line 13) and save.
  await page.keyboard.press('Control+G');
  await page.keyboard.type('13');
  await page.keyboard.press('Enter');
  await page.keyboard.press('End');
  await page.keyboard.type(' // audited');
  const saved = Date.now();
  await page.keyboard.press('Control+S');
  await page.keyboard.press('Control+Shift+G');
  const row = page
    .locator('.monaco-list-row', { hasText: 'OrderService.placeOrder' })
    .filter({ hasText: /modified/ })
    .first();
  const header = page.locator('.pane-header', { hasText: 'Production Impact' }).first();
  await header.waitFor({ timeout: 30_000 });
  if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
  await row.waitFor({ timeout: 30_000 }).catch(async (e: unknown) => {
    await screenshot(page, 'e2e-impact-failed');
    throw e;
  });
  const elapsed = Date.now() - saved;
  const text = await row.innerText();
  // Every POST /checkout trace runs placeOrder, 10 of its 60 spans failed: high risk, said so.
  assert.match(text, /high · modified · on the path of 100% of POST \/checkout; 17% errors/);
  console.log(`impact view updated ${elapsed} ms after save: ${text.replace(/\s+/g, ' ')}`);
  await screenshot(page, 'e2e-impact');
});

test('the details panel in the light theme (screenshot kept beside the dark one)', async () => {
  await codeLenses(page)
    .filter({ hasText: /p50 40 ms/ })
    .first()
    .click();
  const frame = await until(
    'the details panel of OrderService.placeOrder',
    30_000,
    async () => {
      for (const f of page.frames())
        if (
          (await f
            .locator('h1', { hasText: 'OrderService.placeOrder' })
            .count()
            .catch(() => 0)) > 0
        )
          return f;
      return undefined;
    },
    250,
  );
  // VS Code tells a webview its theme by a class on its body.
  assert.match(
    (await frame.locator('body').getAttribute('class')) ?? '',
    /\bvscode-light\b/,
    'the panel is in the light theme',
  );
  await screenshot(page, 'e2e-details-light');
});

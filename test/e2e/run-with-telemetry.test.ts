// A new user's first minutes on their own service, in a real VS Code (code-server): the workspace is a
// plain Express app with no OpenTelemetry code (test/fixtures/plain-express). "ProdLens: Run with
// Telemetry" starts it in a terminal (npm run start, with the auto-instrumentation and the code-origin
// preload loaded through NODE_OPTIONS); traffic to it puts lenses with numbers on its handlers,
// mapped by code origin (code.file.path+line, exact) within 30 s; the walkthrough shows its receiver,
// run and first-lens steps done.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { until } from '../support/until';
import { startCodeServer, type CodeServer } from './harness/code-server';
import { repoRoot } from './harness/paths';
import { freePort, portInUse } from './harness/processes';
import {
  closeWorkbench,
  hoverAt,
  openFile,
  openWorkbench,
  pickRow,
  runCommand,
  runCommandAsking,
  screenshot,
  waitForLens,
} from './harness/workbench';

const APP = join(repoRoot, 'test', 'fixtures', 'plain-express');
let server: CodeServer;
let page: Page;
let appPort = 0;

before(async () => {
  const receiverPort = await freePort();
  appPort = await freePort();
  server = await startCodeServer({
    workspace: APP,
    extensionDevPath: repoRoot,
    // The terminal's PORT is the shop's port (its server.js reads it).
    userSettings: {
      'prodlens.receiver.port': receiverPort,
      'prodlens.window': '15m',
      'terminal.integrated.env.linux': { PORT: String(appPort) },
    },
  });
  page = await openWorkbench(server.url, APP);
  await page
    .locator('.part.statusbar .statusbar-item', { hasText: `:${receiverPort}` })
    .first()
    .waitFor({ timeout: 60_000 });
});

after(async () => {
  // The terminal's processes live outside code-server's process group: stop the shop by its port.
  if (page) await runCommand(page, 'Terminal: Kill All Terminals').catch(() => undefined);
  if (appPort && (await portInUse(appPort))) {
    const pids =
      execFileSync('ss', ['-Hltnp', `sport = :${appPort}`], { encoding: 'utf8' }).match(
        /pid=(\d+)/g,
      ) ?? [];
    for (const p of pids) process.kill(Number(p.slice(4)), 'SIGTERM');
  }
  if (page) await closeWorkbench(page).catch(() => undefined);
  if (server) await server.stop();
});

test('Run with Telemetry starts a plain Express app; its handlers get lenses by code origin within 30 s', async () => {
  await runCommandAsking(page, 'ProdLens: Run with Telemetry', /^npm run start$/, 30_000);
  await pickRow(page, /^npm run start$/);
  const base = `http://127.0.0.1:${appPort}`;
  // A refused connection only means "not yet".
  await until(
    `the app to answer ${base}/health`,
    60_000,
    () =>
      fetch(`${base}/health`).then(
        (r) => r.ok,
        () => false,
      ),
    250,
  );

  // Traffic, as a developer would send it, until the lens is there.
  const started = Date.now();
  let stop = false;
  const traffic = (async () => {
    while (!stop) {
      await Promise.all([
        fetch(`${base}/api/orders`),
        fetch(`${base}/api/orders/1`),
        fetch(`${base}/api/orders/9`),
      ]).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  try {
    await openFile(page, 'handlers/orders.js');
    const lens = await waitForLens(page, /p50 .* ms/, 30_000);
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `first lens on handlers/orders.js ${seconds.toFixed(1)} s after the first request: ${lens}`,
    );
    assert.ok(seconds <= 30, `first lens after ${seconds} s`);
  } finally {
    stop = true;
    await traffic;
  }
  const text = (
    await hoverAt(page, { line: 7, text: 'getOrder', contains: /Mapped by/, timeoutMs: 20_000 })
  ).replace(/\s+/g, ' ');
  assert.match(text, /Mapped by code\.file\.path\+line \(exact confidence\)/, text);
  await screenshot(page, 'e2e-run-with-telemetry-lens');
  await page.keyboard.press('Escape');
});

test('the walkthrough shows the receiver, run and first-lens steps done', async () => {
  await runCommandAsking(
    page,
    'Welcome: Open Walkthrough...',
    /See production in your code with ProdLens/,
    15_000,
  );
  await pickRow(page, /See production in your code with ProdLens/);
  await page
    .locator('.getting-started-step[data-step-id$="#receiver"]')
    .first()
    .waitFor({ timeout: 20_000 });
  for (const id of ['receiver', 'run', 'lens']) {
    await page
      .locator(`.getting-started-step[aria-checked="true"][data-step-id$="#${id}"]`)
      .first()
      .waitFor({ timeout: 20_000 });
  }
  // Steps the user has not reached yet stay open: the state is real, not all ticked at once.
  assert.equal(
    await page
      .locator('.getting-started-step[aria-checked="true"][data-step-id$="#impact"]')
      .count(),
    0,
  );
  await screenshot(page, 'e2e-walkthrough');
});

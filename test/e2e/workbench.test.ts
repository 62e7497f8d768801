// End to end in a real VS Code workbench (code-server + Debian Chromium): the built extension on
// a fixture workspace receives spans from the real OTel SDK exporter; the lens with the expected
// numbers appears above the right function; the hover shows the distribution; the status bar
// shows the receiver; the details panel opens from the lens; the alerts view lands on the code;
// aggregates survive a reload.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import type { HrTime, Tracer } from '@opentelemetry/api';
import { until } from '../support/until';
import { startCodeServer, type CodeServer } from './harness/code-server';
import { fixtureWorkspace, repoRoot } from './harness/paths';
import { at, exportSpans } from './harness/sdk-spans';
import { freePort } from './harness/processes';
import {
  closeWorkbench,
  codeLenses,
  hoverAt,
  openFile,
  openWorkbench,
  runCommand,
  screenshot,
  statusBarText,
  waitForLens,
} from './harness/workbench';

let server: CodeServer;
let page: Page;
let workspace: string;
let receiverPort: number;

before(async () => {
  workspace = fixtureWorkspace('prodlens-e2e-ws-');
  receiverPort = await freePort();
  server = await startCodeServer({
    workspace,
    extensionDevPath: repoRoot,
    userSettings: {
      'prodlens.receiver.port': receiverPort,
      'prodlens.window': '15m',
      'prodlens.errors.showInProblems': true,
      'workbench.colorTheme': 'Default Dark Modern',
    },
  });
  page = await openWorkbench(server.url, workspace);
});

after(async () => {
  if (page) await closeWorkbench(page).catch(() => undefined);
  if (server) await server.stop();
  rmSync(workspace, { recursive: true, force: true });
});

/** placeOrder: 90 spans of 20 ms, 5 of 200 ms and 5 failed ones of 200 ms; getOrder: 10 spans of 5 ms. */
async function sendSpans(): Promise<void> {
  const resource = { 'service.name': 'e2e-shop', 'deployment.environment.name': 'e2e' };
  await exportSpans(receiverPort, resource, (tracer) => emitShop(tracer, at(5)));
}

function emitShop(tracer: Tracer, base: HrTime): void {
  const emit = (fn: string, line: number, ms: number, error: boolean) => {
    const s = tracer.startSpan(fn, {
      startTime: base,
      attributes: {
        'code.file.path': `/srv/shop/src/orders.ts`,
        'code.line.number': line,
        'code.function.name': `OrderService.${fn}`,
      },
    });
    if (error) {
      // The exception as the Node SDK records it: its stack points into the deployed file.
      const e = new Error('card declined');
      e.stack =
        'Error: card declined\n    at OrderService.placeOrder (/srv/shop/src/orders.ts:13:12)\n    at processTicksAndRejections (node:internal/process/task_queues:95:5)';
      s.recordException(e);
      s.setStatus({ code: 2, message: 'payment <b>declined</b>' });
    }
    s.end([base[0], ms * 1_000_000]);
  };
  for (let i = 0; i < 90; i++) emit('placeOrder', 12, 20, false);
  for (let i = 0; i < 5; i++) emit('placeOrder', 12, 200, false);
  for (let i = 0; i < 5; i++) emit('placeOrder', 12, 200, true);
  for (let i = 0; i < 10; i++) emit('getOrder', 18, 5, false);
}

async function lensLineTop(
  page: Page,
  lensText: RegExp,
): Promise<{ lensBottom: number; lineTops: Map<string, number> }> {
  const lens = codeLenses(page).filter({ hasText: lensText }).first();
  // Lenses re-render when a refresh lands; retry until one is laid out.
  const box = await until(
    `the ${lensText} lens to be laid out`,
    5_000,
    async () => (await lens.boundingBox()) ?? undefined,
    250,
  );
  const lines = page.locator('.editor-group-container.active .view-lines .view-line');
  const lineTops = new Map<string, number>();
  for (const l of await lines.all()) {
    const text = (await l.innerText()).replace(/\u00a0/g, ' ');
    const b = await l.boundingBox();
    if (b) lineTops.set(text.trim(), b.y);
  }
  return { lensBottom: box.y + box.height, lineTops };
}

test('the receiver shows in the status bar, and the port it names is the receiver', async () => {
  const text = await statusBarText(page, `ProdLens :${receiverPort}`, 60_000);
  assert.doesNotMatch(text, /spans\/min/, `no spans have been sent yet: ${text}`);
  // Nothing sent: a GET is turned away with the receiver's own OTLP/HTTP message.
  const res = await fetch(`http://127.0.0.1:${receiverPort}/v1/traces`);
  assert.equal(res.status, 405);
  assert.match(await res.text(), /OTLP\/HTTP uses POST/);
});

test('spans from the real SDK exporter become a lens with the expected numbers above the right function', async () => {
  await openFile(page, 'src/orders.ts');
  await sendSpans();
  const title = await waitForLens(page, /p50 20 ms/, 60_000);
  // DDSketch keeps 1% relative accuracy: 200 ms may read 198–202 ms.
  assert.match(
    title,
    /^p50 20 ms · p95 (19[89]|20[0-2]) ms · \d+(\.\d)?\/min · 5% err · last 15 min \(n=100\)$/,
  );
  const getOrder = await waitForLens(page, /p50 5 ms/, 10_000);
  assert.match(getOrder, /^p50 5 ms · p95 5 ms · .* · 0% err · last 15 min \(n=10\)$/);
  const { lensBottom, lineTops } = await lensLineTop(page, /p50 20 ms/);
  const placeTop = [...lineTops].find(([t]) => t.startsWith('placeOrder('))?.[1];
  assert.ok(placeTop !== undefined, 'placeOrder line is visible');
  assert.ok(
    placeTop - lensBottom >= -1 && placeTop - lensBottom < 12,
    `lens sits right above placeOrder (lens bottom ${lensBottom}, line top ${placeTop})`,
  );
  assert.equal(
    await codeLenses(page).filter({ hasText: /p50/ }).count(),
    2,
    'no lens on functions without data',
  );
  await screenshot(page, 'e2e-lens');
});

test('the hover on the function name shows the distribution and the mapping', async () => {
  const text = await hoverAt(page, {
    line: 10,
    text: 'placeOrder',
    contains: /p99/,
    timeoutMs: 20_000,
  });
  for (const word of [
    'p50',
    'p90',
    'p95',
    'p99',
    'max',
    '200 ms',
    'e2e-shop',
    'code.file.path+line',
  ])
    assert.ok(text.includes(word), `hover mentions ${word}: ${text}`);
  assert.match(text, /5 of 100 spans/);
  await screenshot(page, 'e2e-hover');
  await page.keyboard.press('Escape');
});

test('the status bar counts the spans that arrived', async () => {
  const text = await statusBarText(page, /spans\/min/, 15_000);
  assert.match(text, new RegExp(`ProdLens :${receiverPort} · 110 spans/min`));
});

test('a click on the lens opens the details panel: numbers, charts, failed traces, a waterfall, hostile text as text', async () => {
  await codeLenses(page)
    .filter({ hasText: /p50 20 ms/ })
    .first()
    .click();
  const frame = await findFrame(
    page,
    'the details panel of OrderService.placeOrder',
    async (f) => (await f.locator('h1', { hasText: 'OrderService.placeOrder' }).count()) > 0,
    30_000,
  );
  const body = await frame.locator('body').innerText();
  assert.match(body, /5% \(5\)/);
  assert.match(body, /p50\s+p90\s+p95\s+p99\s+max/);
  assert.match(body, /Compare/);
  assert.match(
    body,
    /nothing to compare/,
    'one version and one environment: the compare section says so',
  );
  await frame.locator('canvas').nth(2).waitFor({ timeout: 10_000 });
  assert.equal(
    await frame.locator('canvas').count(),
    3,
    'latency, throughput and error-rate charts drawn',
  );
  await frame.locator('[data-tab="failed"]').click();
  await frame.locator('table.traces tbody tr').first().click();
  const tree = frame.locator('.waterfall');
  await tree.waitFor({ timeout: 10_000 });
  await frame.locator('.waterfall .wf-name', { hasText: 'placeOrder' }).first().click();
  await frame.locator('.span-details').waitFor({ timeout: 10_000 });
  const details = await frame.locator('.span-details').innerText();
  assert.match(
    details,
    /error: payment <b>declined<\/b>/,
    'the hostile status message shows as literal text',
  );
  assert.equal(await frame.locator('b').count(), 0, 'no markup from telemetry');
  await screenshot(page, 'e2e-details');
});

test("a click on a stack frame in the panel's errors opens the editor at that frame's line", async () => {
  const frame = await findFrame(
    page,
    "the panel's errors section",
    async (f) => (await f.locator('section.errors').count()) > 0,
    10_000,
  );
  const group = frame
    .locator('section.errors details.error-group', { hasText: 'card declined' })
    .first();
  await group.locator('summary').click();
  // The exception's stack: its orders.ts frame is a link, the Node-internal frame is not.
  const link = group.locator('button.frame', {
    hasText: 'at OrderService.placeOrder (/srv/shop/src/orders.ts:13:12)',
  });
  await link.waitFor({ timeout: 10_000 });
  assert.equal(
    await group.locator('span.frame', { hasText: 'node:internal/process/task_queues' }).count(),
    1,
    'the node-internal frame is plain text',
  );
  // The panel has focus, so no editor position shows yet: the line below is the click's doing.
  assert.equal(
    await page.locator('.part.statusbar .statusbar-item', { hasText: /Ln \d+, Col \d+/ }).count(),
    0,
    'no editor position while the panel is focused',
  );
  await link.click();
  await statusBarText(page, /Ln 13, Col 1/, 10_000);
  await page
    .locator('.editor-group-container.active .tabs-container .tab.active', { hasText: 'orders.ts' })
    .waitFor({ timeout: 10_000 });
  const current = page.locator('.editor-group-container.active .view-overlays .current-line');
  await current.first().waitFor({ timeout: 10_000 });
  await screenshot(page, 'e2e-frame-opened');
});

test('the exception shows on its throwing line and in Problems, with frames in the hover', async () => {
  await page.keyboard.press('Control+Shift+M');
  const problem = page
    .locator('.markers-panel .monaco-list-row', { hasText: 'card declined' })
    .first();
  await problem.waitFor({ timeout: 30_000 });
  assert.match(await problem.innerText(), /Error: card declined \(5× in production/);
  await openFile(page, 'src/orders.ts'); // focus back in the editor
  const text = await hoverAt(page, {
    line: 13,
    text: 'this.orders.set',
    contains: /thrown in production/,
    timeoutMs: 20_000,
  });
  const flat = text.replace(/\s+/g, ' ');
  assert.match(flat, /5 times/);
  assert.match(flat, /OrderService\.placeOrder — src\/orders\.ts:13/);
  await screenshot(page, 'e2e-errors');
  await page.keyboard.press('Escape');
});

test('the alerts view lists the local error-rate alert and a click lands on the function', async () => {
  await page.locator('.activitybar .action-item a[aria-label^="ProdLens"]').first().click();
  const alert = page
    .locator('.monaco-list-row', { hasText: 'High error rate: OrderService.placeOrder' })
    .first();
  await alert.waitFor({ timeout: 30_000 });
  assert.match(await alert.innerText(), /5% of 100 calls failed/);
  const hotspot = page.locator('.monaco-list-row', { hasText: 'OrderService.getOrder' }).first();
  await hotspot.waitFor({ timeout: 10_000 });
  await screenshot(page, 'e2e-alerts');
  // Move the cursor away first so landing on line 10 is the click's doing.
  await openFile(page, 'src/orders.ts');
  await page.keyboard.press('Control+End');
  await alert.click();
  await statusBarText(page, /Ln 10, Col 1/, 10_000);
});

test('the Hotspots view re-ranks by errors and filters by environment from its title commands', async () => {
  const pane = page
    .locator('.pane', { has: page.locator('.pane-header', { hasText: 'Hotspots' }) })
    .first();
  const header = pane.locator('.pane-header');
  const rows = pane.locator('.pane-body .monaco-list-row');
  await header.locator('.description', { hasText: 'by time spent' }).waitFor({ timeout: 10_000 });
  // The command opens a second quick pick at once (so the widget never hides in between): wait
  // for that pick's title, then click its row.
  const pickFrom = async (command: string, title: string, row: string) => {
    await page.keyboard.press('F1');
    const box = page.locator('.quick-input-widget .quick-input-box input');
    await box.waitFor({ timeout: 10_000 });
    await box.fill(`>${command}`);
    await page
      .locator('.quick-input-widget .quick-input-list .monaco-list-row .label-name', {
        hasText: command,
      })
      .first()
      .click({ timeout: 10_000 });
    await page
      .locator('.quick-input-widget .quick-input-title', { hasText: title })
      .waitFor({ timeout: 10_000 });
    await page
      .locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: row })
      .first()
      .click({ timeout: 10_000 });
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
  };
  await pickFrom('ProdLens: Rank Hotspots By…', 'rank hotspots by', 'Errors');
  await header.locator('.description', { hasText: 'by errors' }).waitFor({ timeout: 15_000 });
  const place = rows
    .filter({ hasText: 'OrderService.placeOrder' })
    .filter({ hasText: '5 failed' })
    .first();
  await place.waitFor({ timeout: 10_000 });
  await pickFrom('ProdLens: Filter Hotspots by Environment', 'hotspots of one environment', 'e2e');
  await header.locator('.description', { hasText: 'by errors · e2e' }).waitFor({ timeout: 15_000 });
  // The rows in list order (data-index), once the tree has redrawn after the description.
  const inOrder = async () =>
    (
      await rows.evaluateAll((els) =>
        els.map((e) => [Number(e.getAttribute('data-index')), e.textContent ?? ''] as const),
      )
    )
      .sort((a, b) => a[0] - b[0])
      .map((r) => r[1]);
  let texts: string[] = [];
  await until(
    () =>
      `both functions of the e2e environment, placeOrder first; the view lists: ${texts.join(' | ')}`,
    10_000,
    async () => (texts = await inOrder()).length === 2 && texts[0]!.includes('placeOrder'),
    250,
  );
  assert.match(
    texts[0]!,
    /OrderService\.placeOrder[\s\S]*5 failed/,
    'the function with the errors ranks first',
  );
  assert.match(texts[1]!, /OrderService\.getOrder[\s\S]*0 failed/);
  await screenshot(page, 'e2e-hotspots-by-errors');
});

test('alert notifications are muted and unmuted by command', async () => {
  const notice = (text: string) =>
    page.locator('.notification-list-item-message', { hasText: text }).first();
  await runCommand(page, 'ProdLens: Mute Alert Notifications');
  await notice('alert notifications muted').waitFor({ timeout: 10_000 });
  // The palette now offers the opposite command only.
  await page.keyboard.press('F1');
  const box = page.locator('.quick-input-widget .quick-input-box input');
  const labels = page.locator('.quick-input-widget .quick-input-list .monaco-list-row .label-name');
  await box.fill('>ProdLens: Unmute Alert Notifications');
  await labels
    .filter({ hasText: /^ProdLens: Unmute Alert Notifications$/ })
    .first()
    .waitFor({ timeout: 10_000 });
  await box.fill('>ProdLens: Mute Alert Notifications');
  await labels.first().waitFor({ timeout: 10_000 });
  assert.equal(
    await labels.filter({ hasText: /^ProdLens: Mute Alert Notifications$/ }).count(),
    0,
    'Mute is hidden while muted',
  );
  await page.keyboard.press('Escape');
  await runCommand(page, 'ProdLens: Unmute Alert Notifications');
  await notice('alert notifications are on').waitFor({ timeout: 10_000 });
});

test('aggregates survive a window reload', async () => {
  // Reloaded once the extension's periodic save holds placeOrder's 100 spans.
  let saved: number | undefined;
  await until(
    () => `the saved aggregates to hold placeOrder's 100 spans (they hold ${saved ?? 'no file'})`,
    30_000,
    () => (saved = savedCount('OrderService.placeOrder')) === 100,
    250,
  );
  await page.reload();
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await openFile(page, 'src/orders.ts');
  const title = await waitForLens(page, /p50 20 ms/, 60_000);
  assert.match(title, /\(n=100\)$/);
});

async function findFrame(
  page: Page,
  what: string,
  pred: (f: Frame) => Promise<boolean>,
  timeoutMs: number,
): Promise<Frame> {
  return until(
    `a webview frame showing ${what}`,
    timeoutMs,
    async () => {
      for (const f of page.frames()) if (await pred(f).catch(() => false)) return f;
      return undefined;
    },
    250,
  );
}

/**
 * Spans of `fn` in the aggregates file(s) the extension saved in the profile (its workspace
 * storage), summed over their minute buckets; undefined while there is no such file.
 */
function savedCount(fn: string): number | undefined {
  const files = readdirSync(server.userDataDir, { recursive: true, encoding: 'utf8' }).filter(
    (f) => basename(f) === 'aggregates.v2.json',
  );
  if (files.length === 0) return undefined;
  let n = 0;
  for (const f of files) {
    const saved = JSON.parse(readFileSync(join(server.userDataDir, f), 'utf8')) as {
      series: { identity: { functionName?: string }; minutes: [number, number][] }[];
    };
    for (const s of saved.series)
      if (s.identity.functionName === fn) for (const m of s.minutes) n += m[1];
  }
  return n;
}

// The details panel's lifecycle in a real VS Code workbench (code-server + Debian Chromium): a
// panel that is closed after a newer one was attached must not take the newer one's updates with
// it (issue 12; fixed in src/extension/details-panel.ts, attach()'s onDidDispose).
//
// How it happens for real: VS Code revives a serialized webview panel lazily, when its tab is first
// shown. After a window reload with the panel in a background tab, a lens click finds no panel and
// creates panel B; a click on the old tab then revives panel A, which the extension attaches and
// closes B (one panel; B used to stay open, orphaned). B's closing must leave A live: new spans
// still reach it. Without the fix, B's closing cleared the extension's panel (A) and A kept its
// old numbers.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { until } from '../support/until';
import { startCodeServer, type CodeServer } from './harness/code-server';
import { fixtureWorkspace, repoRoot } from './harness/paths';
import { exportSpans, placeOrderSpans } from './harness/sdk-spans';
import { freePort } from './harness/processes';
import {
  closeWorkbench,
  codeLenses,
  openFile,
  openWorkbench,
  runCommand,
  screenshot,
  statusBarText,
  waitForLens,
} from './harness/workbench';

const TITLE = 'ProdLens: OrderService.placeOrder';

let server: CodeServer;
let page: Page;
let workspace: string;
let receiverPort: number;

before(async () => {
  workspace = fixtureWorkspace('prodlens-e2e-panel-ws-');
  // A second file to put in front of the panel, so the panel's tab is in the background.
  writeFileSync(join(workspace, 'notes.txt'), 'notes\n');
  receiverPort = await freePort();
  server = await startCodeServer({
    workspace,
    extensionDevPath: repoRoot,
    userSettings: { 'prodlens.receiver.port': receiverPort, 'prodlens.window': '15m' },
  });
  page = await openWorkbench(server.url, workspace);
});

after(async () => {
  if (page) await closeWorkbench(page).catch(() => undefined);
  if (server) await server.stop();
  rmSync(workspace, { recursive: true, force: true });
});

/** `count` spans of placeOrder (20 ms each) through the real SDK exporter. */
const sendSpans = (count: number) =>
  exportSpans(receiverPort, { 'service.name': 'panel-shop' }, placeOrderSpans(count, 20));

const group = (n: number) => page.locator('.editor-group-container').nth(n);
const panelTabs = () =>
  page.locator('.editor-group-container .tabs-container .tab', { hasText: TITLE });

/** The webview frames that show placeOrder's details (a closed panel has none). */
async function detailFrames(): Promise<Frame[]> {
  const found: Frame[] = [];
  for (const f of page.frames()) {
    const shown = await f
      .locator('h1', { hasText: 'OrderService.placeOrder' })
      .count()
      .catch(() => 0);
    if (shown > 0) found.push(f);
  }
  return found;
}

/** The panel's "spans" headline number, or undefined while it is not drawn. */
async function spansShown(frame: Frame): Promise<number | undefined> {
  const kpi = frame.locator('.kpi', { has: frame.locator('.label', { hasText: /^spans$/ }) });
  const text = await kpi
    .locator('.value')
    .first()
    .innerText({ timeout: 1_000 })
    .catch(() => undefined);
  return text === undefined ? undefined : Number(text.replace(/[^\d]/g, ''));
}

test('a details panel revived after a newer one opened closes the newer one and keeps updating', async () => {
  await statusBarText(page, `ProdLens :${receiverPort}`, 60_000);
  await openFile(page, 'src/orders.ts');
  await sendSpans(100);
  await waitForLens(page, /p50 20 ms/, 60_000);

  // Panel A, beside the code, then put in the background of its group by another file.
  await codeLenses(page)
    .filter({ hasText: /p50 20 ms/ })
    .first()
    .click();
  await until(
    'the first details panel to draw',
    30_000,
    async () => (await detailFrames()).length === 1,
    250,
  );
  // Opened from the code's group and moved over: a quick input opened while the panel has focus
  // can lose it to the webview.
  await group(0).locator('.tabs-container .tab', { hasText: 'orders.ts' }).click();
  await openFile(page, 'notes.txt');
  await runCommand(page, 'View: Move Editor into Next Group');
  await group(1)
    .locator('.tabs-container .tab.active', { hasText: 'notes.txt' })
    .waitFor({ timeout: 10_000 });

  // Reload Window shuts the workbench down as VS Code does (layout and webview state saved).
  const reloaded = page.waitForEvent('load', { timeout: 60_000 });
  await runCommand(page, 'Developer: Reload Window');
  await reloaded;
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await statusBarText(page, `ProdLens :${receiverPort}`, 60_000);
  // The layout came back with the panel's tab behind notes.txt, not yet revived.
  await group(1)
    .locator('.tabs-container .tab.active', { hasText: 'notes.txt' })
    .waitFor({ timeout: 30_000 });
  assert.equal(await panelTabs().count(), 1, 'the panel tab is restored');
  assert.equal((await detailFrames()).length, 0, 'the background panel is not revived yet');

  // A lens click finds no panel attached (A is not revived), so it opens panel B.
  await group(0).locator('.tabs-container .tab', { hasText: 'orders.ts' }).click();
  // Ten more spans, landed before anything reads a count: n=110 with the aggregates the extension
  // saved at the reload, n=10 without them.
  await sendSpans(10);
  await waitForLens(page, /\(n=1?10\)$/, 60_000);
  await codeLenses(page)
    .filter({ hasText: /p50 20 ms/ })
    .first()
    .click();
  let tabs = 0;
  await until(
    () => `a second panel tab (${tabs} panel tabs)`,
    30_000,
    async () => (tabs = await panelTabs().count()) === 2,
    250,
  );
  await until('panel B to draw', 30_000, async () => (await detailFrames()).length >= 1, 250);

  // The old tab's first showing revives A, which the extension attaches, closing B (one panel).
  await panelTabs().first().click();
  await until(
    'panel B to close when A is revived',
    10_000,
    async () => (await panelTabs().count()) === 1,
    250,
  );
  const frameA = await until(
    'panel A to be the one panel drawn',
    30_000,
    async () => {
      const frames = await detailFrames();
      return frames.length === 1 && (await spansShown(frames[0]!)) !== undefined
        ? frames[0]
        : undefined;
    },
    250,
  );
  const before = (await spansShown(frameA))!;

  // New spans must still reach A.
  await sendSpans(50);
  let shown: number | undefined;
  await until(
    () =>
      `the revived panel to show ${before + 50} spans after 50 more arrived (it shows ${shown})`,
    30_000,
    async () => (shown = await spansShown(frameA)) === before + 50,
    250,
  );
  await screenshot(page, 'e2e-details-revived');
});

// A taken receiver port (a local Collector often owns 4318) is a clear message with a way out,
// never a crash: the status bar says so, a notification offers another port, and choosing
// "Use Any Free Port" brings the receiver up.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { after, test } from 'node:test';
import type { Page } from 'playwright-core';
import { startCodeServer, type CodeServer } from './harness/code-server';
import { fixtureWorkspace, repoRoot } from './harness/paths';
import { freePort } from './harness/processes';
import { closeWorkbench, openWorkbench, screenshot, statusBarText } from './harness/workbench';

let server: CodeServer | undefined;
let page: Page | undefined;
let blocker: Server | undefined;
const workspace = fixtureWorkspace('prodlens-e2e-port-');

after(async () => {
  if (page) await closeWorkbench(page).catch(() => undefined);
  await server?.stop();
  blocker?.close();
  rmSync(workspace, { recursive: true, force: true });
});

test('port in use: status bar and notification say so; "Use Any Free Port" recovers', async () => {
  const port = await freePort();
  blocker = createServer();
  await new Promise<void>((r) => blocker!.listen(port, '127.0.0.1', r));
  server = await startCodeServer({
    workspace,
    extensionDevPath: repoRoot,
    userSettings: { 'prodlens.receiver.port': port },
  });
  page = await openWorkbench(server.url, workspace);
  const status = await statusBarText(page, `port ${port} in use`, 60_000);
  assert.match(status, new RegExp(`ProdLens: port ${port} in use`));
  const note = page
    .locator('.notification-list-item', { hasText: `port ${port} is already in use` })
    .first();
  await note.waitFor({ timeout: 30_000 });
  await screenshot(page, 'e2e-port-in-use');
  await note.locator('.monaco-button', { hasText: 'Use Any Free Port' }).click();
  const recovered = await statusBarText(page, /ProdLens :\d+/, 30_000);
  const newPort = Number(/ProdLens :(\d+)/.exec(recovered)?.[1]);
  assert.ok(newPort > 0 && newPort !== port, recovered);
});

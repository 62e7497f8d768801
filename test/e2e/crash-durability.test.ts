// The editor's aggregates survive a crash (issue 14, item 1): spans reach the extension in a real
// code-server, then the whole workbench (server, extension host, everything) is SIGKILLed 5 s
// after the last span — no deactivate, no final save — and a new code-server on the same profile
// shows the same numbers on the function. Also checks that trace requests were decoded on the
// ingest worker's thread in the extension host.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Page } from 'playwright-core';
import { startCodeServer, type CodeServer } from './harness/code-server';
import { fixtureWorkspace, repoRoot } from './harness/paths';
import { exportSpans, placeOrderSpans } from './harness/sdk-spans';
import { freePort } from './harness/processes';
import {
  closeWorkbench,
  openFile,
  openWorkbench,
  statusBarText,
  waitForLens,
} from './harness/workbench';

const workspace = fixtureWorkspace('prodlens-e2e-crash-ws-');
const profileDir = mkdtempSync(join(tmpdir(), 'prodlens-e2e-crash-profile-'));
let server: CodeServer | undefined;
let page: Page | undefined;

after(async () => {
  if (page) await closeWorkbench(page).catch(() => undefined);
  await server?.stop();
  rmSync(workspace, { recursive: true, force: true });
  rmSync(profileDir, { recursive: true, force: true });
});

const sendSpans = (port: number, count: number) =>
  exportSpans(port, { 'service.name': 'crash-shop' }, placeOrderSpans(count, 30));

/** code-server on `csPort` both times: its workspace storage is keyed by the server's address. */
async function start(port: number, csPort: number): Promise<Page> {
  server = await startCodeServer({
    workspace,
    extensionDevPath: repoRoot,
    profileDir,
    port: csPort,
    userSettings: { 'prodlens.receiver.port': port, 'prodlens.window': '15m' },
  });
  const p = await openWorkbench(server.url, workspace);
  await statusBarText(p, `ProdLens :${port}`, 60_000);
  return p;
}

test('aggregates survive SIGKILL of the whole workbench 5 s after the last span', async () => {
  const port = await freePort();
  const csPort = await freePort();
  page = await start(port, csPort);
  await openFile(page, 'src/orders.ts');
  await sendSpans(port, 300);
  assert.match(await waitForLens(page, /p50 30 ms/, 60_000), /\(n=300\)$/);
  assert.match(
    server!.extensionHostLogTail(400),
    /trace requests are decoded on a worker thread/,
    'the extension host decoded spans on the ingest worker',
  );
  const lastSpanAt = Date.now();
  await new Promise((r) => setTimeout(r, 5_000 - (Date.now() - lastSpanAt)));
  await closeWorkbench(page).catch(() => undefined);
  page = undefined;
  await server!.kill();

  page = await start(port, csPort);
  await openFile(page, 'src/orders.ts');
  const title = await waitForLens(page, /p50 30 ms/, 60_000).catch((e: Error) => {
    throw new Error(`${e.message}\n${server!.extensionHostLogTail(60)}`);
  });
  assert.match(title, /\(n=300\)$/, `after the crash: ${title}`);
});

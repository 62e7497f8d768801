// Settings in a real VS Code workbench (code-server + Debian Chromium), issue 12's user-visible
// settings bugs, in the order a user meets them:
// - a bad prodlens.window ("toString", which `'toString' in WINDOWS` used to accept) is reported
//   in a notification and the ProdLens log, and the lenses use 15 min;
// - with prodlens.window in the workspace settings (as the details panel's window picker leaves
//   it), "Select Time Window" changes the window (it used to write the user settings, which the
//   workspace value overrides: nothing happened), and "Toggle Code Lenses" likewise;
// - prodlens.receiver.port changed twice in quick succession while the receiver is still stopping:
//   the receiver ends on the last port, the earlier ones are closed, and nothing says "in use"
//   (overlapping starts used to leave a listener behind and report the gRPC port as taken).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { until } from '../support/until';
import { startCodeServer, type CodeServer } from './harness/code-server';
import { fixtureWorkspace, repoRoot } from './harness/paths';
import { freePort, portInUse } from './harness/processes';
import {
  closeWorkbench,
  notificationTexts,
  openFile,
  openWorkbench,
  pickRow,
  runCommand,
  runCommandAsking,
  screenshot,
  statusBarText,
} from './harness/workbench';

let server: CodeServer;
let page: Page;
let workspace: string;
let port0: number;
let grpcPort: number;
const held: Socket[] = [];

before(async () => {
  workspace = fixtureWorkspace('prodlens-e2e-settings-');
  port0 = await freePort();
  // A port of its own for gRPC (not 4317, which another run or a Collector may hold): an "in use"
  // warning for it is one of the things the last test must not see.
  grpcPort = await freePort();
  server = await startCodeServer({
    workspace,
    extensionDevPath: repoRoot,
    userSettings: {
      'prodlens.receiver.port': port0,
      'prodlens.receiver.grpcPort': grpcPort,
      'prodlens.window': 'toString',
      // Every function gets a lens naming the window ("no data · last 15 min") without any spans.
      'prodlens.codeLens.showNoData': true,
    },
  });
  page = await openWorkbench(server.url, workspace);
});

after(async () => {
  for (const s of held) s.destroy();
  if (page) await closeWorkbench(page).catch(() => undefined);
  if (server) await server.stop();
  rmSync(workspace, { recursive: true, force: true });
});

const workspaceSettingsFile = () => join(workspace, '.vscode', 'settings.json');
const userSettingsFile = () => join(server.userDataDir, 'User', 'settings.json');

function readJson(file: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** Merges `values` into the workspace's .vscode/settings.json, as an edit by hand (or by the picker) would. */
function writeWorkspaceSettings(values: Record<string, unknown>): void {
  mkdirSync(join(workspace, '.vscode'), { recursive: true });
  const next = { ...readJson(workspaceSettingsFile()), ...values };
  writeFileSync(workspaceSettingsFile(), JSON.stringify(next, null, 2));
}

function workspaceSetting(key: string): unknown {
  return readJson(workspaceSettingsFile())[key];
}

/** The ProdLens log lines (the extension's LogOutputChannel, written under the exthost logs). */
function prodlensLog(): string[] {
  const lines: string[] = [];
  let ours = false;
  for (const line of server.extensionHostLogTail(5_000).split('\n')) {
    if (line.startsWith('--- ')) ours = /[\\/]ProdLens\.log$/.test(line);
    else if (ours && line.trim()) lines.push(line);
  }
  return lines;
}

/**
 * Lens titles on screen. The "no data" lenses have no command, so they render as spans, not the
 * links the harness's codeLenses() finds; each line here has one lens.
 */
const lenses = (page: Page) => page.locator('.codelens-decoration');

async function waitForLens(page: Page, text: RegExp, timeoutMs = 30_000): Promise<string> {
  const lens = lenses(page).filter({ hasText: text }).first();
  await lens.waitFor({ timeout: timeoutMs });
  return (await lens.innerText()).trim();
}

/** Resolves true when a TCP connection to 127.0.0.1:port is refused (nothing listens). */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

test('prodlens.window "toString" is reported (notification and log); lenses use 15 min and the receiver runs', async () => {
  const note = page.locator('.notification-list-item', {
    hasText: 'prodlens.window "toString" is not one of',
  });
  await note.first().waitFor({ timeout: 60_000 });
  assert.match(
    (await note.first().innerText()).trim(),
    /ProdLens settings: prodlens\.window "toString" is not one of 5m, 15m, 1h, 6h, 24h, 7d; using 15m/,
  );
  await statusBarText(page, `ProdLens :${port0}`, 60_000);
  await openFile(page, 'src/orders.ts');
  assert.match(await waitForLens(page, /no data · last/), /^no data · last 15 min$/);
  const titles = await lenses(page).allInnerTexts();
  assert.ok(
    titles.every((t) => /last 15 min/.test(t)),
    `every lens names 15 min: ${titles.join(' | ')}`,
  );
  await screenshot(page, 'e2e-settings-bad-window');
  await until('the warning in the ProdLens log', 30_000, () =>
    prodlensLog().some((l) => l.includes('setting: prodlens.window "toString" is not one of')),
  );
  await runCommand(page, 'Notifications: Clear All Notifications');
});

test("Select Time Window takes effect when the workspace settings hold prodlens.window (as the panel's picker leaves it)", async () => {
  await openFile(page, 'src/orders.ts');
  writeWorkspaceSettings({ 'prodlens.window': '1h', 'prodlens.codeLens.enabled': true });
  assert.equal(await waitForLens(page, /no data · last 1 h/), 'no data · last 1 h');

  await runCommandAsking(page, 'ProdLens: Select Time Window', /^Last 5 min$/);
  await pickRow(page, /^Last 5 min$/);

  // Visible: the lenses name the new window (before the fix they stayed at 1 h).
  assert.equal(await waitForLens(page, /no data · last 5 min/), 'no data · last 5 min');
  await lenses(page)
    .filter({ hasText: /last 1 h/ })
    .first()
    .waitFor({ state: 'detached', timeout: 10_000 });
  // Where it went: the workspace settings; the user settings keep what they had.
  await until(
    'prodlens.window 5m in .vscode/settings.json',
    30_000,
    () => workspaceSetting('prodlens.window') === '5m',
  );
  assert.equal(readJson(userSettingsFile())['prodlens.window'], 'toString');
  await screenshot(page, 'e2e-settings-select-window');
});

test('Toggle Code Lenses takes effect when the workspace settings hold prodlens.codeLens.enabled', async () => {
  await openFile(page, 'src/orders.ts');
  writeWorkspaceSettings({ 'prodlens.codeLens.enabled': true });
  await waitForLens(page, /no data · last/);
  await runCommand(page, 'ProdLens: Toggle Code Lenses');
  await lenses(page).first().waitFor({ state: 'detached', timeout: 15_000 });
  await until(
    'codeLens.enabled false in .vscode/settings.json',
    30_000,
    () => workspaceSetting('prodlens.codeLens.enabled') === false,
  );
  assert.equal(readJson(userSettingsFile())['prodlens.codeLens.enabled'], undefined);

  await runCommand(page, 'ProdLens: Toggle Code Lenses');
  await waitForLens(page, /no data · last/);
  assert.equal(workspaceSetting('prodlens.codeLens.enabled'), true);
});

test('prodlens.receiver.port changed twice in quick succession: the receiver ends on the last port, the others are closed, nothing says "in use"', async (t) => {
  await statusBarText(page, `ProdLens :${port0}`, 30_000);
  const logStart = prodlensLog().length;
  // A request still in flight on the first port (headers sent, body not) makes stopping it take
  // the receiver's grace period (1 s): the second change arrives while the first restart is busy.
  const inFlight = connect({ host: '127.0.0.1', port: port0 });
  held.push(inFlight);
  inFlight.on('error', () => undefined);
  await new Promise<void>((resolve) => inFlight.once('connect', resolve));
  await new Promise<void>((resolve) =>
    inFlight.write(
      `POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1:${port0}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n`,
      () => resolve(),
    ),
  );

  const port1 = await freePort();
  let port2 = await freePort();
  while (port2 === port1) port2 = await freePort();
  writeWorkspaceSettings({ 'prodlens.receiver.port': port1 });
  // The first restart has begun once the first port stops accepting connections.
  await until(`port ${port0} to close`, 30_000, () => refused(port0));
  writeWorkspaceSettings({ 'prodlens.receiver.port': port2 });
  const changedAt = Date.now();

  // Both restarts done: the log names a listener on each new port.
  const listening = (port: number) =>
    new RegExp(`OTLP/HTTP receiver listening on http://127\\.0\\.0\\.1:${port}$`);
  const startLines = await until('both restarts in the log', 30_000, () => {
    const lines = prodlensLog()
      .slice(logStart)
      .filter((l) => /OTLP\/HTTP receiver listening on/.test(l));
    return lines.some((l) => listening(port1).test(l)) &&
      lines.some((l) => listening(port2).test(l))
      ? lines
      : undefined;
  });
  // Every way the old overlapping starts showed, collected so a failure names all of them.
  const problems: string[] = [];
  if (!listening(port2).test(startLines.at(-1)!))
    problems.push(`the last start is not on the last port:\n${startLines.join('\n')}`);
  await statusBarText(page, `ProdLens :${port2}`, 10_000).catch(async () =>
    problems.push(`status bar: ${await statusBarText(page, /ProdLens/, 1_000).catch(() => '?')}`),
  );
  const status = await fetch(`http://127.0.0.1:${port2}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ resourceSpans: [] }),
    signal: AbortSignal.timeout(10_000),
  }).then(
    (res) => res.status,
    (e: Error) => e.message,
  );
  if (status !== 200) problems.push(`POST to the last port ${port2}: ${status}`);
  if (!(await refused(port1))) problems.push(`a listener is left on the earlier port ${port1}`);
  if (!(await refused(port0))) problems.push(`a listener is left on the first port ${port0}`);
  if (!(await portInUse(grpcPort))) problems.push(`nothing listens on the gRPC port ${grpcPort}`);
  for (const line of prodlensLog().slice(logStart))
    if (/in use|not started/i.test(line)) problems.push(`log: ${line}`);
  // The notification center keeps the warnings whose toasts have already hidden themselves.
  await runCommand(page, 'Notifications: Show Notifications');
  await page.locator('.notifications-center').waitFor({ timeout: 10_000 });
  for (const note of await notificationTexts(page))
    if (/in use/i.test(note)) problems.push(`notification: ${note}`);
  assert.deepEqual(problems, []);
  await screenshot(page, 'e2e-settings-port-twice');
  t.diagnostic(`settled ${Date.now() - changedAt} ms after the second change`);
});

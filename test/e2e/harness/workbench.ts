// Drives the code-server workbench in Debian's Chromium through playwright-core (Playwright's own
// browsers cannot be downloaded here). Selectors follow the team's e2e reference (shared/reference/e2e.md). Always use
// locators, never element handles: lenses and hovers re-render and handles go stale.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { screenshotsDir } from './paths';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** PRODLENS_CHROMIUM overrides; default is Debian's package (scripts/setup-system.sh). */
export function chromiumPath(): string {
  return process.env.PRODLENS_CHROMIUM ?? '/usr/bin/chromium';
}

export async function launchBrowser(options: { headless?: boolean } = {}): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath))
    throw new Error(
      `Chromium not found at ${executablePath}; run scripts/setup-system.sh (or set PRODLENS_CHROMIUM)`,
    );
  return chromium.launch({
    executablePath,
    headless: options.headless ?? true,
    args: CHROMIUM_ARGS,
  });
}

/** Browsers openWorkbench launched itself, closed again by closeWorkbench. */
const ownBrowsers = new WeakMap<Page, Browser>();

/**
 * Opens the workbench at `url` with `folder` (absolute path) and waits for it to render. Launches
 * a headless Chromium unless `browser` is given.
 */
export async function openWorkbench(
  url: string,
  folder: string,
  options: { browser?: Browser; timeoutMs?: number } = {},
): Promise<Page> {
  const browser = options.browser ?? (await launchBrowser());
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  if (!options.browser) ownBrowsers.set(page, browser);
  const timeout = options.timeoutMs ?? 60_000;
  const param = folder.endsWith('.code-workspace') ? 'workspace' : 'folder';
  await page.goto(`${url.replace(/\/+$/, '')}/?${param}=${encodeURIComponent(folder)}`, {
    timeout,
  });
  await page.locator('.monaco-workbench').waitFor({ timeout });
  // The explorer shows the folder's name once the workspace (and its file service) is up.
  await page.locator('.explorer-folders-view, .explorer-viewlet').first().waitFor({ timeout });
  return page;
}

/** Closes the page's context, and its browser if openWorkbench launched it. */
export async function closeWorkbench(page: Page): Promise<void> {
  const browser = ownBrowsers.get(page);
  await page
    .context()
    .close()
    .catch(() => undefined);
  if (browser) await browser.close().catch(() => undefined);
}

const quickInput = (page: Page) => page.locator('.quick-input-widget');
const quickInputBox = (page: Page) => page.locator('.quick-input-widget .quick-input-box input');
const quickInputRows = (page: Page) =>
  page.locator('.quick-input-widget .quick-input-list .monaco-list-row');

/** The little of the DOM that code run in the page uses (the project compiles without lib.dom). */
interface DomNode {
  style: { top: string };
  textContent: string | null;
  parentElement: DomNode | null;
  querySelector(selector: string): DomNode | null;
  querySelectorAll(selector: string): ArrayLike<DomNode>;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Presses `key` until the quick input opens: right after load the workbench may not have focus yet. */
async function openQuickInput(page: Page, key: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.keyboard.press(key);
    try {
      await quickInputBox(page).waitFor({ state: 'visible', timeout: 3000 });
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await page.keyboard.press('Escape');
      await page
        .locator('.part.editor')
        .click({ position: { x: 5, y: 5 } })
        .catch(() => undefined);
    }
  }
}

/**
 * Opens a workspace file by its path relative to the workspace folder, through Quick Open (Ctrl+P):
 * robust for nested paths, unlike clicking Explorer rows. Resolves when its editor tab is active
 * and its text is rendered.
 */
export async function openFile(page: Page, relPath: string, timeoutMs = 30_000): Promise<void> {
  const base = relPath.split('/').pop() ?? relPath;
  await openQuickInput(page, 'Control+P', timeoutMs);
  await quickInputBox(page).fill(relPath);
  // File search results arrive asynchronously; pick the row that is this file, not just the first.
  const dir = relPath.includes('/') ? relPath.slice(0, relPath.lastIndexOf('/')) : '';
  let row = quickInputRows(page).filter({
    has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(base)}$`) }),
  });
  if (dir) row = row.filter({ hasText: dir });
  await row.first().click({ timeout: timeoutMs });
  await quickInput(page).waitFor({ state: 'hidden', timeout: timeoutMs });
  await page
    .locator('.editor-group-container.active .tabs-container .tab.active', { hasText: base })
    .waitFor({ timeout: timeoutMs });
  await activeEditor(page)
    .locator('.view-lines .view-line')
    .first()
    .waitFor({ timeout: timeoutMs });
}

/** The editor of the active editor group. */
export function activeEditor(page: Page): Locator {
  return page.locator('.editor-group-container.active .editor-instance .monaco-editor').first();
}

/** All code lenses on screen; their text is the lens title. */
export function codeLenses(page: Page): Locator {
  return page.locator('.codelens-decoration a');
}

/** Waits for a code lens whose title matches `text` and returns that title. */
export async function waitForLens(page: Page, text: RegExp, timeoutMs = 30_000): Promise<string> {
  const lens = codeLenses(page).filter({ hasText: text }).first();
  await lens.waitFor({ timeout: timeoutMs });
  return (await lens.innerText()).trim();
}

/**
 * Hovers the first occurrence of `text` on 1-based `line` of the active editor, via the keyboard
 * (Go to Line, then "Show Hover" on the cursor) so it does not depend on pixel positions, and
 * returns the text of the hover once it is visible (and matches `contains`, if given).
 */
export async function hoverAt(
  page: Page,
  target: { line: number; text: string; contains?: RegExp; timeoutMs?: number },
): Promise<string> {
  const timeout = target.timeoutMs ?? 15_000;
  await openQuickInput(page, 'Control+G', timeout);
  await quickInputBox(page).fill(`:${target.line}`);
  await page.keyboard.press('Enter');
  await quickInput(page).waitFor({ state: 'hidden', timeout });
  // The rendered line under the cursor: the view-line at the same `top` as the current-line overlay.
  const lineText = await activeEditor(page).evaluate((editor: DomNode) => {
    const top =
      editor.querySelector('.view-overlays .current-line')?.parentElement?.style.top ||
      editor.querySelector('.cursors-layer .cursor')?.style.top;
    const lines = Array.from(editor.querySelectorAll('.view-lines .view-line'));
    return lines.find((l) => l.style.top === top)?.textContent?.replace(/\u00a0/g, ' ') ?? null;
  });
  if (lineText === null)
    throw new Error(`hoverAt: could not read line ${target.line} of the active editor`);
  const column = lineText.indexOf(target.text);
  if (column < 0)
    throw new Error(
      `hoverAt: "${target.text}" is not on line ${target.line}: ${JSON.stringify(lineText)}`,
    );
  await openQuickInput(page, 'Control+G', timeout);
  await quickInputBox(page).fill(`:${target.line}:${column + 1}`);
  await page.keyboard.press('Enter');
  await quickInput(page).waitFor({ state: 'hidden', timeout });
  // A lens refresh re-renders the editor and can close a hover just shown (more often on a busy
  // machine): show it again then. The text is read in the page in the same step that finds the
  // hover, so a hover closing between "found" and "read" cannot fail the read.
  const pattern = target.contains
    ? { source: target.contains.source, flags: target.contains.flags }
    : undefined;
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+I');
    try {
      const found = await page.waitForFunction(
        (p: { source: string; flags: string } | undefined) => {
          const re = p ? new RegExp(p.source, p.flags) : undefined;
          const doc = (globalThis as unknown as { document: DomNode }).document;
          for (const h of Array.from(doc.querySelectorAll('.monaco-hover'))) {
            const el = h as unknown as { offsetParent: unknown; innerText: string };
            if (el.offsetParent !== null && (!re || re.test(el.innerText))) return el.innerText;
          }
          return null;
        },
        pattern,
        { timeout: attempt < 5 ? Math.min(timeout, 8_000) : timeout },
      );
      return String(await found.jsonValue()).trim();
    } catch (err) {
      if (attempt >= 5) throw err;
    }
  }
}

/** Moves the cursor of the active editor to 1-based `line` (and `column`) through Go to Line. */
export async function goToLine(
  page: Page,
  line: number,
  column = 1,
  timeoutMs = 15_000,
): Promise<void> {
  await openQuickInput(page, 'Control+G', timeoutMs);
  await quickInputBox(page).fill(`:${line}:${column}`);
  await page.keyboard.press('Enter');
  await quickInput(page).waitFor({ state: 'hidden', timeout: timeoutMs });
}

/** Text of the first status bar item containing `contains`. */
export async function statusBarText(
  page: Page,
  contains: string | RegExp,
  timeoutMs = 30_000,
): Promise<string> {
  const item = page.locator('.part.statusbar .statusbar-item', { hasText: contains }).first();
  await item.waitFor({ timeout: timeoutMs });
  return (await item.innerText()).trim();
}

/** Messages of the visible notifications. */
export async function notificationTexts(page: Page): Promise<string[]> {
  return (await page.locator('.notification-list-item-message').allInnerTexts()).map((t) =>
    t.trim(),
  );
}

/** Saves test-results/screenshots/NAME.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotsDir, { recursive: true });
  const path = join(screenshotsDir, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** Runs a command by its palette title (e.g. "ProdLens: Show Receiver Status") through F1. */
export async function runCommand(page: Page, title: string, timeoutMs = 15_000): Promise<void> {
  await openQuickInput(page, 'F1', timeoutMs);
  await quickInputBox(page).fill(`>${title}`);
  const row = quickInputRows(page).filter({
    has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }),
  });
  await row.first().click({ timeout: timeoutMs });
  await quickInput(page).waitFor({ state: 'hidden', timeout: timeoutMs });
}

/** Runs a command by its palette title when it goes on to ask in a quick pick of its own, which offers a row labelled `offers`. */
export async function runCommandAsking(
  page: Page,
  title: string,
  offers: RegExp,
  timeoutMs = 15_000,
): Promise<void> {
  await openQuickInput(page, 'F1', timeoutMs);
  await quickInputBox(page).fill(`>${title}`);
  const row = quickInputRows(page).filter({
    has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }),
  });
  await row.first().click({ timeout: timeoutMs });
  await quickInputRows(page)
    .filter({ has: page.locator('.label-name', { hasText: offers }) })
    .first()
    .waitFor({ timeout: timeoutMs });
}

/** Chooses the row of the open quick pick whose label matches `label`. */
export async function pickRow(page: Page, label: RegExp, timeoutMs = 15_000): Promise<void> {
  await quickInputRows(page)
    .filter({ has: page.locator('.label-name', { hasText: label }) })
    .first()
    .click({ timeout: timeoutMs });
  await quickInput(page).waitFor({ state: 'hidden', timeout: timeoutMs });
}

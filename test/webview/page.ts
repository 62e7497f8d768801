// Runs the details panel webview in a real Chromium without VS Code: builds the bundles with
// esbuild into a temp dir, serves it from 127.0.0.1 behind the host's own CSP, and injects a fake
// acquireVsCodeApi that records posted messages and answers getTrace from window.__traces.
// Shared by the webview component tests and the browser lane of the bench.
import { randomBytes } from 'node:crypto';
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { HostMessage } from '../../src/protocol/messages';
import { panelHtml } from '../../src/protocol/panel-page';
import { CHROMIUM_ARGS, chromiumPath } from '../e2e/harness/workbench';
// @ts-expect-error: a plain .mjs build helper without type declarations
import { codiconSubsetCss } from '../../scripts/codicon-subset.mjs';
// @ts-expect-error: a plain .mjs build helper without type declarations
import { webviewBundles } from '../../scripts/webview-bundles.mjs';

// The browser globals of the in-page callbacks (page.evaluate): the project compiles without lib.dom.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any, performance: any, requestAnimationFrame: any;
type Event = any;
/* eslint-enable @typescript-eslint/no-explicit-any */

const root = join(import.meta.dirname, '..', '..');

/** Dark and light values for the variables the panel uses (VS Code sets these on <html>). */
export const THEMES = {
  dark: {
    '--vscode-font-family': 'sans-serif',
    '--vscode-font-size': '13px',
    '--vscode-editor-font-family': 'monospace',
    '--vscode-foreground': 'rgb(204, 204, 204)',
    '--vscode-descriptionForeground': 'rgb(160, 160, 160)',
    '--vscode-editor-background': 'rgb(30, 30, 30)',
    '--vscode-editorWidget-background': 'rgb(37, 37, 38)',
    '--vscode-panel-border': 'rgb(68, 68, 68)',
    '--vscode-textLink-foreground': 'rgb(55, 148, 255)',
    '--vscode-errorForeground': 'rgb(241, 76, 76)',
    '--vscode-focusBorder': 'rgb(0, 127, 212)',
    '--vscode-charts-blue': 'rgb(55, 148, 255)',
    '--vscode-charts-orange': 'rgb(209, 134, 22)',
    '--vscode-charts-red': 'rgb(241, 76, 76)',
    '--vscode-charts-green': 'rgb(137, 209, 133)',
    '--vscode-charts-purple': 'rgb(179, 128, 255)',
    '--vscode-button-background': 'rgb(0, 120, 212)',
    '--vscode-button-foreground': 'rgb(255, 255, 255)',
    '--vscode-button-secondaryBackground': 'rgb(49, 49, 49)',
    '--vscode-button-secondaryForeground': 'rgb(204, 204, 204)',
  },
  light: {
    '--vscode-font-family': 'sans-serif',
    '--vscode-font-size': '13px',
    '--vscode-editor-font-family': 'monospace',
    '--vscode-foreground': 'rgb(59, 59, 59)',
    '--vscode-descriptionForeground': 'rgb(113, 113, 113)',
    '--vscode-editor-background': 'rgb(255, 255, 255)',
    '--vscode-editorWidget-background': 'rgb(243, 243, 243)',
    '--vscode-panel-border': 'rgb(200, 200, 200)',
    '--vscode-textLink-foreground': 'rgb(0, 102, 191)',
    '--vscode-errorForeground': 'rgb(229, 20, 0)',
    '--vscode-focusBorder': 'rgb(0, 90, 158)',
    '--vscode-charts-blue': 'rgb(26, 133, 255)',
    '--vscode-charts-orange': 'rgb(209, 134, 22)',
    '--vscode-charts-red': 'rgb(229, 20, 0)',
    '--vscode-charts-green': 'rgb(56, 138, 52)',
    '--vscode-charts-purple': 'rgb(101, 47, 181)',
    '--vscode-button-background': 'rgb(0, 95, 184)',
    '--vscode-button-foreground': 'rgb(255, 255, 255)',
    '--vscode-button-secondaryBackground': 'rgb(229, 229, 229)',
    '--vscode-button-secondaryForeground': 'rgb(59, 59, 59)',
  },
} as const;

function cssVars(vars: Record<string, string>): string {
  return `:root { ${Object.entries(vars)
    .map(([k, v]) => `${k}: ${v};`)
    .join(' ')} }`;
}

const FAKE_HOST = `
// tsx compiles the tests' page.evaluate callbacks with keepNames, which calls __name.
window.__name = (f) => f;
window.__posted = [];
window.__traces = {};
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
window.acquireVsCodeApi = () => ({
  postMessage(m) {
    window.__posted.push(JSON.parse(JSON.stringify(m)));
    if (m && m.type === 'ready' && window.__readyAt === undefined) window.__readyAt = performance.now();
    if (m && m.type === 'request' && m.method === 'getTrace' && window.__holdRequests) return; // the test answers itself
    if (m && m.type === 'request' && m.method === 'getTrace') {
      const t = window.__traces[m.params.traceId];
      const reply = t ? { type: 'response', id: m.id, method: 'getTrace', ok: true, result: t } : { type: 'response', id: m.id, method: 'getTrace', ok: false, error: 'not held' };
      setTimeout(() => window.postMessage(reply, '*'), 0);
    }
  },
  getState() { return window.__state; },
  setState(s) { window.__state = JSON.parse(JSON.stringify(s)); },
});
window.__state = window.__initialState;
// When each 'prodlens-rendered' event fired, and when the frame after it was painted (two frames).
window.__renderedAt = {};
window.__paintedAt = {};
window.addEventListener('prodlens-rendered', (e) => {
  const what = e.detail;
  window.__renderedAt[what] ??= performance.now();
  requestAnimationFrame(() => requestAnimationFrame(() => { window.__paintedAt[what] ??= performance.now(); }));
});
`;

export interface PanelServer {
  url: string;
  origin: string;
  assets: string[];
  /** A page URL whose HTML carries `message` as the panel's first message, as the extension's host writes it. */
  urlWith(message: HostMessage): string;
  close(): Promise<void>;
}

/** Builds the webview bundles (the options scripts/build.mjs uses, minus sourcemaps) and serves the panel page. */
export async function startPanelServer(
  options: { production?: boolean } = {},
): Promise<PanelServer> {
  const dir = mkdtempSync(join(tmpdir(), 'prodlens-webview-'));
  await Promise.all(
    webviewBundles(root, dir, { minify: options.production ?? false, logLevel: 'warning' }).map(
      (o: esbuild.BuildOptions) => esbuild.build(o),
    ),
  );
  const codicons = join(
    dirname(createRequire(import.meta.url).resolve('@vscode/codicons/package.json')),
    'dist',
  );
  // The stylesheet as the build ships it (only the icons the panel names).
  writeFileSync(join(dir, 'codicon.css'), codiconSubsetCss());
  // What the page fetches after it is parsed; the panel script and stylesheets are in its HTML.
  const files: Record<string, { path: string; type: string }> = {
    '/uplot.js': { path: join(dir, 'uplot.js'), type: 'text/javascript' },
    '/elements.js': { path: join(dir, 'elements.js'), type: 'text/javascript' },
    '/codicon.ttf': { path: join(codicons, 'codicon.ttf'), type: 'font/ttf' },
  };
  let origin = '';
  // Read once, as the extension's host does.
  const styles = [
    readFileSync(join(dir, 'codicon.css'), 'utf8'),
    readFileSync(join(dir, 'main.css'), 'utf8'),
  ];
  const panelScript = readFileSync(join(dir, 'main.js'), 'utf8');
  const shell = () => ({
    cspSource: origin,
    nonce: randomBytes(16).toString('base64'),
    assetsBase: `${origin}/`,
    styles,
    headScript: FAKE_HOST,
    themeCss: cssVars(THEMES.dark),
  });
  const firstMessages = new Map<string, HostMessage>();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', origin).pathname;
    if (path === '/baseline') {
      // The bench's baseline: the same page shell (CSP, fake host, stylesheets, theme) whose script
      // only writes one heading — what painting anything at all costs in this browser.
      const html = panelHtml({
        ...shell(),
        script: `document.getElementById('app').innerHTML = '<h1>OrderService.placeOrder</h1>'; window.dispatchEvent(new CustomEvent('prodlens-rendered', { detail: 'snapshot' }));`,
      });
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      return;
    }
    if (path === '/') {
      const first = firstMessages.get(
        new URL(req.url ?? '/', origin).searchParams.get('initial') ?? '',
      );
      // The page the extension's host writes (src/protocol/panel-page.ts), with the fake host in
      // the place of VS Code's acquireVsCodeApi and the dark theme's variables.
      const html = panelHtml({ ...shell(), script: panelScript, first });
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      return;
    }
    const f = files[path];
    if (!f) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': f.type }).end(readFileSync(f.path));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}/`,
    origin,
    assets: ['/', ...Object.keys(files)].map((p) => `${origin}${p}`),
    urlWith(message) {
      const id = String(firstMessages.size + 1);
      firstMessages.set(id, message);
      return `${origin}/?initial=${id}`;
    },
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
}

/**
 * Opens the panel page; `initialState` plays the part of the state VS Code restores after a reload,
 * `firstMessage` the snapshot the extension's host writes into the panel's HTML.
 */
export async function openPanel(
  browser: Browser,
  server: PanelServer,
  initialState?: unknown,
  firstMessage?: HostMessage,
): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
  if (initialState !== undefined)
    await page.addInitScript(
      (s) => ((window as unknown as { __initialState: unknown }).__initialState = s),
      initialState,
    );
  await page.goto(firstMessage ? server.urlWith(firstMessage) : server.url);
  await page.waitForFunction(() =>
    (window as unknown as { __posted: { type: string }[] }).__posted.some(
      (m) => m.type === 'ready',
    ),
  );
  return page;
}

/** Posts a host message as VS Code would (structured clone via postMessage) and waits until it is drawn. */
export async function postAndWait(
  page: Page,
  message: unknown,
  what: 'snapshot' | 'empty' | 'trace' | 'charts',
): Promise<number> {
  return page.evaluate(
    ([m, w]) =>
      new Promise<number>((resolve) => {
        const t0 = performance.now();
        const on = (ev: Event) => {
          if ((ev as CustomEvent).detail !== w) return;
          window.removeEventListener('prodlens-rendered', on);
          // Two frames: the DOM is laid out and painted, not just built.
          requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t0)));
        };
        window.addEventListener('prodlens-rendered', on);
        window.postMessage(m, '*');
      }),
    [message, what] as const,
  );
}

/** Messages the webview posted to the (fake) host. */
export async function posted(page: Page): Promise<{ type: string; [k: string]: unknown }[]> {
  return page.evaluate(() => (window as unknown as { __posted: { type: string }[] }).__posted);
}

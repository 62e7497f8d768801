// Browser lane of `npm run bench`: the details panel webview (minified bundle, as shipped) in
// Chromium with a fake host. Figures: a panel opening with data for a function with 10,000 spans
// in its window (navigation → ready → snapshot → charts and lists painted; target ≤ 300 ms), and
// a 2,000-span trace's waterfall (Enter on a trace row → rows painted; target ≤ 500 ms).
// Run: node --import tsx bench/webview.ts
import type { Page } from 'playwright-core';
import { details, trace } from '../test/webview/fixtures';
import { launch, openPanel, postAndWait, startPanelServer } from '../test/webview/page';

// The browser globals of the in-page callbacks (page.evaluate): the project compiles without lib.dom.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any, document: any, performance: any, requestAnimationFrame: any, KeyboardEvent: any;
type Event = any;
/* eslint-enable @typescript-eslint/no-explicit-any */

const RUNS = 7;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const verdict = (ms: number, target: number) => (ms <= target ? 'meets target' : 'MISSES target');

async function openTraceTimed(page: Page, traceId: string): Promise<number> {
  return page.evaluate(
    (id) =>
      new Promise<number>((resolve) => {
        const row = document.querySelector(`tr[data-trace-id="${id}"]`)!;
        row.focus();
        const t0 = performance.now();
        const on = (ev: Event) => {
          if ((ev as CustomEvent).detail !== 'trace') return;
          window.removeEventListener('prodlens-rendered', on);
          requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t0)));
        };
        window.addEventListener('prodlens-rendered', on);
        row.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
      }),
    traceId,
  );
}

async function main(): Promise<void> {
  console.log('ProdLens webview benchmarks (Chromium, minified webview bundle, fake host)\n');
  const server = await startPanelServer({ production: true });
  const browser = await launch();
  try {
    const snapshot = { type: 'snapshot', details: details({ spans: 10_000 }) };
    const big = trace(2_000, { traceId: snapshot.details.traces.recent[0]!.traceId });
    const open: number[] = [];
    const render: number[] = [];
    const waterfall: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const page = await openPanel(browser, server);
      // Opening: navigation start → the webview's ready (page load, bundle parse), then the host's
      // snapshot → painted. Playwright's own polling between the two is not the panel's time.
      const drawMs = await postAndWait(page, snapshot, 'snapshot');
      open.push((await page.evaluate(() => (window as unknown as { __readyAt: number }).__readyAt)) + drawMs);
      render.push(drawMs);
      await page.evaluate((t) => ((window as unknown as { __traces: Record<string, unknown> }).__traces[t.traceId] = t), big);
      waterfall.push(await openTraceTimed(page, big.traceId));
      const rows = await page.locator('.wf-row').count();
      if (rows !== 2_000) throw new Error(`waterfall drew ${rows} rows, expected 2000`);
      await page.close();
    }
    const o = median(open);
    const r = median(render);
    const w = median(waterfall);
    console.log(`Panel with data, function with 10,000 spans in its window (median of ${RUNS})`);
    console.log(`  open: navigation → ready + snapshot → painted  ${o.toFixed(0).padStart(6)} ms   target ≤ 300 ms   ${verdict(o, 300)}`);
    console.log(`    of which snapshot → charts+lists painted  ${r.toFixed(0).padStart(6)} ms`);
    console.log(`Trace waterfall, 2,000 spans (median of ${RUNS})`);
    console.log(`  Enter on trace row → waterfall painted    ${w.toFixed(0).padStart(6)} ms   target ≤ 500 ms   ${verdict(w, 500)}`);
    if (o > 300 || w > 500) process.exitCode = 1;
  } finally {
    await browser.close();
    await server.close();
  }
}

void main();

// Browser lane of `npm run bench`: the details panel webview (minified bundles, as shipped) in
// Chromium with a fake host. Figures: a panel opening with data for a function with 10,000 spans
// in its window — navigation start → the page, with the host's first snapshot inside its HTML as
// the extension writes it, has painted its numbers, histogram, compare table, trace list and
// errors (target ≤ 300 ms) — then, reported apart, the uPlot charts it draws a frame later, a
// snapshot for another function arriving on an open panel, and a 2,000-span trace's waterfall
// (Enter on a trace row → the rows in view painted, the waterfall being virtual; target ≤ 500 ms).
// Run: node --import tsx bench/webview.ts
import type { Page } from 'playwright-core';
import { details, trace } from '../test/webview/fixtures';
import { launch, openPanel, postAndWait, startPanelServer } from '../test/webview/page';

// The browser globals of the in-page callbacks (page.evaluate): the project compiles without lib.dom.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any,
  document: any,
  performance: any,
  requestAnimationFrame: any,
  KeyboardEvent: any;
type Event = any;
/* eslint-enable @typescript-eslint/no-explicit-any */

const RUNS = 11;
const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * q)]!;
const median = (xs: number[]) => quantile(xs, 0.5);
/** The middle half of the runs, so a reader sees how noisy the machine was. */
const spread = (xs: number[]) =>
  `runs ${quantile(xs, 0.25).toFixed(0)}–${quantile(xs, 0.75).toFixed(0)} ms`;
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

/** When the page's 'prodlens-rendered' event for `what` was followed by a painted frame (ms from navigation). */
async function paintedAt(page: Page, what: 'snapshot' | 'charts'): Promise<number> {
  await page.waitForFunction(
    (w) => (window as { __paintedAt: Record<string, number> }).__paintedAt[w] !== undefined,
    what,
  );
  return page.evaluate(
    (w) => (window as { __paintedAt: Record<string, number> }).__paintedAt[w]!,
    what,
  );
}

async function main(): Promise<void> {
  console.log('ProdLens webview benchmarks (Chromium, minified webview bundle, fake host)\n');
  const server = await startPanelServer({ production: true });
  const browser = await launch();
  try {
    const snapshot = { type: 'snapshot' as const, details: details({ spans: 10_000 }) };
    const another = {
      type: 'snapshot' as const,
      details: { ...details({ spans: 10_000 }), qualifiedName: 'OrderService.cancelOrder' },
    };
    const big = trace(2_000, { traceId: snapshot.details.traces.recent[0]!.traceId });
    const open: number[] = [];
    const baseline: number[] = [];
    const update: number[] = [];
    const waterfall: number[] = [];
    const withCharts: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      // Opening: the page as the host writes it, its first snapshot inside (src/protocol/panel-page.ts).
      const page = await openPanel(browser, server, undefined, snapshot);
      open.push(await paintedAt(page, 'snapshot'));
      withCharts.push(await paintedAt(page, 'charts'));
      // Baseline in the same run: the same page shell painting one heading.
      const shell = await browser.newPage({ viewport: { width: 1000, height: 900 } });
      await shell.goto(`${server.origin}/baseline`);
      baseline.push(await paintedAt(shell, 'snapshot'));
      await shell.close();
      await page.evaluate(
        (t) =>
          ((window as unknown as { __traces: Record<string, unknown> }).__traces[t.traceId] = t),
        big,
      );
      waterfall.push(await openTraceTimed(page, big.traceId));
      const rows = await page.locator('.waterfall').getAttribute('data-rows');
      const inDom = await page.locator('.wf-row').count();
      if (rows !== '2000' || inDom === 0)
        throw new Error(`waterfall holds ${rows} rows (${inDom} in the DOM), expected 2000`);
      // Another function shown on the open panel: its snapshot arrives as a message.
      update.push(await postAndWait(page, another, 'snapshot'));
      await page.close();
    }
    const o = median(open);
    const w = median(waterfall);
    const b = median(baseline);
    console.log(`Panel with data, function with 10,000 spans in its window (median of ${RUNS})`);
    console.log(
      `  open: navigation → numbers+lists painted      ${o.toFixed(0).padStart(6)} ms   target ≤ 300 ms   ${verdict(o, 300)}   (${spread(open)}; first snapshot in the page's HTML; first 20 trace rows)`,
    );
    console.log(
      `  baseline: the same page shell, one heading    ${b.toFixed(0).padStart(6)} ms   (${spread(baseline)}); the panel's own part ${(o - b).toFixed(0)} ms = ${(o / b).toFixed(1)}× the baseline`,
    );
    console.log(
      `  deferred: navigation → uPlot charts drawn      ${median(withCharts).toFixed(0).padStart(6)} ms   (a frame later; uplot.js loaded then)`,
    );
    console.log(
      `  update: another function's snapshot → painted ${median(update).toFixed(0).padStart(6)} ms   (a message to the open panel)`,
    );
    console.log(`Trace waterfall, 2,000 spans (median of ${RUNS})`);
    console.log(
      `  Enter on trace row → waterfall painted        ${w.toFixed(0).padStart(6)} ms   target ≤ 500 ms   ${verdict(w, 500)}   (virtual: rows in view + overscan)`,
    );
    if (o > 300 || w > 500) process.exitCode = 1;
  } finally {
    await browser.close();
    await server.close();
  }
}

void main();

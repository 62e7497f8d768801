// The details panel webview in real Chromium with a fake host: rendering, the request/response
// protocol, keyboard use, messages to the host, hostile production strings and themes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { compareOf, details, HOSTILE, logsOf, trace } from './fixtures';
import {
  launch,
  openPanel,
  postAndWait,
  posted,
  startPanelServer,
  THEMES,
  type PanelServer,
} from './page';

// The browser globals of the in-page callbacks (page.evaluate): the project compiles without lib.dom.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any,
  document: any,
  getComputedStyle: any,
  customElements: any,
  requestAnimationFrame: any;
type Event = any;
/* eslint-enable @typescript-eslint/no-explicit-any */

let server: PanelServer;
let browser: Browser;

before(async () => {
  server = await startPanelServer();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function withPanel(fn: (page: Page) => Promise<void>, initialState?: unknown): Promise<void> {
  const page = await openPanel(browser, server, initialState);
  try {
    await fn(page);
  } finally {
    await page.close();
  }
}

async function addTrace(page: Page, t: ReturnType<typeof trace>): Promise<void> {
  await page.evaluate(
    (t) => ((window as unknown as { __traces: Record<string, unknown> }).__traces[t.traceId] = t),
    t,
  );
}

describe('details panel webview', () => {
  test('says ready first, then renders a snapshot: numbers, three uPlot charts, histogram, traces, errors', async () => {
    await withPanel(async (page) => {
      assert.deepEqual((await posted(page))[0], { type: 'ready' });
      // Charts are drawn a frame after the numbers and lists ('charts' follows 'snapshot').
      await postAndWait(page, { type: 'snapshot', details: details() }, 'charts');
      assert.equal(await page.locator('h1').textContent(), 'OrderService.placeOrder');
      assert.equal(
        await page.locator('.chart canvas').count(),
        3,
        'latency, throughput and error-rate charts',
      );
      assert.match(
        (await page.locator('.chart figcaption').allTextContents()).join('|'),
        /p50, p95, p99.*Throughput.*Error rate/,
      );
      assert.match(
        (await page.locator('.histogram figcaption').textContent()) ?? '',
        /over 500 held sample spans/,
      );
      assert.ok((await page.locator('.histogram-svg rect').count()) > 3);
      assert.equal(
        await page.locator('table.traces tbody tr').count(),
        20,
        'the first 20 rows; the rest on demand',
      );
      await page.locator('button.more').click();
      assert.equal(await page.locator('table.traces tbody tr').count(), 50);
      assert.equal(
        await page.evaluate(() => document.activeElement?.dataset.traceId),
        details().traces.recent[20]!.traceId,
        'focus goes to the first new row',
      );
      assert.match((await page.locator('.errors').textContent()) ?? '', /TypeError/);
      assert.equal(
        await page.locator('.pickers').first().locator('select').count(),
        2,
        'window and environment pickers',
      );
      const state = await page.evaluate(() => (window as unknown as { __state: unknown }).__state);
      assert.deepEqual(state, {
        file: 'src/orders/service.ts',
        qualifiedName: 'OrderService.placeOrder',
        startLine: 42,
      });
    });
  });

  test('the first snapshot inside the page HTML is drawn at once: no loading state, ready still posted, the block removed', async () => {
    const d = details();
    const page = await openPanel(browser, server, undefined, { type: 'snapshot', details: d });
    try {
      await page.waitForFunction(() => window.__paintedAt.snapshot !== undefined);
      assert.equal(await page.locator('h1').textContent(), 'OrderService.placeOrder');
      assert.equal(await page.locator('table.traces tbody tr').count(), 20);
      assert.equal(
        await page.evaluate(() => window.__renderedAt.empty),
        undefined,
        'no "Loading…" frame before the data',
      );
      assert.deepEqual(
        (await posted(page))[0],
        { type: 'ready' },
        'the host still hears ready, and sends later snapshots as messages',
      );
      assert.equal(await page.locator('#prodlens-initial').count(), 0);
      await page.waitForFunction(() => window.__paintedAt.charts !== undefined);
      assert.equal(
        await page.locator('.chart canvas').count(),
        3,
        'uplot.js loaded after the first paint',
      );
      // A later snapshot of the same function updates the page the first one drew.
      await postAndWait(
        page,
        { type: 'snapshot', details: { ...d, stats: { ...d.stats, count: 777 } } },
        'snapshot',
      );
      assert.match((await page.locator('.kpis').textContent()) ?? '', /777/);
    } finally {
      await page.close();
    }
  });

  test('hostile strings in the first snapshot of the page HTML stay text: the JSON block cannot be closed from inside', async () => {
    const page = await openPanel(browser, server, undefined, {
      type: 'snapshot',
      details: details({ hostile: true }),
    });
    try {
      await page.waitForFunction(() => window.__paintedAt.snapshot !== undefined);
      const facts = await page.evaluate(() => ({
        pwned: (window as unknown as { __pwned?: unknown }).__pwned,
        inlineScripts: [...document.querySelectorAll('script')].filter((s) => !s.src).length,
        violations: (window as unknown as { __violations: string[] }).__violations,
        title: document.querySelector('h1')?.textContent,
      }));
      assert.equal(facts.pwned, undefined);
      assert.equal(
        facts.inlineScripts,
        2,
        'the fake host and the panel: no script made from the data',
      );
      assert.deepEqual(facts.violations, []);
      assert.equal(facts.title, `OrderService.${HOSTILE.img}`);
      assert.ok(
        ((await page.locator('body').textContent()) ?? '').includes(
          '</script><script>window.__pwned=2</script>',
        ),
      );
    } finally {
      await page.close();
    }
  });

  test('when uplot.js cannot be loaded, each chart box says so and the figures keep their text summaries', async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    await page.route('**/uplot.js', (route) => route.fulfill({ status: 404, body: '' }));
    try {
      await page.goto(server.urlWith({ type: 'snapshot', details: details() }));
      await page.waitForFunction(
        () => document.querySelectorAll('.chart-canvas .empty').length === 3,
      );
      assert.deepEqual(
        await page.locator('.chart-canvas .empty').allTextContents(),
        Array(3).fill('Chart not drawn: uplot.js could not be loaded.'),
      );
      assert.match(
        (await page.locator('figure.chart').first().getAttribute('aria-label')) ?? '',
        /^Latency \(p50, p95, p99\): p50 45 ms/,
      );
      assert.equal(
        await page.locator('table.traces tbody tr').count(),
        20,
        'the rest of the panel is unaffected',
      );
    } finally {
      await page.close();
    }
  });

  test('buttons before elements.js has defined them: the same box and colours, and a click already works', async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    await page.route('**/elements.js', async (route) => {
      await held;
      await route.continue();
    });
    try {
      await page.goto(server.urlWith({ type: 'snapshot', details: details() }), {
        waitUntil: 'commit',
      }); // the load event waits for the held script
      await page.waitForFunction(() => window.__paintedAt.snapshot !== undefined);
      const look = () =>
        page.evaluate(() => {
          const b = document.querySelector('vscode-button[data-tab="recent"]');
          const r = b.getBoundingClientRect();
          return {
            defined: b.matches(':defined'),
            width: Math.round(r.width),
            height: Math.round(r.height),
            background: getComputedStyle(b).backgroundColor,
          };
        });
      const before = await look();
      assert.equal(before.defined, false);
      assert.equal(
        before.background,
        'rgb(0, 120, 212)',
        'the selected tab in --vscode-button-background',
      );
      await page.locator('vscode-button.refresh').click();
      assert.deepEqual(
        (await posted(page)).filter((m) => m.type === 'refresh'),
        [{ type: 'refresh' }],
        'clickable before it is defined',
      );
      release();
      await page.waitForFunction(() => customElements.get('vscode-button') !== undefined);
      await page.waitForFunction(() =>
        document
          .querySelector('vscode-button[data-tab="recent"]')
          .shadowRoot?.querySelector('.base'),
      );
      const after = await look();
      assert.ok(
        Math.abs(after.width - before.width) <= 2 && Math.abs(after.height - before.height) <= 2,
        `nothing moves when it is defined: ${JSON.stringify(before)} → ${JSON.stringify(after)}`,
      );
    } finally {
      await page.close();
    }
  });

  test('an empty message replaces the panel with its reason', async () => {
    await withPanel(async (page) => {
      await postAndWait(page, { type: 'snapshot', details: details() }, 'snapshot');
      await postAndWait(
        page,
        { type: 'empty', title: 'OrderService.placeOrder', reason: 'No spans mapped.' },
        'empty',
      );
      assert.equal(await page.locator('.chart').count(), 0);
      assert.equal(await page.locator('.empty').textContent(), 'No spans mapped.');
    });
  });

  test('Tab to a trace row and Enter requests the trace (typed request with an id) and shows its waterfall', async () => {
    await withPanel(async (page) => {
      const d = details();
      const t = trace(40, { traceId: d.traces.recent[0]!.traceId });
      await addTrace(page, t);
      await postAndWait(page, { type: 'snapshot', details: d }, 'snapshot');
      await page.locator('[data-tab="failed"]').focus();
      let onRow = false;
      for (let i = 0; i < 10 && !onRow; i++) {
        await page.keyboard.press('Tab');
        onRow = await page.evaluate(() => document.activeElement?.tagName === 'TR');
      }
      assert.ok(onRow, 'a trace row is reachable with Tab');
      // The Failed tab took focus first; go back to Recent by keyboard too.
      await page.keyboard.press('Shift+Tab');
      await page.keyboard.press('Shift+Tab');
      await page.keyboard.press('Shift+Tab');
      await page.keyboard.press('Enter');
      await page.locator('[data-tab="recent"][aria-pressed="true"]').waitFor();
      await page.locator('table.traces tbody tr').first().focus();
      const rendered = page.evaluate(
        () =>
          new Promise((r) =>
            window.addEventListener(
              'prodlens-rendered',
              (e: Event) => (e as CustomEvent).detail === 'trace' && r(true),
            ),
          ),
      );
      await page.keyboard.press('Enter');
      await rendered;
      const req = (await posted(page)).find((m) => m.type === 'request');
      assert.deepEqual(req, {
        type: 'request',
        id: 1,
        method: 'getTrace',
        params: { traceId: t.traceId },
      });
      assert.equal(await page.locator('.wf-row').count(), 40);
      assert.equal(
        await page.evaluate(() => document.activeElement?.classList.contains('wf-row')),
        true,
        'focus moves into the waterfall',
      );
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      assert.equal(await page.locator('.span-details h3').textContent(), t.rows[2]!.name);
      assert.match(
        (await page.locator('.span-details dl').first().textContent()) ?? '',
        /http\.route/,
      );
      const state = await page.evaluate(
        () => (window as unknown as { __state: { selectedTraceId?: string } }).__state,
      );
      assert.equal(state.selectedTraceId, t.traceId);
      // Only one tab stop in the whole tree (roving tabindex).
      assert.equal(await page.locator('.wf-row[tabindex="0"]').count(), 1);
    });
  });

  test('a trace the host no longer holds shows the error of its response', async () => {
    await withPanel(async (page) => {
      await postAndWait(page, { type: 'snapshot', details: details() }, 'snapshot');
      const rendered = page.evaluate(
        () =>
          new Promise((r) =>
            window.addEventListener(
              'prodlens-rendered',
              (e: Event) => (e as CustomEvent).detail === 'trace' && r(true),
            ),
          ),
      );
      await page.locator('table.traces tbody tr').first().click();
      await rendered;
      assert.equal(await page.locator('.region-trace').textContent(), 'not held');
    });
  });

  test('code links post openLocation: waterfall span, span details, stack frames, the function itself', async () => {
    await withPanel(async (page) => {
      const d = details();
      const t = trace(60, { traceId: d.traces.recent[0]!.traceId });
      await addTrace(page, t);
      await postAndWait(page, { type: 'snapshot', details: d }, 'snapshot');
      const rendered = page.evaluate(
        () =>
          new Promise((r) =>
            window.addEventListener(
              'prodlens-rendered',
              (e: Event) => (e as CustomEvent).detail === 'trace' && r(true),
            ),
          ),
      );
      await page.locator('table.traces tbody tr').first().click();
      await rendered;
      await page.locator('.code-link').first().click();
      await page.locator('.sub button.link').click();
      await page.locator('.error-group summary').first().click();
      await page.locator('.error-group button.frame').first().click();
      // Span details of a failing span: its exception frame links to the line.
      await page
        .locator('.wf-row')
        .nth(t.rows.findIndex((r) => r.error))
        .click();
      await page.locator('.span-details button.frame').first().click();
      const opens = (await posted(page)).filter((m) => m.type === 'openLocation');
      assert.deepEqual(opens, [
        { type: 'openLocation', file: 'src/orders/service.ts', line: 42 },
        { type: 'openLocation', file: 'src/orders/service.ts', line: 42 },
        { type: 'openLocation', file: 'src/orders/service.ts', line: 57 },
        { type: 'openLocation', file: 'src/orders/service.ts', line: 60 },
      ]);
    });
  });

  test('buttons are vscode-elements buttons that work from the keyboard: Refresh, trace tabs, close the trace', async () => {
    await withPanel(async (page) => {
      const d = details();
      await addTrace(page, trace(5, { traceId: d.traces.slowest[0]!.traceId }));
      await postAndWait(page, { type: 'snapshot', details: d }, 'snapshot');
      // vscode-button is defined just after the first paint (elements.js, see controls.ts).
      await page.waitForFunction(() => customElements.get('vscode-button') !== undefined);
      assert.equal(await page.locator('vscode-button[data-tab]').count(), 3);
      assert.equal(
        await page.locator('vscode-button.refresh').getAttribute('aria-label'),
        'Refresh',
      );
      await page.locator('vscode-button.refresh').focus();
      await page.keyboard.press('Enter');
      assert.deepEqual(
        (await posted(page)).filter((m) => m.type === 'refresh'),
        [{ type: 'refresh' }],
      );
      await page.locator('[data-tab="slowest"]').focus();
      await page.keyboard.press('Space');
      await page.locator('[data-tab="slowest"][aria-pressed="true"]').waitFor();
      assert.equal(
        await page.evaluate(() => document.activeElement?.dataset.tab),
        'slowest',
        'focus stays on the tab',
      );
      const rendered = page.evaluate(
        () =>
          new Promise((r) =>
            window.addEventListener(
              'prodlens-rendered',
              (e: Event) => (e as CustomEvent).detail === 'trace' && r(true),
            ),
          ),
      );
      await page.locator('table.traces tbody tr').first().press('Enter');
      await rendered;
      await page.locator('vscode-button.close-trace').focus();
      await page.keyboard.press('Enter');
      assert.equal(await page.locator('.wf-row').count(), 0, 'the trace closed');
      assert.equal(
        await page.evaluate(() => document.activeElement?.dataset.traceId),
        d.traces.slowest[0]!.traceId,
        'focus back on its row',
      );
    });
  });

  test('the pickers post setWindow and setEnvironment', async () => {
    await withPanel(async (page) => {
      await postAndWait(page, { type: 'snapshot', details: details() }, 'snapshot');
      await page.locator('select').first().selectOption('1h');
      await page.locator('select').nth(1).selectOption('staging');
      const cmds = (await posted(page)).filter(
        (m) => m.type === 'setWindow' || m.type === 'setEnvironment',
      );
      assert.deepEqual(cmds, [
        { type: 'setWindow', window: '1h' },
        { type: 'setEnvironment', environment: 'staging' },
      ]);
    });
  });

  test('after a reload, the trace named in the restored state is reopened', async () => {
    const d = details();
    const traceId = d.traces.recent[3]!.traceId;
    await withPanel(
      async (page) => {
        await addTrace(page, trace(10, { traceId }));
        const rendered = page.evaluate(
          () =>
            new Promise((r) =>
              window.addEventListener(
                'prodlens-rendered',
                (e: Event) => (e as CustomEvent).detail === 'trace' && r(true),
              ),
            ),
        );
        await postAndWait(page, { type: 'snapshot', details: d }, 'snapshot');
        await rendered;
        assert.equal(await page.locator('.wf-row').count(), 10);
        assert.equal(
          await page.locator('[data-tab="slowest"]').getAttribute('aria-pressed'),
          'true',
        );
      },
      {
        file: d.file,
        qualifiedName: d.qualifiedName,
        startLine: d.startLine,
        tab: 'slowest',
        selectedTraceId: traceId,
      },
    );
  });

  test('hostile production strings render as text: no script runs, nothing is fetched, no elements from data', async () => {
    const page = await browser.newPage();
    const requests: string[] = [];
    const dialogs: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('dialog', (dlg) => {
      dialogs.push(dlg.message());
      void dlg.dismiss();
    });
    try {
      await page.goto(server.url);
      const d = details({ hostile: true });
      const t = trace(30, { hostile: true, traceId: d.traces.recent[0]!.traceId });
      await addTrace(page, t);
      await postAndWait(page, { type: 'snapshot', details: d }, 'snapshot');
      const rendered = page.evaluate(
        () =>
          new Promise((r) =>
            window.addEventListener(
              'prodlens-rendered',
              (e: Event) => (e as CustomEvent).detail === 'trace' && r(true),
            ),
          ),
      );
      await page.locator('table.traces tbody tr').first().click();
      await rendered;
      await page.locator('.wf-row').nth(1).click();
      await page
        .locator('.wf-row')
        .nth(t.rows.findIndex((r) => r.error))
        .click();
      for (const s of await page.locator('.error-group summary').all()) await s.click();
      // Use the Logs section too: focus and open every line from the keyboard.
      const openLocations = async () =>
        (await posted(page)).filter((m) => m.type === 'openLocation');
      const before = (await openLocations()).length;
      for (const li of await page.locator('.logs .log-line').all()) await li.press('Enter');
      assert.deepEqual(
        (await openLocations()).slice(before),
        d.logs.statements.flatMap((s) =>
          s.latest.map(() => ({ type: 'openLocation', file: s.file, line: s.line })),
        ),
        "each log line, hostile text and all, asks the host to open its statement's line",
      );
      // Whatever those interactions scheduled has run once two more frames are painted.
      await page.evaluate(
        () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))),
      );

      for (const sel of await page.locator('.compare select').all()) await sel.focus();

      const facts = await page.evaluate(() => ({
        pwned: (window as unknown as { __pwned?: unknown }).__pwned,
        imgs: document.querySelectorAll('img').length,
        scripts: [...document.querySelectorAll('script')].map(
          (s) => s.src || (s.nonce ? 'inline with the nonce' : 'inline without a nonce'),
        ),
        svgsWithOnload: document.querySelectorAll('[onload], [onerror]').length,
        styles: document.querySelectorAll('body style').length,
        anchors: document.querySelectorAll('a').length,
        violations: (window as unknown as { __violations: string[] }).__violations,
        text: document.body.textContent ?? '',
      }));
      assert.equal(facts.pwned, undefined, 'no injected script ran');
      assert.deepEqual(dialogs, []);
      assert.equal(facts.imgs, 0);
      // The fake host and the panel inline; the bundles the panel loads after its first paint.
      assert.deepEqual(
        facts.scripts.filter((s: string) => !s.startsWith('http')),
        ['inline with the nonce', 'inline with the nonce'],
        "only the page's own inline scripts",
      );
      const later = [`${server.origin}/elements.js`, `${server.origin}/uplot.js`];
      assert.deepEqual(
        facts.scripts.filter((s: string) => s.startsWith('http') && !later.includes(s)),
        [],
        'no script from anywhere else',
      );
      assert.equal(facts.svgsWithOnload, 0);
      assert.equal(facts.styles, 0);
      assert.equal(facts.anchors, 0, 'no links are made from data (no javascript: URLs)');
      assert.deepEqual(facts.violations, [], 'nothing even tried to break the CSP');
      assert.ok(facts.text.includes(HOSTILE.img), 'the markup shows as text');
      assert.ok(facts.text.includes('</script><script>window.__pwned=2</script>'));
      assert.ok(
        facts.text.includes('admin[U+202E]txt.exe[U+2066]x[U+2069]'),
        'bidi controls are shown, not obeyed',
      );
      const compare = (await page.locator('.compare').textContent()) ?? '';
      assert.ok(
        compare.includes(`B: 1.4.2 ${HOSTILE.img}`),
        'a hostile version string is a column title, as text',
      );
      assert.ok(
        compare.includes('A: admin[U+202E]txt.exe[U+2066]x[U+2069]'),
        'version names are cleaned like every string',
      );
      assert.ok(
        (await page.locator('.compare option').allTextContents()).some((t) =>
          t.includes(HOSTILE.script),
        ),
        'environment names are option text',
      );
      assert.ok(
        !/[\u202a-\u202e\u2066-\u2069]/.test(facts.text),
        'no bidi control reaches the DOM',
      );
      const logBodies = await page.locator('.logs .log-body').allTextContents();
      assert.ok(logBodies.includes(HOSTILE.img), 'a log body with markup is text');
      assert.ok(logBodies.includes(`${HOSTILE.script} ${HOSTILE.svg} ${HOSTILE.style}`));
      assert.ok(
        logBodies.includes(`${HOSTILE.js}\nadmin[U+202E]txt.exe[U+2066]x[U+2069]`),
        'javascript: text and bidi controls in a body are inert text',
      );
      assert.ok(
        (await page.locator('.logs .log-service').allTextContents()).includes(
          'admin[U+202E]txt.exe[U+2066]x[U+2069]',
        ),
      );
      assert.ok(
        (await page.locator('.logs code').allTextContents()).includes(
          `order placed ${HOSTILE.script}`,
        ),
        'the template is text too',
      );
      assert.equal(
        await page.locator('.logs button.log-trace').count(),
        2,
        'the two hex trace ids are buttons; the one that is not hex is no control',
      );
      assert.equal(await page.locator('.logs span.log-trace').textContent(), `trace ${HOSTILE.js}`);
      const foreign = requests.filter((u) => !server.assets.includes(u.split('?')[0]!));
      assert.deepEqual(foreign, [], 'no request besides the page and its own assets');
    } finally {
      await page.close();
    }
  });

  test('Logs: per statement its counts by level, template and line, then its latest lines; drawn with the lists, before the charts', async () => {
    await withPanel(async (page) => {
      const d = details();
      const drawn = page.evaluate(
        () =>
          new Promise((r) =>
            window.addEventListener(
              'prodlens-rendered',
              (e: Event) =>
                (e as CustomEvent).detail === 'snapshot' &&
                r(document.querySelectorAll('.logs .log-line').length),
            ),
          ),
      );
      await postAndWait(page, { type: 'snapshot', details: d }, 'snapshot');
      assert.equal(await drawn, 4, "the log lines exist when 'snapshot' fires (charts come later)");
      assert.equal(await page.locator('.logs h2').textContent(), 'Logs (12 from 2 statements)');
      const heads = await page.locator('.logs .log-statement-link').allTextContents();
      assert.deepEqual(heads, [
        'order placed orderId=${id} total=${total} · line 48',
        'payment failed for customer ${customer} · line 57',
      ]);
      const counts = await page.locator('.logs .log-counts').allTextContents();
      assert.match(counts[0]!, /^9 lines \(9 info\) · last \d\d:\d\d:\d\d · latest 2 shown$/);
      assert.match(
        counts[1]!,
        /^≈3 lines \(2 error, 1 warn\)/,
        'a medium-confidence match is marked ≈',
      );
      const first = page.locator('.logs .log-line').first();
      assert.equal(
        await first.locator('.log-body').textContent(),
        'order placed orderId=o-1 total=42.50',
      );
      assert.match((await first.textContent()) ?? '', /^\d\d:\d\d:\d\dinfoshop/);
      assert.equal(await first.locator('.codicon-info').count(), 1, 'levels carry a codicon');
      assert.equal(
        await page.locator('.logs .log-line').nth(1).locator('.log-trace').count(),
        0,
        'a line without a trace id offers none',
      );
      assert.equal(await page.locator('.logs .log-line.level-error .codicon-error').count(), 1);
      // Focus stays on the same log line when a new snapshot redraws the section.
      await page.locator('.logs .log-line').nth(2).focus();
      const more = logsOf();
      more.records = 13;
      more.statements[1]!.count = 4;
      await postAndWait(page, { type: 'snapshot', details: { ...d, logs: more } }, 'snapshot');
      assert.equal(await page.locator('.logs h2').textContent(), 'Logs (13 from 2 statements)');
      assert.equal(
        await page.evaluate(
          () =>
            document.activeElement?.classList.contains('log-line') &&
            document.activeElement.querySelector('.log-body')?.textContent,
        ),
        'payment failed for customer c-7',
      );
    });
  });

  test('Logs from the keyboard: Enter on a line or a statement posts openLocation for the statement; a trace id opens the trace', async () => {
    await withPanel(async (page) => {
      const d = details();
      const t = trace(8, { traceId: d.logs.statements[1]!.latest[0]!.traceId });
      await addTrace(page, t);
      await postAndWait(page, { type: 'snapshot', details: d }, 'snapshot');
      await page.locator('.logs .log-statement-link').first().focus();
      await page.keyboard.press('Enter');
      await page.keyboard.press('ArrowDown'); // to the first line of statement 48
      assert.equal(
        await page.evaluate(() => document.activeElement?.classList.contains('log-line')),
        true,
      );
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown'); // past statement 57's head to its first line
      await page.keyboard.press('ArrowDown');
      assert.equal(
        await page.evaluate(() => document.activeElement?.querySelector('.log-body')?.textContent),
        'payment failed for customer c-7',
      );
      await page.keyboard.press('Enter');
      await page.keyboard.press('Tab'); // the line's trace button
      assert.equal(
        await page.evaluate(() => document.activeElement?.classList.contains('log-trace')),
        true,
        'the trace id is a focusable control',
      );
      const rendered = page.evaluate(
        () =>
          new Promise((r) =>
            window.addEventListener(
              'prodlens-rendered',
              (e: Event) => (e as CustomEvent).detail === 'trace' && r(true),
            ),
          ),
      );
      await page.keyboard.press('Enter');
      await rendered;
      await page.locator('.logs .log-line').nth(3).click();
      const msgs = await posted(page);
      assert.deepEqual(
        msgs.filter((m) => m.type === 'openLocation'),
        [
          { type: 'openLocation', file: 'src/orders/service.ts', line: 48 },
          { type: 'openLocation', file: 'src/orders/service.ts', line: 57 },
          { type: 'openLocation', file: 'src/orders/service.ts', line: 57 },
        ],
        'Enter on the trace button opens the trace only',
      );
      assert.deepEqual(
        msgs.find((m) => m.type === 'request'),
        { type: 'request', id: 1, method: 'getTrace', params: { traceId: t.traceId } },
      );
      assert.equal(await page.locator('.wf-row').count(), 8);
    });
  });

  test('Logs: the empty state says why, whether the function has no log statements or none matched', async () => {
    await withPanel(async (page) => {
      await postAndWait(
        page,
        {
          type: 'snapshot',
          details: details({
            logs: { statementsInFunction: 0, statements: [], records: 0, linesShown: 0 },
          }),
        },
        'snapshot',
      );
      assert.equal(
        await page.locator('.logs .empty').textContent(),
        "No log records from this function's log statements in the last 15 min.",
      );
      assert.match(
        (await page.locator('.logs .muted').textContent()) ?? '',
        /found no log statements in this function/,
      );
      await postAndWait(
        page,
        {
          type: 'snapshot',
          details: details({
            logs: { statementsInFunction: 2, statements: [], records: 0, linesShown: 0 },
          }),
        },
        'snapshot',
      );
      assert.match(
        (await page.locator('.logs .muted').textContent()) ?? '',
        /^Its 2 log statements matched no OTLP log records in the window/,
      );
      assert.equal(await page.locator('.logs .log-line').count(), 0);
    });
  });

  test('messages that are not from the protocol are ignored', async () => {
    await withPanel(async (page) => {
      await postAndWait(page, { type: 'snapshot', details: details() }, 'snapshot');
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      // Message events are dispatched in order, each to every listener: once this listener (added
      // after the panel's) has the last one, the panel has handled the three before it.
      await page.evaluate(
        () =>
          new Promise((resolve) => {
            window.addEventListener('message', (e: Event) => e.data === 'last' && resolve(true));
            window.postMessage('<img src=x onerror=alert(1)>', '*');
            window.postMessage({ type: 'nonsense' }, '*');
            window.postMessage(
              { type: 'response', id: 999, method: 'getTrace', ok: true, result: {} },
              '*',
            );
            window.postMessage('last', '*');
          }),
      );
      assert.equal(await page.locator('h1').textContent(), 'OrderService.placeOrder');
      assert.equal(await page.locator('img').count(), 0, 'no markup from a message');
      assert.deepEqual(errors, [], 'no error thrown by the panel');
    });
  });

  test('light and dark themes: colours come from --vscode-* variables', async () => {
    await withPanel(async (page) => {
      await postAndWait(page, { type: 'snapshot', details: details() }, 'snapshot');
      const read = () =>
        page.evaluate(() => {
          const cs = (sel: string) => getComputedStyle(document.querySelector(sel)!);
          return {
            bg: cs('body').backgroundColor,
            fg: cs('body').color,
            link: cs('.sub button.link').color,
            bar: getComputedStyle(document.querySelector('.histogram-svg .bar')!).fill,
          };
        });
      const dark = await read();
      const rendered = page.evaluate(
        () =>
          new Promise((r) =>
            window.addEventListener(
              'prodlens-rendered',
              (e: Event) => (e as CustomEvent).detail === 'snapshot' && r(true),
            ),
          ),
      );
      await page.evaluate((vars) => {
        for (const [k, v] of Object.entries(vars)) document.documentElement.style.setProperty(k, v);
      }, THEMES.light);
      await rendered; // the theme change redraws the canvas charts with the new colours
      const light = await read();
      assert.deepEqual(dark, {
        bg: THEMES.dark['--vscode-editor-background'],
        fg: THEMES.dark['--vscode-foreground'],
        link: THEMES.dark['--vscode-textLink-foreground'],
        bar: THEMES.dark['--vscode-charts-blue'],
      });
      assert.deepEqual(light, {
        bg: THEMES.light['--vscode-editor-background'],
        fg: THEMES.light['--vscode-foreground'],
        link: THEMES.light['--vscode-textLink-foreground'],
        bar: THEMES.light['--vscode-charts-blue'],
      });
    });
  });

  test('a second snapshot of the same function updates in place: same canvases, same rows, focus kept', async () => {
    await withPanel(async (page) => {
      await postAndWait(page, { type: 'snapshot', details: details() }, 'charts');
      await page.evaluate(() => {
        (window as unknown as { __canvas: unknown }).__canvas =
          document.querySelector('.chart canvas');
        (window as unknown as { __row: unknown }).__row =
          document.querySelector('table.traces tbody tr');
      });
      await page.locator('table.traces tbody tr').nth(2).focus();
      const d = details({ spans: 700 });
      await postAndWait(page, { type: 'snapshot', details: d }, 'snapshot');
      const facts = await page.evaluate(() => ({
        canvas:
          document.querySelector('.chart canvas') ===
          (window as unknown as { __canvas: unknown }).__canvas,
        row:
          document.querySelector('table.traces tbody tr') ===
          (window as unknown as { __row: unknown }).__row,
        focused: document.activeElement?.dataset.traceId,
      }));
      assert.deepEqual(facts, { canvas: true, row: true, focused: d.traces.recent[2]!.traceId });
      assert.match((await page.locator('.kpis').textContent()) ?? '', /700/);
    });
  });

  test('a 2,000-span waterfall is virtual: few rows in the DOM, one Tab stop, End and Home reach both ends', async () => {
    await withPanel(async (page) => {
      const d = details();
      const t = trace(2_000, { traceId: d.traces.recent[0]!.traceId });
      await addTrace(page, t);
      await postAndWait(page, { type: 'snapshot', details: d }, 'snapshot');
      const rendered = page.evaluate(
        () =>
          new Promise((r) =>
            window.addEventListener(
              'prodlens-rendered',
              (e: Event) => (e as CustomEvent).detail === 'trace' && r(true),
            ),
          ),
      );
      await page.locator('table.traces tbody tr').first().press('Enter');
      await rendered;
      assert.equal(await page.locator('.waterfall').getAttribute('data-rows'), '2000');
      assert.ok((await page.locator('.wf-row').count()) < 150, 'only rows near the viewport exist');
      await page.keyboard.press('End');
      assert.equal(
        await page.evaluate(() => document.activeElement?.dataset.spanId),
        t.rows[1_999]!.spanId,
      );
      assert.equal(await page.locator('.wf-row[tabindex="0"]').count(), 1);
      await page.keyboard.press('ArrowUp');
      await page.keyboard.press('Enter');
      assert.equal(await page.locator('.span-details h3').textContent(), t.rows[1_998]!.name);
      await page.keyboard.press('Home');
      assert.equal(
        await page.evaluate(() => document.activeElement?.dataset.spanId),
        t.rows[0]!.spanId,
      );
      // Scrolled away from the focused row, the tree still has its one Tab stop.
      await page
        .locator('.waterfall')
        .evaluate((e: { scrollTop: number }) => (e.scrollTop = 20_000));
      // The scroll redraws on the next frame: row 1000 (20,000 px down) is drawn then.
      await page.locator('.wf-row[data-index="1000"]').waitFor();
      assert.equal(await page.locator('.wf-row[tabindex="0"]').count(), 1);
      assert.equal(
        await page.locator('.wf-row[tabindex="0"]').getAttribute('data-span-id'),
        t.rows[0]!.spanId,
      );
    });
  });

  test('Compare: defaults to the two most recent versions, older as A, with deltas and regressions in words', async () => {
    await withPanel(async (page) => {
      await postAndWait(page, { type: 'snapshot', details: details() }, 'snapshot');
      const selects = page.locator('.compare select');
      assert.equal(await selects.count(), 2);
      assert.equal(await selects.nth(0).inputValue(), 'version:1.4.1');
      assert.equal(await selects.nth(1).inputValue(), 'version:1.4.2');
      const rows = await page.locator('.compare tbody tr').allTextContents();
      const p95 = rows.find((r) => r.startsWith('p95'))!;
      assert.match(
        p95,
        /120 ms.*180 ms.*\+60 ms.*\+50%.*worse/,
        'p95 120 → 180 ms is a 50% regression, said in words',
      );
      assert.equal(
        (await page.locator('.compare .worse .codicon-arrow-up').count()) > 0,
        true,
        'with an icon',
      );
      assert.match(
        rows.find((r) => r.startsWith('spans'))!,
        /600.*400.*−200.*−33\.3%/,
      );
    });
  });

  test('Compare: with one version, the two environments; a picker change redraws the table', async () => {
    await withPanel(async (page) => {
      const c = compareOf();
      const d = details({
        compare: { versions: c.versions.slice(0, 1), environments: c.environments },
      });
      await postAndWait(page, { type: 'snapshot', details: d }, 'snapshot');
      const selects = page.locator('.compare select');
      assert.equal(await selects.nth(0).inputValue(), 'environment:prod');
      assert.equal(await selects.nth(1).inputValue(), 'environment:staging');
      await selects.nth(1).selectOption('version:1.4.2');
      assert.match(
        (await page.locator('.compare thead').textContent()) ?? '',
        /A: prod.*B: 1\.4\.2/,
      );
      assert.equal(
        await page.evaluate(() => document.activeElement?.getAttribute('aria-label')),
        'Compare B',
        'focus stays on the picker',
      );
      // The choice survives the next snapshot of the same function.
      await postAndWait(page, { type: 'snapshot', details: d }, 'snapshot');
      assert.equal(await page.locator('.compare select').nth(1).inputValue(), 'version:1.4.2');
    });
  });

  test('Compare: a single version and environment says there is nothing to compare', async () => {
    await withPanel(async (page) => {
      const c = compareOf();
      await postAndWait(
        page,
        {
          type: 'snapshot',
          details: details({
            compare: { versions: c.versions.slice(0, 1), environments: c.environments.slice(0, 1) },
          }),
        },
        'snapshot',
      );
      assert.equal(await page.locator('.compare select').count(), 0);
      assert.equal(
        await page.locator('.compare .empty').textContent(),
        'Only one version (1.4.2) and one environment in the window: nothing to compare',
      );
    });
  });

  test('trace backends: rows labelled with their source, per-source status lines, opening one asks the host with its source and shows loading, then the error', async () => {
    await withPanel(async (page) => {
      const d = details();
      const tempoRow = {
        traceId: 'ab'.repeat(16),
        rootName: `GET ${HOSTILE.img}`,
        rootService: 'checkout',
        startMs: d.traces.recent[0]!.startMs + 1_000,
        durationMs: 42,
        spanCount: null,
        error: true,
        matchDurationMs: null,
        matchError: false,
        source: 'tempo (prod)',
      };
      d.traces.recent = [tempoRow, ...d.traces.recent.slice(0, 5)];
      d.traces.sources = [
        { label: 'tempo (prod)', ok: true, stale: false, message: '', loading: false },
        {
          label: 'zipkin (prod)',
          ok: false,
          stale: false,
          message: `zipkin (prod) at http://zipkin:9411 answered HTTP 503 ${HOSTILE.script}`,
          loading: false,
        },
      ];
      await page.evaluate(
        () => ((window as unknown as { __holdRequests: boolean }).__holdRequests = true),
      );
      await postAndWait(page, { type: 'snapshot', details: d }, 'snapshot');
      assert.match(
        (await page.locator('.traces-section h2').textContent()) ?? '',
        /more from tempo \(prod\), zipkin \(prod\)/,
      );
      assert.deepEqual(await page.locator('.trace-sources li').allTextContents(), [
        'tempo (prod): answered',
        `zipkin (prod): not answering — zipkin (prod) at http://zipkin:9411 answered HTTP 503 ${HOSTILE.script}`,
      ]);
      assert.equal(await page.locator('table.traces thead th').last().textContent(), 'source');
      const first = page.locator('table.traces tbody tr').first();
      assert.equal(await first.locator('td.source').textContent(), 'tempo (prod)');
      assert.equal(
        await page.locator('table.traces tbody tr').nth(1).locator('td.source').textContent(),
        'receiver',
      );
      assert.deepEqual(
        (await first.locator('td').allTextContents()).slice(3, 6),
        ['–', '42 ms', '–'],
        'what a search cannot know is a dash',
      );
      await first.click();
      // Loading: the host fetches in the background; the panel stays usable meanwhile.
      await page.locator('.region-trace .trace-loading').waitFor();
      assert.equal(
        await page.locator('.region-trace').textContent(),
        `Loading trace ${'ab'.repeat(16)} from tempo (prod)…`,
      );
      const req = (await posted(page)).find((m) => m.type === 'request');
      assert.deepEqual(req, {
        type: 'request',
        id: 1,
        method: 'getTrace',
        params: { traceId: 'ab'.repeat(16), source: 'tempo (prod)' },
      });
      assert.equal(
        (
          await page.evaluate(
            () => (window as unknown as { __state: { selectedTraceSource?: string } }).__state,
          )
        ).selectedTraceSource,
        'tempo (prod)',
      );
      assert.equal(
        await page.locator('table.traces tbody tr').count(),
        6,
        'the lists are still there',
      );
      const error = `tempo (prod) at http://tempo:3200 answered HTTP 500: querier unavailable ${HOSTILE.svg}. The trace could not be fetched; try again when the backend answers.`;
      await postAndWait(
        page,
        { type: 'response', id: 1, method: 'getTrace', ok: false, error },
        'trace',
      );
      assert.equal(await page.locator('.region-trace [role="alert"]').textContent(), error);
      // Opening it again, the backend answers: the waterfall says where it came from.
      const t = { ...trace(5, { traceId: 'ab'.repeat(16) }), source: 'tempo (prod)' };
      await first.click();
      await page.locator('.region-trace .trace-loading').waitFor();
      await postAndWait(
        page,
        { type: 'response', id: 2, method: 'getTrace', ok: true, result: t },
        'trace',
      );
      assert.match(
        (await page.locator('.trace p.muted').first().textContent()) ?? '',
        /^5 spans from tempo \(prod\)/,
      );
      assert.equal(
        await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned),
        undefined,
        'hostile text stayed text',
      );
    });
  });

  test('trace backends still asking: the empty list says so', async () => {
    await withPanel(async (page) => {
      const d = details();
      d.traces = {
        recent: [],
        slowest: [],
        failed: [],
        held: 0,
        sources: [{ label: 'jaeger (prod)', ok: true, stale: false, message: '', loading: true }],
      };
      await postAndWait(page, { type: 'snapshot', details: d }, 'snapshot');
      assert.equal(
        await page.locator('.traces-section .empty').textContent(),
        'No traces through this function held in memory; asking jaeger (prod)…',
      );
      assert.deepEqual(await page.locator('.trace-sources li').allTextContents(), [
        'jaeger (prod): asking…',
      ]);
    });
  });
});

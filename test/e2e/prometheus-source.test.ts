// End to end with Prometheus as the source: a real Prometheus 2.42 scrapes a real instrumented
// process publishing spanmetrics-shaped metrics for the fixture's functions; code-server runs the
// built extension with `prodlens.sources` pointing at it and no spans sent to the receiver. The
// lens above OrderService.getOrder shows Prometheus' numbers and says so; the hover names the
// source; when Prometheus goes away the lens keeps its values marked stale and one warning says why.
// The extension's OTLP/gRPC receiver (prodlens.receiver.grpcPort) takes spans from the real gRPC
// exporter beside them.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { HrTime } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  BASELINE_CALLS,
  ensureBackendBinaries,
  startBackends,
  type Backends,
  type Workload,
} from '../support/backends';
import { startCodeServer, type CodeServer } from './harness/code-server';
import { fixtureWorkspace, repoRoot } from './harness/paths';
import { freePort } from './harness/processes';
import {
  closeWorkbench,
  codeLenses,
  hoverAt,
  openFile,
  openWorkbench,
  runCommand,
  screenshot,
  waitForLens,
} from './harness/workbench';

const workload: Workload[] = [
  {
    service: 'shop',
    spanName: 'placeOrder',
    codeFunction: 'OrderService.placeOrder',
    calls: 300,
    errorEvery: 10,
    minMs: 0,
    maxMs: 10,
  },
  // No code label: placed by its span name, as a spanmetrics connector without extra dimensions gives it.
  { service: 'shop', spanName: 'getOrder', calls: 100, errorEvery: 0, minMs: 100, maxMs: 200 },
];

let backends: Backends;
let server: CodeServer;
let page: Page;
let workspace: string;
let grpcPort: number;

before(async () => {
  ensureBackendBinaries();
  backends = await startBackends({ workload, rules: 'groups: []\n' });
  const baseline = workload.length * BASELINE_CALLS;
  // Three scrapes of the baseline, then three of the measured calls: increase() sees them as an
  // increase over a known value, across at least five scrape intervals, so its extrapolation to
  // the window's end (under one interval) adds at most a fifth.
  await backends.waitForCalls(baseline, 3);
  await backends.record();
  await backends.waitForCalls(baseline + 400, 3);
  workspace = fixtureWorkspace('prodlens-e2e-prom-');
  server = await startCodeServer({
    workspace,
    extensionDevPath: repoRoot,
    userSettings: {
      'prodlens.receiver.port': await freePort(),
      'prodlens.receiver.grpcPort': (grpcPort = await freePort()),
      'prodlens.window': '15m',
      'prodlens.sources': [{ kind: 'prometheus', url: backends.prometheusUrl, environment: 'e2e' }],
      'prodlens.prometheus.codeFunctionLabel': 'code_function_name',
    },
  });
  page = await openWorkbench(server.url, workspace);
});

after(async () => {
  if (page) await closeWorkbench(page).catch(() => undefined);
  if (server) await server.stop();
  await backends?.stop();
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

test('the fixture function shows a lens with numbers from Prometheus, naming it as the source', async () => {
  await openFile(page, 'src/orders.ts');
  // The first lens from Prometheus, however long the first refresh takes; the numbers follow.
  try {
    await waitForLens(page, /prometheus \(e2e\)/, 90_000);
  } catch (e) {
    throw new Error(
      `${(e as Error).message}\n--- extension host log:\n${server.extensionHostLogTail(60)}`,
    );
  }
  const get = await waitForLens(page, /p50 150 ms/, 10_000);
  // histogram_quantile interpolates inside the 100–200 ms bucket: uniform durations make it exact.
  assert.match(
    get,
    /^p50 150 ms · p95 195 ms · \d+(\.\d)?\/min · 0% err · last 15 min \(n=\d+\) · prometheus \(e2e\)$/,
  );
  const n = Number(/\(n=(\d+)\)/.exec(get)?.[1]);
  assert.ok(n >= 75 && n <= 125, `getOrder's count is Prometheus' estimate of the 100 calls: ${n}`);
  const place = await waitForLens(page, /^p50 5 ms/, 10_000);
  assert.match(place, /· prometheus \(e2e\)$/);
  assert.equal(
    await codeLenses(page).filter({ hasText: /p50/ }).count(),
    2,
    'placeOrder and getOrder, nothing from the (silent) receiver',
  );
  await screenshot(page, 'e2e-prometheus-lens');
});

test('the hover shows the Prometheus numbers and where they came from', async () => {
  const text = await hoverAt(page, {
    line: 17,
    text: 'getOrder',
    contains: /prometheus/,
    timeoutMs: 20_000,
  });
  for (const word of ['p50', 'p95', 'p99', '150 ms', '195 ms', 'shop', 'span_name'])
    assert.ok(text.includes(word), `hover mentions ${word}: ${text}`);
  assert.match(text, /From prometheus \(e2e\), asked at \d\d:\d\d:\d\d UTC/);
  await page.keyboard.press('Escape');
});

test('Prometheus down: the lens keeps its values marked stale, and one warning says so', async () => {
  await backends.stop();
  const stale = await waitForLens(page, /^p50 150 ms.*prometheus \(e2e\) · stale$/, 120_000);
  assert.match(stale, /^p50 150 ms · p95 195 ms · .* · prometheus \(e2e\) · stale$/);
  // Toasts hide after a while: the notification center lists every notification of the session.
  await runCommand(page, 'Notifications: Show Notifications');
  const note = page.locator('.notifications-center .notification-list-item-message', {
    hasText: 'prometheus (e2e) is not answering',
  });
  await note.first().waitFor({ timeout: 30_000 });
  assert.match((await note.first().innerText()).trim(), /shown as last known, marked stale/);
  await screenshot(page, 'e2e-prometheus-stale');
  // Further refreshes (numbers every 30 s, alerts too) while it is still down add no second warning.
  await new Promise((r) => setTimeout(r, 35_000));
  assert.equal(await note.count(), 1, 'one warning per outage');
  const warned = server
    .extensionHostLogTail(2000)
    .split('\n')
    .filter((l) => /\[warning\] prometheus \(e2e\): /.test(l));
  assert.equal(warned.length, 1, `one logged outage:\n${warned.join('\n')}`);
});

test('spans sent to the OTLP/gRPC receiver show as a receiver lens beside the Prometheus ones', async () => {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'grpc-shop' }),
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: `http://127.0.0.1:${grpcPort}` }), {
        scheduledDelayMillis: 50,
      }),
    ],
  });
  const base = Math.floor(Date.now() / 1000) - 5;
  for (let i = 0; i < 7; i++) {
    const s = provider.getTracer('e2e').startSpan('totalItems', {
      startTime: [base, 0] as HrTime,
      attributes: { 'code.file.path': '/srv/shop/src/orders.ts', 'code.line.number': 23 },
    });
    s.end([base, 4_000_000] as HrTime);
  }
  await provider.forceFlush();
  await provider.shutdown();
  const title = await waitForLens(page, /\(n=7\)/, 30_000);
  assert.match(
    title,
    /^p50 4 ms · p95 4 ms · .* · 0% err · last 15 min \(n=7\)$/,
    'a receiver lens: no source suffix',
  );
});

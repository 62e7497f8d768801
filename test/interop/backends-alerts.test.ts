// Alerts from a real Alertmanager 0.25 (sent to it by a real Prometheus 2.42) and from
// Prometheus' own rules API, each resolved to a function of the fixture workspace; and
// `prodlens alerts --json` run in-process against both.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, test } from 'node:test';
import { runAlerts, type AlertOutput, type SourceOutput } from '../../src/cli/alerts';
import { createWorkspaceEngine } from '../../src/core/engine/create';
import { AlertResolver } from '../../src/core/sources/alert-resolution';
import { AlertmanagerSource } from '../../src/core/sources/alertmanager';
import { PrometheusSource } from '../../src/core/sources/prometheus';
import type { AlertRecord } from '../../src/core/sources/source';
import { ensureBackendBinaries, startBackends, type Backends } from '../support/backends';
import { until } from '../support/until';

const WORKSPACE = join(__dirname, '..', 'fixtures', 'workspace');
const RULES = `groups:
  - name: shop
    rules:
      - alert: PlaceOrderFailing
        expr: vector(1)
        labels: { severity: critical, service_name: shop, code_function: OrderService.placeOrder }
        annotations: { summary: placeOrder fails for 12% of calls }
      - alert: GetOrderSlow
        expr: vector(1)
        labels: { severity: warning, service_name: shop, span_name: getOrder }
      - alert: OrdersRouteErrors
        expr: vector(1)
        labels: { severity: info, service_name: shop, http_route: "/orders/{id}" }
`;
const NAMES = ['GetOrderSlow', 'OrdersRouteErrors', 'PlaceOrderFailing'];

let backends: Backends;
const tmp = mkdtempSync(join(tmpdir(), 'prodlens-alerts-'));

before(async () => {
  ensureBackendBinaries();
  backends = await startBackends({ workload: [], rules: RULES });
  // Prometheus evaluates every second and re-sends every second: wait for Alertmanager to hold all.
  const am = new AlertmanagerSource(
    { kind: 'alertmanager', url: backends.alertmanagerUrl, environment: 'prod' },
    { ttlMs: 0 },
  );
  let held = 0;
  await until(
    () => `Alertmanager to hold the three alerts (it holds ${held})`,
    30_000,
    async () => (held = (await am.alerts()).value?.length ?? 0) === NAMES.length,
    250,
  );
});

after(async () => {
  await backends?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

async function resolver(mapping?: Record<string, string>): Promise<AlertResolver> {
  const { engine } = await createWorkspaceEngine(WORKSPACE);
  return new AlertResolver({
    files: engine.files,
    functions: engine.codeLookup().functions,
    ...(mapping ? { mapping } : {}),
  });
}

function byName(alerts: AlertRecord[], name: string): AlertRecord {
  const a = alerts.find((x) => x.name === name);
  assert.ok(a, `no alert ${name} among ${alerts.map((x) => x.name).join(', ')}`);
  return a;
}

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

test('Alertmanager alerts keep state, severity, startsAt, summary and generatorURL, and resolve to code', async () => {
  const am = new AlertmanagerSource({
    kind: 'alertmanager',
    url: backends.alertmanagerUrl,
    environment: 'prod',
  });
  assert.match((await am.testConnection()).message, /^ok \(Alertmanager 0\.25/);
  const r = await am.alerts();
  assert.equal(r.status.ok, true, r.status.message);
  const alerts = r.value ?? [];
  assert.deepEqual(alerts.map((a) => a.name).sort(), NAMES);
  const place = byName(alerts, 'PlaceOrderFailing');
  assert.equal(place.state, 'active');
  assert.equal(place.severity, 'critical');
  assert.equal(place.summary, 'placeOrder fails for 12% of calls');
  assert.ok(!Number.isNaN(Date.parse(place.startsAt)), place.startsAt);
  assert.match(place.generatorURL, /\/graph\?g0\.expr=vector/);
  assert.equal(place.environment, 'prod');

  const res = await resolver();
  const p = await res.resolve(place);
  assert.deepEqual(
    [p.file, p.line, p.function, p.rule],
    ['src/orders.ts', 10, 'OrderService.placeOrder', 'code-labels'],
  );
  const g = await res.resolve(byName(alerts, 'GetOrderSlow'));
  assert.deepEqual(
    [g.file, g.line, g.function, g.rule],
    ['src/orders.ts', 17, 'OrderService.getOrder', 'span-name'],
  );
  const route = await res.resolve(byName(alerts, 'OrdersRouteErrors'));
  assert.equal(route.file, undefined);
  assert.match(
    route.unresolvedReason ?? '',
    /route \/orders\/\{id\} cannot be mapped to a handler yet/,
  );
  assert.match(route.unresolvedReason ?? '', /prodlens\.alerts\.codeMapping/);
});

test('Prometheus rules API gives firing alerts with the rule expression, resolved the same way', async () => {
  const prom = new PrometheusSource({
    kind: 'prometheus',
    url: backends.prometheusUrl,
    environment: 'prod',
  });
  const r = await prom.alerts();
  assert.equal(r.status.ok, true, r.status.message);
  const alerts = r.value ?? [];
  assert.deepEqual(alerts.map((a) => a.name).sort(), NAMES);
  const place = byName(alerts, 'PlaceOrderFailing');
  assert.equal(place.state, 'firing');
  assert.equal(place.source, 'prometheus');
  assert.equal(place.generatorURL, `${backends.prometheusUrl}/graph?g0.expr=vector(1)&g0.tab=1`);
  const res = await resolver({ OrdersRouteErrors: 'src/orders.ts#totalItems' });
  const mapped = await res.resolve(byName(alerts, 'OrdersRouteErrors'));
  assert.deepEqual(
    [mapped.file, mapped.line, mapped.function, mapped.rule],
    ['src/orders.ts', 22, 'totalItems', 'settings-mapping'],
  );
});

test('prodlens alerts --json: both sources, one entry per alert, each with its file, line and function', async () => {
  const out = collect();
  const err = collect();
  const code = await runAlerts(
    [
      '--workspace',
      WORKSPACE,
      '--source',
      `alertmanager=${backends.alertmanagerUrl}`,
      '--source',
      `prometheus=${backends.prometheusUrl}`,
      '--json',
    ],
    { stdout: out.stream, stderr: err.stream },
  );
  assert.equal(code, 0, err.text());
  const { sources, alerts } = JSON.parse(out.text()) as {
    sources: SourceOutput[];
    alerts: AlertOutput[];
  };
  assert.deepEqual(
    sources.map((s) => [s.kind, s.ok]),
    [
      ['alertmanager', true],
      ['prometheus', true],
    ],
  );
  // Prometheus and Alertmanager report the same three alerts: printed once, Alertmanager's copy.
  assert.deepEqual(alerts.map((a) => a.name).sort(), NAMES);
  for (const a of alerts) {
    assert.equal(a.source, 'alertmanager');
    for (const k of ['name', 'state', 'severity', 'labels', 'file', 'line', 'function'] as const)
      assert.ok(k in a, `${a.name} lacks ${k}`);
  }
  const place = alerts.find((a) => a.name === 'PlaceOrderFailing')!;
  assert.deepEqual(
    [place.file, place.line, place.function, place.severity, place.state],
    ['src/orders.ts', 10, 'OrderService.placeOrder', 'critical', 'active'],
  );
  const route = alerts.find((a) => a.name === 'OrdersRouteErrors')!;
  assert.equal(route.file, null);
  assert.match(route.unresolvedReason ?? '', /cannot be mapped/);
});

test('prodlens alerts reads prodlens.sources and the alert mapping from .vscode/settings.json (JSONC)', async () => {
  const ws = join(tmp, 'ws');
  cpSync(WORKSPACE, ws, { recursive: true });
  mkdirSync(join(ws, '.vscode'), { recursive: true });
  writeFileSync(
    join(ws, '.vscode', 'settings.json'),
    `{
  // where production lives
  "prodlens.sources": [{ "kind": "alertmanager", "url": "${backends.alertmanagerUrl}", "environment": "prod" }],
  /* the route alert is about totalItems */
  "prodlens.alerts.codeMapping": { "OrdersRouteErrors": "src/orders.ts#totalItems" },
}
`,
  );
  const out = collect();
  const err = collect();
  const code = await runAlerts(['--workspace', ws], { stdout: out.stream, stderr: err.stream });
  assert.equal(code, 0, err.text());
  const text = out.text();
  assert.match(text, /alertmanager \(prod\) http:\/\/127\.0\.0\.1:\d+: 3 alerts/);
  assert.match(text, /OrdersRouteErrors {2}→ {2}src\/orders\.ts:22 totalItems/);
  assert.match(text, /PlaceOrderFailing {2}→ {2}src\/orders\.ts:10 OrderService\.placeOrder/);
});

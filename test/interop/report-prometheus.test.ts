// `prodlens report` with Prometheus as the source, against a real Prometheus 2.42 scraping a real
// instrumented process (spanmetrics-shaped metrics) for a workspace with a 200-function file: rows
// in report's JSON shape naming their source, settings read from .vscode/settings.json, the token
// from the environment and never printed; one grouped query set per refresh and none per lens.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { BackendStats } from '../../src/core/engine/backend-stats';
import { createWorkspaceEngine } from '../../src/core/engine/create';
import { PrometheusSource } from '../../src/core/sources/prometheus';
import {
  BASELINE_CALLS,
  ensureBackendBinaries,
  freePort,
  startBackends,
  type Backends,
  type Workload,
} from '../support/backends';
import type { ReportJson } from '../../src/cli/report-rows';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const FUNCTIONS = 200;
const TOKEN = 'tok-e2e-do-not-print-4411';
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
  { service: 'shop', spanName: 'getOrder', calls: 100, errorEvery: 0, minMs: 100, maxMs: 200 },
  ...Array.from({ length: FUNCTIONS }, (_, i): Workload => ({
    service: 'catalog',
    spanName: `fn_${i}`,
    calls: 5,
    errorEvery: 0,
    minMs: 10,
    maxMs: 50,
  })),
];

let backends: Backends;
let workspace: string;

before(async () => {
  ensureBackendBinaries();
  workspace = mkdtempSync(join(tmpdir(), 'prodlens-report-prom-'));
  cpSync(join(ROOT, 'test', 'fixtures', 'workspace'), workspace, { recursive: true });
  writeFileSync(
    join(workspace, 'src', 'catalog.ts'),
    Array.from(
      { length: FUNCTIONS },
      (_, i) => `export function fn_${i}(x: number): number {\n  return x + ${i};\n}\n`,
    ).join('\n'),
  );
  mkdirSync(join(workspace, '.vscode'));
  writeFileSync(
    join(workspace, '.vscode', 'settings.json'),
    '{\n  // as a team would commit it: no token here\n  "prodlens.prometheus.codeFunctionLabel": "code_function_name",\n}\n',
  );
  backends = await startBackends({ workload, rules: 'groups: []\n' });
  const baseline = workload.length * BASELINE_CALLS;
  // Three scrapes of the baseline, then three of the measured calls: increase() sees them as an
  // increase over a known value, across at least five scrape intervals, so its extrapolation to
  // the window's end (under one interval) adds at most a fifth.
  await backends.waitForCalls(baseline, 3);
  await backends.record();
  await backends.waitForCalls(baseline + workload.reduce((n, w) => n + w.calls, 0), 3);
});

after(async () => {
  await backends?.stop();
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

function report(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { status: number | null; stdout: string; stderr: string } {
  assert.ok(existsSync(CLI), 'dist/cli.js missing: run the build first');
  const r = spawnSync(process.execPath, [CLI, 'report', '--workspace', workspace, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('report --source prometheus=URL prints functions with numbers from Prometheus, naming it', () => {
  const r = report(
    ['--source', `prometheus@test=${backends.prometheusUrl}`, '--window', '5m', '--json'],
    { PRODLENS_PROMETHEUS_TOKEN: TOKEN },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.ok(!r.stdout.includes(TOKEN) && !r.stderr.includes(TOKEN), 'the token is never printed');
  const rows = (JSON.parse(r.stdout) as ReportJson).functions;
  const place = rows.find((x) => x.function === 'OrderService.placeOrder');
  assert.ok(place, r.stdout.slice(0, 2000));
  assert.equal(place.file, 'src/orders.ts');
  assert.equal(place.line, 10);
  assert.equal(place.source, 'prometheus (test)');
  assert.equal(place.mappedBy, 'code_function label');
  assert.ok(Math.abs((place.p50Ms ?? NaN) - 5) <= 0.3, `p50 ${place.p50Ms}`);
  // increase() extrapolates young series; the exemplar endpoint's placeOrder merges in by span name.
  assert.ok(place.count >= 225 && place.count <= 450, `count ${place.count}`);
  const get = rows.find((x) => x.function === 'OrderService.getOrder');
  assert.ok(get);
  assert.equal(get.mappedBy, 'span_name');
  assert.equal(get.errors, 0);
  assert.ok(Math.abs((get.p95Ms ?? NaN) - 195) <= 3, `p95 ${get.p95Ms}`);
  assert.equal(
    rows.filter((x) => x.file === 'src/catalog.ts' && x.source === 'prometheus (test)').length,
    FUNCTIONS,
  );
  // Same row shape as report always printed, plus the source.
  assert.deepEqual(Object.keys(place).sort(), [
    'confidence',
    'count',
    'errorRate',
    'errors',
    'explanation',
    'file',
    'function',
    'line',
    'mappedBy',
    'maxMs',
    'p50Ms',
    'p95Ms',
    'p99Ms',
    'ratePerMin',
    'services',
    'source',
  ]);
  const table = report(['--source', `prometheus@test=${backends.prometheusUrl}`, '--window', '5m']);
  assert.match(table.stdout, /OrderService\.getOrder\s+src\/orders\.ts:17\s+\d+\s+150 ms\s+195 ms/);
});

test('without --source, report reads prodlens.sources from DIR/.vscode/settings.json', () => {
  const file = join(workspace, '.vscode', 'settings.json');
  writeFileSync(
    file,
    JSON.stringify({
      'prodlens.sources': [
        {
          kind: 'prometheus',
          url: backends.prometheusUrl,
          environment: 'prod',
          token: 'in-settings-ignored',
        },
      ],
      'prodlens.prometheus.codeFunctionLabel': 'code_function_name',
    }),
  );
  try {
    const r = report(['--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /prodlens\.sources\[0\] has a token in settings\.json; it is ignored/);
    assert.ok(!r.stderr.includes('in-settings-ignored'));
    const rows = (JSON.parse(r.stdout) as ReportJson).functions;
    assert.equal(
      rows.find((x) => x.function === 'OrderService.placeOrder')?.source,
      'prometheus (prod)',
    );
  } finally {
    writeFileSync(file, '{ "prodlens.prometheus.codeFunctionLabel": "code_function_name" }');
  }
});

test('Prometheus down: report says so on stderr and exits 1 without hanging', async () => {
  const closed = await freePort();
  const started = Date.now();
  const r = report(['--source', `prometheus=http://127.0.0.1:${closed}`, '--json']);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /prometheus.*127\.0\.0\.1/);
  assert.deepEqual((JSON.parse(r.stdout) as ReportJson).functions, []);
  assert.ok(Date.now() - started < 45_000, 'no hang');
});

test(`a ${FUNCTIONS}-function file: one refresh costs 6 queries, lens requests cost none`, async () => {
  const { engine } = await createWorkspaceEngine(workspace);
  const source = new PrometheusSource(
    { kind: 'prometheus', url: backends.prometheusUrl, environment: 'test' },
    { codeFunctionLabel: 'code_function_name' },
  );
  const stats = new BackendStats({
    files: engine.files,
    functions: engine.codeLookup().functions,
    resolver: engine.codeLookup().resolver,
  });
  const refresh = async (windowMs: number) => {
    const r = await source.functionStats(windowMs);
    await stats.update([
      {
        source: source.config,
        rows: r.value,
        windowMs,
        stale: r.status.stale,
        fetchedAt: r.fetchedAt ?? Date.now(),
      },
    ]);
  };
  await refresh(60_000); // first use also detects the metric family (one more query, once)
  const before = source.client.requestCount;
  await refresh(15 * 60_000);
  const perRefresh = source.client.requestCount - before;
  assert.equal(perRefresh, 6, 'calls, errors, p50, p95, p99, exemplars');
  await engine.functionsIn('src/catalog.ts');
  const lensBefore = source.client.requestCount;
  let shown = 0;
  for (let i = 0; i < 100; i++) shown = stats.fileStats('src/catalog.ts').length;
  assert.equal(shown, FUNCTIONS);
  assert.equal(
    source.client.requestCount - lensBefore,
    0,
    'lens and hover requests are answered from memory',
  );
  process.stdout.write(
    `# measured: ${perRefresh} HTTP queries per refresh for ${FUNCTIONS + 2} functions (${FUNCTIONS} in one file); 0 per lens request\n`,
  );
});

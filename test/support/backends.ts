// Real Prometheus 2.42 and Alertmanager 0.25 (Debian's packages) for interop tests, on free
// loopback ports with throwaway configs and data folders, plus a real instrumented Node process
// that Prometheus scrapes: OpenTelemetry's Prometheus exporter publishing span metrics shaped like
// the Collector's spanmetrics connector output. Every process runs in its own process group and
// is killed by stop().
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from './until';

const ROOT = join(__dirname, '..', '..');

/** Installs the packages when missing (CI), then fails loudly if they are still not there. */
export function ensureBackendBinaries(): void {
  const setup = spawnSync('bash', [join(ROOT, 'scripts', 'setup-backends.sh')], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  for (const bin of ['prometheus', 'prometheus-alertmanager']) {
    const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    if (r.status !== 0) {
      throw new Error(
        `${bin} is not installed: run scripts/setup-backends.sh (Debian's prometheus and prometheus-alertmanager packages)${setup.status ? `; it failed: ${(setup.stderr || setup.stdout).trim().split('\n').pop()}` : ''}`,
      );
    }
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() =>
        addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port')),
      );
    });
  });
}

/** A child in its own process group, with the tail of its output kept for failure messages. */
class Proc {
  private tail = '';
  exited = false;
  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    const keep = (b: Buffer) => (this.tail = (this.tail + b.toString('utf8')).slice(-4000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('exit', () => (this.exited = true));
  }
  get output(): string {
    return this.tail;
  }
  async stop(): Promise<void> {
    if (this.exited || this.child.pid === undefined) return;
    const pid = this.child.pid;
    const gone = new Promise<void>((r) => this.child.once('exit', () => r()));
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      return;
    }
    const t = setTimeout(() => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 5000);
    await gone;
    clearTimeout(t);
  }
}

function start(
  name: string,
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Proc {
  const child = spawn(cmd, args, {
    cwd: opts.cwd ?? ROOT,
    env: opts.env ?? process.env,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  return new Proc(name, child);
}

/** Polls until `url` answers 200, or fails with the process's own last words. */
async function waitReady(proc: Proc, url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exited) throw new Error(`${proc.name} exited while starting:\n${proc.output}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${proc.name} not ready at ${url} within ${timeoutMs} ms:\n${proc.output}`);
}

/** What the instrumented program records per function once told to. */
export interface Workload {
  service: string;
  spanName: string;
  codeFunction?: string;
  calls: number;
  /** Every n-th call is an error (0: none). */
  errorEvery: number;
  /** Durations spread evenly over [minMs, maxMs). */
  minMs: number;
  maxMs: number;
}

// The instrumented program, run with `node -e` from the repository so it resolves the project's
// own OpenTelemetry packages. It records one ok and one failed baseline call per function at start
// (so every series exists before the measured calls: increase() cannot see a series' first value), then the workload on a `record` line on stdin. A second
// endpoint serves OpenMetrics with exemplars (trace ids), which the JS Prometheus exporter cannot.
const APP = String.raw`
const http = require('node:http');
const { MeterProvider } = require('@opentelemetry/sdk-metrics');
const { PrometheusExporter } = require('@opentelemetry/exporter-prometheus');
const workload = JSON.parse(process.env.WORKLOAD);
const exporter = new PrometheusExporter({ host: '127.0.0.1', port: Number(process.env.METRICS_PORT) }, () => console.log('metrics ready'));
const provider = new MeterProvider({ readers: [exporter] });
const meter = provider.getMeter('spanmetrics');
const calls = meter.createCounter('traces_span_metrics_calls');
const duration = meter.createHistogram('traces_span_metrics_duration_milliseconds', { unit: 'ms', advice: { explicitBucketBoundaries: [2, 4, 6, 8, 10, 50, 100, 200, 400, 800, 1000, 1400, 2000, 5000, 10000, 15000] } });
function labels(w, error) {
  const l = { service_name: w.service, span_name: w.spanName, span_kind: 'SPAN_KIND_SERVER', status_code: error ? 'STATUS_CODE_ERROR' : 'STATUS_CODE_UNSET' };
  if (w.codeFunction) l.code_function_name = w.codeFunction;
  return l;
}
for (const w of workload) {
  for (const error of [false, true]) {
    calls.add(1, labels(w, error));
    duration.record(w.minMs, labels(w, error));
  }
}
let exemplarCalls = 0;
http.createServer((req, res) => {
  exemplarCalls++;
  const now = (Date.now() / 1000).toFixed(3);
  const l = 'service_name="exemplar-shop",span_name="placeOrder",span_kind="SPAN_KIND_SERVER",status_code="STATUS_CODE_UNSET"';
  const trace = (exemplarCalls % 16).toString(16).padStart(2, '0').repeat(16);
  res.writeHead(200, { 'content-type': 'application/openmetrics-text; version=1.0.0; charset=utf-8' });
  res.end([
    '# TYPE traces_span_metrics_calls counter',
    'traces_span_metrics_calls_total{' + l + '} ' + exemplarCalls,
    '# TYPE traces_span_metrics_duration_milliseconds histogram',
    'traces_span_metrics_duration_milliseconds_bucket{' + l + ',le="10.0"} ' + exemplarCalls + ' # {trace_id="' + trace + '"} 7.5 ' + now,
    'traces_span_metrics_duration_milliseconds_bucket{' + l + ',le="+Inf"} ' + exemplarCalls,
    'traces_span_metrics_duration_milliseconds_count{' + l + '} ' + exemplarCalls,
    'traces_span_metrics_duration_milliseconds_sum{' + l + '} ' + exemplarCalls * 7.5,
    '# EOF',
    '',
  ].join('\n'));
}).listen(Number(process.env.EXEMPLAR_PORT), '127.0.0.1', () => console.log('exemplars ready'));
require('node:readline').createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== 'record') return;
  for (const w of workload) {
    for (let i = 0; i < w.calls; i++) {
      const error = w.errorEvery > 0 && (i + 1) % w.errorEvery === 0;
      calls.add(1, labels(w, error));
      duration.record(w.minMs + ((w.maxMs - w.minMs) * (i + 0.5)) / w.calls, labels(w, error));
    }
  }
  console.log('recorded');
});
`;

/** Calls each workload entry records at start, before the measured ones. */
export const BASELINE_CALLS = 2;

export interface Backends {
  prometheusUrl: string;
  alertmanagerUrl: string;
  /** Tells the instrumented program to record its workload; resolves when it has. */
  record(): Promise<void>;
  /**
   * Resolves once `scrapes` (default 1) of Prometheus' scrapes of the program each hold at least
   * `calls` in total: the latest ones, since the counters only grow.
   */
  waitForCalls(calls: number, scrapes?: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface BackendOptions {
  workload: Workload[];
  /** Prometheus rule file contents (YAML). */
  rules: string;
}

export async function startBackends(o: BackendOptions): Promise<Backends> {
  const dir = mkdtempSync(join(tmpdir(), 'prodlens-backends-'));
  const [promPort, amPort, metricsPort, exemplarPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const procs: Proc[] = [];
  const stop = async () => {
    await Promise.all(procs.map((p) => p.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const app = start('instrumented app', process.execPath, ['-e', APP], {
      env: {
        ...process.env,
        WORKLOAD: JSON.stringify(o.workload),
        METRICS_PORT: String(metricsPort),
        EXEMPLAR_PORT: String(exemplarPort),
      },
    });
    procs.push(app);
    writeFileSync(
      join(dir, 'alertmanager.yml'),
      `route:\n  receiver: 'null'\n  group_wait: 0s\nreceivers:\n  - name: 'null'\n`,
    );
    const am = start('alertmanager', 'prometheus-alertmanager', [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'am-data')}`,
      `--web.listen-address=127.0.0.1:${amPort}`,
      '--cluster.listen-address=',
    ]);
    procs.push(am);
    writeFileSync(join(dir, 'rules.yml'), o.rules);
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        'rule_files: [rules.yml]',
        'alerting:',
        `  alertmanagers: [{ static_configs: [{ targets: ['127.0.0.1:${amPort}'] }] }]`,
        'scrape_configs:',
        `  - { job_name: app, static_configs: [{ targets: ['127.0.0.1:${metricsPort}'] }] }`,
        `  - { job_name: exemplars, metrics_path: /exemplars, static_configs: [{ targets: ['127.0.0.1:${exemplarPort}'] }] }`,
        '',
      ].join('\n'),
    );
    const prom = start('prometheus', 'prometheus', [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'prom-data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      '--enable-feature=exemplar-storage',
      '--rules.alert.resend-delay=1s',
    ]);
    procs.push(prom);
    const prometheusUrl = `http://127.0.0.1:${promPort}`;
    const alertmanagerUrl = `http://127.0.0.1:${amPort}`;
    await Promise.all([
      waitReady(prom, `${prometheusUrl}/-/ready`),
      waitReady(am, `${alertmanagerUrl}/-/ready`),
      waitReady(app, `http://127.0.0.1:${metricsPort}/metrics`),
    ]);
    const record = () =>
      new Promise<void>((resolve, reject) => {
        const onData = (b: Buffer) => {
          if (b.toString('utf8').includes('recorded')) {
            app.child.stdout?.off('data', onData);
            resolve();
          }
        };
        app.child.stdout?.on('data', onData);
        app.child.stdin?.write('record\n', (e) => e && reject(e));
      });
    // Every sample of one scrape has the scrape's timestamp: summing the raw samples of each
    // timestamp gives the program's total calls as each scrape saw them.
    const callsPerScrape = async (): Promise<number[]> => {
      const q = encodeURIComponent('traces_span_metrics_calls_total{job="app"}[5m]');
      const body = (await (await fetch(`${prometheusUrl}/api/v1/query?query=${q}`)).json()) as {
        data: { result: { values: [number, string][] }[] };
      };
      const totals = new Map<number, number>();
      for (const series of body.data.result)
        for (const [at, v] of series.values) totals.set(at, (totals.get(at) ?? 0) + Number(v));
      return [...totals.keys()].sort((a, b) => a - b).map((at) => totals.get(at)!);
    };
    const waitForCalls = async (calls: number, scrapes = 1, timeoutMs = 20_000) => {
      let seen: number[] = [];
      await until(
        () =>
          `${scrapes} scrape(s) of the program holding ${calls} calls in Prometheus; its latest scrapes held ${seen.slice(-8).join(', ') || 'nothing'}`,
        timeoutMs,
        async () => {
          seen = await callsPerScrape();
          return seen.filter((n) => n >= calls).length >= scrapes;
        },
        250,
      );
    };
    return { prometheusUrl, alertmanagerUrl, record, waitForCalls, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

// (f) What the code-origin preload costs per request: the corpus Express app (mounted routers,
// wrapped handlers) under the real auto-instrumentation, once without and once with
// the code-origin preload, exporting to a sink that accepts and drops. Both serve the same
// requests over 4 keep-alive connections in alternating rounds (this machine is shared and
// noisy); the figures are the medians.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { originOf } from '../src/preload/origins';
import { recordOrigin } from '../src/preload/server-span';

const PATHS = ['/api/users', '/api/users/7', '/api/orders', '/api/orders/42', '/api/health'];
const CONNECTIONS = 4;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function startApp(
  root: string,
  sink: string,
  originPreload: string | undefined,
  port: number,
): Promise<ChildProcess> {
  const preload = [
    '--require',
    '@opentelemetry/auto-instrumentations-node/register',
    ...(originPreload ? ['--require', originPreload] : []),
  ];
  const child = spawn(process.execPath, [...preload, 'app.js'], {
    cwd: join(root, 'test', 'interop', 'corpus', 'express-api'),
    env: {
      ...process.env,
      PORT: String(port),
      OTEL_EXPORTER_OTLP_ENDPOINT: sink,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
      OTEL_NODE_RESOURCE_DETECTORS: 'env',
      OTEL_SERVICE_NAME: 'bench',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      if (/listening/i.test(out)) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) =>
      reject(new Error(`the app exited (${code}) before listening:\n${out.slice(-2000)}`)),
    );
  });
}

/** Requests per second over `n` requests on CONNECTIONS keep-alive connections. */
async function drive(port: number, n: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  let next = 0;
  const one = (path: string) =>
    new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
        res.resume();
        res.on('end', () => resolve());
      });
      req.on('error', reject);
      req.end();
    });
  const worker = async () => {
    while (next < n) await one(PATHS[next++ % PATHS.length]!);
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  const rate = n / ((performance.now() - t0) / 1000);
  agent.destroy();
  return rate;
}

/** @param originPreload the preload as bundled for shipping (scripts/bench.mjs builds it beside this bench). */
/** The preload's own work per request (cached origin lookup + setAttributes on the server span), in ns. */
function perRequestWork(): { ns: number; plainNs: number } {
  const key = Symbol.for('opentelemetry.js.api.1');
  const g = globalThis as Record<symbol, unknown>;
  const saved = g[key];
  let sink = 0;
  const span = {
    setAttributes: (a: Record<string, unknown>) => void (sink += Object.keys(a).length),
  };
  const ctx = { getValue: () => ({ type: 0, span }) };
  g[key] = { version: '1.9.0', context: { active: () => ctx } };
  try {
    const handler = async function listUsers(_req: unknown, _res: unknown) {};
    originOf(handler); // the one inspector read, outside the timing
    const N = 1_000_000;
    let t = performance.now();
    for (let i = 0; i < N; i++) recordOrigin(originOf(handler));
    const ns = ((performance.now() - t) * 1e6) / N;
    // Baseline: what any per-request hook pays just to reach the span (context lookup + setAttributes).
    t = performance.now();
    for (let i = 0; i < N; i++) span.setAttributes(ctx.getValue().span === span ? { a: 1 } : {});
    const plainNs = ((performance.now() - t) * 1e6) / N;
    if (sink === 0) throw new Error('setAttributes never ran');
    return { ns, plainNs };
  } finally {
    g[key] = saved;
  }
}

export async function codeOriginBench(root: string, originPreload: string): Promise<void> {
  const sink = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
  const apps: ChildProcess[] = [];
  try {
    const [plainPort, originPort] = [await freePort(), await freePort()];
    apps.push(
      await startApp(root, sinkUrl, undefined, plainPort),
      await startApp(root, sinkUrl, originPreload, originPort),
    );
    await drive(plainPort, 300); // warm both: JIT, and the origin preload reads each handler's location once
    await drive(originPort, 300);
    const plain: number[] = [];
    const origin: number[] = [];
    for (let round = 0; round < 8; round++) {
      plain.push(await drive(plainPort, 600));
      origin.push(await drive(originPort, 600));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const [p, o] = [median(plain), median(origin)];
    const perRequestUs = (1 / o - 1 / p) * 1e6;
    const work = perRequestWork();
    console.log(
      `(f) code-origin preload: corpus Express app under the auto-instrumentation, ${CONNECTIONS} keep-alive connections, ${PATHS.length} routes`,
    );
    console.log(
      `  without the preload ${Math.round(p).toLocaleString('en-US')} requests/s; with it ${Math.round(o).toLocaleString('en-US')} requests/s (ratio ${(o / p).toFixed(2)}×; ${perRequestUs >= 0 ? '+' : ''}${perRequestUs.toFixed(0)} µs per request, within this machine's noise when near 0)`,
    );
    console.log(
      `  the preload's own work per request (cached origin + setAttributes) ${work.ns.toFixed(0)} ns; a bare context lookup + setAttributes ${work.plainNs.toFixed(0)} ns (ratio ${(work.ns / work.plainNs).toFixed(1)}×)\n`,
    );
  } finally {
    for (const a of apps) a.kill('SIGKILL');
    sink.close();
  }
}

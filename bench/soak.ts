// Bench lane (s), the soak: the receiver and engine as the extension runs them (ingest worker,
// OTLP/HTTP) take 20,000 SDK-serialized spans/s for ten minutes (`--minutes N` for less) while a
// real Prometheus, asked every 2 s as the editor asks for backend numbers, is killed and started
// again every minute. Reports heap (after GC, every 30 s), event-loop lag, spans sent against
// stored, and warnings against outages (counted by the editor's own outage rule).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createWorkspaceEngine } from '../src/core/engine/create';
import { engineSinks } from '../src/core/engine/sinks';
import { IngestWorker } from '../src/core/ingest-worker/ingest-worker';
import { OtlpHttpReceiver } from '../src/core/receiver/http-receiver';
import { PrometheusSource } from '../src/core/sources/prometheus';
import { SourceHealth } from '../src/core/sources/source-health';
import type { BenchWorkspace } from './fixtures';
import { sdkPayloads } from './fixtures';
import { writeBodies } from './load-client';
import { load } from './ingest-load';
import { createServer, type AddressInfo } from 'node:net';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const verdict = (ok: boolean) => (ok ? 'meets target' : 'MISSES target');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A real Prometheus (Debian's binary) on a fixed port, killed and started again at will. */
function prometheus(port: number, dir: string) {
  writeFileSync(join(dir, 'prometheus.yml'), 'global: { scrape_interval: 15s }\n');
  let proc: ChildProcess | undefined;
  return {
    start() {
      proc = spawn(
        'prometheus',
        [
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
        ],
        { stdio: 'ignore' },
      );
    },
    kill() {
      proc?.kill('SIGKILL');
      proc = undefined;
    },
  };
}

export async function soakBench(ws: BenchWorkspace, minutes: number): Promise<boolean> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const dir = mkdtempSync(join(tmpdir(), 'prodlens-soak-'));
  const bodiesFile = join(dir, 'bodies');
  writeFileSync(bodiesFile, writeBodies(sdkPayloads(ws, 40, 500).protobuf));
  const { engine } = await createWorkspaceEngine(ws.root);
  const ingest = new IngestWorker(engine);
  const receiver = new OtlpHttpReceiver({ port: 0, sinks: engineSinks(engine, ingest) });
  const { url } = await receiver.start();
  const promPort = await freePort();
  const prom = prometheus(promPort, dir);
  // A 2 s cache so every poll reaches Prometheus (the editor's default keeps answers 30 s).
  const source = new PrometheusSource(
    {
      kind: 'prometheus',
      url: `http://127.0.0.1:${promPort}`,
      environment: 'soak',
      timeoutMs: 1_000,
    },
    { ttlMs: 2_000 },
  );
  const durationMs = minutes * 60_000;
  console.log(
    `(s) soak: ${minutes} min at 20,000 spans/s into the receiver (ingest worker), a real Prometheus asked every 2 s and killed for 15 s of every minute`,
  );
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const started = Date.now();
  let outages = 0;
  let warnings = 0;
  let running = true;
  const wait = async (ms: number) => {
    for (const until = Date.now() + ms; running && Date.now() < until;) await sleep(250);
  };
  // The flapping backend: up 45 s, down 15 s.
  const flap = (async () => {
    while (running) {
      prom.start();
      await wait(45_000);
      if (!running) break;
      prom.kill();
      outages++;
      await wait(15_000);
    }
  })();
  // The editor's backend numbers, asked every 2 s; its outage rule (sources/source-health.ts)
  // decides when a warning is shown.
  const health = new SourceHealth();
  const poll = (async () => {
    while (running) {
      const r = await source.functionStats(15 * 60_000).catch((e: Error) => ({
        status: { ok: false, message: e.message },
        value: undefined,
      }));
      const change = health.note('prometheus (soak)', 'numbers', r.status, r.value !== undefined);
      if (change?.kind === 'down') warnings++;
      await wait(2_000);
    }
  })();
  const heap: number[] = [];
  const sampleHeap = () => {
    gc?.();
    heap.push(process.memoryUsage().heapUsed / 1048576);
  };
  const sampler = setInterval(sampleHeap, 30_000);
  const spansBefore = engine.store.counters.spans;
  const res = await load({
    url,
    bodiesFile,
    spansPerBody: 500,
    connections: 4,
    spansPerSec: 20_000,
    seconds: durationMs / 1000,
  });
  clearInterval(sampler);
  sampleHeap();
  lag.disable();
  running = false;
  prom.kill();
  await Promise.all([flap, poll]);
  const stored = engine.store.counters.spans - spansBefore;
  await receiver.stop();
  await ingest.dispose();
  engine.dispose();
  rmSync(dir, { recursive: true, force: true });

  // "Flat": from the 2-minute sample (caches and buckets warmed up) to the end.
  const from = heap[Math.min(3, heap.length - 2)] ?? heap[0]!;
  const end = heap[heap.length - 1]!;
  const growth = (end - from) / from;
  const p99 = lag.percentile(99) / 1e6;
  const lost = res.sentSpans - stored;
  const checks = [
    growth <= 0.1,
    lost === 0 && res.failedRequests === 0,
    warnings === outages,
    p99 <= 20,
  ];
  console.log(
    `  ran ${((Date.now() - started) / 60_000).toFixed(1)} min; heap after GC every 30 s: ${heap.map((h) => h.toFixed(0)).join(' ')} MB`,
  );
  console.log(
    `  heap from minute 2 to the end ${from.toFixed(1)} → ${end.toFixed(1)} MB (${(growth * 100).toFixed(1)}%; target flat, ≤ 10%: ${verdict(checks[0]!)})`,
  );
  console.log(
    `  spans sent ${res.sentSpans.toLocaleString('en-US')}, stored ${stored.toLocaleString('en-US')}, lost ${lost}, requests refused ${res.failedRequests} ${JSON.stringify(res.statuses)} (target nothing lost: ${verdict(checks[1]!)})`,
  );
  console.log(
    `  backend outages ${outages}, warnings ${warnings} (target one per outage: ${verdict(checks[2]!)})`,
  );
  console.log(
    `  event-loop lag p99 ${p99.toFixed(1)} ms, max ${(lag.max / 1e6).toFixed(1)} ms (target p99 ≤ 20 ms: ${verdict(checks[3]!)})\n`,
  );
  return checks.every(Boolean);
}

// The soak's load: a child process (this bundle, started in load mode) that is an instrumented
// service as far as ProdLens can tell. It creates spans with the real OpenTelemetry SDK at a paced
// rate, each naming one of the workspace's functions (code.* attributes, http.route), and exports
// them with the SDK's BatchSpanProcessor and OTLP/protobuf exporter to the receiver. It counts what
// it created, what the SDK dropped itself, and what the exporter delivered or failed, and serves
// the same calls as span metrics for Prometheus to scrape. Run apart from the receiver so its work
// never shows up as the receiver's event-loop lag.
import { fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { diag, DiagLogLevel, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { SpanMetrics } from './soak-spanmetrics';

const LOAD_ENV = 'PRODLENS_SOAK_LOAD';
/** ExportResultCode.SUCCESS (of @opentelemetry/core, which the project does not depend on directly). */
const EXPORT_SUCCESS = 0;
const SERVICE = 'soak-shop';

/** A workspace function the load's spans name. */
export interface LoadFunction {
  /** Workspace-relative file. */
  file: string;
  name: string;
  /** A line inside the function. */
  line: number;
}

export interface LoadPlan {
  /** The receiver's base URL. */
  url: string;
  spansPerSec: number;
  functions: LoadFunction[];
}

/** What the load process counted (cumulative). */
export interface LoadCounts {
  /** Spans created and ended. */
  created: number;
  /** Spans the BatchSpanProcessor handed to the exporter (the rest it dropped, or still queues). */
  handed: number;
  /** Spans in exports the receiver took. */
  delivered: number;
  /** Spans in exports that failed after the exporter's retries. */
  failed: number;
  failedExports: number;
  lastFailure: string;
  /** The SDK's own warnings and errors (its diag logger): e.g. "Dropped N spans because maxQueueSize reached". */
  sdkWarnings: number;
  sdkMessages: string[];
  /** The longest the pacing fell behind its schedule (the load process was starved), ms. */
  maxBehindMs: number;
  elapsedMs: number;
  cpuMs: number;
}

type FromLoad =
  | { kind: 'ready'; metricsPort: number }
  | { kind: 'counts'; counts: LoadCounts }
  | { kind: 'done'; counts: LoadCounts };

export interface RunningLoad {
  /** Where Prometheus scrapes the load's span metrics. */
  metricsTarget: string;
  /** The latest counts (sent every second). */
  latest(): LoadCounts | undefined;
  /** Stops creating spans, flushes the SDK and returns the final counts. */
  stop(): Promise<LoadCounts>;
  /** Kills the process if it is still there (on a failure elsewhere). */
  kill(): void;
}

/** Starts the load process (this bundle in load mode); resolves once its metrics are served. */
export function startLoad(plan: LoadPlan): Promise<RunningLoad> {
  const child: ChildProcess = fork(process.argv[1]!, [], {
    env: { ...process.env, [LOAD_ENV]: '1' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let latest: LoadCounts | undefined;
  let finished: ((c: LoadCounts) => void) | undefined;
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    void exited.then((code) => reject(new Error(`the load process exited early (code ${code})`)));
    child.on('message', (m: FromLoad) => {
      if (m.kind === 'counts') latest = m.counts;
      else if (m.kind === 'done') finished?.(m.counts);
      else
        resolve({
          metricsTarget: `127.0.0.1:${m.metricsPort}`,
          latest: () => latest,
          stop: () =>
            new Promise<LoadCounts>((done, fail) => {
              finished = done;
              void exited.then((code) => fail(new Error(`the load process exited (code ${code})`)));
              child.send('stop');
            }),
          kill: () => {
            if (child.exitCode === null) child.kill('SIGKILL');
          },
        });
    });
    child.send(plan);
  });
}

/** An exporter that counts what passes through it to the real one. */
class CountingExporter implements SpanExporter {
  constructor(
    private readonly inner: SpanExporter,
    private readonly counts: LoadCounts,
  ) {}

  export(spans: ReadableSpan[], done: Parameters<SpanExporter['export']>[1]): void {
    this.counts.handed += spans.length;
    this.inner.export(spans, (r) => {
      if (r.code === EXPORT_SUCCESS) this.counts.delivered += spans.length;
      else {
        this.counts.failed += spans.length;
        this.counts.failedExports++;
        this.counts.lastFailure = r.error?.message ?? 'failed';
      }
      done(r);
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/** Load mode: true when this process is the load process (it then runs until told to stop). */
export function isLoadProcess(): boolean {
  return process.env[LOAD_ENV] === '1';
}

export function runLoadProcess(): void {
  process.once('message', (plan: LoadPlan) => void serveLoad(plan));
}

async function serveLoad(plan: LoadPlan): Promise<void> {
  const counts: LoadCounts = {
    created: 0,
    handed: 0,
    delivered: 0,
    failed: 0,
    failedExports: 0,
    lastFailure: '',
    sdkWarnings: 0,
    sdkMessages: [],
    maxBehindMs: 0,
    elapsedMs: 0,
    cpuMs: 0,
  };
  const note = (message: string) => {
    counts.sdkWarnings++;
    if (counts.sdkMessages.length < 5) counts.sdkMessages.push(message.slice(0, 200));
  };
  diag.setLogger(
    {
      error: note,
      warn: note,
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    DiagLogLevel.WARN,
  );
  const fns = plan.functions.map((f) => ({ ...f, path: `/srv/app/${f.file}` }));
  const metrics = new SpanMetrics(
    SERVICE,
    fns.map((f) => ({ file: f.path, name: f.name })),
  );
  const server = createServer((_req, res) => {
    const body = metrics.text();
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));

  // Sized so the SDK never drops at this rate: a batch of 5,000 spans leaves every 250 ms, and the
  // queue holds 5 s of spans should an export be slow (the receiver's host is busy). Every batch a
  // full queue can hold may be in flight at once when the SDK flushes at the end (forceFlush sends
  // them all together): the exporter's concurrency limit is above that number.
  const MAX_QUEUE = plan.spansPerSec * 5;
  const BATCH = 5_000;
  const exporter = new OTLPTraceExporter({
    url: new URL('/v1/traces', plan.url).href,
    concurrencyLimit: Math.ceil(MAX_QUEUE / BATCH) + 5,
    timeoutMillis: 30_000,
  });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': SERVICE,
      'service.version': '2.0.1',
      'deployment.environment.name': 'soak',
    }),
    spanProcessors: [
      new BatchSpanProcessor(new CountingExporter(exporter, counts), {
        maxQueueSize: MAX_QUEUE,
        maxExportBatchSize: BATCH,
        scheduledDelayMillis: 200,
        exportTimeoutMillis: 30_000,
      }),
    ],
  });
  const tracer = provider.getTracer('soak');

  const spanFor = (k: number) => {
    const i = k % fns.length;
    const fn = fns[i]!;
    // Durations spread over 5..~220 ms, a different typical latency per function.
    const durationMs = 5 + (i % 40) * 5 + (k % 13);
    const error = k % 97 === 0;
    const end = Date.now();
    const span = tracer.startSpan(fn.name, {
      kind: SpanKind.SERVER,
      startTime: end - durationMs,
      attributes: {
        'code.file.path': fn.path,
        'code.function.name': fn.name,
        'code.line.number': fn.line,
        'http.request.method': 'GET',
        'http.route': `/api/${fn.name}/:id`,
        'http.response.status_code': error ? 500 : 200,
        'server.address': 'shop.internal',
        'user_agent.original': 'soak/1.0',
      },
    });
    if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
    span.end(end);
    metrics.record(i, durationMs, error);
  };

  // Paced against the clock: each tick creates the spans due by now, so a late tick catches up
  // and the rate over any second stays the planned one.
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const snapshot = (): LoadCounts => {
    const cpu = process.cpuUsage(cpu0);
    return {
      ...counts,
      elapsedMs: performance.now() - t0,
      cpuMs: (cpu.user + cpu.system) / 1000,
    };
  };
  const TICK_MS = 10;
  let lastTick = t0;
  const pace = setInterval(() => {
    const now = performance.now();
    counts.maxBehindMs = Math.max(counts.maxBehindMs, now - lastTick - TICK_MS);
    lastTick = now;
    const due = Math.floor(((now - t0) * plan.spansPerSec) / 1000);
    while (counts.created < due) spanFor(counts.created++);
  }, TICK_MS);
  const report = setInterval(() => process.send!({ kind: 'counts', counts: snapshot() }), 1_000);
  process.send!({ kind: 'ready', metricsPort: (server.address() as AddressInfo).port });

  process.once('message', () => {
    clearInterval(pace);
    clearInterval(report);
    const elapsedMs = performance.now() - t0;
    void provider
      .forceFlush()
      .catch((e: unknown) => note(`forceFlush: ${(e as Error).message}`))
      .then(() => provider.shutdown())
      .catch((e: unknown) => note(`shutdown: ${(e as Error).message}`))
      .then(() => {
        server.close();
        // The rate is over the time spans were created, not the flush after it.
        process.send!({ kind: 'done', counts: { ...snapshot(), elapsedMs } }, () =>
          process.exit(0),
        );
      });
  });
}

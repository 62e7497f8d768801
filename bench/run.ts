// `npm run bench`: ingest throughput against raw decode, lens/hover latency on a 5,000-line
// file with 500 functions with data, and heap growth after 1M spans over 1,000 functions.
// Every figure is printed beside its baseline from this same run and the target.
import { decodeTraces, decodeTracesRaw } from '../src/core/ingest/otlp-decode';
import { createWorkspaceEngine, startWorkspaceEngine } from '../src/core/engine/create';
import { hoverMarkdown, lensTitle, lensTooltip } from '../src/core/format/presentation';
import { rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SourceIndex } from '../src/core/workspace/source-index';
import { scanSourceFiles } from '../src/core/workspace/scan-files';
import { RouteIndex } from '../src/core/routes/route-index';
import { extractRoutes } from '../src/core/routes/route-extract';
import { LogIndex } from '../src/core/logs/log-index';
import { extractLogStatements } from '../src/core/logs/log-statements';
import { generatedWorkspace, sdkPayloads, serviceWorkspace } from './fixtures';
import { span } from '../test/support/spans';
import { codeOriginBench } from './code-origin';
import { SpanTriage } from '../src/core/engine/span-triage';
import { locateSpan } from '../src/core/resolver/span-location';
import { deferredShape } from '../src/core/resolver/deferred-shape';
import { ingestLoadBench, loadChild } from './ingest-load';

const gc = (globalThis as { gc?: () => void }).gc;

/**
 * Throughput of a baseline and a candidate over the same payloads, measured in alternating
 * short rounds so both see the same machine load (this machine is shared and noisy); the
 * figures are the medians of the rounds.
 */
function paired(
  labels: [string, string],
  payloads: Uint8Array[],
  spansPer: number,
  base: (p: Uint8Array) => void,
  cand: (p: Uint8Array) => void,
  rounds = 15,
  roundMs = 250,
): [number, number] {
  for (let i = 0; i < Math.min(20, payloads.length); i++) {
    base(payloads[i]!);
    cand(payloads[i]!);
  }
  const rate = (fn: (p: Uint8Array) => void): number => {
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < roundMs) {
      for (const p of payloads) fn(p);
      n += payloads.length;
    }
    return (n * spansPer) / ((performance.now() - t0) / 1000);
  };
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < rounds; r++) {
    a.push(rate(base));
    b.push(rate(cand));
  }
  const median = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  const out: [number, number] = [median(a), median(b)];
  labels.forEach((label, i) =>
    console.log(
      `  ${label.padEnd(44)} ${Math.round(out[i]!).toLocaleString('en-US').padStart(12)} spans/s`,
    ),
  );
  return out;
}

/** `setup` runs before each call, untimed. */
function latency(
  fn: (i: number) => void,
  iterations: number,
  setup?: (i: number) => void,
): { p50: number; p99: number } {
  for (let i = 0; i < 200; i++) {
    setup?.(i);
    fn(i);
  }
  const t: number[] = [];
  for (let i = 0; i < iterations; i++) {
    setup?.(i);
    const a = performance.now();
    fn(i);
    t.push(performance.now() - a);
  }
  t.sort((x, y) => x - y);
  return { p50: t[Math.floor(t.length * 0.5)]!, p99: t[Math.floor(t.length * 0.99)]! };
}

const verdict = (ok: boolean) => (ok ? 'meets target' : 'MISSES target');

/** `--lanes e,g` runs only those lanes (all by default). */
const lanesArg = process.argv.indexOf('--lanes');
const only = lanesArg > 0 ? new Set(process.argv[lanesArg + 1]?.split(',')) : undefined;
const want = (lane: string) => !only || only.has(lane);

async function main(): Promise<void> {
  console.log(
    `ProdLens benchmarks (node ${process.version}, one thread, esbuild bundle as shipped)\n`,
  );
  if (only) {
    // The lanes that need no shared set-up.
    if (want('d')) await indexBench();
    if (want('d')) await scanBench();
    if (want('e')) await startupBench();
    if (want('f')) await codeOriginBench(process.cwd(), join(__dirname, 'code-origin.js'));
    if (want('g') || want('h')) {
      const ws = generatedWorkspace(2);
      await ingestLoadBench(ws).finally(() => rmSync(ws.root, { recursive: true, force: true }));
    }
    return;
  }
  const ws = generatedWorkspace(2);
  try {
    const { engine } = await createWorkspaceEngine(ws.root);
    const PER = 500;
    const payloads = sdkPayloads(ws, 40, PER);
    const avg = Math.round(payloads.protobuf.reduce((n, p) => n + p.length, 0) / payloads.spans);
    console.log(
      `(a) ingest: ${payloads.protobuf.length} SDK-serialized requests × ${PER} spans over 1,000 functions (protobuf ≈ ${avg} B/span)`,
    );
    const [rawPb, ingPb] = paired(
      ['protobuf raw decode (protobufjs only)', 'protobuf decode + map + aggregate'],
      payloads.protobuf,
      PER,
      (p) => void decodeTracesRaw(p),
      (p) => engine.ingestSpans(decodeTraces(p, 'protobuf').spans),
    );
    const [rawJs, ingJs] = paired(
      ['JSON raw decode (JSON.parse only)', 'JSON decode + map + aggregate'],
      payloads.json,
      PER,
      (p) => void JSON.parse(Buffer.from(p).toString('utf8')),
      (p) => engine.ingestSpans(decodeTraces(p, 'json').spans),
      5,
    );
    console.log(
      `  protobuf ingest / raw decode = ${(ingPb / rawPb).toFixed(2)}×  (target ≥ 0.5×: ${verdict(ingPb / rawPb >= 0.5)}); ${Math.round(ingPb / 1000)}k spans/s (target ≥ 100k: ${verdict(ingPb >= 100_000)})`,
    );
    console.log(`  JSON ingest / raw JSON.parse = ${(ingJs / rawJs).toFixed(2)}×\n`);

    // Lane (a) decoded millions of spans on this thread, leaving ~150 MB of garbage that the
    // editor's heap does not have with the ingest worker (decoding runs in the worker's isolate);
    // collected first, so (b) measures lenses on the heap they really run on, not lane (a)'s.
    gc?.();
    const file = ws.files[0]!;
    const fns = (await engine.functionsIn(file.rel))!;
    const q = { windowMs: 15 * 60_000 };
    const withData = engine.fileStats(file.rel, q).length;
    console.log(
      `(b) editor: ${file.rel} has ${file.text.split('\n').length - 1} lines, ${fns.length} functions, ${withData} with data`,
    );
    // What provideCodeLenses does per call: the file's memoized stats → title and tooltip per function.
    const lensCall = () =>
      engine.fileStats(file.rel, q).map((s) => ({
        line: s.function.startLine - 1,
        title: lensTitle(s),
        tooltip: lensTooltip(s),
      }));
    const warm = latency(() => lensCall(), 2_000);
    // What a refresh usually sees: a batch of spans for a few of the file's functions (10 of 500).
    const abs = join(ws.root, file.rel);
    const tenSpans = (i: number) =>
      Array.from({ length: 10 }, (_, k) => {
        const fn = fns[(i * 10 + k) % fns.length]!;
        return span({
          name: fn.qualifiedName,
          durationMs: 5 + k,
          attributes: {
            'code.file.path': abs,
            'code.line.number': fn.startLine + 1,
            'code.function.name': fn.qualifiedName,
          },
        });
      });
    // In-process ingest (decode excluded): what the host did per batch before the ingest worker.
    const fewHere = latency((i) => {
      engine.ingestSpans(tenSpans(i));
      lensCall();
    }, 500);
    // With the ingest worker (the shipped path) the host records a batch the worker triaged, then
    // serves the lenses; the triage runs here untimed, as it runs on the worker's thread.
    const triage = new SpanTriage((s) => locateSpan(s, deferredShape));
    const triaged = Array.from({ length: 500 }, (_, i) => triage.run(tenSpans(i), Date.now()));
    const few = latency((i) => {
      engine.applyTriage(triaged[i % triaged.length]!);
      lensCall();
    }, 500);
    // New data for every function of the file (worst case): a batch with a span for each, recorded
    // untimed; then the lenses, every function's row merged again.
    const everyFunction = triage.run(
      fns.flatMap((_, i) => (i % 10 === 0 ? tenSpans(i / 10) : [])),
      Date.now(),
    );
    const cold = latency(
      () => lensCall(),
      200,
      () => engine.applyTriage(everyFunction),
    );
    const hover = latency((i) => {
      const target = fns[(i * 37) % fns.length]!;
      const fn = fns.find(
        (f) =>
          f.nameLine === target.nameLine &&
          target.nameColumn >= f.nameColumn &&
          target.nameColumn <= f.nameEndColumn,
      );
      const s = engine.fileStats(file.rel, q).find((x) => x.function === fn);
      if (s) hoverMarkdown(s, 'command:x');
    }, 5_000);
    const ms = (v: number) => `${v.toFixed(3)} ms`;
    console.log(
      `  lenses for the file, served from memory  p50 ${ms(warm.p50)}  p99 ${ms(warm.p99)}  (target p99 ≤ 2 ms: ${verdict(warm.p99 <= 2)})`,
    );
    console.log(
      `  lenses right after new data for 10 of the file's functions, the host's share (recording the worker's batch + lenses)  p50 ${ms(few.p50)}  p99 ${ms(few.p99)}  (target p99 ≤ 2 ms: ${verdict(few.p99 <= 2)})`,
    );
    console.log(
      `  the same with the batch's spans ingested on the host (before the ingest worker)  p50 ${ms(fewHere.p50)}  p99 ${ms(fewHere.p99)}`,
    );
    console.log(
      `  lenses right after new data for all 500  p50 ${ms(cold.p50)}  p99 ${ms(cold.p99)}  (worst case, at most once per 2 s refresh; ratio to served ${(cold.p50 / warm.p50).toFixed(0)}×)`,
    );
    console.log(
      `  hover                                    p50 ${ms(hover.p50)}  p99 ${ms(hover.p99)}  (target p99 ≤ 1 ms: ${verdict(hover.p99 <= 1)})\n`,
    );

    await ingestLoadBench(ws);
    await indexBench();
    await scanBench();
    await startupBench();
    await codeOriginBench(process.cwd(), join(__dirname, 'code-origin.js'));

    if (!gc) {
      console.log('(c) heap: skipped — run with node --expose-gc (npm run bench does)');
      return;
    }
    const { engine: fresh } = await createWorkspaceEngine(ws.root);
    gc();
    const heap0 = process.memoryUsage().heapUsed;
    const rounds = Math.ceil(1_000_000 / payloads.spans);
    for (let r = 0; r < rounds; r++)
      for (const p of payloads.protobuf) fresh.ingestSpans(decodeTraces(p, 'protobuf').spans);
    gc();
    const grown = (process.memoryUsage().heapUsed - heap0) / 1024 / 1024;
    const total = rounds * payloads.spans;
    const per1M = (grown * 1_000_000) / total;
    console.log(
      `(c) heap: ${total.toLocaleString('en-US')} spans over 1,000 functions → ${fresh.seriesCount} series, ${fresh.bucketCount} buckets, ring ${fresh.ringCapacity} spans`,
    );
    console.log(
      `  heap growth ${grown.toFixed(1)} MB = ${per1M.toFixed(1)} MB per 1M spans (target ≤ 64 MB: ${verdict(per1M <= 64)}); bounded: series, buckets and ring are capped, so more spans do not grow it`,
    );
  } finally {
    rmSync(ws.root, { recursive: true, force: true });
  }
}

/**
 * (e) Start-up on a generated 10,000-file workspace, as the extension and serve start: the engine
 * (receivers listen from here), the scan, the full route/log index; and the longest stretch the
 * event loop was blocked meanwhile (the extension host is shared with every other extension).
 */
async function startupBench(): Promise<void> {
  const N = 10_000;
  const ws = serviceWorkspace(N);
  try {
    const gaps: number[] = [];
    let last = performance.now();
    const probe = setInterval(() => {
      const now = performance.now();
      gaps.push(now - last);
      last = now;
    }, 1);
    const t0 = performance.now();
    let indexedAt = 0;
    const { engine, scanned } = await startWorkspaceEngine(ws.root, {
      onPhase: (p) => (p.phase === 'ready' ? (indexedAt = performance.now()) : undefined),
    });
    const engineAt = performance.now();
    // Spans arrive the moment the engine exists: one function by its code attributes, one route by http.route.
    const file = 'js/svc4/routes.js';
    engine.ingestSpans([
      span({
        name: 'helper',
        kind: 1,
        attributes: { 'code.file.path': `/deploy/app/${file}`, 'code.line.number': 37 },
      }),
      span({
        name: 'GET',
        kind: 2,
        attributes: { 'http.request.method': 'GET', 'http.route': '/r4/items0/:id' },
      }),
    ]);
    // The editor parses the file the user opened: its language's grammar and query load once per
    // session, a block of its own (measured apart; the probe's gap across it is left out).
    const parseStart = performance.now();
    await engine.functionsIn(file);
    const firstParseMs = performance.now() - parseStart;
    gaps.length = 0;
    last = performance.now();
    const lensAt = async (want: (fn: string) => boolean): Promise<number> => {
      for (;;) {
        if (
          engine.fileStats(file, { windowMs: 900_000 }).some((r) => want(r.function.qualifiedName))
        )
          return performance.now();
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    const [codeLensAt, routeLensAt] = await Promise.all([
      lensAt((f) => f === 'helper'),
      lensAt((f) => f.startsWith('GET /r4/items0')),
    ]);
    await scanned;
    clearInterval(probe);
    const longest = Math.max(...gaps);
    const p99 = [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length * 0.99)] ?? 0;
    console.log(
      `(e) start-up: ${N.toLocaleString('en-US')} source files (${engine.files.size.toLocaleString('en-US')} scanned, ${engine.routeCount.toLocaleString('en-US')} routes)`,
    );
    console.log(
      `  engine ready (receivers listen) ${Math.round(engineAt - t0)} ms; first lens by code attributes ${Math.round(codeLensAt - t0)} ms (target ≤ 1 s: ${verdict(codeLensAt - t0 <= 1000)}), by route ${Math.round(routeLensAt - t0)} ms; full index ${Math.round(indexedAt - t0)} ms`,
    );
    console.log(
      `  longest event-loop block while scanning and indexing ${longest.toFixed(1)} ms, p99 gap ${p99.toFixed(1)} ms (target longest ≤ 20 ms: ${verdict(longest <= 20)}); first parse of a JS file ${Math.round(firstParseMs)} ms (grammar and query, once per language per session)\n`,
    );
  } finally {
    rmSync(ws.root, { recursive: true, force: true });
  }
}

/**
 * (d') The workspace scan with .gitignore rules (the `ignore` package; a root file of the usual
 * rules and one in every 25th service folder) against the same scan reading no .gitignore.
 */
async function scanBench(): Promise<void> {
  const N = 10_000;
  const ws = serviceWorkspace(N);
  try {
    const rules = ['node_modules/', 'dist/', 'build/', 'coverage/', '*.log', '.env*', '*.tmp'];
    writeFileSync(join(ws.root, '.gitignore'), `${rules.join('\n')}\n/generated/\n!keep.log\n`);
    let folders = 0;
    for (let i = 0; i < N; i += 25) {
      const dir = dirname(join(ws.root, ws.files[i]!));
      writeFileSync(join(dir, '.gitignore'), 'fixtures/\n*.snap\n/local-*\n');
      folders++;
    }
    const best = async (gitignore: boolean) => {
      let ms = Infinity;
      let files = 0;
      for (let r = 0; r < 3; r++) {
        const t = performance.now();
        files = (await scanSourceFiles(ws.root, { gitignore })).files.length;
        ms = Math.min(ms, performance.now() - t);
      }
      return { ms, files };
    };
    const without = await best(false);
    const withRules = await best(true);
    console.log(
      `(d') workspace scan: ${withRules.files.toLocaleString('en-US')} source files, ${folders + 1} .gitignore files: ${Math.round(withRules.ms)} ms with their rules, ${Math.round(without.ms)} ms reading none (${(withRules.ms / without.ms).toFixed(2)}×; issue 15 measured ≈3× on a real monorepo: 1.8-2.3 s against 0.6 s)\n`,
    );
  } finally {
    rmSync(ws.root, { recursive: true, force: true });
  }
}

/** (d) The workspace text index (routes + log statements) against plain reads of the same files. */
async function indexBench(): Promise<void> {
  const N = 4_000;
  const ws = serviceWorkspace(N);
  try {
    const readAll = async () => {
      for (let i = 0; i < ws.files.length; i += 64)
        await Promise.all(ws.files.slice(i, i + 64).map((f) => readFile(join(ws.root, f), 'utf8')));
    };
    const runs: { read: number; index: number; routes: number; logs: number }[] = [];
    for (let r = 0; r < 3; r++) {
      let t = performance.now();
      await readAll();
      const read = performance.now() - t;
      const routes = new RouteIndex();
      const logs = new LogIndex();
      const index = new SourceIndex(
        (rel) => join(ws.root, rel),
        [
          {
            update: (f, text) => routes.set(f, extractRoutes(f, text)),
            remove: (f) => routes.delete(f),
          },
          {
            update: (f, text) => logs.set(f, extractLogStatements(f, text)),
            remove: (f) => logs.delete(f),
          },
        ],
      );
      t = performance.now();
      await index.build(ws.files);
      runs.push({ read, index: performance.now() - t, routes: routes.size, logs: logs.size });
    }
    const best = runs.sort((a, b) => a.index - b.index)[0]!;
    const perSec = (N / best.index) * 1000;
    console.log(
      `(d) workspace index: ${N.toLocaleString('en-US')} service files (JS, Python, Java, Go) → ${best.routes.toLocaleString('en-US')} routes, ${best.logs.toLocaleString('en-US')} log statements`,
    );
    console.log(
      `  plain reads ${Math.round(best.read)} ms; read + index ${Math.round(best.index)} ms = ${Math.round(perSec).toLocaleString('en-US')} files/s (target ≥ 2,000: ${verdict(perSec >= 2_000)}); index / read = ${(best.index / best.read).toFixed(2)}×\n`,
    );
  } finally {
    rmSync(ws.root, { recursive: true, force: true });
  }
}

// The same bundle is the load generator's child process (bench/ingest-load.ts).
void loadChild().then((child) => (child ? undefined : main()));

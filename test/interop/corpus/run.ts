// Running things: the CLI, `tsc` for the TypeScript apps, and an app itself under stock
// auto-instrumentation, its OTLP export passing through a recorder (which keeps a copy for the
// scoring) on its way to `prodlens serve`, with every request of expected.json driven.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { decodeLogs, decodeTraces } from '../../../src/core/ingest/otlp-decode';
import type { LogRecordData, SpanRecord } from '../../../src/core/model';
import { until } from '../../support/until';
import { CORPUS, ROOT, type AppSpec, type Expected, type RequestSpec } from './apps';
import { requestOf } from './evidence';

export const CLI = join(ROOT, 'dist', 'cli.js');
export const CODE_ORIGIN = join(ROOT, 'dist', 'preload', 'code-origin.js');
const CLI_SRC = join(ROOT, 'src', 'cli', 'main.ts');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; timeoutMs?: number } = {},
): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd ?? ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

export interface ScoreOptions {
  /** Run the CLI from src/ through tsx rather than dist/cli.js. */
  fromSource?: boolean;
  log?: (line: string) => void;
}

export function cliArgs(o: ScoreOptions, args: string[]): string[] {
  return o.fromSource ? ['--import', 'tsx', CLI_SRC, ...args] : [CLI, ...args];
}

export const cli = (o: ScoreOptions, args: string[]): Promise<Run> =>
  run(process.execPath, cliArgs(o, args));

/** The command's JSON answer; a failing command is a problem of the run and answers `fallback`. */
export function cliJson<T>(r: Run, what: string, problems: string[], fallback: T): T {
  if (r.status !== 0) {
    problems.push(`${what} exited ${r.status}: ${r.stderr.trim().slice(0, 500)}`);
    return fallback;
  }
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    problems.push(`${what} printed no JSON: ${r.stdout.slice(0, 300)}`);
    return fallback;
  }
}

/** A line-buffered child process whose output is kept. */
export class Proc {
  readonly lines: { stream: 'stdout' | 'stderr'; text: string }[] = [];
  private partial = { stdout: '', stderr: '' };
  exited: number | null | undefined = undefined;

  constructor(readonly child: ChildProcess) {
    for (const stream of ['stdout', 'stderr'] as const) {
      child[stream]!.setEncoding('utf8').on('data', (d: string) => {
        const text = this.partial[stream] + d;
        const parts = text.split('\n');
        this.partial[stream] = parts.pop()!;
        for (const p of parts) this.lines.push({ stream, text: p.replace(/\r$/, '') });
      });
    }
    child.on('exit', (code) => (this.exited = code));
  }

  text(): string {
    return this.lines.map((l) => l.text).join('\n');
  }

  async waitFor(re: RegExp, what: string, timeoutMs: number): Promise<string> {
    return until(what, timeoutMs, () => {
      const hit = this.lines.find((l) => re.test(l.text));
      if (hit) return hit.text;
      if (this.exited !== undefined)
        throw new Error(
          `${what}: the process exited (${this.exited}) first:\n${this.text().slice(-3000)}`,
        );
      return undefined;
    });
  }

  async stop(): Promise<void> {
    if (this.exited !== undefined) return;
    const done = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), 3_000);
    await done;
    clearTimeout(t);
  }

  kill(): Promise<void> {
    if (this.exited !== undefined) return Promise.resolve();
    const done = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill('SIGKILL');
    return done;
  }
}

interface Post {
  path: string;
  body: Buffer;
  at: number;
}

export interface Recorder {
  url: string;
  /** Every export that passed, decompressed. */
  posts: Post[];
  close: () => Promise<void>;
}

/** Sits between the app's exporter and `prodlens serve`: keeps a copy of every export, forwards it. */
export async function startRecorder(target: string): Promise<Recorder> {
  const posts: Post[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const path = (req.url ?? '').split('?')[0]!;
      const gz = /gzip/.test(String(req.headers['content-encoding'] ?? ''));
      const headers: Record<string, string> = {};
      for (const h of ['content-type', 'content-encoding'])
        if (req.headers[h]) headers[h] = String(req.headers[h]);
      fetch(new URL(req.url ?? '/', target), {
        method: req.method ?? 'POST',
        headers,
        body: req.method === 'GET' ? undefined : raw,
      })
        .then(async (r) => {
          const body = Buffer.from(await r.arrayBuffer());
          posts.push({ path, body: gz ? gunzipSync(raw) : raw, at: Date.now() });
          res.writeHead(r.status, {
            'content-type': r.headers.get('content-type') ?? 'application/x-protobuf',
          });
          res.end(body);
        })
        .catch((e: unknown) => {
          res.writeHead(502);
          res.end(String(e));
        });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    posts,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** The folder the app runs from and ProdLens looks at: the corpus folder, or a compiled copy of it. */
export async function prepareWorkspace(app: AppSpec, workDir: string): Promise<string> {
  const src = join(CORPUS, app.dir);
  if (!app.tsconfig) return src;
  const ws = join(workDir, 'workspace');
  rmSync(ws, { recursive: true, force: true });
  cpSync(src, ws, { recursive: true, filter: (p) => !/[\\/](dist|node_modules)$/.test(p) });
  const r = await run(process.execPath, [TSC, '-p', join(ws, app.tsconfig)], {
    timeoutMs: 120_000,
  });
  if (r.status !== 0)
    throw new Error(`tsc -p ${app.dir}/${app.tsconfig} failed:\n${r.stdout}${r.stderr}`);
  return ws;
}

export interface Sent {
  key: string;
  status: number;
}

async function drive(port: number, requests: RequestSpec[]): Promise<Sent[]> {
  const sent: Sent[] = [];
  for (const spec of requests) {
    const [method, path] = spec.request.split(' ') as [string, string];
    for (let i = 0; i < (spec.times ?? 2); i++) {
      const headers: Record<string, string> = { ...(spec.headers ?? {}) };
      let body: string | undefined;
      if (spec.body !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(spec.body);
      }
      const res = await fetch(`http://127.0.0.1:${port}${path}`, {
        method,
        headers,
        body,
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
      sent.push({ key: spec.request, status: res.status });
    }
  }
  return sent;
}

/** What one run of an app left: the requests sent, what it exported and what it printed. */
export interface Recorded {
  sent: Sent[];
  spans: SpanRecord[];
  logRecords: LogRecordData[];
  output: Proc['lines'];
}

/**
 * Runs the app under stock auto-instrumentation (exporting through `recorder`), drives every
 * request and waits for its export to settle. The app is stopped when this returns or throws.
 */
export async function runApp(
  app: AppSpec,
  workspace: string,
  expected: Expected,
  recorder: Recorder,
  ctx: { t0: number; log: (line: string) => void; problems: string[] },
): Promise<Recorded> {
  const { t0, log, problems } = ctx;
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OTEL_EXPORTER_OTLP_ENDPOINT: recorder.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_SERVICE_NAME: `corpus-${app.name}`,
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_LOGS_EXPORTER: 'otlp',
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_BSP_SCHEDULE_DELAY: '200',
    OTEL_BLRP_SCHEDULE_DELAY: '200',
    // The cloud detectors would probe metadata endpoints that are not there.
    OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process',
    PORT: String(port),
    ...(app.env ?? {}),
  };
  const preload = [
    '--require',
    '@opentelemetry/auto-instrumentations-node/register',
    ...(app.codeOrigin ? ['--require', CODE_ORIGIN] : []),
  ];
  const appProc = new Proc(
    spawn(process.execPath, [...preload, app.entry], {
      cwd: workspace,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  try {
    await appProc.waitFor(/listening/i, `${app.name} to listen`, 30_000);
    log(`${app.name}: app up on :${port} after ${Date.now() - t0} ms`);

    const sent = await drive(port, expected.requests);
    const keys = new Set(expected.requests.map((q) => q.request));
    const serverSpans = () => {
      let n = 0;
      for (const p of recorder.posts)
        if (p.path.endsWith('/v1/traces'))
          for (const s of decodeTraces(p.body, 'protobuf').spans) if (requestOf(s, keys)) n++;
      return n;
    };
    try {
      await until('every request’s server span', 15_000, () => serverSpans() >= sent.length);
    } catch (e) {
      problems.push((e as Error).message);
    }
    // Logs (and any straggling spans) follow in their own batches: wait for the export to go quiet.
    await until(
      'the export to go quiet',
      5_000,
      () => Date.now() - Math.max(0, ...recorder.posts.map((p) => p.at)) > 400,
    ).catch(() => undefined);
    await appProc.kill();
    log(`${app.name}: ${sent.length} requests exported after ${Date.now() - t0} ms`);

    const spans: SpanRecord[] = [];
    const logRecords: LogRecordData[] = [];
    for (const p of recorder.posts) {
      if (p.path.endsWith('/v1/traces')) spans.push(...decodeTraces(p.body, 'protobuf').spans);
      else if (p.path.endsWith('/v1/logs')) logRecords.push(...decodeLogs(p.body, 'protobuf').logs);
    }
    return { sent, spans, logRecords, output: appProc.lines };
  } finally {
    await appProc.kill();
  }
}

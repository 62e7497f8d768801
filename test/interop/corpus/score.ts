// The corpus scorer: runs each small app of test/interop/corpus under the real
// `@opentelemetry/auto-instrumentations-node` (stock `--require …/register`), feeds its OTLP export
// to a `prodlens serve` (through a recorder that keeps a copy), drives every route, and scores what
// ProdLens made of it against the app's expected.json: server spans → route handlers
// (`report --json`), exception frames (`locate --stack` on the stacks the app printed, `locate
// --span` on the spans' exception events) and log lines (`locate --log-file`).
//
//   node --import tsx test/interop/corpus/score.ts [app...] [--src] [--spans] [--quiet]
//     --src    run the CLI from src/ (tsx) instead of dist/cli.js: no rebuild between edits
//     --spans  also print each app's span shapes (names, kinds, key attributes) and log records
// Everything a run saw (spans, log records, app output, the CLI's answers) stays in
// test-results/corpus/<app>/.
//
// Attribution: every request of an app has its own method and path, so each server span says which
// request it served (`http.request.method` + `url.path`/`url.query`, or the older `http.method` +
// `http.target`) and the spans of its trace follow it. The recorded export is re-labelled
// (service.name := the request, or `<request> · internal` for the spans below the server span)
// and reported again with `report --otlp-file`: the rows' `services` then say which requests'
// spans each row counts. That report must equal the live `report --from` row for row (same spans,
// only the labels differ).
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { decodeLogs, decodeTraces } from '../../../src/core/ingest/otlp-decode';
import type { AttributeValue, Attributes, LogRecordData, SpanRecord } from '../../../src/core/model';

export const ROOT = join(__dirname, '..', '..', '..');
export const CORPUS = __dirname;
/** Built TypeScript apps, recorded spans and the CLI's answers land here (git- and lint-ignored). */
export const RUN_DIR = join(ROOT, 'test-results', 'corpus');
const CLI = join(ROOT, 'dist', 'cli.js');
const CLI_SRC = join(ROOT, 'src', 'cli', 'main.ts');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

export interface AppSpec {
  /** Name in tables and under test-results/corpus/. */
  name: string;
  /** Folder under test/interop/corpus holding the sources and expected.json. */
  dir: string;
  framework: string;
  /** Entry file, relative to the app folder (for TypeScript apps: the compiled one). */
  entry: string;
  /** TypeScript apps: the tsconfig (relative to the app folder) that compiles src/ into dist/. */
  tsconfig?: string;
  env?: Record<string, string>;
  note?: string;
}

export const APPS: AppSpec[] = [
  { name: 'express-api', dir: 'express-api', framework: 'express', entry: 'app.js', note: 'Express 5, routers mounted from other files, wrapped handlers, controller objects' },
  { name: 'express-ts', dir: 'express-ts', framework: 'express', entry: 'dist/server.js', tsconfig: 'tsconfig.json', note: 'Express + tsc, runs from dist/ with source maps' },
  { name: 'express-ts-nomap', dir: 'express-ts', framework: 'express', entry: 'dist/server.js', tsconfig: 'tsconfig.nomap.json', note: 'the same compiled to ES2016 without source maps' },
  { name: 'fastify', dir: 'fastify-api', framework: 'fastify', entry: 'server.js', note: 'Fastify 5 + @fastify/autoload, stock auto-instrumentation only' },
  { name: 'fastify-otel', dir: 'fastify-api', framework: 'fastify', entry: 'server.js', env: { FASTIFY_OTEL: '1' }, note: 'the same app with @fastify/otel registered' },
  { name: 'koa', dir: 'koa-api', framework: 'koa', entry: 'app.js', note: 'Koa 3 + @koa/router, nested routers with prefixes' },
  { name: 'nest', dir: 'nest-api', framework: 'nestjs', entry: 'dist/main.js', tsconfig: 'tsconfig.json', note: 'NestJS (tsc, legacy decorators), global prefix, URI versioning' },
  { name: 'hapi', dir: 'hapi-api', framework: 'hapi', entry: 'server.js', note: '@hapi/hapi, routes in a plugin with a prefix' },
];

/** What the app's handler for a request is, as ProdLens names functions. */
export interface Target {
  file: string;
  function: string;
}

export interface RequestSpec {
  /** `METHOD /concrete/path` (a query string may follow the path). */
  request: string;
  times?: number;
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  expect: Target;
}

export interface ErrorSpec {
  /** The request whose failure logged this stack. */
  request: string;
  /** Text in the stack's first line that tells it apart. */
  message: string;
  /** The stack's frames in the app's own code (helper frames of compiled code left out), top first. */
  frames: Target[];
  /** Another frame list for one app of the folder (compiled without source maps, the async callers are gone). */
  framesIn?: Record<string, Target[]>;
}

export interface LogSpec {
  /** Text that picks the line out of the app's stdout/stderr. */
  contains: string;
  expect: Target;
}

export interface Expected {
  requests: RequestSpec[];
  errors: ErrorSpec[];
  logs: LogSpec[];
}

export interface ReportRow {
  file: string;
  function: string;
  line: number;
  count: number;
  errors: number;
  mappedBy: string;
  confidence: string;
  services: string[];
}

/** Why spans did not map, as `report --json` groups them (when the CLI says). */
export interface UnmappedReason {
  kind: string;
  reason: string;
  count: number;
  expected?: boolean;
  example?: { service: string; span: string; explanation: string };
}

/** `report --json` prints `{ functions, unmapped }` (an array of rows before unmapped reasons came). */
type ReportJsonShape = ReportRow[] | { functions: ReportRow[]; unmapped?: UnmappedReason[] };

function reportJson(j: ReportJsonShape): { functions: ReportRow[]; unmapped: UnmappedReason[] } {
  return Array.isArray(j) ? { functions: j, unmapped: [] } : { functions: j.functions, unmapped: j.unmapped ?? [] };
}

interface LocateRecord {
  source: string;
  kind: string;
  raw: string;
  frameFunction: string | null;
  file: string | null;
  line: number | null;
  function: string | null;
  rule: string;
  confidence: string;
  inWorkspace: boolean;
}

export type Verdict = 'right' | 'wrong' | 'missed' | 'no-span';

export interface RequestResult {
  request: string;
  sent: number;
  /** Server spans recorded for it. */
  serverSpans: number;
  statuses: number[];
  expect: Target;
  verdict: Verdict;
  /** Where its server spans went (or, when they went nowhere, its internal spans). */
  got: string;
  via: 'server' | 'internal' | '';
}

export interface FrameResult {
  request: string;
  message: string;
  /** A stack the app printed (`locate --stack`), or a span's exception event (`locate --span`). */
  origin: 'logged stack' | 'span event';
  found: boolean;
  frames: { expect: Target | null; got: string; raw: string; verdict: Verdict }[];
  helpers: { raw: string; got: string }[];
}

export interface LogResult {
  contains: string;
  line: string | null;
  expect: Target;
  got: string;
  verdict: Verdict;
}

export interface AppResult {
  app: AppSpec;
  requests: RequestResult[];
  /** Rows that count requests other than the ones whose handler they are. */
  impure: { row: string; expected: string[]; foreign: string[] }[];
  /** Handler rows counting more spans than their requests sent (server + internal spans both mapped). */
  overcount: { row: string; count: number; requests: number }[];
  /** Why the rest did not map, per the (re-labelled) report: its example names the request. */
  unmapped: UnmappedReason[];
  /** Rows mapped to functions no request expects (middleware, wrappers, helpers). */
  otherRows: { row: string; count: number; services: string[] }[];
  frames: FrameResult[];
  logs: LogResult[];
  /** Problems with the app or the pipeline itself (status codes, missing spans, live ≠ relabelled). */
  problems: string[];
  /** What the telemetry lacked, not ProdLens (no exception event on any span, …). */
  notes: string[];
  spans: SpanRecord[];
  logRecords: LogRecordData[];
  liveRows: ReportRow[];
  ms: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, timeoutMs: number, probe: () => T | undefined | false): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): Promise<Run> {
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

function cliArgs(o: ScoreOptions, args: string[]): string[] {
  return o.fromSource ? ['--import', 'tsx', CLI_SRC, ...args] : [CLI, ...args];
}

const cli = (o: ScoreOptions, args: string[]): Promise<Run> => run(process.execPath, cliArgs(o, args));

/** The command's JSON answer; a failing command is a problem of the run and answers `fallback`. */
function cliJson<T>(r: Run, what: string, problems: string[], fallback: T): T {
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
class Proc {
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
      if (this.exited !== undefined) throw new Error(`${what}: the process exited (${this.exited}) first:\n${this.text().slice(-3000)}`);
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

/** Sits between the app's exporter and `prodlens serve`: keeps a copy of every export, forwards it. */
async function startRecorder(target: string): Promise<{ url: string; posts: Post[]; close: () => Promise<void> }> {
  const posts: Post[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const path = (req.url ?? '').split('?')[0]!;
      const gz = /gzip/.test(String(req.headers['content-encoding'] ?? ''));
      const headers: Record<string, string> = {};
      for (const h of ['content-type', 'content-encoding']) if (req.headers[h]) headers[h] = String(req.headers[h]);
      fetch(new URL(req.url ?? '/', target), { method: req.method ?? 'POST', headers, body: req.method === 'GET' ? undefined : raw })
        .then(async (r) => {
          const body = Buffer.from(await r.arrayBuffer());
          posts.push({ path, body: gz ? gunzipSync(raw) : raw, at: Date.now() });
          res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/x-protobuf' });
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
  return { url: `http://127.0.0.1:${port}`, posts, close: () => new Promise((r) => server.close(() => r())) };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export function loadExpected(app: AppSpec): Expected {
  return JSON.parse(readFileSync(join(CORPUS, app.dir, 'expected.json'), 'utf8')) as Expected;
}

/** The folder the app runs from and ProdLens looks at: the corpus folder, or a compiled copy of it. */
async function prepareWorkspace(app: AppSpec, workDir: string): Promise<string> {
  const src = join(CORPUS, app.dir);
  if (!app.tsconfig) return src;
  const ws = join(workDir, 'workspace');
  rmSync(ws, { recursive: true, force: true });
  cpSync(src, ws, { recursive: true, filter: (p) => !/[\\/](dist|node_modules)$/.test(p) });
  const r = await run(process.execPath, [TSC, '-p', join(ws, app.tsconfig)], { timeoutMs: 120_000 });
  if (r.status !== 0) throw new Error(`tsc -p ${app.dir}/${app.tsconfig} failed:\n${r.stdout}${r.stderr}`);
  return ws;
}

interface Sent {
  key: string;
  status: number;
}

/** The request a server span served, as expected.json spells requests (`GET /path?query`). */
export function requestOf(span: SpanRecord, keys: ReadonlySet<string>): string | undefined {
  if (span.kind !== 2) return undefined;
  const a = span.attributes;
  const method = String(a['http.request.method'] ?? a['http.method'] ?? '').toUpperCase();
  const path = a['url.path'] ?? a['http.target'];
  if (!method || typeof path !== 'string') return undefined;
  const query = a['url.query'];
  for (const k of [`${method} ${path}`, typeof query === 'string' && query ? `${method} ${path}?${query}` : '', `${method} ${path.split('?')[0]}`]) if (keys.has(k)) return k;
  return undefined;
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
      const res = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers, body, signal: AbortSignal.timeout(10_000) });
      await res.arrayBuffer();
      sent.push({ key: spec.request, status: res.status });
    }
  }
  return sent;
}

// ---------------------------------------------------------------------------------------------
// Re-labelling: the recorded spans as OTLP/JSON, each span's service named after its request.

function anyValue(v: AttributeValue): Record<string, unknown> {
  if (v === null) return {};
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(anyValue) } };
  return { kvlistValue: { values: Object.entries(v).map(([key, value]) => ({ key, value: anyValue(value) })) } };
}

const kvs = (a: Attributes) => Object.entries(a).map(([key, value]) => ({ key, value: anyValue(value) }));
const nanos = (ms: number) => (BigInt(Math.round(ms * 1000)) * 1000n).toString();

function otlpJson(groups: Map<string, SpanRecord[]>): string {
  const resourceSpans = [...groups].filter(([, spans]) => spans.length > 0).map(([service, spans]) => {
    const r = spans[0]!.resource;
    const res: Attributes = { 'service.name': service };
    if (r.environment) res['deployment.environment.name'] = r.environment;
    if (r.version) res['service.version'] = r.version;
    if (r.revision) res['vcs.ref.head.revision'] = r.revision;
    return {
      resource: { attributes: kvs(res) },
      scopeSpans: [
        {
          scope: { name: 'corpus-relabel' },
          spans: spans.map((s) => ({
            traceId: s.traceId,
            spanId: s.spanId,
            ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
            name: s.name,
            kind: s.kind,
            startTimeUnixNano: nanos(s.startMs),
            endTimeUnixNano: nanos(s.startMs + s.durationMs),
            attributes: kvs(s.attributes),
            events: s.events.map((e) => ({ timeUnixNano: nanos(e.timeMs), name: e.name, attributes: kvs(e.attributes) })),
            status: { code: s.statusCode, ...(s.statusMessage ? { message: s.statusMessage } : {}) },
          })),
        },
      ],
    };
  });
  return JSON.stringify({ resourceSpans });
}

export const INTERNAL = ' · internal';
export const STARTUP = '(no request)';

// ---------------------------------------------------------------------------------------------
// Stacks and log lines out of the app's output.

interface Stack {
  text: string;
  header: string;
}

/** Every stack the app printed: raw `    at …` blocks (console.error(err.stack), Nest) and `stack` fields of JSON lines (pino). */
export function extractStacks(lines: readonly string[]): Stack[] {
  const out: Stack[] = [];
  const fromJson = (v: unknown) => {
    if (!v || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (k === 'stack' && typeof x === 'string' && /\n\s+at /.test(x)) out.push({ text: x, header: x.split('\n')[0]! });
      else if (x && typeof x === 'object') fromJson(x);
    }
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('{')) {
      try {
        fromJson(JSON.parse(line));
      } catch {
        // not JSON after all
      }
      continue;
    }
    if (/^\s+at /.test(line) && i > 0 && !/^\s+at /.test(lines[i - 1]!)) {
      let start = i - 1;
      // A multi-line message: walk back to the line that names the error.
      while (start > 0 && !/\w*(Error|Exception|Declined)\b.*:/.test(lines[start]!) && i - start < 5) start--;
      let end = i;
      while (end + 1 < lines.length && /^\s+at /.test(lines[end + 1]!)) end++;
      const block = lines.slice(start, end + 1);
      out.push({ text: block.join('\n'), header: block[0]! });
      i = end;
    }
  }
  return out;
}

/** Frames of the helpers tsc emits for async functions below ES2017: they are no one's handler. */
const HELPER_FRAME = /^(__awaiter|fulfilled|rejected|step|Generator\.next|new Promise)$/;

// ---------------------------------------------------------------------------------------------

const target = (t: { file: string | null; function: string | null } | undefined) => (t && t.file ? `${t.function ?? '(no function)'} @ ${t.file}` : '(nothing)');
/**
 * The same function: same file, and the name expected or that name under containers ProdLens puts
 * in front (`exports.GET /status` for an inline handler inside `module.exports = async function (fastify) {…}`).
 */
export const sameTarget = (a: Target, b: { file: string | null; function: string | null }) => a.file === b.file && !!b.function && (b.function === a.function || b.function.endsWith(`.${a.function}`));

export async function scoreApp(app: AppSpec, o: ScoreOptions = {}): Promise<AppResult> {
  const t0 = Date.now();
  const log = o.log ?? (() => {});
  const expected = loadExpected(app);
  const workDir = join(RUN_DIR, app.name);
  rmSync(join(workDir, 'serve-data'), { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  if (!o.fromSource && !existsSync(CLI)) throw new Error('dist/cli.js missing: run `npm run build` first (or pass --src)');
  const problems: string[] = [];
  const notes: string[] = [];
  const workspace = await prepareWorkspace(app, workDir);
  log(`${app.name}: workspace ${relative(ROOT, workspace)}`);

  const serve = new Proc(spawn(process.execPath, cliArgs(o, ['serve', '--workspace', workspace, '--port', '0', '--grpc-port', '0', '--data-dir', join(workDir, 'serve-data')]), { stdio: ['ignore', 'pipe', 'pipe'] }));
  let appProc: Proc | undefined;
  let recorder: Awaited<ReturnType<typeof startRecorder>> | undefined;
  try {
    const listening = await serve.waitFor(/^listening on http:\/\//, 'prodlens serve to listen', 60_000);
    const serveUrl = listening.replace(/^listening on /, '').trim();
    recorder = await startRecorder(serveUrl);
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
    appProc = new Proc(spawn(process.execPath, ['--require', '@opentelemetry/auto-instrumentations-node/register', app.entry], { cwd: workspace, env, stdio: ['ignore', 'pipe', 'pipe'] }));
    await appProc.waitFor(/listening/i, `${app.name} to listen`, 30_000);
    log(`${app.name}: app up on :${port} after ${Date.now() - t0} ms`);

    const sent = await drive(port, expected.requests);
    const keys = new Set(expected.requests.map((q) => q.request));
    const serverSpans = () => {
      let n = 0;
      for (const p of recorder!.posts) if (p.path.endsWith('/v1/traces')) for (const s of decodeTraces(p.body, 'protobuf').spans) if (requestOf(s, keys)) n++;
      return n;
    };
    try {
      await until('every request’s server span', 15_000, () => serverSpans() >= sent.length);
    } catch (e) {
      problems.push((e as Error).message);
    }
    // Logs (and any straggling spans) follow in their own batches: wait for the export to go quiet.
    await until('the export to go quiet', 5_000, () => Date.now() - Math.max(0, ...recorder!.posts.map((p) => p.at)) > 400).catch(() => undefined);
    await appProc.kill();
    log(`${app.name}: ${sent.length} requests exported after ${Date.now() - t0} ms`);

    const spans: SpanRecord[] = [];
    const logRecords: LogRecordData[] = [];
    for (const p of recorder.posts) {
      if (p.path.endsWith('/v1/traces')) spans.push(...decodeTraces(p.body, 'protobuf').spans);
      else if (p.path.endsWith('/v1/logs')) logRecords.push(...decodeLogs(p.body, 'protobuf').logs);
    }
    writeFileSync(join(workDir, 'spans.json'), JSON.stringify(spans, null, 1));
    writeFileSync(join(workDir, 'logs.json'), JSON.stringify(logRecords, null, 1));
    const output = appProc.lines.map((l) => l.text);
    writeFileSync(join(workDir, 'app-output.log'), appProc.lines.map((l) => `${l.stream === 'stderr' ? 'E' : 'O'} ${l.text}`).join('\n') + '\n');

    // Which request each span served; server spans apart from the spans below them.
    const traceOf = new Map<string, string>();
    for (const s of spans) {
      const key = requestOf(s, keys);
      if (key) traceOf.set(s.traceId, key);
    }
    const groups = new Map<string, SpanRecord[]>();
    for (const s of spans) {
      const key = traceOf.get(s.traceId);
      const label = key === undefined ? STARTUP : s.kind === 2 ? key : `${key}${INTERNAL}`;
      let g = groups.get(label);
      if (!g) groups.set(label, (g = []));
      g.push(s);
    }
    const relabelled = join(workDir, 'relabelled.otlp.json');
    writeFileSync(relabelled, otlpJson(groups) + '\n');

    const stacks = extractStacks(output);
    const stackFiles: { spec: ErrorSpec; file: string | null }[] = expected.errors.map((spec, i) => {
      const st = stacks.find((s) => s.header.includes(spec.message));
      if (!st) return { spec, file: null };
      const file = join(workDir, `stack-${i}.txt`);
      writeFileSync(file, st.text + '\n');
      return { spec, file };
    });
    const logLines = expected.logs.map((spec) => output.find((l) => l.includes(spec.contains)) ?? null);
    const logFile = join(workDir, 'log-lines.txt');
    writeFileSync(logFile, logLines.map((l) => l ?? '(line not printed)').join('\n') + '\n');

    // The same failures as the spans recorded them: one span per error with its `exception` event.
    const eventSpans = expected.errors.map((spec) => spans.find((s) => traceOf.get(s.traceId) === spec.request && s.events.some((e) => e.name === 'exception' && String(e.attributes['exception.stacktrace'] ?? '').split('\n')[0]!.includes(spec.message))));
    const eventFile = join(workDir, 'error-spans.otlp.json');
    const withEvents = eventSpans.filter((s): s is SpanRecord => s !== undefined);
    writeFileSync(eventFile, otlpJson(new Map([[`corpus-${app.name}`, withEvents]])) + '\n');

    const [live, attributed, located, eventRun, ...stackRuns] = await Promise.all([
      cli(o, ['report', '--workspace', workspace, '--from', serveUrl, '--json', '--window', '15m']),
      cli(o, ['report', '--workspace', workspace, '--otlp-file', relabelled, '--json', '--window', '15m']),
      expected.logs.length ? cli(o, ['locate', '--workspace', workspace, '--log-file', logFile, '--json']) : Promise.resolve({ status: 0, stdout: '[]', stderr: '' }),
      withEvents.length ? cli(o, ['locate', '--workspace', workspace, '--span', eventFile, '--json']) : Promise.resolve({ status: 0, stdout: '[]', stderr: '' }),
      ...stackFiles.map((s) => (s.file ? cli(o, ['locate', '--workspace', workspace, '--stack', s.file, '--json']) : Promise.resolve({ status: 0, stdout: '[]', stderr: '' }))),
    ]);
    writeFileSync(join(workDir, 'report-live.json'), live!.stdout);
    writeFileSync(join(workDir, 'report-attributed.json'), attributed!.stdout);
    const liveReport = reportJson(cliJson<ReportJsonShape>(live!, 'report --from', problems, []));
    const liveRows = liveReport.functions;
    const { functions: rows, unmapped } = reportJson(cliJson<ReportJsonShape>(attributed!, 'report --otlp-file', problems, []));
    const rowKey = (r: ReportRow) => `${r.function} @ ${r.file}`;
    const liveSig = liveRows.map((r) => `${rowKey(r)} ×${r.count}`).sort();
    const relSig = rows.map((r) => `${rowKey(r)} ×${r.count}`).sort();
    if (liveSig.join('\n') !== relSig.join('\n')) problems.push(`report --from and the re-labelled report differ:\n  live: ${liveSig.join('; ')}\n  relabelled: ${relSig.join('; ')}`);

    // Requests → verdicts.
    /** The requests whose handler a row is. */
    const ownersOf = (row: ReportRow) => expected.requests.filter((q) => sameTarget(q.expect, row)).map((q) => q.request);
    const requests: RequestResult[] = expected.requests.map((spec) => {
      const mine = sent.filter((s) => s.key === spec.request);
      const nServer = spans.filter((s) => s.kind === 2 && traceOf.get(s.traceId) === spec.request).length;
      const statuses = [...new Set(mine.map((s) => s.status))];
      if (spec.status !== undefined ? statuses.some((s) => s !== spec.status) : statuses.some((s) => s >= 400)) problems.push(`${spec.request} answered ${statuses.join('/')}${spec.status !== undefined ? `, expected ${spec.status}` : ''}`);
      const base: Omit<RequestResult, 'verdict' | 'got' | 'via'> = { request: spec.request, sent: mine.length, serverSpans: nServer, statuses, expect: spec.expect };
      if (nServer === 0) return { ...base, verdict: 'no-span', got: '(no server span)', via: '' };
      const viaServer = rows.filter((r) => r.services.includes(spec.request));
      if (viaServer.length) {
        const ok = viaServer.every((r) => sameTarget(spec.expect, r));
        return { ...base, verdict: ok ? 'right' : 'wrong', got: viaServer.map((r) => `${target(r)} [${r.mappedBy}, ${r.confidence}]`).join(' + '), via: 'server' };
      }
      const viaInternal = rows.filter((r) => r.services.includes(`${spec.request}${INTERNAL}`));
      const hit = viaInternal.find((r) => sameTarget(spec.expect, r));
      const wrongHandler = viaInternal.filter((r) => !sameTarget(spec.expect, r) && ownersOf(r).length > 0);
      if (hit && wrongHandler.length === 0) return { ...base, verdict: 'right', got: `${target(hit)} [${hit.mappedBy}, ${hit.confidence}]`, via: 'internal' };
      if (wrongHandler.length) return { ...base, verdict: 'wrong', got: wrongHandler.map((r) => `${target(r)} [${r.mappedBy}, ${r.confidence}]`).join(' + '), via: 'internal' };
      return { ...base, verdict: 'missed', got: '(unmapped)', via: '' };
    });

    const impure: AppResult['impure'] = [];
    const overcount: AppResult['overcount'] = [];
    const otherRows: AppResult['otherRows'] = [];
    for (const r of rows) {
      const owners = ownersOf(r);
      const services = [...new Set(r.services.map((s) => (s.endsWith(INTERNAL) ? s.slice(0, -INTERNAL.length) : s)))];
      if (!owners.length) {
        otherRows.push({ row: rowKey(r), count: r.count, services });
        continue;
      }
      const foreign = services.filter((s) => !owners.includes(s));
      if (foreign.length) impure.push({ row: rowKey(r), expected: owners, foreign });
      const nReq = sent.filter((s) => owners.includes(s.key)).length;
      if (r.count > nReq) overcount.push({ row: rowKey(r), count: r.count, requests: nReq });
    }

    // Frames: of the stacks the app logged, and of the spans' exception events.
    const judge = (spec: ErrorSpec, origin: FrameResult['origin'], records: LocateRecord[] | undefined): FrameResult => {
      const res: FrameResult = { request: spec.request, message: spec.message, origin, found: records !== undefined, frames: [], helpers: [] };
      if (!records) return res;
      const user = records.filter((r) => r.kind === 'frame' && r.raw.includes(workspace) && !r.raw.includes('node_modules'));
      const own = user.filter((r) => !HELPER_FRAME.test(r.frameFunction ?? ''));
      for (const r of user) if (!own.includes(r)) res.helpers.push({ raw: r.raw.trim(), got: target(r) });
      const wanted = spec.framesIn?.[app.name] ?? spec.frames;
      const n = Math.max(own.length, wanted.length);
      for (let k = 0; k < n; k++) {
        const exp = wanted[k] ?? null;
        const r = own[k];
        const verdict: Verdict = exp && r && sameTarget(exp, r) ? 'right' : r?.function ? 'wrong' : 'missed';
        res.frames.push({ expect: exp, got: r ? target(r) : '(no frame)', raw: r?.raw.trim() ?? '', verdict });
      }
      return res;
    };
    const eventRecords = cliJson<LocateRecord[]>(eventRun!, 'locate --span', problems, []);
    const frames: FrameResult[] = [
      ...stackFiles.map((s, i) => judge(s.spec, 'logged stack', s.file ? cliJson<LocateRecord[]>(stackRuns[i]!, `locate --stack ${s.file}`, problems, []) : undefined)),
      // Only where the instrumentation recorded the exception on a span (stock Fastify records none).
      ...expected.errors.flatMap((spec, i) => {
        const span = eventSpans[i];
        return span ? [judge(spec, 'span event', eventRecords.filter((r) => r.source.includes(span.spanId)))] : [];
      }),
    ];
    for (const spec of expected.errors.filter((_, i) => !eventSpans[i])) notes.push(`no span of ${spec.request} carries an exception event for "${spec.message}"`);

    // Log lines.
    const locatedRecords = cliJson<LocateRecord[]>(located!, 'locate --log-file', problems, []);
    const logs: LogResult[] = expected.logs.map((spec, i) => {
      const rec = locatedRecords.find((r) => r.kind === 'log-statement' && r.source === `${logFile}:${i + 1}`);
      const line = logLines[i] ?? null;
      const verdict: Verdict = line !== null && rec && sameTarget(spec.expect, rec) ? 'right' : rec?.function ? 'wrong' : 'missed';
      return { contains: spec.contains, line, expect: spec.expect, got: line === null ? '(line not printed)' : target(rec), verdict };
    });

    const result: AppResult = { app, requests, impure, overcount, unmapped, otherRows, frames, logs, problems, notes, spans, logRecords, liveRows, ms: Date.now() - t0 };
    writeFileSync(join(workDir, 'score.json'), JSON.stringify({ ...result, spans: undefined, logRecords: undefined }, null, 1));
    return result;
  } finally {
    await appProc?.kill();
    await serve.stop();
    await recorder?.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Numbers and tables.

/** Right, wrong and missed of one kind of mapping; precision = right / (right + wrong), recall = right / total. */
export interface Score {
  total: number;
  right: number;
  wrong: number;
  missed: number;
  precision: number;
  recall: number;
}

function score(verdicts: Verdict[]): Score {
  const n = (v: Verdict) => verdicts.filter((x) => x === v).length;
  const right = n('right');
  const wrong = n('wrong');
  const total = verdicts.length - n('no-span');
  return { total, right, wrong, missed: n('missed'), precision: right + wrong ? right / (right + wrong) : 1, recall: total ? right / total : 1 };
}

export interface Numbers {
  /** Requests (route requests as expected.json lists them); `total` counts those whose server span arrived. */
  routes: Score & { requests: number };
  /** Frames of the stacks the app printed, and of the spans' exception events. */
  frames: Score;
  eventFrames: Score;
  logs: Score;
}

const frameScore = (fs: FrameResult[]) => score(fs.flatMap((f) => (f.found ? f.frames.map((x) => x.verdict) : ['missed' as const])));

export function numbers(r: AppResult): Numbers {
  return {
    routes: { ...score(r.requests.map((q) => q.verdict)), requests: r.requests.length },
    frames: frameScore(r.frames.filter((f) => f.origin === 'logged stack')),
    eventFrames: frameScore(r.frames.filter((f) => f.origin === 'span event')),
    logs: score(r.logs.map((l) => l.verdict)),
  };
}

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

export function table(results: AppResult[]): string {
  const head = ['app', 'framework', 'routes', 'hit', 'right', 'wrong', 'missed', 'precision', 'recall', 'impure rows', 'frames r/w/n', 'event frames', 'logs r/w/n', 'time'];
  const rwn = (s: Score) => `${s.right}/${s.wrong}/${s.total}`;
  const body = results.map((r) => {
    const { routes: n, frames, eventFrames, logs } = numbers(r);
    return [r.app.name, r.app.framework, String(n.requests), String(n.total), String(n.right), String(n.wrong), String(n.missed), pct(n.precision), pct(n.recall), String(r.impure.length), rwn(frames), rwn(eventFrames), rwn(logs), `${(r.ms / 1000).toFixed(1)}s`];
  });
  const all = [head, ...body];
  const widths = head.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
  return all.map((row) => row.map((c, i) => (i >= 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ')).join('\n');
}

const mark = (v: Verdict) => (v === 'right' ? 'ok   ' : v === 'wrong' ? 'WRONG' : v === 'missed' ? 'miss ' : 'NOSPN');

export function details(r: AppResult): string {
  const out: string[] = [`── ${r.app.name} (${r.app.note ?? r.app.framework})`];
  for (const q of r.requests) {
    out.push(`  ${mark(q.verdict)} ${q.request.padEnd(34)} → ${q.verdict === 'right' ? q.got : `${q.got}; expected ${target(q.expect)}`}${q.via === 'internal' ? ' (via internal spans)' : ''}`);
  }
  for (const i of r.impure) out.push(`  IMPURE ${i.row}: counts ${i.foreign.join(', ')} (its requests: ${i.expected.join(', ')})`);
  for (const c of r.overcount) out.push(`  note: ${c.row} counts ${c.count} spans for ${c.requests} requests`);
  for (const x of r.otherRows) out.push(`  other row: ${x.row} ×${x.count} (${x.services.slice(0, 4).join(', ')}${x.services.length > 4 ? ', …' : ''})`);
  for (const u of r.unmapped) out.push(`  unmapped ×${u.count} ${u.kind}${u.expected ? ' (expected)' : ''}: ${u.example ? `e.g. "${u.example.span}" of ${u.example.service}: ${u.example.explanation}` : u.reason}`);
  for (const f of r.frames) {
    if (!f.found) {
      out.push(`  STACK  ${f.request} "${f.message}": no such ${f.origin === 'span event' ? "exception event on the request's spans" : "stack in the app's output"}`);
      continue;
    }
    out.push(`  ${f.origin === 'span event' ? 'event' : 'stack'}  ${f.request} "${f.message}":`);
    for (const fr of f.frames) out.push(`    ${mark(fr.verdict)} ${fr.raw || '(missing frame)'} → ${fr.got}${fr.verdict === 'right' ? '' : `; expected ${fr.expect ? target(fr.expect) : '(no frame)'}`}`);
    for (const h of f.helpers) out.push(`    helper ${h.raw} → ${h.got}`);
  }
  for (const l of r.logs) out.push(`  ${mark(l.verdict)} log "${l.contains}" → ${l.got}${l.verdict === 'right' ? '' : `; expected ${target(l.expect)}`}`);
  for (const n of r.notes) out.push(`  note: ${n}`);
  for (const p of r.problems) out.push(`  PROBLEM ${p}`);
  return out.join('\n');
}

const KEY_ATTRS = /^(http\.route|http\.(request\.)?method|http\.target|url\.(path|query)|http\.(response\.)?status_code|express\.|router\.|koa\.|nestjs\.|hapi\.|fastify\.|hook\.|code\.|service\.name)/;

/** The distinct span shapes of a run: kind, name and the attributes that matter for mapping. */
export function spanShapes(r: AppResult): string {
  const kinds = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
  const seen = new Map<string, { n: number; attrs: Attributes; scope?: string }>();
  for (const s of r.spans) {
    const attrs = Object.fromEntries(Object.entries(s.attributes).filter(([k]) => KEY_ATTRS.test(k)));
    const key = `${kinds[s.kind] ?? s.kind} "${s.name}" ${JSON.stringify(Object.fromEntries(Object.entries(attrs).filter(([k]) => !/status_code|url\.path|http\.target/.test(k))))}`;
    const e = seen.get(key);
    if (e) e.n++;
    else seen.set(key, { n: 1, attrs });
  }
  const out = [`── spans of ${r.app.name}: ${r.spans.length} (${[...seen].length} shapes)`];
  for (const [k, v] of seen) out.push(`  ${String(v.n).padStart(3)}× ${k.split(' {')[0]} ${JSON.stringify(v.attrs)}`);
  if (r.logRecords.length) {
    out.push(`── OTLP log records of ${r.app.name}: ${r.logRecords.length}`);
    for (const l of r.logRecords.slice(0, 12)) out.push(`  ${l.severityText || l.severityNumber} ${JSON.stringify(l.body).slice(0, 100)} ${JSON.stringify(Object.keys(l.attributes))}${l.traceId ? ' (in a trace)' : ''}`);
  }
  return out.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const flags = new Set(argv.filter((a) => a.startsWith('--')));
  const names = argv.filter((a) => !a.startsWith('--'));
  const unknown = names.filter((n) => !APPS.some((a) => a.name === n || a.dir === n));
  if (unknown.length) {
    process.stderr.write(`unknown app ${unknown.join(', ')}; apps: ${APPS.map((a) => a.name).join(', ')}\n`);
    return 2;
  }
  const apps = names.length ? APPS.filter((a) => names.includes(a.name) || names.includes(a.dir)) : APPS;
  const o: ScoreOptions = { fromSource: flags.has('--src'), log: flags.has('--quiet') ? undefined : (l) => process.stderr.write(`${l}\n`) };
  const results: AppResult[] = [];
  for (const app of apps) {
    try {
      const r = await scoreApp(app, o);
      results.push(r);
      if (!flags.has('--quiet')) process.stdout.write(`${details(r)}\n`);
      if (flags.has('--spans')) process.stdout.write(`${spanShapes(r)}\n`);
    } catch (e) {
      process.stdout.write(`── ${app.name}: FAILED TO RUN: ${(e as Error).stack ?? e}\n`);
    }
  }
  process.stdout.write(`\n${table(results)}\n`);
  process.stdout.write(`(details, spans and the CLI's answers: ${relative(process.cwd(), RUN_DIR)}/<app>/)\n`);
  return results.length === apps.length ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      process.stderr.write(`${(e as Error).stack ?? e}\n`);
      process.exitCode = 1;
    },
  );
}

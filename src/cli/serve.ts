// `prodlens serve`: the receivers (OTLP/HTTP, and OTLP/gRPC with --grpc-port) and store without
// an editor. Prints "listening on URL" when ready (then "grpc listening on HOST:PORT"),
// persists aggregates periodically and on SIGTERM/SIGINT, and serves its aggregates to
// `prodlens report --from`.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { startWorkspaceEngine } from '../core/engine/create';
import { engineSinks } from '../core/engine/sinks';
import { IngestWorker } from '../core/ingest-worker/ingest-worker';
import { OtlpGrpcReceiver } from '../core/receiver/grpc-receiver';
import { OtlpHttpReceiver, PortInUseError } from '../core/receiver/http-receiver';
import { CliError } from './errors';
import { engineReport } from './report-rows';
import { workspaceMappingSettings } from './source-flags';
import { workspaceKey, workspaceSpec } from './workspace-arg';

export const AGGREGATES_PATH = 'prodlens/v1/aggregates';
/** How often serve saves its aggregates while new data arrives. */
const SAVE_DIRTY_MS = 2_000;
/** The report as serve maps it (its scanned workspace): `?window=MS&environment=ENV`; the answer names the workspace. */
export const REPORT_PATH = 'prodlens/v1/report';

export interface ServeOptions {
  workspace: string;
  /** Every folder of a multi-root workspace (`--workspace` given more than once); default [workspace]. */
  workspaces?: string[];
  host: string;
  port: number;
  /** OTLP/gRPC beside HTTP on this port (0: any free port); undefined: no gRPC. */
  grpcPort?: number;
  dataDir?: string;
}

export function defaultDataDir(workspace: string): string {
  const id = createHash('sha256').update(resolve(workspace)).digest('hex').slice(0, 12);
  return join(
    process.env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'),
    'prodlens',
    `serve-${id}`,
  );
}

export async function runServe(o: ServeOptions): Promise<void> {
  const started = performance.now();
  const dirs = o.workspaces ?? [o.workspace];
  const workspace = workspaceKey(dirs);
  // One folder keeps the data folder it always had; several are keyed by all of them.
  const dataDir = o.dataDir ?? defaultDataDir(dirs.length === 1 ? dirs[0]! : workspace);
  // Listen first, scan behind: a service started beside serve is never refused, and its first
  // spans are mapped as soon as the workspace's files are known.
  // The workspace's own path mappings and excludes, as report and the editor apply them.
  const { engine, scanned } = await startWorkspaceEngine(
    workspaceSpec(dirs),
    workspaceMappingSettings(dirs),
  );
  await engine.loadAggregates(dataDir).catch((e: unknown) => {
    process.stderr.write(
      `prodlens: warning: ignoring unreadable saved aggregates in ${dataDir}: ${(e as Error).message}\n`,
    );
  });
  // Trace requests are decoded on a worker thread: HTTP keeps flowing while a burst is decoded.
  const ingest = new IngestWorker(engine, (m) => process.stderr.write(`prodlens: warning: ${m}\n`));
  const sinks = engineSinks(engine, ingest);
  const receiver = new OtlpHttpReceiver({
    host: o.host,
    port: o.port,
    sinks,
    extraRoute: (req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://serve');
      if (req.method === 'GET' && url.pathname === `/${REPORT_PATH}`) {
        const windowMs = Number(url.searchParams.get('window'));
        const environment = url.searchParams.get('environment') ?? '';
        // Mapped here, on the workspace serve has already scanned: report --from need not scan again.
        void scanned
          .then(() =>
            engineReport(engine, {
              windowMs: windowMs > 0 ? windowMs : 3_600_000,
              ...(environment ? { environment } : {}),
            }),
          )
          .then((r) => {
            const body = JSON.stringify({ workspace, ...r });
            res.writeHead(200, {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
            });
            res.end(body);
          })
          .catch((e: unknown) => {
            res.writeHead(500, { 'content-type': 'text/plain' });
            res.end(`report failed: ${(e as Error).message}`);
          });
        return true;
      }
      const path = url.pathname;
      if (req.method !== 'GET' || path !== `/${AGGREGATES_PATH}`) return false;
      const body = engine.serializeAggregates();
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
      return true;
    },
  });
  let addr: { url: string };
  try {
    addr = await receiver.start();
  } catch (e) {
    if (e instanceof PortInUseError) throw new CliError(`${e.message}`);
    throw e;
  }
  process.stdout.write(`listening on ${addr.url}\n`);
  const indexing = scanned.then(
    () =>
      process.stderr.write(
        `prodlens: workspace indexed: ${engine.files.size} source files, ${engine.routeCount} routes, in ${Math.round(performance.now() - started)} ms\n`,
      ),
    (e: unknown) =>
      process.stderr.write(
        `prodlens: warning: the workspace scan failed (spans are kept, but map to no file): ${(e as Error).message}\n`,
      ),
  );
  let grpc: OtlpGrpcReceiver | undefined;
  if (o.grpcPort !== undefined) {
    const g = new OtlpGrpcReceiver({ host: o.host, port: o.grpcPort, sinks });
    try {
      const a = await g.start();
      grpc = g;
      process.stdout.write(
        `grpc listening on ${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}\n`,
      );
    } catch (e) {
      // A taken gRPC port (a local Collector) costs gRPC only: OTLP/HTTP keeps serving.
      process.stderr.write(
        `prodlens: warning: OTLP/gRPC not started: ${(e as Error).message}; OTLP/HTTP still serves ${addr.url}\n`,
      );
    }
  }
  const save = () =>
    engine
      .saveAggregates(dataDir)
      .catch((e: unknown) =>
        process.stderr.write(
          `prodlens: warning: could not save aggregates: ${(e as Error).message}\n`,
        ),
      );
  // A crash or a kill loses at most SAVE_DIRTY_MS of data: the store is written (to a temporary
  // file, then renamed over the last one) within that time of any new data, and not otherwise.
  let dirty = false;
  let saving: Promise<unknown> | undefined;
  engine.onDidIngest(() => (dirty = true));
  const timer = setInterval(() => {
    if (!dirty || saving) return;
    dirty = false;
    saving = save().finally(() => (saving = undefined));
  }, SAVE_DIRTY_MS);
  await new Promise<void>((done) => {
    const stop = (signal: string) => {
      process.stderr.write(`prodlens: ${signal}: saving aggregates and shutting down\n`);
      clearInterval(timer);
      void Promise.all([receiver.stop(), grpc?.stop(), indexing])
        .then(() => ingest.dispose())
        .then(save)
        .then(() => done());
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

// Runs the embedded OTLP/HTTP receiver (and OTLP/gRPC beside it, `prodlens.receiver.grpcPort`)
// for the session and reports their state. A taken port is an expected situation (a local
// Collector often owns 4318 and 4317): it becomes a clear status and a notification, never an
// exception, and a taken gRPC port leaves OTLP/HTTP running.
import * as vscode from 'vscode';
import { engineSinks } from '../core/engine/sinks';
import { OtlpGrpcReceiver } from '../core/receiver/grpc-receiver';
import { OtlpHttpReceiver, PortInUseError } from '../core/receiver/http-receiver';
import type { ProdLensConfig } from './config';
import { Commands } from './command-ids';
import { errorMessage, log } from './logging';
import type { Session } from './session';

export type ReceiverState =
  | { kind: 'disabled' }
  | { kind: 'starting' }
  | { kind: 'listening'; url: string; host: string; port: number }
  | { kind: 'error'; message: string; portInUse?: number };

export type GrpcState =
  | { kind: 'off' }
  | { kind: 'listening'; url: string; port: number }
  | { kind: 'error'; message: string; portInUse?: number };

export class ReceiverHost implements vscode.Disposable {
  private receiver: OtlpHttpReceiver | undefined;
  private grpcReceiver: OtlpGrpcReceiver | undefined;
  grpc: GrpcState = { kind: 'off' };
  private readonly emitter = new vscode.EventEmitter<ReceiverState>();
  readonly onDidChangeState = this.emitter.event;
  state: ReceiverState = { kind: 'starting' };

  /** The start under way, and the latest configuration asked for meanwhile (restarts coalesce). */
  private starting: Promise<void> | undefined;
  private queued: ProdLensConfig | undefined;

  constructor(private readonly session: Session) {}

  /**
   * (Re)starts the receivers with `config`. Starts never overlap: a setting changed during a start
   * waits for it, and several changes meanwhile make one more start with the latest (two
   * overlapping starts reported a false "port in use" or left a listener behind).
   */
  start(config: ProdLensConfig): Promise<void> {
    this.queued = config;
    this.starting ??= (async () => {
      while (this.queued) {
        const next = this.queued;
        this.queued = undefined;
        await this.startNow(next);
      }
    })().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async startNow(config: ProdLensConfig): Promise<void> {
    await this.stop();
    this.grpc = { kind: 'off' };
    if (!config.receiverEnabled) return this.set({ kind: 'disabled' });
    const engine = await this.session.ready;
    if (!engine)
      return this.set({ kind: 'error', message: 'the mapping engine failed to start (see logs)' });
    this.set({ kind: 'starting' });
    const sinks = engineSinks(engine, this.session.ingest);
    const grpcStarted = this.startGrpc(config, sinks);
    const receiver = new OtlpHttpReceiver({
      host: config.receiverHost,
      port: config.receiverPort,
      maxBodyBytes: config.maxBodyBytes,
      sinks,
    });
    try {
      const addr = await receiver.start();
      this.receiver = receiver;
      log().info(`OTLP/HTTP receiver listening on ${addr.url}`);
      this.set({ kind: 'listening', url: addr.url, host: addr.host, port: addr.port });
    } catch (e) {
      if (e instanceof PortInUseError) {
        log().warn(e.message);
        this.set({ kind: 'error', message: e.message, portInUse: config.receiverPort });
        const pick = await vscode.window.showWarningMessage(
          `ProdLens: port ${config.receiverPort} is already in use (another OTLP receiver, such as a Collector?). Spans cannot reach the editor until the receiver has a free port.`,
          'Use Another Port',
          'Use Any Free Port',
          'Show Logs',
        );
        if (pick === 'Use Another Port')
          void vscode.commands.executeCommand(Commands.useAnotherPort);
        else if (pick === 'Use Any Free Port')
          await vscode.workspace
            .getConfiguration('prodlens')
            .update('receiver.port', 0, vscode.ConfigurationTarget.Workspace);
        else if (pick === 'Show Logs') log().show();
      } else {
        log().error(`receiver failed to start: ${errorMessage(e)}`);
        this.set({ kind: 'error', message: errorMessage(e) });
      }
    }
    await grpcStarted;
  }

  /** OTLP/gRPC beside HTTP; a failure is reported and leaves HTTP alone. */
  private async startGrpc(
    config: ProdLensConfig,
    sinks: ReturnType<typeof engineSinks>,
  ): Promise<void> {
    if (config.grpcPort === 0) return;
    const receiver = new OtlpGrpcReceiver({
      host: config.receiverHost,
      port: config.grpcPort,
      maxMessageBytes: config.maxBodyBytes,
      sinks,
    });
    try {
      const addr = await receiver.start();
      this.grpcReceiver = receiver;
      log().info(`OTLP/gRPC receiver listening on ${addr.host}:${addr.port}`);
      this.grpc = { kind: 'listening', url: addr.url, port: addr.port };
    } catch (e) {
      const inUse = e instanceof PortInUseError;
      this.grpc = inUse
        ? { kind: 'error', message: e.message, portInUse: config.grpcPort }
        : { kind: 'error', message: errorMessage(e) };
      log().warn(`OTLP/gRPC receiver not started: ${errorMessage(e)}`);
      void vscode.window.showWarningMessage(
        inUse
          ? `ProdLens: OTLP/gRPC port ${config.grpcPort} is already in use (a Collector?). OTLP/HTTP still works; set prodlens.receiver.grpcPort to another port, or 0 to turn gRPC off.`
          : `ProdLens: the OTLP/gRPC receiver did not start (${errorMessage(e)}). OTLP/HTTP still works.`,
      );
    }
    this.emitter.fire(this.state);
  }

  get stats(): OtlpHttpReceiver['stats'] | undefined {
    return this.receiver?.stats;
  }

  async stop(): Promise<void> {
    const r = this.receiver;
    const g = this.grpcReceiver;
    this.receiver = undefined;
    this.grpcReceiver = undefined;
    if (r) await r.stop().catch((e: unknown) => log().warn(`receiver stop: ${errorMessage(e)}`));
    if (g)
      await g.stop().catch((e: unknown) => log().warn(`gRPC receiver stop: ${errorMessage(e)}`));
  }

  private set(s: ReceiverState): void {
    this.state = s;
    this.emitter.fire(s);
  }

  dispose(): void {
    void this.stop();
    this.emitter.dispose();
  }
}

/** The value to put in `OTEL_EXPORTER_OTLP_ENDPOINT` for a listening receiver. */
export function endpointFor(state: ReceiverState): string | undefined {
  if (state.kind !== 'listening') return undefined;
  const host =
    state.host === '0.0.0.0' || state.host === '::'
      ? '127.0.0.1'
      : state.host.includes(':')
        ? `[${state.host}]`
        : state.host;
  return `http://${host}:${state.port}`;
}

// The embedded OTLP/gRPC receiver (port 4317): TraceService, LogsService and MetricsService
// `Export`. The service definitions pass raw bytes through (identity serializers), so requests
// are decoded by the same protobuf decoders as OTLP/HTTP and answers are encoded the same way;
// grpc-js only does framing, compression and the size cap.
import {
  Server,
  ServerCredentials,
  status as GrpcStatus,
  type ServerUnaryCall,
  type sendUnaryData,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { OtlpDecodeError, type OtlpSignal } from '../ingest/otlp-decode';
import { encodeExportResponse } from '../ingest/responses';
import { PortInUseError } from './errors';
import {
  countOutcome,
  exportBody,
  partialOf,
  type ExportOutcome,
  type IngestCounters,
  type ReceiverSinks,
} from './export-outcome';
import type { ReceiverAddress, ReceiverDataListener } from './http-receiver';

export { PortInUseError };

export interface OtlpGrpcReceiverOptions {
  /** Bind address; default loopback. */
  host?: string;
  /** Default 4317 (OTLP/gRPC); 0 picks a free port. */
  port?: number;
  /** Largest request message after decompression; larger ones get RESOURCE_EXHAUSTED. Default 16 MiB. */
  maxMessageBytes?: number;
  sinks: ReceiverSinks;
}

export interface GrpcReceiverStats extends IngestCounters {
  /** Requests answered INVALID_ARGUMENT (undecodable) or INTERNAL (sink failed). */
  failedRequests: number;
}

const SERVICES: readonly [OtlpSignal, string][] = [
  ['traces', 'opentelemetry.proto.collector.trace.v1.TraceService'],
  ['logs', 'opentelemetry.proto.collector.logs.v1.LogsService'],
  ['metrics', 'opentelemetry.proto.collector.metrics.v1.MetricsService'],
];

const identity = (b: Buffer): Buffer => b;

function exportDefinition(service: string): ServiceDefinition {
  return {
    Export: {
      path: `/${service}/Export`,
      requestStream: false,
      responseStream: false,
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
    },
  };
}

/** How long stop() lets in-flight calls finish before cutting them. */
const STOP_GRACE_MS = 1_000;

export class OtlpGrpcReceiver {
  private readonly host: string;
  private readonly port: number;
  private readonly maxMessageBytes: number;
  private readonly sinks: ReceiverSinks;
  private server: Server | undefined;
  private readonly listeners = new Set<ReceiverDataListener>();
  private readonly counters: GrpcReceiverStats = {
    requests: 0,
    acceptedSpans: 0,
    rejectedSpans: 0,
    acceptedLogs: 0,
    rejectedLogs: 0,
    acceptedDataPoints: 0,
    rejectedDataPoints: 0,
    failedRequests: 0,
    lastDataAt: undefined,
  };

  constructor(options: OtlpGrpcReceiverOptions) {
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port ?? 4317;
    this.maxMessageBytes = options.maxMessageBytes ?? 16 * 1024 * 1024;
    this.sinks = options.sinks;
  }

  get stats(): GrpcReceiverStats {
    return { ...this.counters };
  }

  /** Subscribes to "data arrived"; returns the unsubscribe function. */
  onData(listener: ReceiverDataListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts listening. Rejects with PortInUseError when the port is taken. */
  start(): Promise<ReceiverAddress> {
    if (this.server !== undefined)
      return Promise.reject(new Error('the OTLP/gRPC receiver is already started'));
    const server = new Server({
      'grpc.max_receive_message_length': this.maxMessageBytes,
      'grpc.max_send_message_length': 4 * 1024 * 1024,
    });
    for (const [signal, name] of SERVICES) {
      const impl: UntypedServiceImplementation = {
        Export: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) =>
          this.export(signal, call.request, callback),
      };
      server.addService(exportDefinition(name), impl);
    }
    this.server = server;
    const hostPart = this.host.includes(':') ? `[${this.host}]` : this.host;
    return new Promise<ReceiverAddress>((resolve, reject) => {
      server.bindAsync(
        `${hostPart}:${this.port}`,
        ServerCredentials.createInsecure(),
        (err, port) => {
          if (err) {
            this.server = undefined;
            server.forceShutdown();
            // grpc-js wraps the listen error in a summary message; the code is in the text.
            reject(
              /EADDRINUSE|address already in use/i.test(err.message)
                ? new PortInUseError(this.host, this.port)
                : err,
            );
            return;
          }
          resolve({ host: this.host, port, url: `http://${hostPart}:${port}` });
        },
      );
    });
  }

  /** Stops listening; in-flight calls get a short grace period, then are cancelled. */
  stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, STOP_GRACE_MS);
      timer.unref();
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private export(signal: OtlpSignal, body: Buffer, callback: sendUnaryData<Buffer>): void {
    this.counters.requests++;
    let outcome: ExportOutcome | Promise<ExportOutcome>;
    try {
      outcome = exportBody(this.sinks, signal, 'protobuf', body);
    } catch (err) {
      return this.fail(signal, callback, err);
    }
    if (!(outcome instanceof Promise)) return this.answer(signal, callback, outcome);
    // Decoded by the ingest worker; answered when it has been stored.
    outcome.then(
      (o) => this.answer(signal, callback, o),
      (err: unknown) => this.fail(signal, callback, err),
    );
  }

  private fail(signal: OtlpSignal, callback: sendUnaryData<Buffer>, err: unknown): void {
    this.counters.failedRequests++;
    // Same split as OTLP/HTTP's 400 vs 500: bad data is permanent, a failing sink is ours.
    if (err instanceof OtlpDecodeError)
      return callback({ code: GrpcStatus.INVALID_ARGUMENT, details: err.message });
    callback({
      code: GrpcStatus.INTERNAL,
      details: `the receiver failed to store the ${signal}: ${err instanceof Error ? err.message : String(err)}`,
    });
  }

  private answer(signal: OtlpSignal, callback: sendUnaryData<Buffer>, o: ExportOutcome): void {
    countOutcome(this.counters, signal, o);
    callback(null, Buffer.from(encodeExportResponse(signal, 'protobuf', partialOf(o))));
    if (o.accepted > 0) {
      const event = {
        signal,
        accepted: o.accepted,
        rejected: o.rejected,
        atMs: this.counters.lastDataAt!,
      };
      for (const listener of this.listeners) {
        try {
          listener(event);
        } catch {
          // A listener's failure is its own; the data is already stored and answered.
        }
      }
    }
  }
}

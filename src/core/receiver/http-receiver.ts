// The embedded OTLP/HTTP receiver (node:http, no framework): POST /v1/traces, /v1/logs and
// /v1/metrics in protobuf or JSON, gzip/deflate, with the status codes of the OTLP/HTTP spec.
//
// Robustness rules: it binds only where told (loopback by default); every body is capped after
// decompression; load is shed early (429 when too many requests are in flight, 503 when too
// many bytes are held) with Retry-After; a failing sink is a 500 for that request only; no
// socket/stream error can escape as an unhandled 'error' event.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OtlpDecodeError, type OtlpFormat, type OtlpSignal } from '../ingest/otlp-decode';
import { RpcCode, encodeExportResponse, encodeStatus } from '../ingest/responses';
import { readBody } from './body';
import {
  countOutcome,
  exportBody,
  partialOf,
  type ExportOutcome,
  type IngestCounters,
  type ReceiverSinks,
} from './export-outcome';
import { ClientAbortError, HttpError, PortInUseError } from './errors';
import { contentLengthOf, encodingOf, formatOf } from './request-headers';

export { PortInUseError };

export type { ExportOutcome, IngestCounters, ReceiverSinks } from './export-outcome';

export interface OtlpHttpReceiverOptions {
  /** Bind address; default loopback. */
  host?: string;
  /** Default 4318 (OTLP/HTTP); 0 picks a free port. */
  port?: number;
  /** Cap on a request body after decompression; default 16 MiB. */
  maxBodyBytes?: number;
  /** Requests read/decoded at once before answering 429; default 64. */
  maxConcurrentRequests?: number;
  /** Bytes held by in-flight requests before answering 503; default 64 MiB. */
  maxQueuedBytes?: number;
  sinks: ReceiverSinks;
  /**
   * Serves requests to other paths (e.g. a status endpoint). Return true when it handled the
   * request; false falls through to 404.
   */
  extraRoute?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

export interface ReceiverStats extends IngestCounters {
  /** Non-2xx answers by HTTP status. */
  errorsByStatus: Record<number, number>;
}

/** Fired after a request's data reached the sink. */
export interface ReceiverDataEvent {
  signal: OtlpSignal;
  accepted: number;
  rejected: number;
  atMs: number;
}

export type ReceiverDataListener = (event: ReceiverDataEvent) => void;

export interface ReceiverAddress {
  host: string;
  port: number;
  /** Base URL for OTEL_EXPORTER_OTLP_ENDPOINT, e.g. `http://127.0.0.1:4318`. */
  url: string;
}

const SIGNAL_BY_PATH: Record<string, OtlpSignal> = {
  '/v1/traces': 'traces',
  '/v1/logs': 'logs',
  '/v1/metrics': 'metrics',
};

const CONTENT_TYPE: Record<OtlpFormat, string> = {
  protobuf: 'application/x-protobuf',
  json: 'application/json',
};

const RPC_CODE_BY_STATUS: Record<number, number> = {
  400: RpcCode.INVALID_ARGUMENT,
  404: RpcCode.NOT_FOUND,
  405: RpcCode.UNIMPLEMENTED,
  413: RpcCode.RESOURCE_EXHAUSTED,
  415: RpcCode.INVALID_ARGUMENT,
  429: RpcCode.RESOURCE_EXHAUSTED,
  500: RpcCode.INTERNAL,
  503: RpcCode.UNAVAILABLE,
};

/**
 * An early answer (413, 429, …) is written at once, but the rest of the upload is then read and
 * dropped before the response is finished, rather than the connection being cut (Node closes it
 * right after the response when the client sent `Connection: close`): closing a socket with
 * unread input makes the kernel send a reset, and the client may lose our answer and see only
 * EPIPE/ECONNRESET. Draining is bounded in bytes and time; past either the connection is cut.
 */
const DISCARD_LIMIT_BYTES = 256 * 1024 * 1024;
const DISCARD_MS = 5_000;
/** How long stop() lets in-flight requests finish before cutting connections. */
const STOP_GRACE_MS = 1_000;

interface Reservation {
  bytes: number;
}

export class OtlpHttpReceiver {
  private readonly host: string;
  private readonly port: number;
  private readonly maxBodyBytes: number;
  private readonly maxConcurrent: number;
  private readonly maxQueuedBytes: number;
  private readonly sinks: ReceiverSinks;
  private readonly extraRoute: OtlpHttpReceiverOptions['extraRoute'];
  private server: Server | undefined;
  private inFlight = 0;
  private queuedBytes = 0;
  private readonly listeners = new Set<ReceiverDataListener>();
  private readonly counters: ReceiverStats = {
    requests: 0,
    acceptedSpans: 0,
    rejectedSpans: 0,
    acceptedLogs: 0,
    rejectedLogs: 0,
    acceptedDataPoints: 0,
    rejectedDataPoints: 0,
    lastDataAt: undefined,
    errorsByStatus: {},
  };

  constructor(options: OtlpHttpReceiverOptions) {
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port ?? 4318;
    this.maxBodyBytes = options.maxBodyBytes ?? 16 * 1024 * 1024;
    this.maxConcurrent = options.maxConcurrentRequests ?? 64;
    this.maxQueuedBytes = options.maxQueuedBytes ?? 64 * 1024 * 1024;
    this.sinks = options.sinks;
    this.extraRoute = options.extraRoute;
  }

  /** A snapshot of the counters. */
  get stats(): ReceiverStats {
    return { ...this.counters, errorsByStatus: { ...this.counters.errorsByStatus } };
  }

  /** Subscribes to "data arrived"; returns the unsubscribe function. */
  onData(listener: ReceiverDataListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts listening. Rejects with PortInUseError when the port is taken. */
  start(): Promise<ReceiverAddress> {
    if (this.server !== undefined)
      return Promise.reject(new Error('the OTLP receiver is already started'));
    const server = createServer({ requestTimeout: 60_000 }, (req, res) =>
      this.handle(req, res, false),
    );
    // Expect: 100-continue: refuse oversized/unwanted uploads before the client sends them.
    server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) =>
      this.handle(req, res, true),
    );
    server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
      // Malformed HTTP, or a socket error outside a request: answer when the peer can still read.
      if (err.code === 'ECONNRESET' || !socket.writable) socket.destroy();
      else socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    });
    this.server = server;
    return new Promise<ReceiverAddress>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        this.server = undefined;
        server.close();
        reject(err.code === 'EADDRINUSE' ? new PortInUseError(this.host, this.port) : err);
      };
      server.once('error', onError);
      server.listen({ host: this.host, port: this.port }, () => {
        server.off('error', onError);
        // After startup, a server-level error must not crash the host process.
        server.on('error', () => undefined);
        const address = server.address() as AddressInfo;
        const urlHost =
          address.family === 'IPv6' || address.address.includes(':')
            ? `[${address.address}]`
            : address.address;
        resolve({
          host: address.address,
          port: address.port,
          url: `http://${urlHost}:${address.port}`,
        });
      });
    });
  }

  /** Stops listening; in-flight requests get a short grace period, then connections are cut. */
  stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => server.closeAllConnections(), STOP_GRACE_MS);
      timer.unref();
      server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      server.closeIdleConnections();
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse, expectsContinue: boolean): void {
    // Stream errors (client resets) are handled through 'close'; never leave them unhandled.
    req.on('error', ignore);
    res.on('error', ignore);
    this.counters.requests++;
    const qmark = req.url === undefined ? -1 : req.url.indexOf('?');
    const path = req.url === undefined ? '' : qmark < 0 ? req.url : req.url.slice(0, qmark);
    const signal = SIGNAL_BY_PATH[path];
    const format = formatOf(req.headers);

    if (signal === undefined) {
      if (this.extraRoute !== undefined) {
        try {
          if (this.extraRoute(req, res)) return;
        } catch (err) {
          return this.fail(
            req,
            res,
            format,
            new HttpError(500, `internal error: ${messageOf(err)}`),
            undefined,
            expectsContinue,
          );
        }
      }
      return this.fail(
        req,
        res,
        format,
        new HttpError(
          404,
          `no OTLP endpoint at ${path}; use POST /v1/traces, /v1/logs or /v1/metrics`,
        ),
        undefined,
        expectsContinue,
      );
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { allow: 'POST, OPTIONS' });
      return endAfterUpload(req, res, new Uint8Array(0));
    }
    if (req.method !== 'POST') {
      return this.fail(
        req,
        res,
        format,
        new HttpError(405, `${req.method ?? '?'} is not allowed on ${path}; OTLP/HTTP uses POST`),
        { allow: 'POST' },
        expectsContinue,
      );
    }
    if (format === undefined) {
      const given = req.headers['content-type'] ?? '(none)';
      return this.fail(
        req,
        res,
        undefined,
        new HttpError(
          415,
          `unsupported Content-Type ${given}; use application/x-protobuf or application/json`,
        ),
        undefined,
        expectsContinue,
      );
    }
    const encoding = encodingOf(req.headers);
    if (encoding === undefined) {
      const given = req.headers['content-encoding'] ?? '';
      return this.fail(
        req,
        res,
        format,
        new HttpError(415, `unsupported Content-Encoding ${given}; use gzip, deflate or identity`),
        undefined,
        expectsContinue,
      );
    }
    const declared = contentLengthOf(req.headers);
    if (declared !== undefined && declared > this.maxBodyBytes) {
      return this.fail(
        req,
        res,
        format,
        new HttpError(
          413,
          `request body of ${declared} bytes exceeds the receiver's limit of ${this.maxBodyBytes} bytes`,
        ),
        undefined,
        expectsContinue,
      );
    }
    if (this.inFlight >= this.maxConcurrent) {
      return this.fail(
        req,
        res,
        format,
        new HttpError(
          429,
          `too many concurrent requests (limit ${this.maxConcurrent}); retry shortly`,
        ),
        { 'retry-after': '1' },
        expectsContinue,
      );
    }
    const reservation: Reservation = { bytes: 0 };
    if (declared !== undefined && !this.reserve(reservation, declared)) {
      return this.fail(
        req,
        res,
        format,
        new HttpError(503, 'the receiver is holding too much unprocessed data; retry shortly'),
        { 'retry-after': '1' },
        expectsContinue,
      );
    }

    this.inFlight++;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.inFlight--;
      this.queuedBytes -= reservation.bytes;
      reservation.bytes = 0;
    };
    if (expectsContinue) res.writeContinue();
    readBody(req, encoding, {
      maxBodyBytes: this.maxBodyBytes,
      reserve: (total) => this.reserve(reservation, total),
    }).then(
      (body) => {
        // Bytes stay reserved until the body is decoded (here, or in the ingest worker).
        let outcome: ExportOutcome | Promise<ExportOutcome>;
        try {
          outcome = exportBody(this.sinks, signal, format, body);
        } catch (err) {
          release();
          return this.failExport(req, res, signal, format, err);
        }
        if (!(outcome instanceof Promise)) {
          release();
          return this.answer(req, res, signal, format, outcome);
        }
        outcome
          .then(
            (o) => this.answer(req, res, signal, format, o),
            (err: unknown) => this.failExport(req, res, signal, format, err),
          )
          .finally(release);
      },
      (err: unknown) => {
        release();
        if (err instanceof ClientAbortError) return;
        const httpErr =
          err instanceof HttpError ? err : new HttpError(500, `internal error: ${messageOf(err)}`);
        this.fail(
          req,
          res,
          format,
          httpErr,
          httpErr.status === 503 ? { 'retry-after': '1' } : undefined,
        );
      },
    );
  }

  /** Grows a request's share of the byte budget to `total`; false when the budget is exhausted. */
  private reserve(reservation: Reservation, total: number): boolean {
    const delta = total - reservation.bytes;
    if (delta <= 0) return true;
    if (this.queuedBytes + delta > this.maxQueuedBytes) return false;
    this.queuedBytes += delta;
    reservation.bytes = total;
    return true;
  }

  /** A decoded request: counted, answered (with partial success when some items were rejected). */
  private answer(
    req: IncomingMessage,
    res: ServerResponse,
    signal: OtlpSignal,
    format: OtlpFormat,
    o: ExportOutcome,
  ): void {
    countOutcome(this.counters, signal, o);
    this.send(req, res, format, 200, encodeExportResponse(signal, format, partialOf(o)));
    if (o.accepted > 0)
      this.emitData({
        signal,
        accepted: o.accepted,
        rejected: o.rejected,
        atMs: this.counters.lastDataAt!,
      });
  }

  /** A malformed payload is a 400 (the receiver keeps serving); a failure to store it a 500. */
  private failExport(
    req: IncomingMessage,
    res: ServerResponse,
    signal: OtlpSignal,
    format: OtlpFormat,
    err: unknown,
  ): void {
    const httpErr =
      err instanceof OtlpDecodeError
        ? new HttpError(400, err.message)
        : new HttpError(500, `the receiver failed to store the ${signal}: ${messageOf(err)}`);
    this.send(
      req,
      res,
      format,
      httpErr.status,
      encodeStatus(format, RPC_CODE_BY_STATUS[httpErr.status] ?? 0, httpErr.message),
    );
  }

  private emitData(event: ReceiverDataEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A listener's failure is its own; the data is already stored and answered.
      }
    }
  }

  /** Answers an error (in the request's format when known, else JSON) and drops the unread body. */
  /**
   * Answers an error (in the request's format when known, else JSON) and drops the unread body.
   * `noBodyComing`: the client waits for 100-continue, so after a final answer it will not send
   * the body and the connection cannot carry another request: close it rather than wait.
   */
  private fail(
    req: IncomingMessage,
    res: ServerResponse,
    format: OtlpFormat | undefined,
    err: HttpError,
    headers?: Record<string, string>,
    noBodyComing = false,
  ): void {
    const f = format ?? 'json';
    const extra = noBodyComing ? { ...headers, connection: 'close' } : headers;
    this.send(
      req,
      res,
      f,
      err.status,
      encodeStatus(f, RPC_CODE_BY_STATUS[err.status] ?? 0, err.message),
      extra,
      noBodyComing,
    );
  }

  private send(
    req: IncomingMessage,
    res: ServerResponse,
    format: OtlpFormat,
    status: number,
    body: Uint8Array,
    headers?: Record<string, string>,
    noBodyComing = false,
  ): void {
    if (status >= 300)
      this.counters.errorsByStatus[status] = (this.counters.errorsByStatus[status] ?? 0) + 1;
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, {
      ...headers,
      'content-type': CONTENT_TYPE[format],
      'content-length': body.byteLength,
    });
    if (noBodyComing) res.end(body);
    else endAfterUpload(req, res, body);
  }
}

/**
 * Sends `body` (headers already set) and finishes the response once the request has been read
 * to its end. When we answer before reading the upload, the client gets the complete answer at
 * once (its length is declared) while we drop whatever it still sends; a client that keeps
 * sending past the limits is cut off.
 */
function endAfterUpload(req: IncomingMessage, res: ServerResponse, body: Uint8Array): void {
  if (req.complete || req.destroyed) {
    res.end(body);
    return;
  }
  res.flushHeaders();
  if (body.byteLength > 0) res.write(body);
  let dropped = 0;
  let done = false;
  const finish = (cut: boolean): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    req.off('data', onData);
    res.end();
    if (cut) req.socket.destroy();
  };
  const onData = (chunk: Buffer): void => {
    dropped += chunk.length;
    if (dropped > DISCARD_LIMIT_BYTES) finish(true);
  };
  const timer = setTimeout(() => finish(true), DISCARD_MS);
  timer.unref();
  req.on('data', onData);
  req.once('end', () => finish(false));
  req.once('close', () => finish(false));
  req.resume();
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function ignore(): void {}

// Reads a request body into memory under hard limits, decompressing as a stream.
//
// The size cap applies to the decompressed bytes and is checked on every chunk the inflater
// emits, so a gzip bomb is stopped after ~maxBodyBytes of output, not after inflating it all.
// The raw (wire) bytes are capped too, so an oversized upload is refused while it streams.
//
// On failure the request stream is left intact (paused, our listeners removed): the caller
// still has to answer on this connection, then discard whatever the client keeps sending.
import type { IncomingMessage } from 'node:http';
import { createGunzip, createInflate, type Gunzip, type Inflate } from 'node:zlib';
import { ClientAbortError, HttpError } from './errors';
import type { BodyEncoding } from './request-headers';

export interface BodyLimits {
  /** Cap on the body after decompression (and on the raw upload). */
  maxBodyBytes: number;
  /**
   * Called with the running decompressed size; returns false when the shared in-memory budget
   * cannot hold that much (→ 503).
   */
  reserve(totalBytes: number): boolean;
}

function tooLarge(limit: number): HttpError {
  return new HttpError(
    413,
    `request body exceeds the receiver's limit of ${limit} bytes (after decompression)`,
  );
}

export function readBody(
  req: IncomingMessage,
  encoding: BodyEncoding,
  limits: BodyLimits,
): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const max = limits.maxBodyBytes;
    const chunks: Buffer[] = [];
    let size = 0;
    let raw = 0;
    let settled = false;
    const inflater: Gunzip | Inflate | undefined =
      encoding === 'gzip' ? createGunzip() : encoding === 'deflate' ? createInflate() : undefined;

    const settle = (err: Error | undefined): void => {
      if (settled) return;
      settled = true;
      req.off('data', onRawData);
      req.off('end', onRawEnd);
      req.off('close', onClose);
      req.off('error', onReqError);
      if (inflater !== undefined) {
        inflater.off('data', onBodyData);
        inflater.off('end', onInflaterEnd);
        inflater.off('error', onInflaterError);
        inflater.off('drain', onDrain);
        // Late errors from a destroyed inflater must not become unhandled 'error' events.
        inflater.on('error', ignore);
        inflater.destroy();
      }
      if (err === undefined) {
        resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
      } else {
        if (!req.complete) req.pause();
        reject(err);
      }
    };

    const onBodyData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > max) return settle(tooLarge(max));
      if (!limits.reserve(size)) {
        return settle(
          new HttpError(503, 'the receiver is holding too much unprocessed data; retry shortly'),
        );
      }
      chunks.push(chunk);
    };

    const onRawData = (chunk: Buffer): void => {
      raw += chunk.length;
      if (raw > max) return settle(tooLarge(max));
      if (inflater === undefined) return onBodyData(chunk);
      // Respect the inflater's backpressure so compressed input does not pile up in memory.
      if (!inflater.write(chunk)) {
        req.pause();
        inflater.once('drain', onDrain);
      }
    };

    const onDrain = (): void => {
      if (!settled) req.resume();
    };

    const onRawEnd = (): void => {
      if (inflater === undefined) settle(undefined);
      else inflater.end();
    };

    const onInflaterEnd = (): void => settle(undefined);

    const onInflaterError = (err: Error): void => {
      settle(new HttpError(400, `cannot decompress the ${encoding} request body: ${err.message}`));
    };

    const onClose = (): void => {
      if (!req.complete) settle(new ClientAbortError());
    };

    const onReqError = (): void => settle(new ClientAbortError());

    req.on('data', onRawData);
    req.on('end', onRawEnd);
    req.on('close', onClose);
    req.on('error', onReqError);
    if (inflater !== undefined) {
      inflater.on('data', onBodyData);
      inflater.on('end', onInflaterEnd);
      inflater.on('error', onInflaterError);
    }
  });
}

function ignore(): void {}

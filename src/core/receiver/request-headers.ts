// Reads the request headers the receiver dispatches on. OTLP/HTTP: the body is protobuf or JSON
// according to Content-Type (parameters such as charset allowed), optionally gzip-compressed.
import type { IncomingHttpHeaders } from 'node:http';
import type { OtlpFormat } from '../ingest/otlp-decode';

export type BodyEncoding = 'identity' | 'gzip' | 'deflate';

/** The OTLP format named by Content-Type, or undefined for anything else (→ 415). */
export function formatOf(headers: IncomingHttpHeaders): OtlpFormat | undefined {
  const raw = headers['content-type'];
  if (raw === undefined) return undefined;
  const semi = raw.indexOf(';');
  const type = (semi < 0 ? raw : raw.slice(0, semi)).trim().toLowerCase();
  if (type === 'application/x-protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return undefined;
}

/** The Content-Encoding, or undefined when it is one we do not decode (→ 415). */
export function encodingOf(headers: IncomingHttpHeaders): BodyEncoding | undefined {
  const raw = headers['content-encoding'];
  if (raw === undefined) return 'identity';
  const value = raw.trim().toLowerCase();
  if (value === '' || value === 'identity') return 'identity';
  if (value === 'gzip' || value === 'x-gzip') return 'gzip';
  if (value === 'deflate') return 'deflate';
  return undefined;
}

/** Declared body length, or undefined when absent/unparseable (chunked uploads). */
export function contentLengthOf(headers: IncomingHttpHeaders): number | undefined {
  const raw = headers['content-length'];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

// The ingest worker's thread: scans OTLP trace requests and triages their spans (series keys,
// samples), off the thread that serves the editor. It holds no store: every batch goes back to the
// engine as typed arrays (transferred, not copied) plus the few spans worth holding whole.
import { parentPort } from 'node:worker_threads';
import { decodeTraces, OtlpDecodeError, scanTraces } from '../ingest/otlp-decode';
import { TraceScanner } from '../ingest/trace-wire-scan';
import { SCAN_KEYS, SpanTriage } from '../engine/span-triage';
import { locateSpan } from '../resolver/span-location';
import { deferredShape } from '../resolver/deferred-shape';
import type { DecodeReply, DecodeRequest } from './messages';

const port = parentPort;
if (!port) throw new Error('the ingest worker runs in a worker thread');
// Bare request paths are shaped by the engine, which has the workspace's routes: locating a span
// here depends on its bytes alone, which is what lets the scan's fingerprints stand for it.
const triage = new SpanTriage((span) => locateSpan(span, deferredShape));
const scanner = new TraceScanner(SCAN_KEYS);

port.on('message', (m: DecodeRequest) => {
  let reply: DecodeReply;
  try {
    // Protobuf (what SDK exporters send) is scanned, each span decoded only when needed; JSON
    // is decoded whole.
    let accepted: number;
    let rejected: number;
    let errorMessage: string | undefined;
    let batch;
    if (m.format === 'protobuf') {
      const scanned = scanTraces(scanner, m.body);
      batch = triage.runScanned(scanned, Date.now());
      ({ count: accepted, rejected, errorMessage } = scanned);
    } else {
      const decoded = decodeTraces(m.body, m.format);
      batch = triage.run(decoded.spans, Date.now());
      ({ rejected, errorMessage } = decoded);
      accepted = decoded.spans.length;
    }
    reply = {
      id: m.id,
      ok: true,
      accepted,
      rejected,
      ...(errorMessage !== undefined ? { errorMessage } : {}),
      batch,
    };
    port.postMessage(reply, [
      batch.group.buffer,
      batch.endMs.buffer,
      batch.durationMs.buffer,
      batch.error.buffer,
    ] as ArrayBuffer[]);
    return;
  } catch (e) {
    reply = {
      id: m.id,
      ok: false,
      invalid: e instanceof OtlpDecodeError,
      message: e instanceof Error ? e.message : String(e),
    };
  }
  port.postMessage(reply);
});

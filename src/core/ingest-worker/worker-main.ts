// The ingest worker's thread: decodes OTLP trace requests and triages their spans (series keys,
// samples), off the thread that serves the editor. It holds no store: every batch goes back to the
// engine as typed arrays (transferred, not copied) plus the few spans worth holding whole.
import { parentPort } from 'node:worker_threads';
import { decodeTracesForTriage, OtlpDecodeError } from '../ingest/otlp-decode';
import { SpanTriage, TRIAGE_ATTRIBUTES } from '../engine/span-triage';
import { locateSpan } from '../resolver/span-location';
import { deferredShape } from '../resolver/deferred-shape';
import type { DecodeReply, DecodeRequest } from './messages';

const port = parentPort;
if (!port) throw new Error('the ingest worker runs in a worker thread');
// Bare request paths are shaped by the engine, which has the workspace's routes.
const triage = new SpanTriage((span) => locateSpan(span, deferredShape));

port.on('message', (m: DecodeRequest) => {
  let reply: DecodeReply;
  try {
    // Spans are decoded for triage (only the attributes it reads); the few it holds whole are
    // decoded again in full before they go to the engine.
    const r = decodeTracesForTriage(m.body, m.format, TRIAGE_ATTRIBUTES);
    const batch = triage.run(r.spans, Date.now(), r.traceLow);
    for (const s of batch.samples) s.span = r.whole(s.index);
    reply = {
      id: m.id,
      ok: true,
      accepted: r.spans.length,
      rejected: r.rejected,
      ...(r.errorMessage !== undefined ? { errorMessage: r.errorMessage } : {}),
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

// The receiver's sinks for an engine: every face (extension, CLI, tests) feeds the engine the same
// way. With an ingest worker, trace bodies are decoded there and only triaged batches come back.
import type { ExportOutcome, ReceiverSinks } from '../receiver/export-outcome';
import type { OtlpFormat } from '../ingest/otlp-decode';
import type { Engine } from './engine';

/** Decodes and stores trace bodies off this thread (core/ingest-worker). */
export interface TraceBodyIngest {
  ingest(body: Uint8Array, format: OtlpFormat): Promise<ExportOutcome>;
}

export function engineSinks(engine: Engine, worker?: TraceBodyIngest): ReceiverSinks {
  return {
    traces: (spans) => engine.ingestSpans(spans),
    ...(worker ? { tracesBody: (body, format) => worker.ingest(body, format) } : {}),
    logs: (logs) => engine.ingestLogs(logs),
    metrics: (n) => engine.ingestMetricPoints(n),
  };
}

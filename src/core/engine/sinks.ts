// The receiver's sinks for an engine: every face (extension, CLI, tests) feeds the engine the same way.
import type { ReceiverSinks } from '../receiver/http-receiver';
import type { Engine } from './engine';

export function engineSinks(engine: Engine): ReceiverSinks {
  return {
    traces: (spans) => engine.ingestSpans(spans),
    logs: (logs) => engine.ingestLogs(logs),
    metrics: (n) => engine.ingestMetricPoints(n),
  };
}

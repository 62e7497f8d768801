// Test-data builders: a span with typed defaults; tests override only what matters to them.
import { randomBytes } from 'node:crypto';
import type { Attributes, SpanRecord } from '../../src/core/model';

export function span(over: Partial<SpanRecord> & { attributes?: Attributes } = {}): SpanRecord {
  const durationMs = over.durationMs ?? 10;
  return {
    traceId: randomBytes(16).toString('hex'),
    spanId: randomBytes(8).toString('hex'),
    parentSpanId: '',
    name: 'op',
    kind: 1,
    startMs: (over.startMs ?? Date.now()) - (over.startMs === undefined ? durationMs : 0),
    durationMs,
    statusCode: 0,
    statusMessage: '',
    attributes: {},
    events: [],
    resource: { service: 'svc', environment: 'test', version: '1' },
    ...over,
  };
}

export function codeSpan(
  file: string,
  fn: string,
  line: number,
  durationMs: number,
  over: Partial<SpanRecord> = {},
): SpanRecord {
  return span({
    ...over,
    durationMs,
    attributes: {
      'code.file.path': file,
      'code.function.name': fn,
      'code.line.number': line,
      ...(over.attributes ?? {}),
    },
  });
}

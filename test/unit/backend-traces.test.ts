// The pure parts of the backend traces module: which search each list sends, the slow threshold's
// rounding, summaries as panel rows, backend spans as a waterfall, and receiver + backend lists merged.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  backendSummaryDto,
  listQuery,
  mergeTraceLists,
  quantizeMs,
  traceDtoFromSpans,
  type SourceTraceLists,
} from '../../src/core/sources/backend-traces';
import type { SpanRecord } from '../../src/core/model';
import type { TraceSummaryDto } from '../../src/protocol/messages';

function span(
  id: string,
  parent: string,
  startMs: number,
  durationMs: number,
  extra: Partial<SpanRecord> = {},
): SpanRecord {
  return {
    traceId: 'ab'.repeat(16),
    spanId: id.padStart(16, '0'),
    parentSpanId: parent ? parent.padStart(16, '0') : '',
    name: `op-${id}`,
    kind: 1,
    startMs,
    durationMs,
    statusCode: 0,
    statusMessage: '',
    attributes: {},
    events: [],
    resource: { service: 'shop', environment: 'prod', version: '' },
    ...extra,
  };
}

test('quantizeMs rounds a threshold down to 1, 1.5, 2, 3, 5, 7 per decade; nothing usable is undefined', () => {
  assert.deepEqual(
    [0.8, 1, 1.4, 11.2, 12.9, 29, 31, 70, 99, 150, 4_999].map(quantizeMs),
    [0.7, 1, 1, 10, 10, 20, 30, 70, 70, 150, 3_000],
  );
  assert.deepEqual([undefined, 0, -3, NaN, Infinity].map(quantizeMs), [
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
  ]);
});

test('listQuery: recent asks for the newest, slowest for at least the rounded threshold, failed for errors only', () => {
  const t = { service: 'shop', spanName: 'GET /orders' };
  assert.deepEqual(listQuery('recent', t, { windowMs: 60_000, slowMinMs: 120 }, 20), {
    service: 'shop',
    spanName: 'GET /orders',
    limit: 20,
    windowMs: 60_000,
  });
  assert.deepEqual(listQuery('slowest', t, { windowMs: 60_000, slowMinMs: 120 }, 20), {
    service: 'shop',
    spanName: 'GET /orders',
    limit: 20,
    windowMs: 60_000,
    minDurationMs: 100,
  });
  assert.deepEqual(listQuery('slowest', { service: 'shop' }, { windowMs: 60_000 }, 5), {
    service: 'shop',
    limit: 5,
    windowMs: 60_000,
  });
  assert.deepEqual(listQuery('failed', t, { windowMs: 60_000, slowMinMs: 120 }, 20), {
    service: 'shop',
    spanName: 'GET /orders',
    limit: 20,
    windowMs: 60_000,
    errorsOnly: true,
  });
});

test('a backend summary is a panel row labelled with its source; what a search cannot know is null', () => {
  assert.deepEqual(
    backendSummaryDto(
      {
        traceId: 'a'.repeat(32),
        rootName: 'GET /',
        service: 'shop',
        startMs: 5,
        durationMs: 9,
        error: true,
      },
      'tempo (prod)',
    ),
    {
      traceId: 'a'.repeat(32),
      rootName: 'GET /',
      rootService: 'shop',
      startMs: 5,
      durationMs: 9,
      spanCount: null,
      error: true,
      matchDurationMs: null,
      matchError: false,
      source: 'tempo (prod)',
    },
  );
});

test('traceDtoFromSpans: tree order with siblings by start, orphans as roots, offsets from the earliest span, cycles and self-parents cut', () => {
  const spans = [
    span('3', '1', 1_030, 5),
    span('2', '1', 1_010, 10, {
      statusCode: 2,
      statusMessage: 'boom',
      events: [
        {
          name: 'exception',
          timeMs: 1_015,
          attributes: {
            'exception.stacktrace': 'Error: boom\n    at load (/app/src/orders.ts:3:9)',
          },
        },
      ],
    }),
    span('1', '', 1_000, 50),
    span('4', '9', 1_040, 1), // parent not in the answer
    span('5', '5', 1_045, 1), // its own parent
  ];
  const t = traceDtoFromSpans('AB'.repeat(16), spans, {
    isMatch: (s) => s.spanId.endsWith('2'),
    code: (s) =>
      s.spanId.endsWith('2')
        ? { file: 'src/orders.ts', line: 2, qualifiedName: 'load' }
        : undefined,
  });
  assert.equal(t.traceId, 'ab'.repeat(16));
  assert.equal(t.startMs, 1_000);
  assert.equal(t.durationMs, 50);
  assert.deepEqual(
    t.rows.map((r) => [
      r.spanId.replace(/^0+/, ''),
      r.depth,
      r.offsetMs,
      r.isMatch,
      r.error,
      r.code?.qualifiedName,
    ]),
    [
      ['1', 0, 0, false, false, undefined],
      ['2', 1, 10, true, true, 'load'],
      ['3', 1, 30, false, false, undefined],
      ['4', 0, 40, false, false, undefined],
      ['5', 0, 45, false, false, undefined],
    ],
  );
  assert.deepEqual(
    t.rows[1]?.events[0]?.frames,
    [{ text: 'Error: boom' }, { text: '    at load (/app/src/orders.ts:3:9)' }],
    'frames as text without a resolver',
  );
  assert.deepEqual(traceDtoFromSpans('ab', []), {
    traceId: 'ab',
    startMs: 0,
    durationMs: 0,
    rows: [],
  });
});

test('mergeTraceLists: receiver rows kept first for a trace both know, backends fill in, each list in its order and bounded', () => {
  const r = (
    id: string,
    startMs: number,
    durationMs: number,
    match: number | null,
    source?: string,
  ): TraceSummaryDto => ({
    traceId: id,
    rootName: id,
    rootService: 'shop',
    startMs,
    durationMs,
    spanCount: match === null ? null : 3,
    error: false,
    matchDurationMs: match,
    matchError: false,
    ...(source ? { source } : {}),
  });
  const receiver = {
    recent: [r('a', 300, 10, 5), r('b', 100, 90, 80)],
    slowest: [r('b', 100, 90, 80), r('a', 300, 10, 5)],
    failed: [],
  };
  const tempo: SourceTraceLists = {
    label: 'tempo (prod)',
    recent: [r('a', 300, 10, null, 'tempo (prod)'), r('c', 200, 40, null, 'tempo (prod)')],
    slowest: [r('c', 200, 40, null, 'tempo (prod)')],
    failed: [r('c', 200, 40, null, 'tempo (prod)')],
    status: { ok: true, latencyMs: 1, message: 'ok', stale: false },
    answered: true,
  };
  const m = mergeTraceLists(receiver, [tempo], 50);
  assert.deepEqual(
    m.recent.map((t) => [t.traceId, t.source ?? 'receiver']),
    [
      ['a', 'receiver'],
      ['c', 'tempo (prod)'],
      ['b', 'receiver'],
    ],
  );
  assert.deepEqual(
    m.slowest.map((t) => t.traceId),
    ['b', 'c', 'a'],
  );
  assert.deepEqual(
    m.failed.map((t) => t.traceId),
    ['c'],
  );
  assert.equal(mergeTraceLists(receiver, [tempo], 1).recent.length, 1);
});

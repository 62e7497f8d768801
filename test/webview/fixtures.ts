// Synthetic panel data: snapshots and traces shaped like the host's (src/extension/details-panel.ts),
// at any size, optionally full of hostile production strings.
import type {
  CompareDto,
  FunctionDetailsDto,
  HistogramDto,
  LogsDto,
  TraceDto,
  TraceSummaryDto,
  WaterfallRowDto,
} from '../../src/protocol/messages';

export const HOSTILE = {
  img: '<img src=x onerror="window.__pwned=1;alert(1)">',
  script: '</script><script>window.__pwned=2</script>',
  js: 'javascript:window.__pwned=3',
  bidi: 'admin\u202Etxt.exe\u2066x\u2069',
  svg: '<svg onload="window.__pwned=4"></svg>',
  style: '<style>body{background:url(http://127.0.0.1:1/x)}</style>',
};
const hostileAll = Object.values(HOSTILE).join(' ');

function rnd(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');

export function histogramOf(durations: number[]): HistogramDto {
  const edges: number[] = [];
  for (let d = 0.1; d < 1e6; d *= 10) for (const s of [1, 1.5, 2, 3, 5, 7]) edges.push(s * d);
  const max = Math.max(...durations);
  const min = Math.min(...durations);
  const used = edges.slice(
    edges.findIndex((e) => e >= min),
    edges.findIndex((e) => e >= max) + 1,
  );
  const counts = new Array<number>(used.length).fill(0);
  for (const d of durations) {
    let i = 0;
    while (i < used.length - 1 && d > used[i]!) i++;
    counts[i]!++;
  }
  return { edgesMs: used, counts, sampleCount: durations.length };
}

/** Two versions (1.4.2 newest, a p95 regression over 1.4.1) and two environments; hostile version names when asked. */
export function compareOf(opts: { hostile?: boolean; now?: number } = {}): CompareDto {
  const now = opts.now ?? 1_750_000_000_000;
  const g = (value: string, count: number, errors: number, p95Ms: number, lastSeenMs: number) => ({
    value,
    count,
    errors,
    p50Ms: 40,
    p95Ms,
    p99Ms: p95Ms * 2,
    lastSeenMs,
  });
  return {
    versions: [
      g(opts.hostile ? `1.4.2 ${HOSTILE.img}` : '1.4.2', 400, 20, 180, now),
      g(opts.hostile ? HOSTILE.bidi : '1.4.1', 600, 6, 120, now - 300_000),
      g('1.3.0', 50, 0, 100, now - 900_000),
    ],
    environments: [
      g('prod', 900, 20, 150, now),
      g(opts.hostile ? HOSTILE.script : 'staging', 150, 6, 140, now - 1_000),
    ],
  };
}

/**
 * Two log statements inside the function (lines 48 and 57), the second with an error and a warning
 * line; hostile bodies, template, service and a non-hex trace id when asked. The first line's trace
 * is the snapshot's newest trace.
 */
export function logsOf(opts: { hostile?: boolean; now?: number } = {}): LogsDto {
  const now = opts.now ?? 1_750_000_000_000;
  const h = opts.hostile;
  const file = 'src/orders/service.ts';
  const line = (
    i: number,
    level: 'info' | 'warn' | 'error',
    body: string,
    traceId = hex(i + 1, 32),
  ) => ({
    timeMs: now - i * 2_000,
    level,
    body,
    traceId,
    spanId: traceId ? hex(i + 1, 16) : '',
    service: h && i === 1 ? HOSTILE.bidi : 'shop',
  });
  return {
    statementsInFunction: 3,
    records: 12,
    linesShown: 4,
    statements: [
      {
        file,
        line: 48,
        level: 'info',
        template: h
          ? `order placed ${HOSTILE.script}`
          : 'order placed orderId=${id} total=${total}',
        count: 9,
        byLevel: { info: 9 },
        lastSeenMs: now,
        latest: [
          line(0, 'info', h ? HOSTILE.img : 'order placed orderId=o-1 total=42.50'),
          line(
            2,
            'info',
            h
              ? `${HOSTILE.js}
${HOSTILE.bidi}`
              : 'order placed orderId=o-2 total=9.99',
            '',
          ),
        ],
        rule: 'log-template',
        confidence: 'high',
        explanation: 'every literal part of the template appears in order',
      },
      {
        file,
        line: 57,
        level: 'error',
        template: 'payment failed for customer ${customer}',
        count: 3,
        byLevel: { error: 2, warn: 1 },
        lastSeenMs: now - 1_000,
        latest: [
          line(
            1,
            'error',
            h
              ? `${HOSTILE.script} ${HOSTILE.svg} ${HOSTILE.style}`
              : 'payment failed for customer c-7',
            h ? HOSTILE.js : hex(2, 32),
          ),
          line(3, 'warn', 'payment failed for customer c-8'),
        ],
        rule: 'log-template',
        confidence: 'medium',
        explanation: 'found inside a longer line',
      },
    ],
  };
}

/** A snapshot for a function with `spans` spans in a 15 min window, 30 points, the host's list limits. */
export function details(
  opts: {
    spans?: number;
    hostile?: boolean;
    now?: number;
    compare?: CompareDto;
    logs?: LogsDto;
  } = {},
): FunctionDetailsDto {
  const n = opts.spans ?? 500;
  const now = opts.now ?? 1_750_000_000_000;
  const r = rnd(42);
  const durations = Array.from({ length: n }, () => 5 + r() * r() * 400);
  const h = opts.hostile;
  const summaries: TraceSummaryDto[] = Array.from(
    { length: Math.min(500, Math.ceil(n / 4)) },
    (_, i) => ({
      traceId: hex(i + 1, 32),
      rootName: h ? `GET ${hostileAll}` : `GET /orders/${i}`,
      rootService: h ? HOSTILE.bidi : 'shop',
      startMs: now - i * 1500,
      durationMs: 20 + (i % 17) * 13,
      spanCount: 5 + (i % 9),
      error: i % 7 === 0,
      matchDurationMs: 10 + (i % 13) * 11,
      matchError: i % 7 === 0,
    }),
  );
  const points = Array.from({ length: 30 }, (_, i) => {
    const count = Math.round(n / 30);
    return {
      startMs: now - 15 * 60_000 + i * 30_000,
      count,
      errors: Math.round(count * 0.02),
      p50Ms: 40 + i,
      p95Ms: 120 + 2 * i,
      p99Ms: 200 + 3 * i,
    };
  });
  return {
    file: 'src/orders/service.ts',
    qualifiedName: h ? `OrderService.${HOSTILE.img}` : 'OrderService.placeOrder',
    startLine: 42,
    window: '15m',
    windows: [
      { id: '5m', label: '5 min' },
      { id: '15m', label: '15 min' },
      { id: '1h', label: '1 h' },
    ],
    environment: '',
    knownEnvironments: h ? ['prod', HOSTILE.script] : ['prod', 'staging'],
    stats: {
      count: n,
      errors: Math.round(n * 0.02),
      p50Ms: 45,
      p90Ms: 130,
      p95Ms: 150,
      p99Ms: 260,
      maxMs: 410,
      ratePerMin: n / 15,
      windowLabel: '15 min',
      coveredLabel: '15 min',
      pointWidthMs: 30_000,
      points,
    },
    histogram: histogramOf(durations),
    mapping: {
      rule: 'code.file.path+line',
      confidence: 'exact',
      explanation: h
        ? `matched ${HOSTILE.style}`
        : 'code.file.path and code.line.number point inside the function.',
    },
    services: [h ? HOSTILE.js : 'shop'],
    environments: ['prod'],
    traces: {
      recent: summaries.slice(0, 50),
      slowest: [...summaries]
        .sort((a, b) => (b.matchDurationMs ?? 0) - (a.matchDurationMs ?? 0))
        .slice(0, 50),
      failed: summaries.filter((t) => t.matchError).slice(0, 50),
      held: summaries.length,
    },
    errors: [
      {
        type: h ? HOSTILE.svg : 'TypeError',
        message: h ? hostileAll : "Cannot read properties of undefined (reading 'id')",
        count: 3,
        lastSeenMs: now - 5_000,
        traceId: hex(1, 32),
        frames: [
          {
            text: h
              ? `    at ${HOSTILE.script} (/app/src/orders/service.ts:57:13)`
              : '    at OrderService.placeOrder (/app/src/orders/service.ts:57:13)',
            code: { file: 'src/orders/service.ts', line: 57 },
          },
          {
            text: '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
          },
        ],
      },
    ],
    logs: opts.logs ?? logsOf({ hostile: h, now }),
    compare: opts.compare ?? compareOf({ hostile: h, now }),
  };
}

/** A trace of `n` spans: a root, then a tree of fan-out 4, with some mapped, failing and evented spans. */
export function trace(n: number, opts: { hostile?: boolean; traceId?: string } = {}): TraceDto {
  const traceId = opts.traceId ?? hex(1, 32);
  const h = opts.hostile;
  const rows: WaterfallRowDto[] = [];
  const depthOf: number[] = [];
  // Build in tree (depth-first) order, as the host sends it.
  const kids = (i: number) => [1, 2, 3, 4].map((k) => i * 4 + k).filter((c) => c < n);
  const stack = [0];
  while (stack.length) {
    const i = stack.pop()!;
    const parent = i === 0 ? -1 : Math.floor((i - 1) / 4);
    const depth = parent < 0 ? 0 : depthOf[parent]! + 1;
    depthOf[i] = depth;
    const offsetMs = i * 0.5;
    rows.push({
      spanId: hex(i + 1, 16),
      parentSpanId: parent < 0 ? '' : hex(parent + 1, 16),
      name: h && i % 2 === 1 ? `${HOSTILE.img} ${HOSTILE.bidi}` : `span ${i}`,
      service: 'shop',
      depth,
      offsetMs,
      durationMs: Math.max(0.1, (n - i) * 0.5),
      error: i % 50 === 7,
      statusMessage: i % 50 === 7 ? (h ? HOSTILE.script : 'boom') : '',
      isMatch: i % 10 === 3,
      attributes: [
        ['http.route', h ? HOSTILE.js : `/orders/${i}`],
        ['db.statement', h ? HOSTILE.style : 'SELECT 1'],
      ],
      events:
        i % 50 === 7
          ? [
              {
                name: 'exception',
                offsetMs: offsetMs + 0.2,
                attributes: [
                  ['exception.type', 'Error'],
                  ['exception.message', h ? HOSTILE.img : 'boom'],
                ],
                frames: [
                  {
                    text: '    at handler (/app/src/orders/service.ts:60:5)',
                    code: { file: 'src/orders/service.ts', line: 60 },
                  },
                ],
              },
            ]
          : [],
      ...(i % 10 === 3
        ? {
            code: {
              file: 'src/orders/service.ts',
              line: 42,
              qualifiedName: 'OrderService.placeOrder',
            },
          }
        : {}),
    });
    for (const c of kids(i).reverse()) stack.push(c);
  }
  return { traceId, startMs: 1_750_000_000_000, durationMs: n * 0.5 + 1, rows };
}
